"""What the browser downloads: the bytes each public page costs a first visit, with and without
compression, and Lighthouse's performance figures for it (issue #12).

    python -m benchmarks.browser_weight [--database-url URL] [--no-lighthouse] [--record]

Without ``--database-url`` it builds the demo city (scale 1) in a throw-away SQLite file, as
``benchmarks.pages`` does, and starts the app as ``make run`` does (``streamlit run serve.py``).
Every page is opened once first, so the server's caches are warm and each static file has been
compressed (the command waits until the background brotli of every file the pages use is done).

- **Bytes**: each page in a new browser context (an empty cache: a visitor's first page), counted
  with Chromium's DevTools protocol — the bytes received for every HTTP response
  (``Network.loadingFinished``'s ``encodedDataLength``, headers included), the same bodies decoded,
  and the app's data over the WebSocket. *Without compression* is the same page in a browser that
  accepts no coding (``Accept-Encoding: identity``), which is what Streamlit 1.67 sends by itself
  (it compresses none of its static files); *gzip alone*, one that accepts gzip only.
- **Lighthouse** (performance only, desktop and mobile presets): the score, Largest Contentful
  Paint, Total Blocking Time, Cumulative Layout Shift and the total bytes. Lighthouse is looked for
  in ``$LIGHTHOUSE`` (the path of its command), then on the ``PATH``, then in
  ``.tools/lighthouse/node_modules/.bin/lighthouse`` (``npm install --prefix .tools/lighthouse
  lighthouse@12``); without it the bytes alone are measured. It drives Debian's ``chromium``
  (``CHROME_PATH``). Its throttling is simulated from the page's trace, so the figures move with the
  machine's load, which is printed with them.

The target is a Lighthouse desktop performance score of at least 75 on every public page (issue
#12); the command exits with status 1 when Lighthouse ran and a page misses it. ``--record`` rewrites
the "What the browser downloads" section of ``docs/benchmarks.md``. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.analytics import _machine, record_section
from benchmarks.pages import PAGES, _demo_database
from benchmarks.servers import app_server

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGET_DESKTOP_SCORE = 75
TOOLS_LIGHTHOUSE = PROJECT_ROOT / ".tools" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
MIB = 1024 * 1024


# --- bytes, counted in Chromium ------------------------------------------------------------------------


@dataclass
class PageBytes:
    """What one page load received: over HTTP (as sent, and decoded) and over the WebSocket."""

    transferred: int = 0
    decoded: int = 0
    websocket: int = 0
    requests: int = 0
    assets: set[str] = field(default_factory=set)


def _open(page, url: str, has_charts: bool) -> None:
    page.goto(url)
    page.wait_for_selector(IDLE, timeout=120_000)
    if has_charts:  # Plotly's script is fetched when the first chart is drawn
        page.wait_for_selector(".js-plotly-plot >> visible=true", timeout=120_000)
    with contextlib.suppress(Exception):  # a page that keeps fetching is measured as it stands
        page.wait_for_load_state("networkidle", timeout=15_000)


def measure_page(browser, url: str, has_charts: bool, accept_encoding: str | None = None) -> PageBytes:
    """The bytes a first visit to ``url`` receives, in a new context (an empty cache); with
    ``accept_encoding``, from a browser that sends that ``Accept-Encoding`` instead of its own
    (Chromium's: gzip, deflate, br, zstd)."""
    context = browser.new_context(viewport={"width": 1350, "height": 940})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    counted = PageBytes()
    urls: dict[str, str] = {}

    def response_received(event: dict) -> None:
        urls[event["requestId"]] = event["response"]["url"]

    def data_received(event: dict) -> None:
        counted.decoded += event["dataLength"]

    def loading_finished(event: dict) -> None:
        counted.transferred += int(event["encodedDataLength"])
        counted.requests += 1
        url = urls.get(event["requestId"], "")
        if "/static/" in url:
            counted.assets.add(url)

    def frame_received(event: dict) -> None:
        payload = event["response"]["payloadData"]
        binary = event["response"]["opcode"] == 2  # sent base64-encoded
        counted.websocket += len(base64.b64decode(payload)) if binary else len(payload.encode())

    cdp.on("Network.responseReceived", response_received)
    cdp.on("Network.dataReceived", data_received)
    cdp.on("Network.loadingFinished", loading_finished)
    cdp.on("Network.webSocketFrameReceived", frame_received)
    cdp.send("Network.enable")
    if accept_encoding is not None:
        cdp.send("Network.setExtraHTTPHeaders", {"headers": {"Accept-Encoding": accept_encoding}})
    _open(page, url, has_charts)
    context.close()
    return counted


def _wait_for_brotli(assets: set[str], timeout_s: float = 600) -> None:
    """Until the server sends every asset brotli-compressed (it makes brotli in the background after
    a file's first request), so that neither the figures nor the machine's load depend on it."""
    waiting = set(assets)
    deadline = time.monotonic() + timeout_s
    while waiting and time.monotonic() < deadline:
        for url in sorted(waiting):
            request = urllib.request.Request(url, method="HEAD", headers={"Accept-Encoding": "br, gzip"})
            with urllib.request.urlopen(request, timeout=30) as answer:
                if answer.headers.get("Content-Encoding") in ("br", None):  # None: not compressed at all
                    waiting.discard(url)
        if waiting:
            time.sleep(2)


def measure_bytes(base: str) -> dict[str, dict[str, PageBytes]]:
    """Every public page, warmed once, then measured without compression, with gzip alone, and as
    Chromium asks for it (brotli)."""
    from playwright.sync_api import sync_playwright

    results: dict[str, dict[str, PageBytes]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        assets: set[str] = set()
        for _script, _params, path, has_charts in PAGES.values():  # warm caches, start the compression
            assets |= measure_page(browser, base + path, has_charts).assets
        print(f"Waiting for brotli of {len(assets)} files…", file=sys.stderr)
        _wait_for_brotli(assets)
        for key, (_script, _params, path, has_charts) in PAGES.items():
            results[key] = {
                "plain": measure_page(browser, base + path, has_charts, "identity"),
                "gzip": measure_page(browser, base + path, has_charts, "gzip"),
                "compressed": measure_page(browser, base + path, has_charts),
            }
        browser.close()
    return results


# --- Lighthouse ---------------------------------------------------------------------------------------------


def find_lighthouse() -> str | None:
    """Lighthouse's command: ``$LIGHTHOUSE``, then the ``PATH``, then the project's ``.tools``."""
    for candidate in (os.environ.get("LIGHTHOUSE"), shutil.which("lighthouse"), str(TOOLS_LIGHTHOUSE)):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def lighthouse(command: str, url: str, preset: str) -> dict[str, float]:
    """One Lighthouse performance run of ``url`` (``preset`` "desktop" or "mobile")."""
    chromium = shutil.which("chromium")
    if chromium is None:
        raise RuntimeError("Lighthouse needs Debian's chromium; `make chromium` installs it.")
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        arguments = [command, url, "--only-categories=performance", "--quiet"]
        arguments += ["--output=json", f"--output-path={report}"]
        arguments += ["--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
        if preset == "desktop":
            arguments.append("--preset=desktop")
        env = {**os.environ, "CHROME_PATH": chromium}
        subprocess.run(arguments, env=env, check=True, timeout=600, stdout=subprocess.DEVNULL)
        result = json.loads(report.read_text(encoding="utf-8"))
    audits = result["audits"]
    score = result["categories"]["performance"]["score"]
    return {
        "load": os.getloadavg()[0],  # how busy the machine was: TBT grows with it
        "score": round((score or 0) * 100),
        "fcp_s": audits["first-contentful-paint"]["numericValue"] / 1000,
        "lcp_s": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"],
        "version": result.get("lighthouseVersion", "?"),
    }


def measure_lighthouse(command: str, base: str, runs: int) -> dict[str, dict[str, dict[str, float]]]:
    """Each public page, desktop then mobile; with several runs, the run with the median score."""
    results: dict[str, dict[str, dict[str, float]]] = {}
    for key, (_script, _params, path, _charts) in PAGES.items():
        results[key] = {}
        for preset in ("desktop", "mobile"):
            reports = [lighthouse(command, base + path, preset) for _ in range(runs)]
            results[key][preset] = sorted(reports, key=lambda report: report["score"])[len(reports) // 2]
            print(f"  {key} {preset}: {results[key][preset]['score']}", file=sys.stderr)
    return results


# --- the report ---------------------------------------------------------------------------------------------


def _mib(count: float) -> str:
    return f"{count / MIB:.2f} MiB"


def _lighthouse_cell(figures: dict[str, float]) -> str:
    return (
        f"**{figures['score']:.0f}** · LCP {figures['lcp_s']:.1f} s · TBT {figures['tbt_ms']:,.0f} ms "
        f"· CLS {figures['cls']:.3f} · {_mib(figures['bytes'])}"
    )


def report_lines(
    base_line: list[tuple[str, str]],
    sizes: dict[str, dict[str, PageBytes]],
    scores: dict[str, dict[str, dict[str, float]]] | None,
) -> list[tuple[str, str]]:
    lines = list(base_line)
    for key, measured in sizes.items():
        plain, gzipped, packed = measured["plain"], measured["gzip"], measured["compressed"]
        lines.append(
            (
                f"{key}: bytes",
                f"{_mib(plain.transferred)} without compression, {_mib(gzipped.transferred)} with gzip "
                f"alone, **{_mib(packed.transferred)}** with brotli "
                f"({packed.transferred / plain.transferred:.0%}; {packed.requests} requests; "
                f"WebSocket {packed.websocket / 1024:,.0f} KiB)",
            )
        )
        if scores:
            for preset in ("desktop", "mobile"):
                lines.append((f"{key}: Lighthouse {preset}", _lighthouse_cell(scores[key][preset])))
    medians = [
        _mib(statistics.median(measured[variant].transferred for measured in sizes.values()))
        for variant in ("plain", "gzip", "compressed")
    ]
    lines.append(("median page", " → ".join(medians) + " (none → gzip → brotli)"))
    if scores:
        loads = [scores[key][preset]["load"] for key in scores for preset in ("desktop", "mobile")]
        lines.append(("load average during Lighthouse", f"{min(loads):.1f}–{max(loads):.1f}"))
        worst = min(scores[key]["desktop"]["score"] for key in scores)
        worst_cls = max(scores[key][preset]["cls"] for key in scores for preset in ("desktop", "mobile"))
        target = TARGET_DESKTOP_SCORE
        verdict = "within" if worst >= target else "missed"
        lines.append(("target", f"desktop ≥ {target} on every page: worst {worst:.0f}, {verdict}"))
        verdict = "within" if worst_cls <= 0.1 else "missed"
        lines.append(("target", f"CLS ≤ 0.1 on every page: worst {worst_cls:.3f}, {verdict}"))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.browser_weight", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--database-url", help="an existing database (default: a fresh demo city)")
    parser.add_argument("--no-lighthouse", action="store_true", help="measure the bytes only")
    parser.add_argument("--lighthouse-runs", type=int, default=1, help="runs per page and preset (median)")
    parser.add_argument("--record", action="store_true", help="write the figures to docs/benchmarks.md")
    args = parser.parse_args(argv)
    command = None if args.no_lighthouse else find_lighthouse()
    if command is None and not args.no_lighthouse:
        print("Lighthouse not found ($LIGHTHOUSE, PATH, .tools/lighthouse): bytes only.", file=sys.stderr)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or _demo_database(Path(folder))
        with app_server(url, host="localhost") as server:
            base = server.url
            print("Measuring bytes in Chromium…", file=sys.stderr)
            sizes = measure_bytes(base)
            scores = None
            if command is not None:
                print("Running Lighthouse…", file=sys.stderr)
                scores = measure_lighthouse(command, base, args.lighthouse_runs)
    version = next(iter(next(iter(scores.values())).values()))["version"] if scores else "not run"
    database = "the given database" if args.database_url else "demo city at scale 1 on SQLite"
    base_line = [
        ("machine", _machine()),
        ("served", f"`streamlit run serve.py`, {database}; Chromium {_chromium_version()}"),
        ("Lighthouse", f"{version}, performance only; score · LCP · TBT · CLS · total bytes"),
    ]
    lines = report_lines(base_line, sizes, scores)
    for label, figure in lines:
        print(f"{label}: {figure}")
    if args.record:
        record_section("browser-weight", "python -m benchmarks.browser_weight", lines, argv or sys.argv[1:])
    if scores and min(scores[key]["desktop"]["score"] for key in scores) < TARGET_DESKTOP_SCORE:
        return 1
    return 0


def _chromium_version() -> str:
    chromium = shutil.which("chromium")
    if chromium is None:
        return "?"
    output = subprocess.run([chromium, "--version"], capture_output=True, text=True, check=False).stdout
    return output.split()[1] if len(output.split()) > 1 else "?"


if __name__ == "__main__":
    sys.exit(main())
