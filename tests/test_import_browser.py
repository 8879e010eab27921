"""The Import data page in Chromium against a real server (issue #10): an administrator signs in,
opens "Import data" from the sidebar, uploads a workbook with two bad cells (a percentage of 140 and
a group nobody configured, "Martian") and presses Import; the page lists both problems with their
sheet, row and column, on a desktop and on a 390 px phone, and the database is unchanged.

The workbook is typed out here by hand, and so is every expected problem and row. Screenshots land
in ``tests/artifacts/`` (``import-*.png``).
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd
import pytest
from browser_support import (
    DESKTOP,
    MAIN,
    PHONE,
    RUN_COUNTER,
    act,
    axe_violations,
    full_page_screenshot,
    serious,
    settle,
    tab_until,
    visible_text,
    wait_drawn,
)
from conftest import serve_app
from playwright.sync_api import Browser, Page, expect
from principals import make_user
from sqlalchemy import Engine, func, select

from equity_tracking import workbook
from equity_tracking.models import Bureau, MeasureValue
from equity_tracking.permissions import Role

pytestmark = pytest.mark.browser

PASSWORD = "a long test password 2026"
ADMIN = "admin@city.example"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MARTIAN = "“Martian” is not one of the race/ethnicity groups"
PERCENT = "A percentage must be between 0 and 100."


def bad_workbook() -> bytes:
    """Bureau TR with one percentage measure; values row 2 is 140 %, row 4 names the group
    "Martian" (row 3 is fine)."""

    def value(period: str, figure: str, group: str = "") -> dict:
        return {"measure_key": "staff_of_color", "period": period, "group": group, "value": figure,
                "numerator": "", "denominator": "", "note": ""}  # fmt: skip

    sheets = {
        "bureaus": pd.DataFrame([{"code": "TR", "name": "Bureau of Transportation"}]),
        "goals": pd.DataFrame([{
            "bureau_code": "TR", "goal_key": "G1", "title": "A workforce like the city",
            "citywide_goal": "2", "focus_area": "workforce",
        }]),
        "actions": pd.DataFrame([{
            "bureau_code": "TR", "goal_key": "G1", "action_key": "A1", "title": "Recruit at job fairs",
            "lead": "Human Resources", "start_date": "2016-07-01", "due_date": "2019-06-30",
            "status": "on track",
        }]),
        "measures": pd.DataFrame([{
            "bureau_code": "TR", "goal_key": "G1", "measure_key": "staff_of_color",
            "name": "Staff of color (%)", "unit": "percent", "polarity": "higher", "frequency": "annual",
            "baseline_value": "21.5",
            "baseline_period": "FY 2016-17", "target_value": "30", "target_period": "FY 2020-21",
            "disaggregated": "yes",
        }]),
        "values": pd.DataFrame([value("FY 2017-18", "140"), value("FY 2018-19", "25"),
                                value("FY 2018-19", "20", "Martian")]),
    }  # fmt: skip
    buffer = io.BytesIO()
    workbook.write_xlsx(buffer, sheets)
    return buffer.getvalue()


@dataclass
class Server:
    url: str
    engine: Engine


@pytest.fixture
def server(database_factory, tmp_path) -> Iterator[Server]:
    engine = database_factory.new_engine()
    make_user(engine, ADMIN, Role.ADMIN, password=PASSWORD, name="Ada Admin")
    with contextlib.contextmanager(serve_app)(engine, tmp_path / "streamlit.log") as base_url:
        yield Server(base_url, engine)


def signed_in_tab(browser: Browser, base_url: str) -> Page:
    context = browser.new_context(viewport=dict(DESKTOP))
    context.add_init_script(RUN_COUNTER)
    page = context.new_page()
    page.goto(base_url + "/auth/password")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(base_url) + r"/(\?.*)?$"))
    settle(page, 0)
    return page


def counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        return (
            connection.execute(select(func.count()).select_from(Bureau)).scalar_one(),
            connection.execute(select(func.count()).select_from(MeasureValue)).scalar_one(),
        )


def test_an_administrator_uploads_a_workbook_with_errors_and_sees_every_problem(
    browser, server, artifacts_dir
):
    page = signed_in_tab(browser, server.url)
    act(page, lambda: page.locator("[data-testid='stSidebarNav']").get_by_role(
        "link", name="Import data", exact=True).click())  # fmt: skip
    main = page.locator(MAIN)
    expect(main.get_by_role("heading", name="Import data", level=1)).to_be_visible()
    expect(main.get_by_role("button", name="Download the template")).to_be_visible()
    assert not serious(axe_violations(page, artifacts_dir / "axe-import.json"))

    upload = {"name": "plan-with-errors.xlsx", "mimeType": XLSX, "buffer": bad_workbook()}
    act(page, lambda: main.locator("input[type='file']").set_input_files(files=[upload]))
    expect(main.get_by_role("button", name="Remove plan-with-errors.xlsx")).to_be_visible()
    # From the keyboard: Tab from the file's "Remove" button reaches the switch and the buttons.
    main.get_by_role("button", name="Remove plan-with-errors.xlsx").focus()
    tab_until(page, lambda focused: focused.get("tag") == "input")  # "Publish the figures at once"
    tab_until(page, lambda focused: focused.get("tag") == "button" and focused["text"].endswith("Import"))
    act(page, lambda: page.keyboard.press("Enter"))

    expect(main.get_by_text("The file was not imported: 2 problems. Nothing was changed.")).to_be_visible()
    expect(main.get_by_role("button", name="Download the problems (CSV)")).to_be_visible()
    # The grid draws on a canvas; its cells are also in a table for screen readers.
    grid = main.locator("[data-testid='stDataFrame']").first
    expect(grid).to_be_visible()
    table = grid.locator("table[role='grid']")
    expect(table).to_have_count(1)
    header = table.evaluate("(t) => [...t.querySelectorAll('thead th')].map((c) => c.textContent.trim())")
    cells = table.evaluate(
        "(t) => [...t.querySelectorAll('tbody tr')]"
        ".map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent.trim()))"
    )
    assert header[-4:] == ["Sheet", "Row", "Column", "Problem"]
    cells = [row[-4:] for row in cells]
    assert [row[:3] for row in cells] == [["values", "2", "value"], ["values", "4", "group"]]
    assert cells[0][3] == PERCENT
    assert cells[1][3].startswith(MARTIAN)
    assert counts(server.engine) == (0, 0)  # nothing was imported
    assert not serious(axe_violations(page, artifacts_dir / "axe-import-refused.json"))
    full_page_screenshot(page, artifacts_dir / "import-refused-desktop.png")

    page.set_viewport_size(PHONE)
    wait_drawn(page)
    expect(grid).to_be_hidden()  # a phone gets one card per problem instead
    shown = visible_text(page)
    assert re.search(r"Row: 2\s+Column: value\s+Problem: " + re.escape(PERCENT), shown)
    assert re.search(r"Row: 4\s+Column: group\s+Problem: " + re.escape(MARTIAN), shown)
    width = page.evaluate(f"document.querySelector({MAIN!r}).scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px phone"
    full_page_screenshot(page, artifacts_dir / "import-refused-phone.png")
