"""The app in headless Chromium: the real server, the real browser, screenshots to look at."""

import pytest
from playwright.sync_api import expect

from equity_tracking import reads
from equity_tracking.ui import DEMO_BANNER

pytestmark = pytest.mark.browser


def test_home_page_shows_three_goals_in_chromium(open_page, demo_engine, artifacts_dir):
    # A tall window: Streamlit scrolls inside its own container, so a full-page shot needs room.
    page = open_page("/", height=2600)
    for goal in reads.citywide_goals(demo_engine).itertuples():
        expect(page.get_by_text(goal.text)).to_be_visible()
    expect(page.get_by_text(DEMO_BANNER).first).to_be_visible()
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
    expect(page.get_by_text("Performance measures")).to_be_visible()
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "home-desktop.png", full_page=True)


def test_home_page_fits_a_phone(open_page, demo_engine, artifacts_dir):
    page = open_page("/", width=390, height=844)
    first_goal = reads.citywide_goals(demo_engine)["text"].iloc[0]
    expect(page.get_by_text(first_goal)).to_be_visible()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390
    page.screenshot(path=artifacts_dir / "home-phone.png", full_page=True)
