"""The app in headless Chromium: the real server, the real browser, screenshots to look at.

Screenshots and accessibility reports land in ``tests/artifacts/`` (one per page and width).
"""

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from equity_tracking import reads
from equity_tracking.ui import DEMO_BANNER

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# One shareable URL per public page, with filters, and whether the page draws charts.
PAGE_URLS = {
    "overview": ("/?fy=2018-19", True),
    "goal": ("/goal?goal=2&fy=2018-19", True),
    "bureau": ("/bureau?bureau=TR&fy=2018-19", True),
    "measure": ("/measure?bureau=TR&fy=2018-19", True),
    "compare": ("/compare?fy=2018-19", True),
    "methodology": ("/methodology", False),
}
CHART = ".js-plotly-plot"
EXCEPTION = "[data-testid='stException']"


def _settle(page) -> None:
    """Wait until every element has rendered: no loading skeletons, and as many drawn plotly charts
    as chart elements (plotly draws after the script ends, and only once a chart is laid out)."""
    expect(page.locator("[data-testid='stSkeleton']")).to_have_count(0)
    page.wait_for_function(
        "document.querySelectorAll('.js-plotly-plot').length >= "
        "document.querySelectorAll('[data-testid=stPlotlyChart]').length"
    )


def _no_streamlit_errors(page) -> None:
    expect(page.locator(EXCEPTION)).to_have_count(0)
    expect(page.get_by_text("Page not found")).to_have_count(0)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("name", list(PAGE_URLS))
def test_page_loads_without_errors_at_desktop_and_phone_width(open_page, artifacts_dir, name, size):
    path, has_charts = PAGE_URLS[name]
    page = open_page(path, **size)
    expect(page.get_by_text(DEMO_BANNER).first).to_be_visible()
    if has_charts:
        expect(page.locator(CHART).first).to_be_visible(timeout=15_000)
    _no_streamlit_errors(page)
    if size is PHONE:
        # Nothing may force sideways scrolling of the whole page on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    label = "desktop" if size is DESKTOP else "phone"
    page.set_viewport_size({"width": size["width"], "height": 2400})
    _settle(page)
    page.screenshot(path=artifacts_dir / f"{name}-{label}.png", full_page=True)


def test_home_page_shows_three_goals_in_chromium(open_page, demo_engine):
    page = open_page("/", height=2600)
    for goal in reads.citywide_goals(demo_engine).itertuples():
        expect(page.get_by_text(goal.text)).to_be_visible()
    expect(page.get_by_text("Reported on time", exact=True)).to_be_visible()


def test_url_with_filters_reopens_the_same_view(open_page, demo_engine):
    bureaus = reads.bureaus(demo_engine).set_index("code")
    page = open_page("/bureau?bureau=PK&fy=2017-18")
    expect(page.get_by_text("FY 2017-18").first).to_be_visible()
    expect(page.get_by_text(bureaus.loc["PK", "name"]).first).to_be_visible()
    assert "bureau=PK" in page.url
    assert "fy=2017-18" in page.url
    expect(page.get_by_text("As reported by 30 September 2018")).to_be_visible()


def test_back_returns_to_the_filters_left_behind(open_page):
    page = open_page("/?fy=2017-18")
    page.locator("[data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name="FY 2016-17").click()
    expect(page.get_by_text("As reported by 30 September 2017")).to_be_visible()
    assert "fy=2016-17" in page.url
    page.get_by_role("link", name="Methodology and about").click()
    page.wait_for_url("**/methodology**")
    page.go_back()
    expect(page.get_by_text("As reported by 30 September 2017")).to_be_visible()
    assert "fy=2016-17" in page.url


@pytest.mark.parametrize("name", list(PAGE_URLS))
def test_public_page_has_no_serious_accessibility_violations(open_page, artifacts_dir, name):
    path, has_charts = PAGE_URLS[name]
    page = open_page(path)
    if has_charts:
        expect(page.locator(CHART).first).to_be_visible(timeout=15_000)
    results = Axe().run(page)
    violations = results.response["violations"]
    (artifacts_dir / f"axe-{name}.json").write_text(json.dumps(violations, indent=2))
    serious = [
        f"{violation['id']} ({violation['impact']}): {violation['help']}"
        for violation in violations
        if violation["impact"] in {"critical", "serious"}
    ]
    assert not serious, "\n".join(serious)
