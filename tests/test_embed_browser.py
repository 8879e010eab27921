"""Embeds in a real browser: a city web page on another origin frames a public page of the tracker.

The tracker is served at ``http://127.0.0.1:<port>`` with ``EQUITY_EMBED_ORIGINS`` naming
``http://localhost:<other port>``, where a tiny HTTP server serves the "city" pages below. For the
browser, ``localhost`` and ``127.0.0.1`` are different sites, so the frame is a real third-party
embed. Checks:

- the bureau page, asked for as an embed, loads inside the city page: the page's figures, a small
  "Demo data" label instead of the demo banner, no sidebar and no toolbar, and a link that opens the
  page in the tracker in a new tab; a screenshot lands in tests/artifacts/embed-bureau.png; its
  downloads work inside the frame, and a picker changes the page without leaving the embed;
- a staff page framed the same way is refused by the browser, and so is the public page framed by
  an origin that is not listed (``http://127.0.0.1:<other port>``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from browser_support import DESKTOP, Contexts, press_to_download
from conftest import _free_port, serve_app
from golden_city import build_golden_city
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from equity_tracking.models import DEMO_DATA_KEY, AppMetadata

pytestmark = pytest.mark.browser

BUREAU = "/bureau?bureau=AA&fy=2018-19"
CITY_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>A city web page</title></head>
<body style="font-family: sans-serif; margin: 24px">
  <h1>City of Portland: racial equity at work</h1>
  <p>This page of the city's site embeds the Equity Plan Tracker:</p>
  <iframe id="tracker" title="{title}" src="{src}" width="1100" height="900" loading="lazy"
          style="border: 1px solid #ccc" onload="this.dataset.loaded = 'yes'"></iframe>
</body>
</html>
"""
REFUSED_FRAME = "chrome-error://chromewebdata/"  # where Chromium puts a frame it may not show


@pytest.fixture(scope="module")
def city_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """A tiny HTTP server for the city's pages (written by the tests into its folder)."""
    folder = tmp_path_factory.mktemp("city-site")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], folder
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def embed_server(database_factory, city_site, tmp_path_factory) -> Iterator[str]:
    """The tracker on the golden city marked as the demo, which ``http://localhost:<city port>`` may
    embed."""
    engine = database_factory.new_engine()
    build_golden_city(engine)
    with Session(engine) as session, session.begin():
        session.add(
            AppMetadata(key=DEMO_DATA_KEY, value=json.dumps({"seed": 7, "scale": 1, "label": "demo"}))
        )
    port, _folder = city_site
    log_path = tmp_path_factory.mktemp("embed-server") / "streamlit.log"
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("EQUITY_EMBED_ORIGINS", f"http://localhost:{port}")
        running = serve_app(engine, log_path, port=_free_port())
        base_url = next(running)  # started with the environment above
    try:
        yield base_url
    finally:
        running.close()


@pytest.fixture(scope="module")
def contexts(browser) -> Iterator[Contexts]:
    opened = Contexts(browser)
    yield opened
    opened.close()


def _city_page(city_site, name: str, src: str, *, host: str = "localhost") -> str:
    port, folder = city_site
    (folder / name).write_text(CITY_PAGE.format(src=src, title="The Equity Plan Tracker, embedded"))
    return f"http://{host}:{port}/{name}"


def _frame_url(page: Page) -> str:
    """Where the city page's frame ended up, once it has loaded (or been refused: the browser then
    shows its own error page in the frame, which fires the frame's load event too)."""
    handle = page.locator("#tracker").element_handle()
    assert handle is not None
    page.wait_for_function(
        "(frame) => frame.contentWindow !== null && frame.dataset.loaded === 'yes'",
        arg=handle,
        timeout=60_000,
    )
    frame = handle.content_frame()
    assert frame is not None
    return frame.url


def _open(contexts: Contexts, url: str) -> Page:
    page = contexts.new_page(DESKTOP)
    page.goto(url)
    return page


def test_a_city_page_embeds_a_public_page(contexts, city_site, embed_server, artifacts_dir):
    page = _open(contexts, _city_page(city_site, "bureau.html", f"{embed_server}{BUREAU}&embed=true"))
    frame = page.frame_locator("#tracker")
    expect(frame.get_by_role("heading", name="Bureau of Alpha", exact=True)).to_be_visible()
    expect(frame.locator("[data-testid='stApp'][data-test-script-state='notRunning']")).to_have_count(1)
    page.screenshot(path=artifacts_dir / "embed-bureau.png", full_page=True)
    expect(frame.locator(".st-key-embed-header")).to_contain_text("Demo data")
    expect(frame.get_by_text("Demo data — not real City figures")).to_have_count(0)
    expect(frame.locator("[data-testid='stSidebar']")).to_have_count(0)
    expect(frame.locator("[data-testid='stToolbar']")).to_have_count(0)
    link = frame.get_by_role("link", name="Open in the Equity Plan Tracker")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("target", "_blank")
    assert link.evaluate("(anchor) => anchor.href") == f"{embed_server}{BUREAU}"
    expect(frame.get_by_text("Overall progress")).to_be_visible()  # the page's own figures

    # Its downloads work inside the frame.
    scorecard = frame.locator(".st-key-downloads-scorecard")
    with page.expect_download() as download:
        press_to_download(scorecard.get_by_role("button", name="Download the scorecard (CSV)"))
    assert download.value.suggested_filename == "AA-scorecard-2018-19.csv"
    # A picker changes the page inside the frame, which stays an embed.
    embedded = next(child for child in page.frames if child.parent_frame is not None)
    frame.get_by_role("combobox", name="Fiscal year").click()
    frame.get_by_role("option", name="FY 2019-20").click()
    expect(frame.get_by_text("As reported by 30 September 2020", exact=False)).to_be_visible()
    assert "embed=true" in embedded.url
    assert "fy=2019-20" in embedded.url
    expect(frame.locator("[data-testid='stSidebar']")).to_have_count(0)


def test_a_staff_page_is_never_embedded(contexts, city_site, embed_server):
    page = _open(contexts, _city_page(city_site, "review.html", f"{embed_server}/review?embed=true"))
    assert _frame_url(page) == REFUSED_FRAME


def test_a_site_that_is_not_listed_cannot_embed_a_public_page(contexts, city_site, embed_server):
    url = _city_page(city_site, "other.html", f"{embed_server}{BUREAU}&embed=true", host="127.0.0.1")
    page = _open(contexts, url)
    assert _frame_url(page) == REFUSED_FRAME


def _embedded_chart(contexts, city_site, embed_server, path: str, chart: str, *, html: str):
    """A city page framing ``path`` as an embed of the chart ``chart`` alone; the page and its frame,
    once that chart is drawn and is the only chart to be seen."""
    src = f"{embed_server}{path}&embed=true&chart={chart}"
    page = _open(contexts, _city_page(city_site, html, src))
    frame = page.frame_locator("#tracker")
    expect(frame.locator(f".st-key-chart-block-{chart} .js-plotly-plot")).to_be_visible(timeout=60_000)
    expect(frame.locator(".js-plotly-plot:visible")).to_have_count(1)
    return page, frame


def test_a_city_page_embeds_one_chart_alone(contexts, city_site, embed_server, artifacts_dir):
    # The workforce page's first chart, named by its key: the frame shows that chart (its title, the
    # chart, its source and its data table) and the embed's label and link, and nothing else.
    page, frame = _embedded_chart(
        contexts, city_site, embed_server, "/workforce?fy=2018-19", "city-year", html="chart.html"
    )
    expect(frame.get_by_role("heading", name="Workforce representation")).to_be_hidden()
    expect(frame.get_by_text("What this page cannot tell you")).to_be_hidden()
    expect(frame.get_by_role("link", name="Open in the Equity Plan Tracker")).to_be_visible()
    expect(frame.locator(".st-key-chart-block-city-year")).to_contain_text("FY 2018-19")
    page.screenshot(path=artifacts_dir / "embed-chart.png", full_page=True)


def test_a_chart_kept_in_a_folded_section_embeds_alone_and_open(contexts, city_site, embed_server):
    # The overview's chart of every bureau's reporting sits in a section closed on the page itself
    # (built only once opened); framed alone, it is built and its section open.
    _page, frame = _embedded_chart(
        contexts, city_site, embed_server, "/?fy=2018-19", "reporting", html="reporting.html"
    )
    expect(frame.get_by_role("heading", name="Citywide overview")).to_be_hidden()
