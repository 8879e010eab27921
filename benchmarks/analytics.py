"""Benchmark: all progress analytics for the scale-10 demo city (about a million measure values).

    python -m benchmarks.analytics [--database-url URL] [--scale 10] [--as-of 2021-06-30] [--repeat 5]
                                   [--fresh] [--record]

Without ``--database-url`` it uses a throw-away SQLite file in the system's temp folder (never
``data/``), loading the demo city into it the first time and reusing it afterwards (``--fresh``
rebuilds it). It times reading the frames once, then ``run_analytics`` ``--repeat`` times, and prints
the figures with the machine they ran on. The target is ≤ 2 s for the analytics; the command exits
with status 1 when the best run misses it. It is not part of the test suite; ``--record`` rewrites
the analytics section of ``docs/benchmarks.md`` with the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from equity_tracking.permissions import PUBLIC

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS_MD = PROJECT_ROOT / "docs" / "benchmarks.md"
TARGET_SECONDS = 2.0
DEFAULT_AS_OF = dt.date(2021, 6, 30)  # the end of the plans' last fiscal year, FY 2020-21


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.analytics", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--database-url", help="database to use (default: a throw-away SQLite file)")
    parser.add_argument("--scale", type=int, default=10, help="demo city size (10 ≈ 1M values)")
    parser.add_argument("--seed", type=int, default=2016, help="demo city seed")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=DEFAULT_AS_OF, help="YYYY-MM-DD")
    parser.add_argument("--repeat", type=int, default=5, help="how many times to run the analytics")
    parser.add_argument("--fresh", action="store_true", help="rebuild the throw-away SQLite database")
    parser.add_argument("--record", action="store_true", help="write the figures to docs/benchmarks.md")
    return parser.parse_args(argv)


def _default_url(scale: int, seed: int, *, fresh: bool) -> str:
    folder = Path(tempfile.gettempdir()) / "equity-benchmark"
    folder.mkdir(exist_ok=True)
    path = folder / f"demo-scale{scale}-seed{seed}.db"
    if fresh:
        for stale in folder.glob(f"{path.name}*"):  # the database and its WAL files
            stale.unlink()
    return f"sqlite:///{path}"


def _prepare(url: str, *, scale: int, seed: int) -> tuple[object, float | None]:
    """An engine on a migrated database holding the demo city; seconds spent loading it (or None)."""
    from equity_tracking.db import make_engine, mask_url
    from equity_tracking.demo import load_demo
    from equity_tracking.reads import demo_marker
    from equity_tracking.schema import has_plan_data, upgrade_to_head

    engine = make_engine(url)
    upgrade_to_head(engine)
    if has_plan_data(engine):
        marker = demo_marker(engine) or {}
        if marker.get("scale") != scale:
            sys.exit(
                f"{mask_url(url)} holds other data (demo: {marker or 'none'}); use --fresh or another URL."
            )
        return engine, None
    print(
        f"Loading the demo city at scale {scale} into {mask_url(url)} (once; reused next time)…", flush=True
    )
    started = time.perf_counter()
    load_demo(engine, scale=scale, seed=seed)
    return engine, time.perf_counter() - started


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    # The load average says how busy the (possibly shared) machine was while the figures were taken.
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}{load}"


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    import numpy as np
    import pandas as pd

    from equity_tracking.analytics import load_frames, run_analytics

    url = args.database_url or _default_url(args.scale, args.seed, fresh=args.fresh)
    engine, load_seconds = _prepare(url, scale=args.scale, seed=args.seed)
    started = time.perf_counter()
    frames = load_frames(engine, viewer=PUBLIC)
    read_seconds = time.perf_counter() - started
    runs, cpu = [], []
    for _ in range(max(1, args.repeat)):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = run_analytics(frames, as_of=args.as_of)
        runs.append(time.perf_counter() - started)
        # CPU time is less disturbed than wall time when other processes share the machine.
        cpu.append(time.process_time() - started_cpu)
    best = min(runs)
    rollup_rows = sum(map(len, result.rollups.values()))
    lines = [
        ("machine", _machine()),
        ("software", f"Python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}"),
        ("database", f"{engine.url.get_backend_name()} (scale {args.scale}, seed {args.seed})"),
        ("demo load", f"{load_seconds:.1f} s" if load_seconds is not None else "reused"),
        (
            "data",
            f"{len(frames.values):,} measure values, {len(frames.measures):,} measures, "
            f"{len(frames.actions):,} actions, {len(frames.action_updates):,} action updates",
        ),
        ("read frames", f"{read_seconds:.2f} s (load_frames, once per data version)"),
        (
            "analytics",
            f"best {best:.2f} s, median {statistics.median(runs):.2f} s, worst {max(runs):.2f} s "
            f"over {len(runs)} runs, as of {args.as_of}",
        ),
        ("analytics CPU", f"best {min(cpu):.2f} s, median {statistics.median(cpu):.2f} s of CPU time"),
        (
            "results",
            f"{len(result.measures):,} measures, {len(result.disparities):,} disparity rows, "
            f"{len(result.group_shares):,} group rows, {rollup_rows:,} roll-up rows",
        ),
    ]
    verdict = "within" if best <= TARGET_SECONDS else "OVER"
    lines.append(("target", f"≤ {TARGET_SECONDS:.1f} s for the analytics: {verdict}"))
    for name, figure in lines:
        print(f"{name + ':':<17}{figure}")
    if args.record:
        _record(lines, argv if argv is not None else sys.argv[1:])
    return 0 if best <= TARGET_SECONDS else 1


def _record(lines: list[tuple[str, str]], argv: list[str]) -> None:
    """Replace the analytics section of docs/benchmarks.md (or add it) with these figures."""
    record_section("analytics", "python -m benchmarks.analytics", lines, argv)


def demo_database(path: Path) -> str:
    """The demo city (scale 1) in a new SQLite file at ``path``, built by the command line as
    ``make run`` builds it; its URL."""
    import subprocess

    url = f"sqlite:///{path}"
    subprocess.run(
        [sys.executable, "-m", "equity_tracking", "--database-url", url, "init-db", "--load-demo-if-empty"],
        cwd=Path(__file__).resolve().parent.parent,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return url


def record_section(name: str, command: str, lines: list[tuple[str, str]], argv: list[str]) -> None:
    """Replace the section between ``<!-- name:start -->`` and ``<!-- name:end -->`` of
    docs/benchmarks.md (or add it at the end) with a table of these figures and the command that
    measured them (``--record`` left out). Shared by every benchmark that records its figures."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    command = " ".join([command, *(arg for arg in argv if arg != "--record")])
    rows = "\n".join(f"| {label} | {figure} |" for label, figure in lines)
    section = (
        f"{start}\nRecorded on {dt.date.today().isoformat()} with `{command}`:\n\n"
        f"| | |\n|---|---|\n{rows}\n{end}"
    )
    text = BENCHMARKS_MD.read_text(encoding="utf-8") if BENCHMARKS_MD.is_file() else "# Benchmarks\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    BENCHMARKS_MD.write_text(text, encoding="utf-8")
    print(f"Recorded in {BENCHMARKS_MD.relative_to(PROJECT_ROOT)}.", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
