"""Benchmark: importing a workbook of 100,000 value rows into an empty database, then again.

    python -m benchmarks.import_values [--database-url URL] [--bureaus 20] [--measures 50] [--keep]

Builds an ``.xlsx`` in the system's temp folder (never ``data/``): ``--bureaus`` bureaus with one
goal and ``--measures`` quarterly count measures each, every measure with figures for the four
quarters of FY 2016-17 to FY 2020-21, each quarter a total and four groups (Asian, Black,
Hispanic or Latino, White) that add up to it: 20 × 50 × 5 years × 4 quarters × 5 rows = 100,000
value rows. Imports it into a fresh SQLite file (or the empty database ``--database-url`` names)
and prints the time spent reading the workbook, checking it (file shape, plan structure, every
figure) and writing the figures, and the total; the target is ≤ 30 s. Then imports the same file
again, which must change nothing, and prints that time. Exits with status 1 when the first import
misses the target or the second changes anything. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

import pandas as pd

TARGET_SECONDS = 30.0
FIRST_YEAR, YEARS = 2016, 5
GROUPS = ("Asian", "Black", "Hispanic or Latino", "White")
TODAY = dt.date(2022, 1, 15)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.import_values", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--database-url", help="an empty database (default: a throw-away SQLite file)")
    parser.add_argument("--bureaus", type=int, default=20)
    parser.add_argument("--measures", type=int, default=50, help="measures per bureau")
    parser.add_argument("--keep", action="store_true", help="keep the workbook and the SQLite file")
    return parser.parse_args(argv)


def build_sheets(bureaus: int, measures: int, *, seed: int = 2016) -> dict[str, pd.DataFrame]:
    """The contract's sheets for ``bureaus`` × ``measures`` quarterly measures, as text."""
    rng = random.Random(seed)
    codes = [f"B{number:02d}" for number in range(1, bureaus + 1)]
    goals, measure_rows, values = [], [], []
    for code in codes:
        goals.append({"bureau_code": code, "goal_key": "G1", "title": f"Goal of {code}",
                      "citywide_goal": "2", "focus_area": "workforce"})  # fmt: skip
        for number in range(1, measures + 1):
            key = f"m{number:03d}"
            measure_rows.append({
                "bureau_code": code, "goal_key": "G1", "measure_key": key, "name": f"Measure {number}",
                "unit": "count", "polarity": "higher", "frequency": "quarterly", "baseline_value": "100",
                "baseline_period": f"FY {FIRST_YEAR}-{(FIRST_YEAR + 1) % 100:02d} Q1", "target_value": "200",
                "target_period": f"FY {FIRST_YEAR + YEARS - 1}-{(FIRST_YEAR + YEARS) % 100:02d} Q4",
                "disaggregated": "yes",
            })  # fmt: skip
            for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
                for quarter in range(1, 5):
                    period = f"FY {year}-{(year + 1) % 100:02d} Q{quarter}"
                    parts = [rng.randint(0, 60) for _ in GROUPS]
                    values.append((code, key, period, None, str(sum(parts))))
                    values += [
                        (code, key, period, group, str(part))
                        for group, part in zip(GROUPS, parts, strict=True)
                    ]
    return {
        "bureaus": pd.DataFrame({"code": codes, "name": [f"Bureau {code}" for code in codes]}),
        "goals": pd.DataFrame(goals),
        "actions": pd.DataFrame(
            columns=[
                "bureau_code",
                "goal_key",
                "action_key",
                "title",
                "lead",
                "start_date",
                "due_date",
                "status",
            ]
        ),
        "measures": pd.DataFrame(measure_rows),
        "values": pd.DataFrame(
            values, columns=["bureau_code", "measure_key", "period", "group", "value"]
        ).assign(numerator=None, denominator=None, note=None),
    }


class _Clock:
    """Seconds spent in each step the importer reports through its progress callback."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []

    def __call__(self, step: str, fraction: float) -> None:
        if not self.marks or self.marks[-1][0] != step:
            self.marks.append((step, time.perf_counter()))

    def first(self, step: str) -> float | None:
        return next((at for name, at in self.marks if name == step), None)


def _import(engine, path: Path) -> tuple[dict[str, float], object]:
    from equity_tracking import importing
    from equity_tracking.permissions import OPERATOR
    from equity_tracking.workbook import read_path

    clock = _Clock()
    started = time.perf_counter()
    sheets = read_path(path)
    read = time.perf_counter()
    result = importing.import_sheets(engine, sheets, actor=OPERATOR, progress=clock, today=TODAY)
    done = time.perf_counter()
    writing = clock.first("Writing the figures") or done
    return {
        "read": read - started,
        "check": writing - read,
        "write": done - writing,
        "total": done - started,
    }, result


def main(argv: list[str] | None = None) -> int:
    from benchmarks.analytics import _machine
    from equity_tracking.db import make_engine, mask_url
    from equity_tracking.schema import upgrade_to_head
    from equity_tracking.workbook import write_xlsx

    args = _arguments(argv)
    folder = Path(tempfile.mkdtemp(prefix="equity-import-benchmark-"))
    workbook = folder / "values.xlsx"
    started = time.perf_counter()
    sheets = build_sheets(args.bureaus, args.measures)
    write_xlsx(workbook, sheets)
    print(f"machine: {_machine()}")
    built = time.perf_counter() - started
    print(f"workbook: {len(sheets['values']):,} value rows, {len(sheets['measures']):,} measures, "
          f"{workbook.stat().st_size / 1e6:.1f} MB (built in {built:.1f} s)")  # fmt: skip
    url = args.database_url or f"sqlite:///{folder / 'import.db'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    print(f"database: {mask_url(url)}")

    first, result = _import(engine, workbook)
    print(f"first import:  read {first['read']:.1f} s, check {first['check']:.1f} s, "
          f"write {first['write']:.1f} s; total {first['total']:.1f} s "
          f"(target ≤ {TARGET_SECONDS:.0f} s)")  # fmt: skip
    print(f"  {result.summary()}")  # type: ignore[attr-defined]
    second, again = _import(engine, workbook)
    unchanged = not again.changes_anything  # type: ignore[attr-defined]
    print(f"second import: read {second['read']:.1f} s, check {second['check']:.1f} s; total "
          f"{second['total']:.1f} s: {'nothing changed' if unchanged else 'IT CHANGED: ' + again.summary()}")  # type: ignore[attr-defined]  # fmt: skip
    engine.dispose()
    if not args.keep:
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()
    else:
        print(f"kept: {folder}")
    return 0 if first["total"] <= TARGET_SECONDS and unchanged else 1


if __name__ == "__main__":
    raise SystemExit(main())
