"""Benchmark: what a saved value costs a process that already holds the city's frames.

    python -m benchmarks.catchup [--database-url URL] [--scale 10] [--fresh]

Uses the same throw-away scale-10 demo database as ``benchmarks.analytics`` (about a million
measure values). Times, for the public and for equity-office staff: reading every frame the
analytics need from scratch (what every process did after any change before catch-up reads); then,
after one saved value, bringing the held frames up to date (:class:`FrameStore`); then, after the
value's cycle is submitted, approved and published (which moves every row of that bureau's cycle),
the same again. Each save leaves one more draft, submitted and published, in the benchmark database.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from sqlalchemy import select

from benchmarks.analytics import _default_url, _machine, _prepare
from equity_tracking import writes
from equity_tracking.analytics.frames import FrameStore
from equity_tracking.models import Measure, Plan, ReportingPeriod, in_plans
from equity_tracking.permissions import OPERATOR, PUBLIC, Viewer
from equity_tracking.validation import Entry

STAFF = Viewer(OPERATOR, include_unpublished=True)


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _a_measure_to_save(engine) -> tuple[int, int, int, int]:
    """An annual measure of an active plan and its plan's last fiscal year: (measure, period,
    bureau, fiscal year)."""
    with engine.connect() as connection:
        measure_id, bureau_id, year = connection.execute(
            in_plans(Measure, Measure.id)
            .add_columns(Plan.bureau_id, Plan.last_fiscal_year)
            .where(Plan.status == "active", Measure.frequency == "annual", Measure.unit == "percent")
            .order_by(Measure.id)
            .limit(1)
        ).one()
        period_id = connection.execute(
            select(ReportingPeriod.id).where(
                ReportingPeriod.kind == "fiscal_year", ReportingPeriod.fiscal_year == year
            )
        ).scalar_one()
    return int(measure_id), int(period_id), int(bureau_id), int(year)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.catchup", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="database to use (default: the throw-away SQLite file)")
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args(argv)
    engine, _ = _prepare(args.database_url or _default_url(args.scale, args.seed, fresh=args.fresh),
                         scale=args.scale, seed=args.seed)  # fmt: skip
    store = FrameStore()
    viewers = {"public": PUBLIC, "staff": STAFF}
    rows = {name: [_timed(lambda viewer=viewer, name=name: store.frames(engine, viewer=viewer, key=name))]
            for name, viewer in viewers.items()}  # fmt: skip
    measure_id, period_id, bureau_id, year = _a_measure_to_save(engine)
    key = writes.period_key(measure_id, period_id)
    writes.save_period_values(
        engine, actor=OPERATOR, measure_id=measure_id, period_id=period_id, total=Entry(50.0),
        base_version=writes.edit_versions(engine, [key])[key], confirm_jump=True, today=dt.date.today(),
    )  # fmt: skip
    for name, viewer in viewers.items():
        rows[name].append(
            _timed(lambda viewer=viewer, name=name: store.frames(engine, viewer=viewer, key=name))
        )
    cycle = {"bureau_id": bureau_id, "fiscal_year": year}
    writes.submit_cycle(engine, actor=OPERATOR, **cycle)
    writes.approve_cycle(engine, actor=OPERATOR, **cycle)
    writes.publish_cycle(engine, actor=OPERATOR, **cycle)
    for name, viewer in viewers.items():
        rows[name].append(
            _timed(lambda viewer=viewer, name=name: store.frames(engine, viewer=viewer, key=name))
        )
    values = len(store.frames(engine, viewer=STAFF, key="staff").values)
    print(f"machine: {_machine()}")
    print(f"measure values held (staff): {values:,}")
    print(f"{'viewer':8} {'full read':>10} {'after a save':>13} {'after publishing its cycle':>27}")
    for name, (full, saved, published) in rows.items():
        print(f"{name:8} {full:9.2f}s {saved:12.2f}s {published:26.2f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
