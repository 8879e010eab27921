"""The app in headless Chromium: the real server, the real browser, screenshots to look at."""

import pytest

from equity_tracking import reads
from equity_tracking.ui import DEMO_BANNER

pytestmark = pytest.mark.browser


def test_home_page_shows_three_goals_in_chromium(open_page, demo_engine, artifacts_dir):
    # A tall window: Streamlit scrolls inside its own container, so a full-page shot needs room.
    page = open_page("/", height=2600)
    for goal in reads.citywide_goals(demo_engine).itertuples():
        assert page.get_by_text(goal.text).is_visible()
    assert page.get_by_text(DEMO_BANNER).first.is_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stDataFrame']").first.is_visible()
    assert page.get_by_text("Performance measures").is_visible()
    page.screenshot(path=artifacts_dir / "home-desktop.png", full_page=True)


def test_home_page_fits_a_phone(open_page, demo_engine, artifacts_dir):
    page = open_page("/", width=390, height=844)
    first_goal = reads.citywide_goals(demo_engine)["text"].iloc[0]
    assert page.get_by_text(first_goal).is_visible()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390
    page.screenshot(path=artifacts_dir / "home-phone.png", full_page=True)
