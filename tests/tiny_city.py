"""A tiny city for page tests: one bureau, one plan, one goal and one measure, and no values yet
(the state a bureau is in the day its plan is entered)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from equity_tracking import models
from equity_tracking.periods import PeriodKind
from equity_tracking.seed import reset_sequences


def build_plan_without_values(engine: Engine) -> Engine:
    """Bureau "ZZ" with a plan for FY 2016-17 to FY 2020-21, one goal and one measure, no values."""
    with Session(engine) as session:
        goal_ref = models.CitywideGoal(
            number=1, short_title="End disparities", text="We will end disparities."
        )
        focus = models.FocusArea(key="workforce", name="Workforce", sort_order=1)
        bureau = models.Bureau(code="ZZ", name="Bureau of Examples", active=True)
        periods = [
            models.ReportingPeriod(
                label=f"FY {year}-{(year + 1) % 100:02d}",
                kind=PeriodKind.FISCAL_YEAR,
                start_date=dt.date(year, 7, 1),
                end_date=dt.date(year + 1, 6, 30),
                fiscal_year=year,
            )
            for year in range(2016, 2021)
        ]
        plan = models.Plan(
            bureau=bureau,
            title="Bureau of Examples Racial Equity Plan",
            first_fiscal_year=2016,
            last_fiscal_year=2020,
            version=1,
            status=models.PlanStatus.ACTIVE,
        )
        session.add_all([goal_ref, focus, bureau, plan, *periods])
        session.flush()
        goal = models.BureauGoal(
            plan_id=plan.id,
            key="G1",
            title="Hire fairly",
            citywide_goal_id=goal_ref.id,
            focus_area_id=focus.id,
        )
        session.add(goal)
        session.flush()
        session.add(
            models.Measure(
                goal_id=goal.id,
                key="G1-M1",
                name="Share of hiring panels that are diverse",
                unit=models.Unit.PERCENT,
                polarity=models.Polarity.HIGHER_IS_BETTER,
                rba_category=models.RbaCategory.HOW_WELL,
                frequency=models.Frequency.ANNUAL,
                baseline_value=40.0,
                baseline_period_id=periods[0].id,
                target_value=80.0,
                target_period_id=periods[-1].id,
            )
        )
        reset_sequences(session.connection())  # explicit ids: PostgreSQL's sequences move past them
        session.commit()
    return engine
