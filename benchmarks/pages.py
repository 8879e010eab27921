"""Page speed and server memory: each dashboard's server-side run (AppTest, cold and warm), the
process's memory after every page and fiscal year and after writes, and the time to the first chart
in headless Chromium.

    python -m benchmarks.pages [--database-url URL] [--runs 5] [--writes 6] [--skip-browser] [--record]

Without ``--database-url`` it builds the demo city (scale 1) in a throw-away SQLite file; the issue's
targets are for the ``--scale 10`` city (see ``benchmarks.analytics`` for making it).

- *Cold* is a page's first run in a process that holds nothing: every Streamlit cache, the process's
  public views and its analytics frames are dropped first (``publication.forget``). It is measured
  twice: from the view ``prepare-views`` saved for FY 2018-19 (every process after that release
  step), and with no snapshot at all (the process reads the values and judges the year, as the
  first process after a publication does). The SQL time is the time spent executing statements
  (on SQLite, rows are fetched after it and not counted). *Warm* is the median of the reruns that
  follow. AppTest's own one-time start-up is not counted.
- *Memory* is this process's resident set (AppTest runs the pages in it, with the server's caches):
  after every page has been opened for every fiscal year, from cold; then after each of ``--writes``
  published figures (saved, submitted, approved and published by the operator, which changes the
  public's data version), each followed by the overview for every fiscal year and every other page
  for one. On SQLite this part runs on a copy of the database; on PostgreSQL the figures are
  published in the database given.
- *First chart*: a real server, and Chromium opening each page's URL (``--skip-browser`` leaves it
  out); the server's memory after the browser has opened every page is reported too.

``--record`` rewrites the pages section of docs/benchmarks.md (``--section`` another one).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from benchmarks.analytics import _machine, demo_database, record_section
from benchmarks.servers import app_server
from equity_tracking import snapshots
from equity_tracking.periods import fiscal_year_label

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"warm_s": 0.250, "cold_s": 2.0, "sql_ratio": 3.0, "first_chart_s": 3.0, "memory_mib": 1024}

BENCHMARK_YEAR = 2018  # FY 2018-19, the year every page below is opened at
# page key → (script, query parameters, URL path for the browser, shows a chart on opening)
PAGES = {
    "overview": ("pages/home.py", {"fy": "2018-19"}, "/?fy=2018-19", True),
    "goal": ("pages/citywide_goal.py", {"goal": "2", "fy": "2018-19"}, "/goal?goal=2&fy=2018-19", True),
    "bureau": ("pages/bureau.py", {"bureau": "TR", "fy": "2018-19"}, "/bureau?bureau=TR&fy=2018-19", False),
    "measure": ("pages/measure.py", {"bureau": "TR", "fy": "2018-19"}, "/measure?bureau=TR&fy=2018-19", True),
    "compare": ("pages/compare.py", {"fy": "2018-19"}, "/compare?fy=2018-19", True),
    "workforce": ("pages/workforce.py", {"fy": "2018-19"}, "/workforce?fy=2018-19", True),
    "reports": ("pages/reports.py", {"fy": "2018-19"}, "/reports?fy=2018-19", False),
    "methodology": ("pages/methodology.py", {}, "/methodology", False),
}


def _demo_city_in(url: str, *, scale: int) -> None:
    """Make sure ``url`` holds the demo city at ``scale`` (seed 2016): create a missing PostgreSQL
    database, and load the city into an empty one (about 100 s at scale 10)."""
    from sqlalchemy import create_engine, make_url, text

    from benchmarks.analytics import _prepare

    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
            ).first()
            if exists is None:
                connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
        server.dispose()
    engine, _seconds = _prepare(url, scale=scale, seed=2016)
    engine.dispose()


def _demo_database(folder: Path) -> str:
    return demo_database(folder / "bench.db")


def _apptest(script: str, params: dict[str, str]):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(PROJECT_ROOT / script), default_timeout=600)
    for key, value in params.items():
        app.query_params[key] = value
    return app


def _run(script: str, params: dict[str, str]) -> float:
    """Seconds for one run of a page in a new session."""
    app = _apptest(script, params)
    started = time.perf_counter()
    app.run()
    seconds = time.perf_counter() - started
    if app.exception:
        raise RuntimeError(f"{script}: {app.exception[0].value}")
    return seconds


def _forget_everything() -> None:
    """A fresh process, as far as the pages can tell: no cached read, view or frame."""
    import streamlit as st

    from equity_tracking import publication, ui

    st.cache_data.clear()
    st.cache_resource.clear()
    ui.clear_caches()
    publication.forget()
    gc.collect()


def _rss_mib(pid: int | str = "self") -> float:
    """A process's resident memory (Linux: /proc), in MiB."""
    with open(f"/proc/{pid}/status", encoding="utf-8") as status:
        kilobytes = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return kilobytes / 1024


@contextlib.contextmanager
def _sql_clock() -> Iterator[list[float]]:
    """Seconds spent in the database driver by every engine while inside (one running total)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    total = [0.0]
    started: dict[int, float] = {}

    def before(conn, cursor, statement, parameters, context, executemany) -> None:
        started[id(cursor)] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany) -> None:
        total[0] += time.perf_counter() - started.pop(id(cursor), time.perf_counter())

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)
    try:
        yield total
    finally:
        event.remove(Engine, "before_cursor_execute", before)
        event.remove(Engine, "after_cursor_execute", after)


def _cold_run(key: str, script: str, params: dict[str, str]):
    """A page's first run in a process that holds nothing: (app, seconds, seconds of SQL)."""
    _forget_everything()
    app = _apptest(script, params)
    with _sql_clock() as sql:
        started = time.perf_counter()
        app.run()
        seconds = time.perf_counter() - started
    if app.exception:
        raise RuntimeError(f"{key}: {app.exception[0].value}")
    return app, seconds, sql[0]


def _prepare(fiscal_year: int) -> float:
    """Seconds to prepare the public's view of ``fiscal_year`` ahead (the ``prepare-views`` release step)."""
    from equity_tracking import publication
    from equity_tracking.db import shared_engine

    _forget_everything()
    started = time.perf_counter()
    path = publication.prepare_snapshot(
        shared_engine(os.environ["EQUITY_DATABASE_URL"]), fiscal_year=fiscal_year
    )
    if path is None:
        raise RuntimeError("the snapshot could not be prepared")
    return time.perf_counter() - started


def measure_server_side(runs: int, snapshot_folder: Path) -> dict[str, dict[str, float]]:
    """Each page cold twice: with no snapshot of the public's view (the process judges it, as the
    first process after a change of the data does), and from the snapshot ``prepare-views`` made
    (every process after that release step); then ``runs`` warm reruns."""
    from equity_tracking.snapshots import FOLDER_VARIABLE

    prepared, scratch = snapshot_folder / "prepared", snapshot_folder / "scratch"
    _apptest(PAGES["methodology"][0], {}).run()  # AppTest's one-time start-up, not a page cost
    os.environ[FOLDER_VARIABLE] = str(prepared)
    results: dict[str, dict[str, float]] = {"prepare-views": {"seconds": _prepare(BENCHMARK_YEAR)}}
    for key, (script, params, _path, _charts) in PAGES.items():
        os.environ[FOLDER_VARIABLE] = str(scratch)
        shutil.rmtree(scratch, ignore_errors=True)
        _app, judged, judged_sql = _cold_run(key, script, params)
        snapshots.wait_for_saves()  # its snapshot is written in the background: not while the next is timed
        os.environ[FOLDER_VARIABLE] = str(prepared)
        app, cold, cold_sql = _cold_run(key, script, params)
        warm = []
        for _ in range(runs):
            started = time.perf_counter()
            app.run()
            warm.append(time.perf_counter() - started)
        results[key] = {
            "cold_s": cold,
            "cold_sql_s": cold_sql,
            "judged_s": judged,
            "judged_sql_s": judged_sql,
            "warm_s": statistics.median(warm),
        }
    return results


def _fiscal_years(url: str) -> list[int]:
    from equity_tracking import reads
    from equity_tracking.dashboards.common import fiscal_year_choices
    from equity_tracking.db import shared_engine
    from equity_tracking.permissions import PUBLIC

    return fiscal_year_choices(reads.plans(shared_engine(url), viewer=PUBLIC))


def _visit(years: list[int], *, every_page_for: Callable[[int], bool]) -> float:
    """Open the overview for each of ``years``, and every other page for those ``every_page_for``
    picks; the slowest run, in seconds."""
    from equity_tracking.periods import fiscal_year_label

    slowest = 0.0
    for year in years:
        fy = fiscal_year_label(year).removeprefix("FY ")
        for key, (script, params, _path, _charts) in PAGES.items():
            if key != "overview" and not every_page_for(year):
                continue
            if "fy" in params:
                slowest = max(slowest, _run(script, {**params, "fy": fy}))
            elif year == years[-1]:
                slowest = max(slowest, _run(script, params))
    return slowest


def measure_memory(url: str, writes: int) -> dict[str, object]:
    """Memory after every page and fiscal year from cold, then after each of ``writes`` published
    figures."""
    from equity_tracking import publication
    from equity_tracking.analytics.frames import FRAME_STORE

    _forget_everything()
    years = _fiscal_years(url)
    started = time.perf_counter()
    _visit(years, every_page_for=lambda _year: True)
    result: dict[str, object] = {
        "years": years,
        "every_page_s": time.perf_counter() - started,
        "after_every_page_mib": _settled_rss(),
        "views": len(publication.VIEWS.contents()),
        "views_mib": publication.VIEWS.nbytes / 2**20,
        "frames_mib": FRAME_STORE.nbytes / 2**20,
    }
    after_writes, first_runs = [], []
    save = _saver(url)
    for number in range(writes):
        save(number)
        first_runs.append(_run(*PAGES["overview"][:2]))  # the first page run that sees the write
        _visit(years, every_page_for=lambda year: year == years[-1])
        after_writes.append(_settled_rss())
    result["after_writes_mib"] = after_writes
    result["first_run_after_write_s"] = first_runs
    return result


def _settled_rss() -> float:
    gc.collect()
    return _rss_mib()


def _saver(url: str) -> Callable[[int], None]:
    """Saves a figure of one measure (a new value each time) and publishes it, as the operator: its
    bureau's cycle submitted, approved and published. (A draft alone changes nothing the public sees,
    so the public pages would not notice it at all.)"""
    from benchmarks.catchup import _a_measure_to_save
    from equity_tracking import writes
    from equity_tracking.db import shared_engine
    from equity_tracking.permissions import OPERATOR
    from equity_tracking.validation import Entry

    engine = shared_engine(url)
    measure_id, period_id, bureau_id, year = _a_measure_to_save(engine)
    key = writes.period_key(measure_id, period_id)
    cycle = {"bureau_id": bureau_id, "fiscal_year": year}

    def save(number: int) -> None:
        writes.save_period_values(
            engine, actor=OPERATOR, measure_id=measure_id, period_id=period_id, total=Entry(50.0 + number),
            base_version=writes.edit_versions(engine, [key])[key], confirm_jump=True, today=dt.date.today(),
        )  # fmt: skip
        writes.submit_cycle(engine, actor=OPERATOR, **cycle)
        writes.approve_cycle(engine, actor=OPERATOR, **cycle)
        writes.publish_cycle(engine, actor=OPERATOR, **cycle)

    return save


@contextlib.contextmanager
def _copy_for_writes(url: str, folder: Path):
    """A URL whose database the writes may change: a copy of a SQLite file; PostgreSQL's own."""
    from sqlalchemy import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        yield url
        return
    import sqlite3

    copy = folder / "pages-writes.db"
    with sqlite3.connect(parsed.database) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    yield f"sqlite:///{copy}"


def _seconds_to_first_chart(page, url: str, has_charts: bool) -> float:
    idle = "[data-testid='stApp'][data-test-script-state='notRunning']"
    started = time.perf_counter()
    page.goto(url)
    # The first chart a reader can see: some pages keep further charts in closed expanders.
    page.wait_for_selector(".js-plotly-plot >> visible=true" if has_charts else idle, timeout=300_000)
    return time.perf_counter() - started


def measure_first_chart(database_url: str) -> dict[str, dict[str, float]]:
    """Seconds from navigation to the first visible chart (or, without charts, to the idle app):

    - ``first_visit_s``: a new browser profile, so Streamlit's and Plotly's JavaScript is
      downloaded and compiled first (a visitor's first page);
    - ``navigation_s``: the same browser after it has shown a chart once (every later page).
    The server's caches are warmed first: the server-side cold run is measured with AppTest. Also
    the server's memory once the browser has opened every page (``server_mib``)."""
    from playwright.sync_api import sync_playwright

    results: dict[str, dict[str, float]] = {}
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
    with app_server(database_url) as server, sync_playwright() as playwright:
        base, pid = server.url, server.pid
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=args)
        warm = browser.new_context(viewport={"width": 1280, "height": 900})
        warm_page = warm.new_page()
        for _script, _params, path, has_charts in PAGES.values():
            _seconds_to_first_chart(warm_page, f"{base}{path}", has_charts)  # server caches
        for key, (_script, _params, path, has_charts) in PAGES.items():
            fresh = browser.new_context(viewport={"width": 1280, "height": 900})
            first = _seconds_to_first_chart(fresh.new_page(), f"{base}{path}", has_charts)
            fresh.close()
            again = _seconds_to_first_chart(warm_page, f"{base}{path}", has_charts)
            results[key] = {"first_visit_s": first, "navigation_s": again}
        results["server"] = {"server_mib": _rss_mib(pid)}
        warm.close()
        browser.close()
    return results


def _verdict(figure: float, target: float) -> str:
    return "within" if figure <= target else "OVER"


def _seconds(figure: float, target: float) -> str:
    """A time next to its target: "12.3 s (≤ 2 s: OVER)", or in ms under a second."""
    if target < 1:
        return f"{figure * 1000:.0f} ms (≤ {target * 1000:.0f} ms: {_verdict(figure, target)})"
    return f"{figure:.2f} s (≤ {target:g} s: {_verdict(figure, target)})"


def report(server: dict, memory: dict, browser: dict | None, *, database: str) -> list[tuple[str, str]]:
    """The figures as (label, figure) rows, each next to its target."""
    lines = [
        ("machine", _machine()),
        ("database", database),
        (
            "prepare-views",
            f"{server['prepare-views']['seconds']:.1f} s for {fiscal_year_label(BENCHMARK_YEAR)} (judging "
            "the year and suppressing every measure, once per data version, ahead of visitors)",
        ),
    ]
    for key in PAGES:
        figures = server[key]
        ratio = figures["cold_s"] / max(figures["cold_sql_s"], 1e-6)
        text = (
            f"cold {_seconds(figures['cold_s'], TARGETS['cold_s'])} from the prepared view, of which SQL "
            f"{figures['cold_sql_s'] * 1000:.0f} ms (page ÷ SQL {ratio:.1f}; ≤ {TARGETS['sql_ratio']:g}: "
            f"{_verdict(ratio, TARGETS['sql_ratio'])}) · cold with nothing prepared "
            f"{figures['judged_s']:.2f} s (SQL {figures['judged_sql_s']:.2f} s) · "
            f"warm {_seconds(figures['warm_s'], TARGETS['warm_s'])}"
        )
        if browser is not None:
            chart = browser[key]
            text += (
                f" · first chart {_seconds(chart['navigation_s'], TARGETS['first_chart_s'])} after "
                f"navigation, {chart['first_visit_s']:.2f} s on a first visit"
            )
        lines.append((key, text))
    return lines + _memory_lines(memory, browser)


def _memory_lines(memory: dict, browser: dict | None) -> list[tuple[str, str]]:
    target = TARGETS["memory_mib"]
    years = memory["years"]
    after = memory["after_every_page_mib"]
    lines = [
        (
            "memory after every page and fiscal year",
            f"{after:,.0f} MiB (≤ {target:,} MiB: {_verdict(after, target)}), from cold, "
            f"{len(PAGES)} pages × {len(years)} fiscal years ({years[0]}–{years[-1]}) in "
            f"{memory['every_page_s']:.0f} s; {memory['views']} views held ({memory['views_mib']:,.0f} MB), "
            f"frames {memory['frames_mib']:,.0f} MB",
        )
    ]
    if memory["after_writes_mib"]:
        writes = memory["after_writes_mib"]
        first = memory["first_run_after_write_s"]
        lines.append(
            (
                f"memory after each of {len(writes)} writes",
                " → ".join(f"{value:,.0f}" for value in writes)
                + f" MiB (≤ {target:,} MiB: {_verdict(max(writes), target)}); each write followed by the "
                "overview for every fiscal year and every page for the last",
            )
        )
        lines.append(
            (
                "first page run after a write",
                f"median {statistics.median(first):.2f} s, worst {max(first):.2f} s (the overview, "
                "catching the frames up and judging the year again)",
            )
        )
    if browser is not None:
        server = browser["server"]["server_mib"]
        lines.append(
            (
                "server memory after the browser run",
                f"{server:,.0f} MiB (≤ {target:,} MiB: {_verdict(server, target)}), a real "
                "Streamlit server after Chromium opened every page (one fiscal year)",
            )
        )
    return lines


def _database(url: str) -> str:
    from equity_tracking import reads
    from equity_tracking.db import shared_engine

    engine = shared_engine(url)
    marker = reads.demo_marker(engine) or {}
    values = reads.table_counts(engine)["measure_values"]
    scale = f"scale {marker['scale']}" if "scale" in marker else "not the demo"
    return f"{engine.url.get_backend_name()} ({scale}, {values:,} measure values)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pages", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an existing database (default: a fresh demo city)")
    parser.add_argument("--runs", type=int, default=5, help="warm reruns per page")
    parser.add_argument("--writes", type=int, default=6, help="saved values to measure memory after")
    parser.add_argument("--skip-browser", action="store_true", help="leave out the Chromium timings")
    parser.add_argument("--record", action="store_true", help="write the figures to docs/benchmarks.md")
    parser.add_argument("--section", default="pages", help="the section of docs/benchmarks.md to write")
    parser.add_argument(
        "--load-scale",
        type=int,
        help="load the demo city at this scale into --database-url first if it is empty (a PostgreSQL "
        "database is created when missing); reused on later runs",
    )
    args = parser.parse_args(argv)
    if args.load_scale and args.database_url:
        _demo_city_in(args.database_url, scale=args.load_scale)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        url = args.database_url or _demo_database(folder)
        os.environ["EQUITY_DATABASE_URL"] = url
        os.environ["EQUITY_LOAD_DEMO_WHEN_EMPTY"] = "false"
        snapshot_folder = folder / "snapshots"
        os.environ["EQUITY_SNAPSHOT_DIR"] = str(snapshot_folder)
        database = _database(url)
        print("Measuring server-side runs with AppTest…", file=sys.stderr)
        server = measure_server_side(args.runs, snapshot_folder)
        print("Measuring memory over every page and fiscal year, then writes…", file=sys.stderr)
        with _copy_for_writes(url, folder) as writable:
            os.environ["EQUITY_DATABASE_URL"] = writable
            memory = measure_memory(writable, args.writes)
            os.environ["EQUITY_DATABASE_URL"] = url
        _forget_everything()
        browser = None
        if not args.skip_browser:
            print("Measuring the first chart in Chromium…", file=sys.stderr)
            browser = measure_first_chart(url)
    lines = report(server, memory, browser, database=database)
    for label, figure in lines:
        print(f"{label}: {figure}")
    if args.record:
        record_section(
            args.section, "python -m benchmarks.pages", lines, argv if argv is not None else sys.argv[1:]
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
