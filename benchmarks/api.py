"""Benchmark: the open-data API's ``/api/v1/measures`` on the scale-10 demo city, side by side with
Datasette serving the same SQLite file for an equivalent query, in one run.

    python -m benchmarks.api [--scale 10] [--seed 2016] [--requests 200] [--fresh] [--record]

It builds the demo city in the throw-away SQLite file the other benchmarks use (the system's temp
folder, ``equity-benchmark/demo-scale10-seed2016.db``, never ``data/``) or reuses it, then starts
two servers on it:

- the app as ``make run`` starts it (``streamlit run serve.py``), whose API answers the first
  request after a data change by building its frames (timed as "first answer") and every later
  one from them;
- Datasette, installed the first time into a virtualenv of its own, ``.venv-datasette`` (its
  dependencies are kept apart from the app's; nothing of it is imported here), answering the same
  page of rows with the same columns through a ``?sql=`` query.

Each is asked ``--requests`` times in turn over a kept-alive connection, after a few warm-up
requests; p50 and p95 are reported with their ratio. The target is p50 ≤ 50 ms for the API; the
command exits with status 1 when it is missed. ``--record`` rewrites the API section of
``docs/benchmarks.md``. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

# The scale-10 database is made, and kept, where the analytics benchmark keeps it.
from benchmarks.analytics import _default_url, _prepare, record_section
from benchmarks.servers import HEALTH, app_command, app_environment, free_port, serving

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGET_P50_MS = 50.0
DATASETTE_VENV = PROJECT_ROOT / ".venv-datasette"
DATASETTE_REQUIREMENT = "datasette>=0.65,<0.66"
API_PATH = "/api/v1/measures"
WARM_UP = 5

# The same page as /api/v1/measures' first: the published measures of the active bureaus (no draft
# plan, no archived goal or measure), in the API's order, with the same columns. A measure's health
# is judged by the analytics and has no SQL equivalent: in its place the query looks up each
# measure's latest published total and its period, as of the same reporting deadline (:as_of).
EQUIVALENT_SQL = """
select m.id as measure_id, m.key as measure_key, b.code as bureau_code, p.version as plan_version,
  p.status as plan_status, g.key as goal_key, c.number as citywide_goal, m.name, m.unit, m.polarity,
  m.frequency, m.disaggregated, m.baseline_value, bp.label as baseline_period, m.target_value,
  tp.label as target_period, :as_of as as_of,
  (select v.value from measure_values v join periods vp on vp.id = v.period_id
    where v.measure_id = m.id and v.group_id is null and v.review_status = 'published'
      and vp.end_date <= :as_of order by vp.end_date desc, v.id desc limit 1) as current_value,
  (select vp.label from measure_values v join periods vp on vp.id = v.period_id
    where v.measure_id = m.id and v.group_id is null and v.review_status = 'published'
      and vp.end_date <= :as_of order by vp.end_date desc, v.id desc limit 1) as current_period
from measures m
  join bureau_goals g on g.id = m.goal_id
  join plans p on p.id = g.plan_id
  join bureaus b on b.id = p.bureau_id
  join citywide_goals c on c.id = g.citywide_goal_id
  left join periods bp on bp.id = m.baseline_period_id
  left join periods tp on tp.id = m.target_period_id
where p.status != 'draft' and g.archived_at is null and m.archived_at is null and b.active
order by b.code, p.first_fiscal_year, p.version, g.sort_order, m.sort_order, m.id
limit 100
"""


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.api", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10, help="demo city size (10 ≈ 1M values)")
    parser.add_argument("--seed", type=int, default=2016, help="demo city seed")
    parser.add_argument("--requests", type=int, default=200, help="timed requests to each server")
    parser.add_argument("--fresh", action="store_true", help="rebuild the throw-away SQLite database")
    parser.add_argument("--record", action="store_true", help="write the figures to docs/benchmarks.md")
    return parser.parse_args(argv)


def _app(database_url: str, port: int):
    return serving(app_command(port), port, HEALTH, app_environment(database_url))


def _datasette_binary() -> Path:
    """Datasette in its own virtualenv (made and filled the first time)."""
    binary = DATASETTE_VENV / "bin" / "datasette"
    if not binary.exists():
        print(f"Installing {DATASETTE_REQUIREMENT} into {DATASETTE_VENV.name} (once)…", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(DATASETTE_VENV)], check=True)
        pip = [str(DATASETTE_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, DATASETTE_REQUIREMENT], check=True)
    return binary


def _datasette(path: Path, port: int):
    settings = ["--setting", "sql_time_limit_ms", "10000", "--setting", "max_returned_rows", "1000"]
    command = [str(_datasette_binary()), "serve", str(path), "--host", "127.0.0.1", "--port", str(port)]
    command += settings
    return serving(command, port, "/-/versions.json", dict(os.environ))


def _time_requests(port: int, path: str, count: int, *, keep_alive: bool) -> tuple[list[float], bytes]:
    """Milliseconds for each of ``count`` GETs of ``path`` (after a few untimed ones), each on a new
    connection as curl makes them, or all on one kept-alive connection; and the last body."""
    connection: http.client.HTTPConnection | None = None
    body = b""

    def get() -> bytes:
        nonlocal connection
        if connection is None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.request("GET", path)
        response = connection.getresponse()
        data = response.read()
        if not keep_alive:
            connection.close()
            connection = None
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}: {data[:300]!r}")
        return data

    for _ in range(WARM_UP):
        get()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        body = get()
        times.append((time.perf_counter() - started) * 1000)
    if connection is not None:
        connection.close()
    return times, body


def _figures(times: list[float]) -> str:
    return f"p50 {statistics.median(times):.1f} ms, p95 {_p95(times):.1f} ms"


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, load average {load:.1f}"


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    url = _default_url(args.scale, args.seed, fresh=args.fresh)
    engine, load_seconds = _prepare(url, scale=args.scale, seed=args.seed)
    engine.dispose()  # type: ignore[attr-defined]
    database = Path(url.removeprefix("sqlite:///"))
    app_port, datasette_port = free_port(), free_port()
    with _app(url, app_port):
        connection = http.client.HTTPConnection("127.0.0.1", app_port, timeout=600)
        started = time.perf_counter()
        connection.request("GET", API_PATH)
        first = connection.getresponse()
        page = json.loads(first.read())
        first_seconds = time.perf_counter() - started
        connection.close()
        api_times, _ = _time_requests(app_port, API_PATH, args.requests, keep_alive=False)
        api_kept, _ = _time_requests(app_port, API_PATH, args.requests, keep_alive=True)
    as_of = page["meta"]["as_of"]
    query = urllib.parse.urlencode({"sql": EQUIVALENT_SQL, "as_of": as_of, "_shape": "objects"})
    datasette_path = f"/{database.stem}.json?{query}"
    with _datasette(database, datasette_port):
        datasette_times, body = _time_requests(
            datasette_port, datasette_path, args.requests, keep_alive=False
        )
        datasette_kept, _ = _time_requests(datasette_port, datasette_path, args.requests, keep_alive=True)
    rows = json.loads(body)["rows"]
    if [row["measure_id"] for row in rows] != [row["measure_id"] for row in page["data"]]:
        raise RuntimeError("Datasette's query and the API list different measures: the comparison is off.")
    api_p50, datasette_p50 = statistics.median(api_times), statistics.median(datasette_times)
    lines = [
        ("machine", _machine()),
        ("software", f"Python {platform.python_version()}; Datasette {_datasette_version()}"),
        (
            "database",
            f"SQLite, demo city scale {args.scale} (seed {args.seed}), "
            f"{page['paging']['total']:,} published measures",
        ),
        ("demo load", f"{load_seconds:.1f} s" if load_seconds is not None else "reused"),
        (
            "request",
            f"GET {API_PATH} (first page: {len(page['data'])} measures, judged as of {as_of}), "
            f"{args.requests} times after {WARM_UP} warm-up requests, each on a new connection (as curl)",
        ),
        ("API first answer", f"{first_seconds:.1f} s (builds the view and frames, once per data version)"),
        ("API", _figures(api_times)),
        (
            "Datasette",
            _figures(datasette_times) + " (same rows and columns by ?sql=; the latest "
            "published total in place of health)",
        ),
        (
            "kept-alive",
            f"API {_figures(api_kept)}; Datasette {_figures(datasette_kept)} (one connection "
            "for all requests: see docs/benchmarks.md on the 40 ms)",
        ),
        ("ratio", f"Datasette p50 ÷ API p50 = {datasette_p50 / api_p50:.2f}"),
    ]
    verdict = "within" if api_p50 <= TARGET_P50_MS else "OVER"
    lines.append(("target", f"API p50 ≤ {TARGET_P50_MS:.0f} ms: {verdict}"))
    for name, figure in lines:
        print(f"{name + ':':<18}{figure}")
    if args.record:
        _record(lines, argv if argv is not None else sys.argv[1:])
    return 0 if api_p50 <= TARGET_P50_MS else 1


def _datasette_version() -> str:
    result = subprocess.run(
        [str(_datasette_binary()), "--version"], capture_output=True, text=True, check=False
    )
    return result.stdout.strip().rsplit(" ", 1)[-1] or "unknown"


def _record(lines: list[tuple[str, str]], argv: list[str]) -> None:
    """Replace the api section of docs/benchmarks.md (or add it) with these figures."""
    record_section("api", "python -m benchmarks.api", lines, argv)


if __name__ == "__main__":
    sys.exit(main())
