"""Benchmark: an annual progress report as a PDF on the scale-10 demo city (about a million values).

    python -m benchmarks.reports [--database-url URL] [--scale 10] [--year 2019-20] [--bureau CODE]
                                 [--repeat 3] [--fresh] [--record]

Uses the same throw-away scale-10 demo database as ``benchmarks.analytics`` (built there the first
time). Times ``report_render.make_report`` as the page and the command line call it: first the cold
start a new process pays once (reading the city's frames and judging them, then starting Chromium
for the charts), then each report with the judged city kept, as every later report in a process
finds it: bureaus' PDFs (``--bureau``, repeatable; by default a bureau of median size and the
largest) and the citywide PDF, ``--repeat`` times each, best and median. A bureau's first report
also suppresses its figures by race/ethnicity (kept for later reports): the first run of each is
shown apart. Targets: a bureau's PDF ≤ 10 s, the citywide PDF ≤ 30 s (the best run); the command
exits with status 1 when one is missed. ``--record`` writes the figures to docs/benchmarks.md. Not
part of the test suite.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

from benchmarks.analytics import _default_url, _machine, _prepare, record_section

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"bureau": 10.0, "city": 30.0}  # seconds, issue #11


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reports", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="database to use (default: the throw-away SQLite file)")
    parser.add_argument("--scale", type=int, default=10, help="demo city size (10 ≈ 1M values)")
    parser.add_argument("--seed", type=int, default=2016, help="demo city seed")
    parser.add_argument("--year", default="2019-20", help="the fiscal year reported (default 2019-20)")
    parser.add_argument(
        "--bureau",
        metavar="CODE",
        action="append",
        help="a bureau (repeatable; default: a median one, the largest)",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="how many times to make each report, after a first"
    )
    parser.add_argument("--fresh", action="store_true", help="rebuild the throw-away SQLite database")
    parser.add_argument("--record", action="store_true", help="write the figures to docs/benchmarks.md")
    return parser.parse_args(argv)


def _default_bureaus(engine) -> list[str]:
    """A bureau of median size (by its number of measures) and the largest."""
    from equity_tracking import reads
    from equity_tracking.permissions import PUBLIC

    sizes = reads.measures(engine, viewer=PUBLIC).groupby("bureau_code").size().sort_values(kind="stable")
    return [str(sizes.index[len(sizes) // 2]), str(sizes.index[-1])]


def _timed(make) -> tuple[float, object]:
    started = time.perf_counter()
    result = make()
    return time.perf_counter() - started, result


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    import pypdf

    from equity_tracking.cli import _fiscal_year
    from equity_tracking.publication import public_view
    from equity_tracking.report_render import draw_svg, make_report

    year = _fiscal_year(args.year)
    url = args.database_url or _default_url(args.scale, args.seed, fresh=args.fresh)
    engine, load_seconds = _prepare(url, scale=args.scale, seed=args.seed)
    bureaus = args.bureau or _default_bureaus(engine)
    measures = _measure_counts(engine)

    judge_seconds, _ = _timed(lambda: public_view(engine, fiscal_year=year))
    import plotly.graph_objects as go

    chromium_seconds, _ = _timed(lambda: draw_svg(go.Figure(layout={"height": 100})))
    subjects = [(f"bureau {code} ({measures.get(code, 0)} measures)", code) for code in bureaus]
    subjects.append(("citywide PDF", None))
    runs: dict[str, list[float]] = {label: [] for label, _ in subjects}
    sizes: dict[str, str] = {}
    for _ in range(max(1, args.repeat) + 1):  # the first run of each is shown apart
        for label, code in subjects:
            seconds, made = _timed(lambda code=code: make_report(engine, fiscal_year=year, bureau_code=code))
            runs[label].append(seconds)
            pages = len(pypdf.PdfReader(io.BytesIO(made.data)).pages)  # type: ignore[attr-defined]
            sizes[label] = f"{len(made.data) / 1e6:.1f} MB, {pages} pages"  # type: ignore[attr-defined]
    lines = [
        ("machine", _machine()),
        ("database", f"{engine.url.get_backend_name()} (scale {args.scale}, seed {args.seed})"),
        ("demo load", f"{load_seconds:.1f} s" if load_seconds is not None else "reused"),
        ("fiscal year", args.year),
        (
            "cold start",
            f"judging the city {judge_seconds:.1f} s, starting Chromium {chromium_seconds:.1f} s "
            "(once a process)",
        ),
    ]
    within = True
    for label, code in subjects:
        first, later = runs[label][0], runs[label][1:]
        target = TARGETS["city" if code is None else "bureau"]
        ok = min(later) <= target
        within &= ok
        lines.append(
            (
                label,
                f"best {min(later):.1f} s, median {statistics.median(later):.1f} s over {len(later)} runs, "
                f"first {first:.1f} s ({sizes[label]}); target ≤ {target:.0f} s: "
                + ("within" if ok else "OVER"),
            )
        )
    for name, figure in lines:
        print(f"{name + ':':<28}{figure}")
    if args.record:
        _record(lines, argv if argv is not None else sys.argv[1:])
    return 0 if within else 1


def _measure_counts(engine) -> dict[str, int]:
    from equity_tracking import reads
    from equity_tracking.permissions import PUBLIC

    return {
        str(code): int(count)
        for code, count in reads.measures(engine, viewer=PUBLIC).groupby("bureau_code").size().items()
    }


def _record(lines: list[tuple[str, str]], argv: list[str]) -> None:
    """Replace the reports section of docs/benchmarks.md (or add it) with these figures."""
    record_section("reports", "python -m benchmarks.reports", lines, argv)


if __name__ == "__main__":
    sys.exit(main())
