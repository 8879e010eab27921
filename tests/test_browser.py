"""The app in headless Chromium: a real server on the golden city (and one on the hostile city), a
real browser, screenshots and accessibility reports to look at.

Every figure asserted here is written out by hand in ``tests/golden_city.py``'s docstring; none is
computed with the app's code. Screenshots and axe reports land in ``tests/artifacts/`` (one per page
and width). Pages are shared between the tests that look at the same view (pytest runs the tests of
one view together), so each view is loaded once per width.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_support import (
    DESKTOP,
    EXCEPTION,
    MAIN,
    PHONE,
    WIDTHS,
    Contexts,
    act,
    axe_violations,
    expand_all,
    full_page_screenshot,
    goto,
    is_bare_url,
    link_names,
    press_to_download,
    runs,
    serious,
    settle,
    tab_until,
    visible_text,
    wait_drawn,
    wait_folded_built,
)
from hostile_city import DIRECTIVE, FORMULA, HEADING, HTML, IMAGE, LINK, PLOTLY
from playwright.sync_api import Page, expect

from equity_tracking.ui import DEMO_BANNER

pytestmark = pytest.mark.browser

FY = "2018-19"
# M1's next value (FY 2019-20's) is due by that year's reporting deadline (golden_city docstring).
M1_NEXT_DUE = "30 Sep 2020"
# One shareable URL per page, with its filters, and the page's own title (its h1).
PAGES = {
    "overview": (f"/?fy={FY}", "Citywide overview"),
    "goal": (f"/goal?goal=1&fy={FY}", "Citywide goals"),
    "bureau": (f"/bureau?bureau=AA&fy={FY}", "Bureaus"),
    "measure": (f"/measure?measure=1&fy={FY}", "Measures"),
    "compare": (f"/compare?fy={FY}", "Compare bureaus"),
    "workforce": (f"/workforce?fy={FY}", "Workforce representation"),
    "reports": (f"/reports?fy={FY}", "Bureau reports"),
    "methodology": ("/methodology", "Methodology and about"),
}
# The sidebar, in order (navigation.PAGES' titles, written out).
DASHBOARDS = [
    "Citywide overview",
    "Citywide goals",
    "Bureaus",
    "Measures",
    "Compare bureaus",
    "Workforce representation",
    "Bureau reports",
    "Methodology and about",
]
SIDEBAR = [*DASHBOARDS, "Sign in"]  # the public's sidebar
METRIC = "[data-testid='stMetric']"
ALERT = "[data-testid='stAlert']"
EXPANDER = "[data-testid='stExpander']"


def shown(scope, text: str):
    """The first visible element with ``text`` in ``scope`` (a page keeps both screen widths' layouts
    in the document and hides one with a style rule)."""
    return scope.get_by_text(text).filter(visible=True).first


def h1(page: Page, title: str):
    return page.locator(f"{MAIN} h1", has_text=title)


def h2(page: Page, text: str):
    return page.locator(f"{MAIN} h2").filter(has_text=text)


def metric(page: Page, label: str):
    """The metric tile whose label is ``label`` (exactly)."""
    return page.locator(METRIC).filter(
        has=page.locator("[data-testid='stMetricLabel']").get_by_text(label, exact=True)
    )


def metric_value(page: Page, label: str):
    return metric(page, label).locator("[data-testid='stMetricValue']")


def expander(page: Page, title: str):
    return page.locator(EXPANDER).filter(has=page.locator("summary", has_text=title))


def open_expander(page: Page, title: str):
    """Open the folded section titled ``title`` (by a click on its heading) and return it."""
    section = expander(page, title).first
    expect(section).to_have_count(1)
    if section.locator("details[open]").count() == 0:
        before = runs(page)
        section.locator("summary").first.click()
        expect(section.locator("details[open]")).to_have_count(1)
        wait_folded_built(page, before)
    return section


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def fiscal_year_picker(page: Page):
    return page.get_by_role("combobox", name="Fiscal year")


@pytest.fixture(scope="module")
def contexts(browser):
    """The browser contexts of this module, one per screen size (see ``Contexts``)."""
    shared = Contexts(browser)
    yield shared
    shared.close()


@pytest.fixture
def tab(contexts):
    """``tab(size)``: a new page at a width; it, and any page it opens, is closed after the test."""
    opened: list[Page] = []
    watched = []

    def _opened(page: Page) -> None:
        opened.append(page)

    def _open(size: dict = DESKTOP) -> Page:
        context = contexts.context(size)
        if context not in watched:  # also catch the tabs a link opens
            context.on("page", _opened)
            watched.append(context)
        return context.new_page()

    yield _open
    for context in watched:
        context.remove_listener("page", _opened)
    for page in opened:
        page.close()


# --- every page at both widths: loads cleanly, no toolbar, names its links, passes axe ----------------


@dataclass
class View:
    name: str
    width: str
    page: Page
    facts: dict = field(default_factory=dict)


@pytest.fixture(
    scope="module",
    params=[(name, width) for name in PAGES for width in WIDTHS],
    ids=[f"{name}-{width}" for name in PAGES for width in WIDTHS],
)
def view(request, contexts, golden_server):
    """One golden-city page at one width, loaded once and shared by the tests that look at it."""
    name, width = request.param
    page = contexts.new_page(WIDTHS[width])
    goto(page, golden_server + PAGES[name][0])
    yield View(name, width, page)
    page.close()


def test_page_opens_cleanly_at_desktop_and_phone_width(view, artifacts_dir):
    page = view.page
    expect(h1(page, PAGES[view.name][1])).to_be_visible()
    expect(page.locator(EXCEPTION)).to_have_count(0)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_text(DEMO_BANNER)).to_have_count(0)  # the golden city is not the demo
    if view.width == "phone":
        # Nothing may make the whole page scroll sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    full_page_screenshot(page, artifacts_dir / f"{view.name}-{view.width}.png")


def test_nothing_calls_the_golden_city_a_demo(request, view):
    known_bug(request, "demo", view.name)
    expand_all(view.page)
    text = visible_text(view.page)
    mentions = [line.strip() for line in text.splitlines() if re.search(r"\bdemo\b", line, re.IGNORECASE)]
    assert not mentions, mentions


def test_charts_have_no_toolbar(view):
    page = view.page
    charts = page.locator(".js-plotly-plot:visible")
    if charts.count():
        charts.first.hover()  # plotly shows its toolbar on hover when it has one
    expect(page.locator(".modebar:visible")).to_have_count(0)
    expect(page.locator(".modebar-btn")).to_have_count(0)


def test_no_figure_or_label_is_cut_off(request, view):
    """A metric tile that is too narrow ends its value or label with "…": the reader loses the figure
    the other tests read from the page."""
    known_bug(request, "cut-off", view.name)
    cut = view.page.evaluate(CUT_OFF_TEXT)
    assert not cut, f"cut off with an ellipsis: {cut}"


CUT_OFF_TEXT = """[...document.querySelectorAll(
    "[data-testid='stMetricValue'], [data-testid='stMetricLabel'], [data-testid='stMetricDelta']")]
  .flatMap((box) => [box, ...box.querySelectorAll('*')])
  .filter((element) => element.offsetParent !== null && element.scrollWidth > element.clientWidth + 1)
  .map((element) => element.closest("[data-testid='stMetric']").innerText.replace(/\\s+/g, ' ').trim())
  .filter((text, index, all) => all.indexOf(text) === index)"""


def test_no_serious_accessibility_violations_with_every_section_open(view, artifacts_dir):
    page = view.page
    expand_all(page)
    report = artifacts_dir / f"axe-{view.name}-{view.width}.json"
    violations = axe_violations(page, report)
    problems = serious(violations)
    assert not problems, f"see {report.name}:\n" + "\n".join(problems)


def test_every_link_in_the_main_area_has_a_name_that_is_not_an_address(view):
    page = view.page
    expand_all(page)
    links = link_names(page)
    unnamed = [(href, name) for href, name in links if not name.strip() or is_bare_url(name, href)]
    assert not unnamed, f"links without a proper accessible name: {unnamed}"


# --- the reader's place: kept across the sidebar, back and forward -----------------------------------


def test_sidebar_navigation_keeps_the_fiscal_year(tab, golden_server):
    page = goto(tab(DESKTOP), golden_server + "/?fy=2020-21")
    expect(fiscal_year_picker(page)).to_have_value("FY 2020-21")
    sidebar = page.locator("[data-testid='stSidebarNav']")
    for title in [*DASHBOARDS[1:], DASHBOARDS[0]]:
        act(page, lambda title=title: sidebar.get_by_role("link", name=title, exact=True).click())
        expect(h1(page, title)).to_be_visible()
        if title == "Methodology and about":  # no year picker there: the next page brings it back
            expect(page).to_have_url(re.compile(r"/methodology(\?|$)"))
            continue
        expect(page).to_have_url(re.compile(r"[?&]fy=2020-21(&|$)"))
        expect(fiscal_year_picker(page)).to_have_value("FY 2020-21")
    assert urlsplit(page.url).path in {"/", "/overview"}


def test_sidebar_measures_link_keeps_the_bureau(tab, golden_server):
    page = goto(tab(DESKTOP), golden_server + f"/bureau?bureau=BB&fy={FY}")
    expect(h2(page, "Bureau of Beta").first).to_be_visible()
    sidebar = page.locator("[data-testid='stSidebarNav']")
    act(page, lambda: sidebar.get_by_role("link", name="Measures", exact=True).click())
    expect(h1(page, "Measures")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]bureau=BB(&|$)"))
    expect(page.get_by_role("combobox", name="Bureau")).to_have_value("Bureau of Beta")
    expect(h2(page, "Share of managers of color")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"[?&]fy={FY}(&|$)"))


def test_back_returns_to_the_filters_left_behind(tab, golden_server):
    page = goto(tab(DESKTOP), golden_server + "/?fy=2017-18")
    expect(shown(page, "As reported by 30 September 2018")).to_be_visible()
    page.locator("[data-testid='stSelectbox']").filter(has=fiscal_year_picker(page)).click()
    act(page, lambda: page.get_by_role("option", name="FY 2016-17").click())
    expect(shown(page, "As reported by 30 September 2017")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]fy=2016-17(&|$)"))
    act(page, lambda: page.get_by_role("link", name="Methodology and about").click())
    expect(h1(page, "Methodology and about")).to_be_visible()
    page.go_back()
    settle(page, 0)
    expect(shown(page, "As reported by 30 September 2017")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]fy=2016-17(&|$)"))
    expect(fiscal_year_picker(page)).to_have_value("FY 2016-17")


# --- links that ask for something that does not exist --------------------------------------------------

NOT_FOUND = {
    "unknown-bureau": ("/bureau?bureau=XX", "No bureau with the code “XX”"),
    "unknown-measure": ("/measure?measure=99999", "No measure numbered “99999”"),
    "unknown-goal": ("/goal?goal=7", "There is no citywide goal “7”"),
    "uncovered-year": ("/?fy=1999-00", "fiscal year “1999-00”"),
    # Measure 6 belongs to a draft revision of Gamma's plan: for the public it does not exist.
    "draft-measure": ("/measure?measure=6", "No measure numbered “6”"),
}


@pytest.mark.parametrize("case", list(NOT_FOUND))
def test_a_bad_link_says_what_was_not_found_and_shows_nothing_else(tab, golden_server, case):
    path, message = NOT_FOUND[case]
    page = goto(tab(DESKTOP), golden_server + path)
    expect(page.locator(ALERT).filter(has_text=message)).to_be_visible()
    expect(page.locator(EXCEPTION)).to_have_count(0)
    # No item's headline, scorecard, table or chart: the page stops at the message and its picker.
    expect(page.locator(f"{MAIN} h2")).to_have_count(0)
    expect(page.locator(METRIC)).to_have_count(0)
    expect(page.locator("[data-testid='stTable']")).to_have_count(0)
    expect(page.locator("[data-testid='stDataFrame']")).to_have_count(0)
    expect(page.locator("[data-testid='stPlotlyChart']")).to_have_count(0)
    expect(page.get_by_text("A measure of the draft revision")).to_have_count(0)


def test_a_measure_number_with_a_plus_sign_opens_that_measure(tab, golden_server):
    page = goto(tab(DESKTOP), golden_server + "/measure?measure=+1")
    expect(h2(page, "Share of new hires who are people of color")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]measure=1(&|$)"))
    assert query(page)["measure"] == ["1"]


def test_a_repeated_parameter_shows_one_bureau_the_last(tab, golden_server):
    page = goto(tab(DESKTOP), golden_server + "/bureau?bureau=BB&bureau=AA")
    expect(h2(page, "Bureau of Alpha").first).to_be_visible()
    expect(page.locator(MAIN).get_by_text("Bureau of Beta")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"[?&]bureau=AA(&|$)"))
    assert query(page)["bureau"] == ["AA"]


def test_a_short_link_lands_on_the_bureau_page(tab, golden_server):
    page = goto(tab(DESKTOP), golden_server + "/bureau/AA")
    expect(h2(page, "Bureau of Alpha").first).to_be_visible()
    assert urlsplit(page.url).path == "/bureau"
    assert query(page)["bureau"] == ["AA"]


# --- the golden figures, as a reader sees them ---------------------------------------------------------


def test_overview_shows_the_golden_progress_and_reporting(tab, golden_server):
    page = goto(tab(DESKTOP), golden_server + f"/?fy={FY}")
    # One tile per goal, in goal order, and one folded section per goal named with its progress.
    tiles = metric_value(page, "Progress to target")
    expect(tiles).to_have_text(["32.5 %", "95.0 %", "60.0 %"])  # goal 3 without the draft plan
    for number, progress in ((1, "32.5 %"), (2, "95.0 %"), (3, "60.0 %")):
        expect(page.locator(f"{EXPANDER} summary", has_text=f"Goal {number} ·")).to_contain_text(progress)
    expect(page.locator(f"{EXPANDER} summary", has_text="Goal 3 ·")).not_to_contain_text("80.0 %")
    expect(metric_value(page, "Reported every measure due")).to_have_text("2 of 3 bureaus")
    expect(metric(page, "Reported every measure due")).to_contain_text("80.0 % of due measures reported")


def test_overview_in_the_baseline_year_says_so(tab, golden_server):
    page = goto(tab(DESKTOP), golden_server + "/?fy=2016-17")
    expect(shown(page, "is the baseline year")).to_be_visible()


def test_bureau_alpha_shows_its_golden_figures(tab, golden_server):
    page = goto(tab(DESKTOP), golden_server + f"/bureau?bureau=AA&fy={FY}")
    expect(metric_value(page, "Overall progress")).to_have_text("70.0 %")
    expect(shown(page, "Hired two community liaisons.")).to_be_visible()
    actions = open_expander(page, "Every action")
    expect(shown(actions, "Overdue (last reported: on track)")).to_be_visible()
    row = page.get_by_role("row").filter(
        has=page.get_by_role("cell", name="Share of new hires who are people of color", exact=True)
    )
    expect(row).to_have_count(1)
    for cell in ("! Behind", M1_NEXT_DUE, "24.5 %", "−5.5 points"):
        expect(row.get_by_role("cell", name=cell, exact=True)).to_be_visible()
    panel = open_expander(page, "Employees by race/ethnicity · equity score: 49 of 100")
    expect(panel.locator("[data-testid='stMetricValue']")).to_have_text("49 of 100")


def test_bureau_beta_is_out_of_date(tab, golden_server):
    page = goto(tab(DESKTOP), golden_server + f"/bureau?bureau=BB&fy={FY}")
    expect(shown(page, "Out of date (last reported FY 2017-18)")).to_be_visible()


def test_measure_one_shows_its_headline(tab, golden_server):
    page = goto(tab(DESKTOP), golden_server + f"/measure?measure=1&fy={FY}")
    expect(h2(page, "Share of new hires who are people of color")).to_be_visible()
    for label, value in (
        ("Current", "24.5 %"),
        ("Prior", "22.0 %"),
        ("Forecast", "28.9 %"),
        ("Next value due", M1_NEXT_DUE),
    ):
        expect(metric_value(page, label)).to_have_text(value)


def test_measure_two_hides_small_counts_and_what_would_give_them_away(tab, golden_server):
    page = goto(tab(DESKTOP), golden_server + "/measure?measure=2&fy=2016-17")
    expect(h2(page, "Employees by race/ethnicity")).to_be_visible()
    section = page.locator(EXPANDER).filter(has=page.locator(".st-key-download-groups"))
    expect(section).to_have_count(1)
    section.locator("summary").click()
    expect(section.locator("details[open]")).to_have_count(1)
    wait_drawn(page)
    values = {row[1]: row[2] for row in table_rows(section) if row[0] == "FY 2016-17"}
    assert values.get("Asian") == "hidden", values
    assert values.get("White") == "hidden", values
    assert values.get("People of color") == "hidden", values
    assert values.get("Black or African American") == "12", values
    assert values.get("Hispanic or Latino") == "30", values


def table_rows(container) -> list[list[str]]:
    """The body rows of the table in ``container``: an HTML table (st.table) or a data grid
    (st.dataframe, whose canvas keeps its cells in an accessible table)."""
    html = container.locator("[data-testid='stTable'] tbody tr")
    if html.count():
        return [[cell.strip() for cell in row.locator("td, th").all_inner_texts()] for row in html.all()]
    grid = container.locator("[data-testid='stDataFrame'] table[role='grid']")
    expect(grid).to_have_count(1)
    return grid.evaluate(
        "(table) => [...table.querySelectorAll('tbody tr')]"
        ".map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent.trim()))"
    )


def test_reports_show_only_published_narratives(tab, golden_server):
    page = goto(tab(DESKTOP), golden_server + f"/reports?fy={FY}")
    expect(metric_value(page, "Bureaus with a published report")).to_have_text("1 of 3")
    expand_all(page)
    expect(shown(page, "Hired two community liaisons.")).to_be_visible()
    expect(page.get_by_text("Not yet reviewed.")).to_have_count(0)  # Beta's is only submitted


# --- the keyboard alone ---------------------------------------------------------------------------------


def _follow_focused_link(page: Page) -> Page:
    """Press Enter on the focused link; returns the page it opened (this one, or a new tab when
    the link opens one) once its script has run."""
    opens_tab = page.evaluate("document.activeElement.getAttribute('target')") == "_blank"
    if not opens_tab:
        act(page, lambda: page.keyboard.press("Enter"))
        return page
    with page.context.expect_page() as opened:
        page.keyboard.press("Enter")
    new = opened.value
    settle(new, 0)
    return new


def test_a_scorecard_measure_link_can_be_reached_and_followed_with_the_keyboard(tab, golden_server):
    page = goto(tab(DESKTOP), golden_server + f"/bureau?bureau=AA&fy={FY}")
    focused = tab_until(page, lambda f: f.get("tag") == "a" and "measure=1" in f.get("href", ""))
    assert focused["text"] == "Share of new hires who are people of color"
    opened = _follow_focused_link(page)
    expect(h2(opened, "Share of new hires who are people of color")).to_be_visible()
    expect(opened).to_have_url(re.compile(r"[?&]measure=1(&|$)"))


def test_a_link_in_a_folded_section_can_be_reached_and_followed_with_the_keyboard(tab, golden_server):
    page = goto(tab(DESKTOP), golden_server + f"/?fy={FY}")
    tab_until(page, lambda f: f.get("isSummary") and f.get("text", "").endswith("Open a bureau's page"))
    before = runs(page)
    page.keyboard.press("Enter")
    expect(expander(page, "Open a bureau's page").locator("details[open]")).to_have_count(1)
    wait_folded_built(page, before)  # its links are built once it is open
    focused = tab_until(
        page, lambda f: f.get("tag") == "a" and f.get("expanderTitle", "").endswith("Open a bureau's page")
    )
    name = focused["text"]
    assert name in {"Bureau of Alpha", "Bureau of Beta", "Bureau of Gamma"}, focused
    opened = _follow_focused_link(page)
    expect(h1(opened, "Bureaus")).to_be_visible()
    expect(h2(opened, name).first).to_be_visible()
    expect(opened).to_have_url(re.compile(rf"/bureau\?(.*&)?fy={FY}"))


# --- hostile text: shown as typed, never acting --------------------------------------------------------

HOSTILE_PAGES = {
    "overview": f"/?fy={FY}",
    "goal": f"/goal?goal=1&fy={FY}",
    "bureau-BB": f"/bureau?bureau=BB&fy={FY}",  # the bureau with the hostile name
    "bureau-AA": f"/bureau?bureau=AA&fy={FY}",  # hostile goal title, action lead, update and narrative
    "measure": f"/measure?measure=1&fy={FY}",  # hostile measure name and value note
    "compare": f"/compare?fy={FY}",
    "workforce": f"/workforce?fy={FY}",
    "reports": f"/reports?fy={FY}",
    "methodology": "/methodology",
}
# Planted strings each page shows (as typed); workforce and methodology show none of the planted fields.
SHOWN_AS_TYPED = {
    "overview": [LINK],
    "goal": [LINK],
    "bureau-BB": [LINK, IMAGE],
    "bureau-AA": [HEADING, "| EVIL | table |", DIRECTIVE, LINK, PLOTLY],
    "measure": [HTML, HEADING, FORMULA],
    "compare": [LINK],
    "workforce": [],
    "reports": [LINK, IMAGE],
    "methodology": [],
}


@pytest.fixture(scope="module", params=list(HOSTILE_PAGES))
def hostile_view(request, contexts, hostile_server):
    """One hostile-city page (desktop, every section open), shared by the tests that look at it."""
    page = contexts.new_page(DESKTOP)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    goto(page, hostile_server + HOSTILE_PAGES[request.param])
    expand_all(page)
    yield View(request.param, "desktop", page, facts={"dialogs": dialogs})
    page.close()


def test_hostile_text_loads_no_image(request, hostile_view):
    known_bug(request, "image", hostile_view.name)
    images = hostile_view.page.evaluate(
        "[...document.querySelectorAll('img')].map((img) => img.getAttribute('src') || '')"
        ".filter((src) => src.includes('evil.example'))"
    )
    assert not images, images


def test_hostile_text_makes_no_link(request, hostile_view):
    known_bug(request, "link", hostile_view.name)
    links = hostile_view.page.evaluate(
        """[...document.querySelectorAll('a')]
          .filter((a) => (a.getAttribute('href') || '').includes('evil.example'))
          .map((a) => `${a.getAttribute('href')} in ${a.closest('[data-testid]')?.dataset.testid}`)"""
    )
    assert not links, links


def test_hostile_text_makes_no_heading_and_runs_no_script(hostile_view):
    page = hostile_view.page
    expect(page.locator("h1", has_text="EVIL heading")).to_have_count(0)
    headings = page.locator("h1, h2, h3, h4, h5, h6").all_inner_texts()
    assert not [text for text in headings if text.strip().startswith("EVIL")], headings
    assert hostile_view.facts["dialogs"] == []  # onerror=alert(1) never ran


def test_hostile_text_is_shown_as_typed(hostile_view, artifacts_dir):
    expect(hostile_view.page.locator(EXCEPTION)).to_have_count(0)
    full_page_screenshot(hostile_view.page, artifacts_dir / f"hostile-{hostile_view.name}.png")
    shown = visible_text(hostile_view.page)
    missing = [text for text in SHOWN_AS_TYPED[hostile_view.name] if text not in shown]
    assert not missing, f"not shown as typed: {missing}"


def test_hostile_note_downloads_as_inert_text(tab, hostile_server):
    page = goto(tab(DESKTOP), hostile_server + f"/measure?measure=1&fy={FY}")
    button = page.locator(".st-key-download-data").get_by_role("button", name="Download the data (CSV)")
    with page.expect_download() as download:
        press_to_download(button)
    text = download.value.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    assert body, text
    notes = [row[header.index("note")] for row in body if "note" in header]
    assert any(note.startswith("'=HYPERLINK") for note in notes), notes
    for row in body:
        for value in row:
            if _is_number(value):
                continue
            assert not value.startswith(("=", "-", "+", "@")), f"formula-like text field {value!r} in {row}"


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


# --- product bugs these tests found and the app has not fixed yet ---------------------------------------
# ``KNOWN_BUGS[(check, page)] = reason`` marks one check on one page as a strict xfail: the check still
# runs, and when the bug is fixed the test passes, strict turns that into a failure, and the entry is
# to be deleted. Checks: "demo", "cut-off", "image", "link". None is open at the moment.


def known_bug(request, check: str, name: str) -> None:
    reason = KNOWN_BUGS.get((check, name))
    if reason:
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))


KNOWN_BUGS: dict[tuple[str, str], str] = {}


# --- the demo city: the dataset a fresh install shows opens, says it is a demo, and draws -----------


@pytest.mark.parametrize("path", ["/?fy=2019-20", "/bureau?bureau=TR&fy=2019-20"], ids=["overview", "bureau"])
@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_demo_city_says_it_is_a_demo_and_draws(tab, app_server, artifacts_dir, path, width):
    page = goto(tab(WIDTHS[width]), app_server + path)
    expect(page.get_by_text(DEMO_BANNER).first).to_be_visible()
    expect(page.locator(EXCEPTION)).to_have_count(0)
    if width == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    name = "overview" if path.startswith("/?") else "bureau"
    full_page_screenshot(page, artifacts_dir / f"demo-{name}-{width}.png")


@pytest.mark.parametrize(
    ("path", "title", "landing"),
    [
        (f"/bureau?bureau=BB&fy={FY}", "Bureaus", f"/bureau?bureau=BB&fy={FY}"),
        ("/goal?goal=2", "Citywide goals", "/goal?goal=2"),  # a page no file is named after
    ],
    ids=["file-named-page", "page-without-a-file"],
)
def test_a_link_opened_on_a_fresh_server_gets_the_apps_own_navigation(
    tab, fresh_golden_server, path, title, landing
):
    # Left to itself, until app.py has run once Streamlit serves pages/bureau.py by itself, with a
    # sidebar of file names ("app", "bureau", "citywide goal"), and /goal as "Page not found".
    page = goto(tab(DESKTOP), fresh_golden_server + path)
    expect(h1(page, title)).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    sidebar = page.locator("[data-testid='stSidebarNav']")
    expect(sidebar.get_by_role("link")).to_have_count(len(SIDEBAR))
    for name in SIDEBAR:
        expect(sidebar.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(landing) + r"(&|$)"))
