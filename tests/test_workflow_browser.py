"""The whole path of a figure, in Chromium against a real server: a bureau lead signs in, corrects a
figure and submits it; a reviewer returns it with a comment; the lead sees the comment, fixes it and
resubmits; the reviewer approves; an administrator publishes; the public's page shows the new
figure on its next load, in another browser context, and the old one stays in its history.

The city is built here by hand: bureau ZZ's plan runs FY 2024-25 to FY 2028-29, and its one
measure (a percentage) has FY 2024-25 = 40.0 and FY 2025-26 = 45.0, both published. The public
reads FY 2026-27's view (as reported by 30 September 2027), whose current value is FY 2025-26's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from browser_support import (
    DESKTOP,
    MAIN,
    RUN_COUNTER,
    axe_violations,
    full_page_screenshot,
    goto,
    serious,
    settle,
)
from conftest import serve_app
from playwright.sync_api import Browser, Page, expect
from principals import make_user
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from equity_tracking import models
from equity_tracking.periods import PeriodKind
from equity_tracking.permissions import Role
from equity_tracking.rules import reporting_deadline

PASSWORD = "a long test password 2026"
LEAD, ANALYST, ADMIN = "lead@city.example", "analyst@city.example", "admin@city.example"
MEASURE_NAME = "Share of new hires who are people of color"


def _at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=18, tzinfo=dt.UTC)


def build_city(engine) -> int:
    """Bureau ZZ, its plan, one measure with two published values; returns the measure's id."""
    with Session(engine) as session:
        goal_ref = models.CitywideGoal(
            number=1, short_title="End disparities", text="We will end disparities."
        )
        focus = models.FocusArea(key="workforce", name="Workforce", sort_order=1)
        bureau = models.Bureau(code="ZZ", name="Bureau of Examples", active=True)
        periods = {
            year: models.ReportingPeriod(
                label=f"FY {year}-{(year + 1) % 100:02d}", kind=PeriodKind.FISCAL_YEAR,
                start_date=dt.date(year, 7, 1), end_date=dt.date(year + 1, 6, 30), fiscal_year=year,
            )
            for year in range(2024, 2029)
        }  # fmt: skip
        cycles = [
            models.ReportingCycle(
                fiscal_year=year, opens_on=dt.date(year + 1, 7, 1), due_on=reporting_deadline(year)
            )
            for year in range(2024, 2029)
        ]
        plan = models.Plan(
            bureau=bureau, title="Bureau of Examples Racial Equity Plan", first_fiscal_year=2024,
            last_fiscal_year=2028, version=1, status=models.PlanStatus.ACTIVE, adopted_on=dt.date(2024, 6, 1),
        )  # fmt: skip
        session.add_all([goal_ref, focus, bureau, *periods.values(), *cycles, plan])
        session.flush()
        goal = models.BureauGoal(plan_id=plan.id, key="ZZ-G1", title="A workforce that reflects Portland",
                                 citywide_goal_id=goal_ref.id, focus_area_id=focus.id)  # fmt: skip
        session.add(goal)
        session.flush()
        measure = models.Measure(
            goal_id=goal.id, key="ZZ-M1", name=MEASURE_NAME, unit=models.Unit.PERCENT,
            polarity=models.Polarity.HIGHER_IS_BETTER, rba_category=models.RbaCategory.BETTER_OFF,
            frequency=models.Frequency.ANNUAL, baseline_value=40.0, baseline_period_id=periods[2024].id,
            target_value=60.0, target_period_id=periods[2028].id,
        )  # fmt: skip
        session.add(measure)
        session.flush()
        for year, value, entered in ((2024, 40.0, "2025-08-01"), (2025, 45.0, "2026-08-01")):
            session.add(
                models.MeasureValue(
                    measure_id=measure.id, period_id=periods[year].id, value=value,
                    review_status=models.ReviewStatus.PUBLISHED, entered_at=_at(entered),
                    published_at=_at(entered),
                )
            )  # fmt: skip
        session.commit()
        return int(measure.id)


@dataclass
class Server:
    url: str
    engine: Engine
    measure_id: int
    user_ids: dict[str, int]


@pytest.fixture
def server(database_factory, tmp_path) -> Iterator[Server]:
    engine = database_factory.new_engine()
    measure_id = build_city(engine)
    user_ids = {
        LEAD: make_user(engine, LEAD, Role.BUREAU_EDITOR, "ZZ", password=PASSWORD, name="Lee Lead"),
        ANALYST: make_user(engine, ANALYST, Role.ANALYST, password=PASSWORD, name="Ana Analyst"),
        ADMIN: make_user(engine, ADMIN, Role.ADMIN, password=PASSWORD, name="Ada Admin"),
    }
    with contextlib.contextmanager(serve_app)(engine, tmp_path / "streamlit.log") as base_url:
        yield Server(base_url, engine, measure_id, user_ids)


def new_tab(browser: Browser) -> Page:
    context = browser.new_context(viewport=dict(DESKTOP))
    context.add_init_script(RUN_COUNTER)
    return context.new_page()


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/auth/password")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(base_url) + r"/(\?.*)?$"))
    settle(page, 0)


def open_from_sidebar(page: Page, title: str) -> None:
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=title, exact=True).click()
    expect(page.locator(MAIN).get_by_role("heading", name=title, level=1)).to_be_visible()
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")


def click(page: Page, name: str) -> None:
    page.get_by_role("button", name=name).click()


def says(page: Page, text: str) -> None:
    expect(page.locator(MAIN).get_by_text(text).first).to_be_visible()


def choose(page: Page, label: str, option: str) -> None:
    page.get_by_label(label).click()  # the selectbox's input
    page.get_by_role("option", name=option).click()


def public_measure(browser: Browser, base_url: str, measure_id: int) -> Page:
    return goto(new_tab(browser), f"{base_url}/measure?measure={measure_id}&fy=2026-27")


def test_a_figure_goes_from_the_bureau_through_review_to_the_public(browser, server, artifacts_dir):
    base_url, measure_id = server.url, server.measure_id
    public = public_measure(browser, base_url, measure_id)
    says(public, "45.0 %")

    lead = new_tab(browser)
    sign_in(lead, base_url, LEAD)
    open_from_sidebar(lead, "My bureau")
    says(lead, "FY 2025-26")
    assert not serious(axe_violations(lead, artifacts_dir / "axe-my-bureau.json"))
    total = lead.get_by_label("Total", exact=True)
    expect(total).to_have_value("45")
    total.fill("50")
    lead.get_by_label("Note (why the groups do not add up, a change of method…)").fill(
        "Recounted after the audit."
    )
    click(lead, "Save draft")
    says(lead, "Saved as a draft (1 figure).")
    click(lead, "Submit the FY 2025-26 report")
    says(lead, "Submitted 1 item for review.")

    reviewer = new_tab(browser)
    sign_in(reviewer, base_url, ANALYST)
    open_from_sidebar(reviewer, "Review queue")
    says(reviewer, "Bureau of Examples")
    assert not serious(axe_violations(reviewer, artifacts_dir / "axe-review-queue.json"))
    reviewer.get_by_label("Comment for the bureau (needed to return)").fill("Please name the source.")
    click(reviewer, "Return to the bureau")
    says(reviewer, "Returned 1 item.")

    lead.reload()
    settle(lead, 0)
    says(lead, "Please name the source.")
    full_page_screenshot(lead, artifacts_dir / "workflow-returned-desktop.png")
    lead.get_by_label("Source").fill("HR system, 30 June 2026")
    click(lead, "Save draft")
    says(lead, "Saved as a draft (1 figure).")
    click(lead, "Submit the FY 2025-26 report")
    says(lead, "Submitted 2 items for review.")  # the returned draft and its fixed version

    reviewer.reload()
    settle(reviewer, 0)
    click(reviewer, "Approve everything submitted")
    says(reviewer, "Approved 2 items.")
    expect(reviewer.get_by_role("button", name="Publish the approved work")).to_have_count(0)

    admin = new_tab(browser)
    sign_in(admin, base_url, ADMIN)
    open_from_sidebar(admin, "Review queue")
    choose(admin, "State", "Approved, not yet published")
    click(admin, "Publish the approved work")
    says(admin, "Published 2 items.")

    public = public_measure(browser, base_url, measure_id)  # another context, its first load
    says(public, "50.0 %")
    full_page_screenshot(public, artifacts_dir / "workflow-published-desktop.png")
    assert "45.0" in public.locator(MAIN).inner_text()  # the old figure stays in the history


def test_a_write_in_another_process_shows_on_the_pages_next_run(browser, server):
    """This test's process writes through the library (as a second app server or the command line
    would); the running server's cached figures give way on its next run."""
    from equity_tracking import accounts, writes
    from equity_tracking.validation import Entry

    public = public_measure(browser, server.url, server.measure_id)
    says(public, "45.0 %")
    people = {
        email: accounts.current_principal(server.engine, user_id)
        for email, user_id in server.user_ids.items()
    }
    with server.engine.connect() as connection:
        period_id = connection.execute(
            select(models.ReportingPeriod.id).where(models.ReportingPeriod.label == "FY 2025-26")
        ).scalar_one()
        bureau_id = connection.execute(
            select(models.Bureau.id).where(models.Bureau.code == "ZZ")
        ).scalar_one()
    writes.save_period_values(server.engine, actor=people[LEAD], measure_id=server.measure_id,
                              period_id=period_id, total=Entry(47), base_version=0)  # fmt: skip
    cycle = {"bureau_id": bureau_id, "fiscal_year": 2025}
    writes.submit_cycle(server.engine, actor=people[LEAD], **cycle)
    writes.approve_cycle(server.engine, actor=people[ANALYST], **cycle)
    writes.publish_cycle(server.engine, actor=people[ADMIN], **cycle)
    public.reload()
    settle(public, 0)
    says(public, "47.0 %")
