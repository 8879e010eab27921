"""The golden city: a small city built by hand, whose every figure is worked out by hand below.

Page tests (AppTest and the browser) assert these figures, never figures computed by the code under
test. Judged as of FY 2018-19's reporting deadline, 30 September 2019, unless a test says otherwise.

Reference: citywide goals 1–3; focus areas Workforce and Community access; groups Asian (1), Black
(2), Hispanic or Latino (3), White (4), Unknown or declined (5) and People of color (6 = 1 + 2 + 3);
residents Asian 10 %, Black 10 %, Hispanic or Latino 20 %, White 60 %.
Reporting cycles FY 2016-17 to FY 2020-21, each due on its reporting deadline (30 September after it).

Bureau of Alpha (AA), plan version 1 (adopted 1 June 2016):
- goal AA-G1 (citywide goal 1, workforce):
  - M1 "Share of new hires who are people of color" (%, higher is better, annual), baseline 20.0 in
    FY 2016-17, target 30.0 by FY 2020-21. Values: FY 2016-17 20.0; FY 2017-18 22.0 (and its Q4 21.0:
    the year wins); FY 2018-19 24.5 entered 14 Aug 2019, corrected to 25.0 on 1 Nov 2019 (after the
    deadline); FY 2019-20 28.0; FY 2020-21 29.0 only submitted, never published.
    As of FY 2018-19: current 24.5, prior 22.0; progress (24.5 − 20) ÷ 10 = 45.0 %; expected 730 ÷
    1461 = 49.97 % (25.0 %); 45 ÷ 49.97 = 0.90 → Behind. Next value (FY 2019-20's) due by its
    reporting deadline, 30 June 2020 + 92 days = 30 Sep 2020. Forecast through 20, 22, 24.5: 28.9 %, short of 30.0 → not projected.
    As of FY 2019-20: current 28.0 (prior 25.0, the correction); progress 80 % against 75.02 % → On
    track. As of FY 2020-21: nothing public since FY 2019-20, due by 30 Sep 2021 → Out of date.
  - M2 "Employees by race/ethnicity" (count, neutral, annual, the workforce headcount indicator,
    by race/ethnicity against the residents), baseline 200, target 210: Tracked, not judged.
    FY 2016-17: Asian 5, Black 12, Hispanic 30, White 150, Unknown 3 (200). Asian (5) is hidden;
    White (the largest) hides so that 200 minus the rest cannot give 5 back; People of color (47)
    hides so that 47 − 12 − 30 cannot. Shown: Black 12, Hispanic 30, Unknown 3.
    FY 2018-19: Asian 15, Black 14, Hispanic 33, White 150, Unknown 8 (220): nothing small, nothing
    hidden. Of the 212 whose race is known: Asian 7.1 %, Black 6.6 %, Hispanic 15.6 %, White 70.8 %,
    People of color 29.2 %. Representation: White 1.18, Black 0.66 (least); ratio (150 ÷ 0.6) ÷
    (14 ÷ 0.1) = 250 ÷ 140 = 1.786 → equity score 60 − floor(0.286 ÷ 0.025) = 60 − 11 = 49; the
    change score is hidden (the baseline year's score involves the hidden Asian count).
- goal AA-G2 (citywide goal 2, community access):
  - M3 "Vital documents translated" (count, higher, annual), baseline 10, target 50, with an interim
    target of 80 for FY 2018-19 (beyond the final one). FY 2016-17 10, FY 2017-18 20, FY 2018-19 48.
    As of FY 2018-19: progress 38 ÷ 40 = 95.0 %; expected progress held at 100 % (80 would be 175 %):
    95 ÷ 100 → On track (it would be at risk against 175 %).
  - actions: A1 "Translate the vital documents", due 30 June 2018, last update 1 Aug 2017 "on track"
    40 % → Overdue (last reported: on track). A2 "Hire interpreters", due 30 June 2020, completed on
    1 Aug 2019 → Completed.
- annual narrative FY 2018-19, published: "Hired two community liaisons." / "The translation budget
  was cut." / "Translate the permit guide."

Bureau of Beta (BB), plan version 1: goal BB-G1 (citywide goal 1, workforce), M4 "Share of managers of
color" (%, higher, annual), baseline 10.0, target 20.0; values FY 2016-17 10.0 and FY 2017-18 12.0.
As of FY 2018-19: FY 2018-19's value was due by 30 June 2019 + 92 days = 30 Sep 2019 → Out of date (last
reported FY 2017-18); progress 20.0 % (expected 24.98 %). Its FY 2018-19 narrative is only submitted.

Bureau of Gamma (CC): version 1 in force, goal CC-G1 (citywide goal 3, community access), M5 "Residents
served" (count, higher, annual), baseline 100, target 200; 100, 130, 160 → progress 60.0 % against
49.97 % → On track. Version 2 is a draft: its goal CC-G2 (citywide goal 3) and measure M6 (baseline
0, target 10, FY 2018-19 value 10: 100 % progress) must never count or show.

Roll-ups as of FY 2018-19: goals AA-G1 45.0 % (M2 is not judged), AA-G2 95.0 %, BB-G1 20.0 %, CC-G1
60.0 %. Citywide goal 1: (45 + 20) ÷ 2 = 32.5 %; goal 2: 95.0 %; goal 3: 60.0 % (80.0 % if the draft
counted). Bureaus: AA 70.0 %, BB 20.0 %, CC 60.0 %. Measures by health: On track 2 (M3, M5), Behind 1
(M1), Out of date 1 (M4), Tracked 1 (M2). Reporting for FY 2018-19: AA 3 of 3 due measures, BB 0 of 1,
CC 1 of 1 → 2 of 3 bureaus reported every measure due; 4 of 5 due measures (80.0 %). Actions:
completed 1, overdue 1. Compare, workforce focus area: AA 45.0 % (rank 1), BB 20.0 % (rank 2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from equity_tracking import models
from equity_tracking import reference as ref
from equity_tracking.periods import PeriodKind
from equity_tracking.rules import reporting_deadline
from equity_tracking.seed import reset_sequences

UTC = dt.UTC
AS_OF_YEAR = 2018  # FY 2018-19: judged as of 30 September 2019


@dataclass(frozen=True)
class Golden:
    """Ids of the golden city's rows that tests refer to."""

    bureaus: dict[str, int]
    measures: dict[str, int]
    goals: dict[str, int]
    actions: dict[str, int]


def _at(day: str, hour: int = 17) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def build_golden_city(engine: Engine) -> Golden:
    """Fill an empty, migrated database with the golden city described above."""
    with Session(engine) as session:
        city_goals = [
            models.CitywideGoal(
                id=goal.number, number=goal.number, short_title=goal.short_title, text=goal.text,
                adopted_on=goal.adopted_on, adopted_by=goal.adopted_by,
            )
            for goal in ref.CITYWIDE_GOALS
        ]  # fmt: skip
        workforce = models.FocusArea(id=1, key="workforce", name="Workforce", sort_order=1)
        access = models.FocusArea(id=2, key="community_access", name="Community access", sort_order=2)
        strategy = models.Strategy(id=1, number=1, name="Be data-driven")
        groups = [
            models.RaceGroup(id=1, key="asian", name="Asian", sort_order=1),
            models.RaceGroup(
                id=2, key="black_african_american", name="Black or African American", sort_order=2
            ),
            models.RaceGroup(id=3, key="hispanic_latino", name="Hispanic or Latino", sort_order=3),
            models.RaceGroup(id=4, key="white", name="White", sort_order=4),
            models.RaceGroup(
                id=5, key="unknown_declined", name="Unknown or declined", sort_order=5, is_unknown=True
            ),
            models.RaceGroup(
                id=6, key="people_of_color", name="People of color", sort_order=6, is_rollup=True
            ),
        ]
        memberships = [models.RaceGroupMembership(rollup_id=6, member_id=member) for member in (1, 2, 3)]
        residents = models.BenchmarkPopulation(id=1, key="residents", name="the city's residents", year=2016)
        shares = [
            models.BenchmarkShare(benchmark_id=1, group_id=group, share=share)
            for group, share in ((1, 0.10), (2, 0.10), (3, 0.20), (4, 0.60), (5, 0.0))
        ]
        periods = {
            year: models.ReportingPeriod(
                id=year - 2015, label=f"FY {year}-{(year + 1) % 100:02d}", kind=PeriodKind.FISCAL_YEAR,
                start_date=dt.date(year, 7, 1), end_date=dt.date(year + 1, 6, 30), fiscal_year=year,
            )
            for year in range(2016, 2021)
        }  # fmt: skip
        quarter = models.ReportingPeriod(
            id=6, label="FY 2017-18 Q4", kind=PeriodKind.FISCAL_QUARTER, start_date=dt.date(2018, 4, 1),
            end_date=dt.date(2018, 6, 30), fiscal_year=2017, quarter=4,
        )  # fmt: skip
        session.add_all(
            [*city_goals, workforce, access, strategy, *groups, residents, *periods.values(), quarter]
        )
        session.flush()  # rows without relationships are flushed in no particular order: parents first
        session.add_all([*memberships, *shares])
        bureaus = {
            code: models.Bureau(id=number, code=code, name=name, active=True)
            for number, (code, name) in enumerate(
                (("AA", "Bureau of Alpha"), ("BB", "Bureau of Beta"), ("CC", "Bureau of Gamma")), start=1
            )
        }
        session.add_all(bureaus.values())
        plans = {
            key: models.Plan(
                id=number, bureau_id=bureau_id, title=title, first_fiscal_year=2016, last_fiscal_year=2020,
                version=version, status=status, adopted_on=adopted,
            )
            for number, (key, bureau_id, title, version, status, adopted) in enumerate(
                (
                    ("AA", 1, "Bureau of Alpha Racial Equity Plan", 1, models.PlanStatus.ACTIVE, dt.date(2016, 6, 1)),
                    ("BB", 2, "Bureau of Beta Racial Equity Plan", 1, models.PlanStatus.ACTIVE, dt.date(2016, 6, 1)),
                    ("CC", 3, "Bureau of Gamma Racial Equity Plan", 1, models.PlanStatus.ACTIVE, dt.date(2016, 6, 1)),
                    ("CC-draft", 3, "Bureau of Gamma Racial Equity Plan, revised", 2, models.PlanStatus.DRAFT, None),
                ),
                start=1,
            )
        }  # fmt: skip
        session.add_all(plans.values())
        session.flush()
        goals = {
            key: models.BureauGoal(
                id=number, plan_id=plans[plan].id, key=key, title=title, citywide_goal_id=city,
                focus_area_id=focus, sort_order=number,
            )
            for number, (key, plan, title, city, focus) in enumerate(
                (
                    ("AA-G1", "AA", "Hire a workforce that reflects Portland", 1, 1),
                    ("AA-G2", "AA", "Make the bureau's services accessible", 2, 2),
                    ("BB-G1", "BB", "Promote managers of color", 1, 1),
                    ("CC-G1", "CC", "Serve every neighborhood", 3, 2),
                    ("CC-G2", "CC-draft", "A goal in a draft revision", 3, 2),
                ),
                start=1,
            )
        }  # fmt: skip
        session.add_all(goals.values())
        session.flush()
        for goal in goals.values():
            session.execute(models.goal_strategies.insert().values(goal_id=goal.id, strategy_id=1))
        actions = {
            "A1": models.Action(
                id=1, goal_id=goals["AA-G2"].id, key="A1", title="Translate the vital documents",
                lead="Language Access Coordinator", start_date=dt.date(2016, 7, 1), due_date=dt.date(2018, 6, 30),
                status=models.ActionStatus.ON_TRACK, percent_complete=40.0, sort_order=1,
            ),
            "A2": models.Action(
                id=2, goal_id=goals["AA-G2"].id, key="A2", title="Hire interpreters", lead="HR Analyst",
                start_date=dt.date(2016, 7, 1), due_date=dt.date(2020, 6, 30),
                status=models.ActionStatus.COMPLETED, percent_complete=100.0, sort_order=2,
            ),
        }  # fmt: skip
        session.add_all(actions.values())
        session.flush()
        session.add_all(
            [
                models.ActionUpdate(action_id=1, status=models.ActionStatus.ON_TRACK, percent_complete=40.0,
                                    narrative="Half of the documents are with the translators.", reported_at=_at("2017-08-01"), review_status=models.ReviewStatus.PUBLISHED),
                models.ActionUpdate(action_id=2, status=models.ActionStatus.ON_TRACK, percent_complete=30.0,
                                    narrative="Two positions posted.", reported_at=_at("2017-08-01"), review_status=models.ReviewStatus.PUBLISHED),
                models.ActionUpdate(action_id=2, status=models.ActionStatus.COMPLETED, percent_complete=100.0,
                                    narrative="All four interpreters hired.", reported_at=_at("2019-08-01"), review_status=models.ReviewStatus.PUBLISHED),
            ]
        )  # fmt: skip
        measures = _measures(session, goals, periods)
        _values(session, measures, periods, quarter)
        session.add_all(
            [
                models.InterimTarget(measure_id=measures["M3"].id, period_id=periods[2018].id, value=80.0),
                models.AnnualReport(
                    bureau_id=1, fiscal_year=2018, highlights=["Hired two community liaisons."],
                    challenges=["The translation budget was cut."], priorities=["Translate the permit guide."],
                    review_status=models.ReviewStatus.PUBLISHED, updated_at=_at("2019-09-01"),
                ),
                models.AnnualReport(
                    bureau_id=2, fiscal_year=2018, highlights=["Not yet reviewed."], challenges=[],
                    priorities=[], review_status=models.ReviewStatus.SUBMITTED, updated_at=_at("2019-09-01"),
                ),
            ]
        )  # fmt: skip
        # Reporting cycles FY 2016-17 to FY 2020-21, each due on its reporting deadline.
        session.add_all(
            models.ReportingCycle(
                fiscal_year=year, opens_on=dt.date(year + 1, 7, 1), due_on=reporting_deadline(year)
            )
            for year in range(2016, 2021)
        )
        reset_sequences(session.connection())  # explicit ids: PostgreSQL's sequences move past them
        session.commit()
        return Golden(
            bureaus={code: bureau.id for code, bureau in bureaus.items()},
            measures={key: measure.id for key, measure in measures.items()},
            goals={key: goal.id for key, goal in goals.items()},
            actions={key: action.id for key, action in actions.items()},
        )


def _measures(session: Session, goals: dict, periods: dict) -> dict[str, models.Measure]:
    percent, count = models.Unit.PERCENT, models.Unit.COUNT
    higher, neutral = models.Polarity.HIGHER_IS_BETTER, models.Polarity.NEUTRAL
    specs = (
        # key, goal, name, unit, polarity, baseline, target, disaggregated, benchmark, indicator
        (
            "M1",
            "AA-G1",
            "Share of new hires who are people of color",
            percent,
            higher,
            20.0,
            30.0,
            False,
            None,
            None,
        ),
        (
            "M2",
            "AA-G1",
            "Employees by race/ethnicity",
            count,
            neutral,
            200.0,
            210.0,
            True,
            1,
            ref.WORKFORCE_HEADCOUNT,
        ),
        ("M3", "AA-G2", "Vital documents translated", count, higher, 10.0, 50.0, False, None, None),
        ("M4", "BB-G1", "Share of managers of color", percent, higher, 10.0, 20.0, False, None, None),
        ("M5", "CC-G1", "Residents served", count, higher, 100.0, 200.0, False, None, None),
        ("M6", "CC-G2", "A measure of the draft revision", count, higher, 0.0, 10.0, False, None, None),
    )
    measures = {}
    for number, (key, goal, name, unit, polarity, baseline, target, split, benchmark, indicator) in enumerate(
        specs, 1
    ):
        measures[key] = models.Measure(
            id=number, goal_id=goals[goal].id, key=key, name=name, unit=unit, polarity=polarity,
            rba_category=models.RbaCategory.BETTER_OFF, frequency=models.Frequency.ANNUAL,
            baseline_value=baseline, baseline_period_id=periods[2016].id, target_value=target,
            target_period_id=periods[2020].id, disaggregated=split, benchmark_id=benchmark,
            indicator=indicator, weight=1.0, sort_order=number,
        )  # fmt: skip
    session.add_all(measures.values())
    session.flush()
    return measures


def _values(session: Session, measures: dict, periods: dict, quarter) -> None:
    published, submitted = models.ReviewStatus.PUBLISHED, models.ReviewStatus.SUBMITTED

    def value(
        measure, period, number, *, entered=None, status=published, group=None, note=None, replaces=None
    ):
        entered = entered or _at(str(period.end_date + dt.timedelta(days=45)))
        row = models.MeasureValue(
            measure_id=measures[measure].id, period_id=period.id, group_id=group, value=number,
            review_status=status, entered_at=entered, note=note, replaces_id=replaces,
        )  # fmt: skip
        session.add(row)
        session.flush()
        return row

    value("M1", periods[2016], 20.0)
    value("M1", periods[2017], 22.0)
    value("M1", quarter, 21.0)  # the fourth quarter: the year's own value wins
    first = value("M1", periods[2018], 24.5, entered=_at("2019-08-14"), note="Hires counted at the offer.")
    value(
        "M1", periods[2018], 25.0, entered=_at("2019-11-01"), replaces=first.id, note="Two late offers added."
    )
    value("M1", periods[2019], 28.0, entered=_at("2020-08-14"))
    value("M1", periods[2020], 29.0, entered=_at("2021-08-14"), status=submitted)
    for year, counts in (
        (2016, {1: 5, 2: 12, 3: 30, 4: 150, 5: 3}),
        (2018, {1: 15, 2: 14, 3: 33, 4: 150, 5: 8}),
    ):
        value("M2", periods[year], float(sum(counts.values())))
        for group, number in counts.items():
            value("M2", periods[year], float(number), group=group)
    for year, number in ((2016, 10.0), (2017, 20.0), (2018, 48.0)):
        value("M3", periods[year], number)
    value("M4", periods[2016], 10.0)
    value("M4", periods[2017], 12.0)
    for year, number in ((2016, 100.0), (2017, 130.0), (2018, 160.0)):
        value("M5", periods[year], number)
    value("M6", periods[2018], 10.0)  # published, but its plan version is a draft
