"""Helpers for the browser tests: open a page of the running app, wait until it has really finished,
open every folded section, take a full-page screenshot, run axe-core, read links and data grids.

Waiting is on conditions, never on time. Streamlit's ``data-test-script-state`` is ``notRunning``
both after a run and (during in-app navigation) before the next one starts, so every page gets a
small init script that counts finished runs: "settled" means a run finished after the action, the
app is idle, no element is still a loading skeleton (Streamlit draws lazily loaded elements as
skeletons for a moment after the run), and every plotly chart element has been drawn.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}
# A first visit warms the server's caches; later pages take a second or two (more on a busy machine).
TIMEOUT_MS = 60_000
MAX_TABS = 150  # keyboard walks give up after this many presses of Tab

APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
EXCEPTION = "[data-testid='stException']"
MAIN = "[data-testid='stMain']"
OPEN_SECTION = "[data-testid='stExpander'] details[open]"

expect.set_options(timeout=TIMEOUT_MS)

# Counts the runs that have finished since the document loaded, from the server's own word: its
# "script finished" message on the websocket (ForwardMsg field 6; status 2, "finished early for a
# rerun", is left out because another run follows). Watching the app's script state for "running"
# misses runs on a busy machine, where the frontend takes a run's messages in one batch and never
# draws "running". A finish is counted two frames after it arrives, once the frontend has drawn it.
RUN_COUNTER = """
window.__equityRuns = 0;
const finishesRun = (bytes) => {
  let at = 0;
  const varint = () => {
    let value = 0, shift = 0, byte;
    do {
      byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80 && at < bytes.length);
    return value;
  };
  while (at < bytes.length) {
    const key = varint(), field = Math.floor(key / 8), wire = key % 8;
    if (field === 6 && wire === 0) return varint() !== 2;
    if (wire === 0) varint(); else if (wire === 2) { const length = varint(); at += length; }
    else if (wire === 1) at += 8; else if (wire === 5) at += 4; else return false;
  }
  return false;
};
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', (event) => {
      if (event.data instanceof ArrayBuffer && finishesRun(new Uint8Array(event.data))) {
        requestAnimationFrame(() => requestAnimationFrame(() => { window.__equityRuns += 1; }));
      }
    });
  }
};
"""
DRAWN = (
    "!document.querySelector(\"[data-testid='stSkeleton']\") && "
    "document.querySelectorAll('.js-plotly-plot').length >= "
    "document.querySelectorAll('[data-testid=stPlotlyChart]').length"
)
SETTLED = f"(before) => window.__equityRuns > before && !!document.querySelector({APP_IDLE!r}) && {DRAWN}"
# Folded sections a reader can see and open now (a section inside a closed one is opened next round;
# the other screen width's layout, hidden by a style rule, is left alone).
OPEN_VISIBLE_SECTIONS = """() => {
  const closed = [...document.querySelectorAll("[data-testid='stExpander'] details:not([open]) > summary")]
    .filter((summary) => summary.offsetParent !== null);
  closed.forEach((summary) => summary.click());
  return closed.length;
}"""
# Open sections built only while open (ui.folded) whose contents have not arrived yet: opening one
# runs the page again, and its contents come with that run.
FOLDED_UNBUILT = """() => [
  ...document.querySelectorAll("[class*='st-key-folded-'] > [data-testid='stExpander'] details[open]"),
].filter((details) => !details.querySelector("[data-testid='stElementContainer']")).length"""
CLOSED_VISIBLE_SECTIONS = """() => [
  ...document.querySelectorAll("[data-testid='stExpander'] details:not([open])"),
].filter((details) => details.offsetParent !== null).length"""
ACTIVE_ELEMENT = """() => {
  const element = document.activeElement;
  if (!element) return null;
  return {
    tag: element.tagName.toLowerCase(),
    href: element.getAttribute('href') || '',
    text: (element.innerText || '').trim().slice(0, 200),
    expanderTitle: (
      element.closest("[data-testid='stExpander']")?.querySelector('summary')?.innerText || ''
    ).trim(),
    isSummary: element.tagName === 'SUMMARY',
  };
}"""


class Contexts:
    """One browser context per screen size, shared by the pages opened at that size: they reuse its
    HTTP cache (Streamlit's scripts load once, not once per page). A reader's place is kept in the
    Streamlit session of each page load, never in the context, so pages stay independent."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self._contexts: dict[tuple[int, int], BrowserContext] = {}

    def context(self, size: dict) -> BrowserContext:
        key = (size["width"], size["height"])
        if key not in self._contexts:
            context = self.browser.new_context(viewport=dict(size))
            context.add_init_script(RUN_COUNTER)
            self._contexts[key] = context
        return self._contexts[key]

    def new_page(self, size: dict) -> Page:
        return self.context(size).new_page()

    def close(self) -> None:
        for context in self._contexts.values():
            context.close()


def runs(page: Page) -> int:
    return int(page.evaluate("window.__equityRuns || 0"))


def settle(page: Page, runs_before: int = 0) -> None:
    """Wait until a run has finished after ``runs_before`` and the page has drawn everything."""
    page.wait_for_function(SETTLED, arg=runs_before, timeout=TIMEOUT_MS)


def wait_drawn(page: Page) -> None:
    """Wait for lazily loaded elements and charts only (after a change that runs no script)."""
    page.wait_for_function(DRAWN, timeout=TIMEOUT_MS)


def press_to_download(button: Locator) -> None:
    """Start a download from the keyboard, as a keyboard user does: focus the button and press
    Enter. A pointer click is aimed at where the button was; under load a chart above can still
    finish drawing and move the button, and the click then lands beside it (seen in CI)."""
    button.press("Enter")


def goto(page: Page, url: str) -> Page:
    page.goto(url)
    settle(page, 0)
    return page


def act(page: Page, action: Callable[[], object]) -> None:
    """Do something that makes the app run its script (a click on a link or a picker), and wait
    until that run has finished and been drawn."""
    before = runs(page)
    action()
    settle(page, before)


def wait_folded_built(page: Page, runs_before: int) -> None:
    """After opening sections: if any is built only while open (``ui.folded``), wait for the run
    that opening started, and for every such open section's contents to be drawn."""
    if page.evaluate(FOLDED_UNBUILT):
        settle(page, runs_before)
        page.wait_for_function(f"() => ({FOLDED_UNBUILT})() === 0", timeout=TIMEOUT_MS)
        page.wait_for_selector(APP_IDLE)
    wait_drawn(page)


def expand_all(page: Page) -> int:
    """Open every folded section a reader can see, sections inside sections included, and wait until
    their contents are drawn. Returns how many were opened."""
    opened = 0
    for _ in range(10):  # nesting depth; the app folds at most two levels
        already_open = page.locator(OPEN_SECTION).count()
        before = runs(page)
        clicked = page.evaluate(OPEN_VISIBLE_SECTIONS)
        if not clicked:
            break
        opened += clicked
        page.wait_for_function(
            f"(wanted) => document.querySelectorAll({OPEN_SECTION!r}).length >= wanted",
            arg=already_open + clicked,
        )
        wait_folded_built(page, before)
    assert page.evaluate(CLOSED_VISIBLE_SECTIONS) == 0, "a folded section would not open"
    page.wait_for_selector(APP_IDLE)
    wait_drawn(page)
    return opened


def full_page_screenshot(page: Page, path: Path) -> None:
    """The whole page in one image: Streamlit scrolls inside its main container, so the viewport is
    made as tall as the page for the shot, then put back."""
    size = dict(page.viewport_size)
    height = page.evaluate(f"document.querySelector({MAIN!r}).scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height), 16_000))})
    wait_drawn(page)
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size(size)
    wait_drawn(page)


def axe_violations(page: Page, report: Path | None = None, **run_options) -> list[dict]:
    """axe-core's violations on the page as it is now, written to ``report`` as JSON."""
    violations = Axe().run(page, **run_options).response["violations"]
    if report is not None:
        report.write_text(json.dumps(violations, indent=2))
    return violations


def serious(violations: list[dict]) -> list[str]:
    """One line per critical or serious violation (rule, impact, what, where)."""
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(" ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
                    for node in violation["nodes"][:5])
        for violation in violations
        if violation["impact"] in {"critical", "serious"}
    ]  # fmt: skip


_LINK_LINE = re.compile(r"""^-\s*'?link(?:\s+"((?:[^"\\]|\\.)*)")?""")


def link_names(page: Page, scope: str = MAIN) -> list[tuple[str, str]]:
    """``(href, accessible name)`` of every visible link in ``scope``, the name as the browser's
    accessibility tree computes it (Playwright's ARIA snapshot of the link)."""
    names = []
    for link in page.locator(f"{scope} a:visible").all():
        first_line = link.aria_snapshot().splitlines()[0].strip() if link.aria_snapshot() else ""
        match = _LINK_LINE.match(first_line)
        name = match.group(1) if match and match.group(1) is not None else ""
        names.append((link.get_attribute("href") or "", name.replace("''", "'").replace('\\"', '"')))
    return names


def is_bare_url(name: str, href: str) -> bool:
    name = name.strip()
    return bool(re.match(r"(?:https?://|www\.)\S*$", name)) or (bool(href) and name == href)


def tab_until(page: Page, wanted: Callable[[dict], bool], *, max_presses: int = MAX_TABS) -> dict:
    """Press Tab until the focused element satisfies ``wanted``; returns it (fails after
    ``max_presses``, listing where focus went)."""
    visited = []
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(ACTIVE_ELEMENT) or {}
        if wanted(focused):
            return focused
        visited.append(f"{focused.get('tag')} {focused.get('href') or focused.get('text', '')[:40]!r}")
    raise AssertionError(f"not reached in {max_presses} presses of Tab; focus went: " + " → ".join(visited))


def visible_text(page: Page, scope: str = MAIN) -> str:
    """The text a reader sees in ``scope``: rendered text only (folded or hidden parts are left out),
    without invisible format characters (a word joiner the app may put inside an address to keep it
    from becoming a link shows nothing)."""
    text = page.evaluate(f"document.querySelector({scope!r}).innerText")
    return "".join(character for character in text if unicodedata.category(character) != "Cf")
