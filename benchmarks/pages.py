"""Page speed: each dashboard's server-side run (AppTest, cold and warm) and the time to the first
chart in headless Chromium.

    python -m benchmarks.pages [--database-url URL] [--runs 5] [--record]

Without ``--database-url`` it builds the demo city (scale 1) in a throw-away SQLite file. "Cold"
is a page's first run after every Streamlit cache was cleared (engine, schema check, analytics);
"warm" is the median of the reruns that follow. The process is warmed once first, so AppTest's own
one-time start-up is not counted. ``--record`` rewrites the pages section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS_MD = PROJECT_ROOT / "docs" / "benchmarks.md"
SECTION_START = "<!-- pages:start -->"
SECTION_END = "<!-- pages:end -->"
TARGETS = {"warm_s": 0.300, "cold_s": 1.5, "first_chart_s": 3.0}

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


def _demo_database(folder: Path) -> str:
    url = f"sqlite:///{folder / 'bench.db'}"
    subprocess.run(
        [sys.executable, "-m", "equity_tracking", "--database-url", url, "init-db", "--load-demo-if-empty"],
        cwd=PROJECT_ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return url


def _apptest(script: str, params: dict[str, str]):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(PROJECT_ROOT / script), default_timeout=120)
    for key, value in params.items():
        app.query_params[key] = value
    return app


def measure_server_side(runs: int) -> dict[str, dict[str, float]]:
    import streamlit as st

    _apptest(PAGES["methodology"][0], {}).run()  # AppTest's one-time start-up, not a page cost
    results = {}
    for key, (script, params, _path, _charts) in PAGES.items():
        st.cache_data.clear()
        st.cache_resource.clear()
        app = _apptest(script, params)
        started = time.perf_counter()
        app.run()
        cold = time.perf_counter() - started
        if app.exception:
            raise RuntimeError(f"{key}: {app.exception[0].value}")
        warm = []
        for _ in range(runs):
            started = time.perf_counter()
            app.run()
            warm.append(time.perf_counter() - started)
        results[key] = {"cold_s": cold, "warm_s": statistics.median(warm)}
    return results


@contextlib.contextmanager
def _server(database_url: str):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "EQUITY_DATABASE_URL": database_url, "EQUITY_LOAD_DEMO_WHEN_EMPTY": "false"}
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{base}/_stcore/health", timeout=2):
                break
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _seconds_to_first_chart(page, url: str, has_charts: bool) -> float:
    idle = "[data-testid='stApp'][data-test-script-state='notRunning']"
    started = time.perf_counter()
    page.goto(url)
    # The first chart a reader can see: some pages keep further charts in closed expanders.
    page.wait_for_selector(".js-plotly-plot >> visible=true" if has_charts else idle, timeout=60_000)
    return time.perf_counter() - started


def measure_first_chart(database_url: str) -> dict[str, dict[str, float]]:
    """Seconds from navigation to the first visible chart (or, without charts, to the idle app):

    - ``first_visit_s``: a new browser profile, so Streamlit's and Plotly's JavaScript is
      downloaded and compiled first (a visitor's first page);
    - ``navigation_s``: the same browser after it has shown a chart once (every later page).
    The server's caches are warmed first: the server-side cold run is measured with AppTest."""
    from playwright.sync_api import sync_playwright

    results = {}
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
    with _server(database_url) as base, sync_playwright() as playwright:
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
        warm.close()
        browser.close()
    return results


def report(server: dict, browser: dict) -> str:
    lines = [
        "| page | server run, cold | server run, warm (median) | first chart, navigation | first visit |",
        "|---|---|---|---|---|",
    ]
    for key in PAGES:
        lines.append(
            f"| {key} | {server[key]['cold_s']:.3f} s | {server[key]['warm_s'] * 1000:.0f} ms "
            f"| {browser[key]['navigation_s']:.2f} s | {browser[key]['first_visit_s']:.2f} s |"
        )
    worst_warm = max(values["warm_s"] for values in server.values())
    worst_cold = max(values["cold_s"] for values in server.values())
    worst_chart = max(values["navigation_s"] for values in browser.values())
    worst_visit = max(values["first_visit_s"] for values in browser.values())
    lines.append("")
    lines.append(
        f"Targets: warm ≤ {TARGETS['warm_s'] * 1000:.0f} ms (worst {worst_warm * 1000:.0f} ms), "
        f"cold ≤ {TARGETS['cold_s']} s (worst {worst_cold:.2f} s), first chart ≤ "
        f"{TARGETS['first_chart_s']} s after navigation (worst {worst_chart:.2f} s; a first visit with an "
        f"empty browser cache, worst {worst_visit:.2f} s)."
    )
    return "\n".join(lines)


NOTES = """- *Server run, cold*: the page's first run after every Streamlit cache was cleared, so it includes
  reading the analytics frames and judging them for the fiscal year (about 0.5 s of it), once per
  data version and fiscal year for the whole server. *Warm*: the median rerun (a widget change).
- *First chart, navigation*: a browser that has already shown one chart opens the page's URL.
- *First visit*: a new browser profile, so Streamlit's and Plotly's JavaScript (several MB) is
  downloaded and compiled before anything is drawn; on this 2-core machine that alone takes 2–4 s,
  over the 3 s target. Browsers cache these files (their names carry a content hash), so only a
  visitor's very first page pays it; serving the app behind a CDN or HTTP/2 proxy shortens it."""


def record(table: str) -> None:
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    section = (
        f"{SECTION_START}\n## Pages\n\nCommand: `python -m benchmarks.pages --record` on {machine}, "
        f"{time.strftime('%Y-%m-%d')}, demo city at scale 1 on SQLite.\n\n{table}\n\n{NOTES}\n{SECTION_END}"
    )
    text = BENCHMARKS_MD.read_text(encoding="utf-8") if BENCHMARKS_MD.is_file() else "# Benchmarks\n"
    if SECTION_START in text:
        before, rest = text.split(SECTION_START, 1)
        after = rest.split(SECTION_END, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    BENCHMARKS_MD.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pages", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an existing database (default: a fresh demo city)")
    parser.add_argument("--runs", type=int, default=5, help="warm reruns per page")
    parser.add_argument("--record", action="store_true", help="write the figures to docs/benchmarks.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or _demo_database(Path(folder))
        os.environ["EQUITY_DATABASE_URL"] = url
        os.environ["EQUITY_LOAD_DEMO_WHEN_EMPTY"] = "false"
        print("Measuring server-side runs with AppTest…", file=sys.stderr)
        server = measure_server_side(args.runs)
        print("Measuring the first chart in Chromium…", file=sys.stderr)
        browser = measure_first_chart(url)
    table = report(server, browser)
    print(table)
    if args.record:
        record(table)
        print(f"Recorded in {BENCHMARKS_MD.relative_to(PROJECT_ROOT)}.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
