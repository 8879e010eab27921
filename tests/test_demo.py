"""The demo city: deterministic, complete, internally consistent, and only loaded into empty databases."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict

import pandas as pd
import pytest
from sqlalchemy import Engine, func, insert, select

from equity_tracking.demo import DEMO_LABEL, DemoError, DemoSummary, load_demo
from equity_tracking.models import (
    DEMO_DATA_KEY,
    Action,
    ActionUpdate,
    AnnualReport,
    AppMetadata,
    Base,
    BenchmarkPopulation,
    BenchmarkShare,
    Bureau,
    BureauGoal,
    BureauName,
    CitywideGoal,
    FocusArea,
    InterimTarget,
    Measure,
    MeasureValue,
    Plan,
    RaceGroup,
    RaceGroupMembership,
    ReportingPeriod,
    Strategy,
    User,
    UserRole,
    goal_strategies,
)

SEED = 2016
REQUIRED_CODES = {"WA", "TR", "PK", "PL", "FR", "ES", "HC", "OE"}
SMALL_BUREAUS = {"AT", "AU", "GR", "OE", "BO"}
BASELINE_LABEL, TARGET_LABEL = "FY 2016-17", "FY 2020-21"
STOPPED_AFTER = dt.date(2018, 6, 30)

RESOLUTION_37144 = [
    "We will end racial disparities within city government, so there is fairness in hiring and promotions, "
    "greater opportunities in contracting, and equitable services to all residents.",
    "We will strengthen outreach, public engagement, and access to City services for communities of color "
    "and immigrant and refugee communities, and support and change existing services using racial equity "
    "best practices.",
    "We will collaborate with communities and institutions to eliminate racial inequity in all areas of "
    "government, including education, criminal justice, environmental justice, health, housing, "
    "transportation, and economic success.",
]


# --- helpers ------------------------------------------------------------------------------------


def _frame(engine: Engine, statement) -> pd.DataFrame:
    with engine.connect() as connection:
        return pd.read_sql(statement, connection)


def _scalar(engine: Engine, statement):
    with engine.connect() as connection:
        return connection.execute(statement).scalar_one()


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


def _current_values(engine: Engine) -> pd.DataFrame:
    """Every value row that no correction replaces, with its measure, period and bureau."""
    replaced = select(MeasureValue.replaces_id).where(MeasureValue.replaces_id.is_not(None))
    statement = (
        select(
            MeasureValue.id,
            MeasureValue.measure_id,
            MeasureValue.period_id,
            MeasureValue.group_id,
            MeasureValue.value,
            MeasureValue.numerator,
            MeasureValue.denominator,
            Measure.unit,
            Measure.disaggregated,
            ReportingPeriod.label,
            ReportingPeriod.end_date,
            ReportingPeriod.fiscal_year,
            Plan.bureau_id,
        )
        .join(Measure, Measure.id == MeasureValue.measure_id)
        .join(ReportingPeriod, ReportingPeriod.id == MeasureValue.period_id)
        .join(BureauGoal, BureauGoal.id == Measure.goal_id)
        .join(Plan, Plan.id == BureauGoal.plan_id)
        .where(MeasureValue.id.not_in(replaced))
        .order_by(MeasureValue.id)
    )
    frame = _frame(engine, statement)
    frame["end_date"] = pd.to_datetime(frame["end_date"]).dt.date
    return frame


def _measures(engine: Engine) -> pd.DataFrame:
    """Every measure with its bureau."""
    statement = (
        select(*Measure.__table__.columns, Plan.bureau_id, Bureau.code)
        .join(BureauGoal, BureauGoal.id == Measure.goal_id)
        .join(Plan, Plan.id == BureauGoal.plan_id)
        .join(Bureau, Bureau.id == Plan.bureau_id)
        .order_by(Measure.id)
    )
    return _frame(engine, statement)


@pytest.fixture(scope="module")
def values(demo_engine: Engine) -> pd.DataFrame:
    return _current_values(demo_engine)


@pytest.fixture(scope="module")
def totals(values: pd.DataFrame) -> pd.DataFrame:
    """The total row (no group) per measure and period, latest period last."""
    frame = values[values["group_id"].isna()]
    return frame.sort_values(["measure_id", "end_date", "label"])


# --- determinism --------------------------------------------------------------------------------

_COMPARED = {
    "measure_values": MeasureValue,
    "measures": Measure,
    "actions": Action,
    "action_updates": ActionUpdate,
    "annual_reports": AnnualReport,
}


def _snapshot(engine: Engine) -> dict[str, pd.DataFrame]:
    return {
        name: _frame(engine, select(model.__table__).order_by(model.__table__.c.id))
        for name, model in _COMPARED.items()
    }


def test_load_demo_same_seed_gives_identical_rows(engine, database_factory):
    second = database_factory.new_engine()
    first_summary = load_demo(engine, seed=SEED)
    second_summary = load_demo(second, seed=SEED)
    assert first_summary == second_summary
    first, other = _snapshot(engine), _snapshot(second)
    for name, frame in first.items():
        assert len(frame) > 0, name
        pd.testing.assert_frame_equal(frame, other[name], obj=name)


def test_load_demo_different_seed_gives_different_values(engine, demo_engine):
    load_demo(engine, seed=SEED + 1)
    ours = _frame(engine, select(MeasureValue.value).order_by(MeasureValue.id))["value"]
    theirs = _frame(demo_engine, select(MeasureValue.value).order_by(MeasureValue.id))["value"]
    common = min(len(ours), len(theirs))
    assert (ours[:common].to_numpy() != theirs[:common].to_numpy()).mean() > 0.5


def test_demo_timestamps_never_come_from_the_clock(demo_engine):
    latest_entry = _scalar(demo_engine, select(func.max(MeasureValue.entered_at)))
    latest_update = _scalar(demo_engine, select(func.max(ActionUpdate.reported_at)))
    created = _frame(demo_engine, select(User.created_at))["created_at"].astype(str).unique()
    assert str(latest_entry)[:4] == "2021"
    assert str(latest_update) < "2021-07-01"
    assert len(created) == 1
    assert created[0].startswith("2016-06-01")


# --- reference data -----------------------------------------------------------------------------


def test_citywide_goals_match_resolution_37144_word_for_word(demo_engine):
    goals = _frame(demo_engine, select(CitywideGoal).order_by(CitywideGoal.number))
    assert goals["number"].tolist() == [1, 2, 3]
    assert goals["text"].tolist() == RESOLUTION_37144
    assert set(pd.to_datetime(goals["adopted_on"]).dt.date) == {dt.date(2015, 7, 8)}
    assert set(goals["adopted_by"]) == {"City Council, Resolution 37144"}


def test_framework_has_six_gare_strategies_and_six_focus_areas(demo_engine):
    strategies = _frame(demo_engine, select(Strategy).order_by(Strategy.number))
    areas = _frame(demo_engine, select(FocusArea).order_by(FocusArea.sort_order))
    assert strategies["name"].tolist() == [
        "Use a racial equity framework",
        "Build organizational capacity",
        "Implement racial equity tools",
        "Be data-driven",
        "Partner with other institutions and communities",
        "Operate with urgency and accountability",
    ]
    assert areas["key"].tolist() == [
        "commitment",
        "leadership",
        "workforce",
        "community_access",
        "contracting",
        "data_metrics",
    ]


def test_bureaus_have_required_codes_and_earlier_names(demo_engine):
    bureaus = _frame(demo_engine, select(Bureau))
    assert len(bureaus) >= 26
    assert bureaus["code"].is_unique
    assert set(bureaus["code"]) >= REQUIRED_CODES
    names = _frame(
        demo_engine,
        select(Bureau.name.label("bureau"), BureauName.name, BureauName.valid_to).join(BureauName),
    )
    earlier = dict(zip(names["bureau"], names["name"], strict=True))
    assert earlier["Office of Community & Civic Life"] == "Office of Neighborhood Involvement"
    assert earlier["Prosper Portland"] == "Portland Development Commission"
    assert {str(day)[:4] for day in names["valid_to"]} == {"2017", "2018"}


def test_people_of_color_rollup_has_every_group_but_white_and_unknown(demo_engine):
    groups = _frame(demo_engine, select(RaceGroup))
    members = _frame(demo_engine, select(RaceGroupMembership))
    key_of = dict(zip(groups["id"], groups["key"], strict=True))
    assert len(groups) == 10
    assert groups.loc[groups["is_rollup"].astype(bool), "key"].tolist() == ["people_of_color"]
    member_keys = {key_of[member] for member in members["member_id"]}
    assert len(member_keys) == 7
    assert member_keys == set(groups["key"]) - {"white", "unknown_declined", "people_of_color"}


def test_benchmark_shares_cover_base_groups_and_sum_to_one(demo_engine):
    benchmark = _frame(demo_engine, select(BenchmarkPopulation))
    shares = _frame(demo_engine, select(BenchmarkShare))
    assert benchmark["key"].tolist() == ["portland_residents"]
    assert len(shares) == 9
    assert math.isclose(shares["share"].sum(), 1.0, abs_tol=1e-12)


# --- plans, goals, actions ----------------------------------------------------------------------


def test_every_bureau_has_one_five_year_plan(demo_engine):
    plans = _frame(demo_engine, select(Plan))
    bureaus = _scalar(demo_engine, select(func.count()).select_from(Bureau))
    assert len(plans) == bureaus
    assert plans["bureau_id"].is_unique
    assert set(plans["first_fiscal_year"]) == {2016}
    assert set(plans["last_fiscal_year"]) == {2020}
    assert set(plans["version"]) == {1}
    assert set(plans["status"]) <= {"completed", "active"}
    assert plans["title"].str.endswith("Five-Year Racial Equity Plan 2016–2021").all()


def test_plan_shape_goals_actions_and_measures_within_ranges(demo_engine):
    goals = _frame(demo_engine, select(BureauGoal.id, BureauGoal.plan_id))
    actions = _frame(demo_engine, select(Action.id, Action.goal_id))
    measures = _frame(demo_engine, select(Measure.id, Measure.goal_id, Measure.action_id))
    goals_per_plan = goals.groupby("plan_id").size()
    actions_per_goal = actions.groupby("goal_id").size().reindex(goals["id"], fill_value=0)
    measures_per_action = measures.groupby("action_id").size().reindex(actions["id"], fill_value=0)
    assert goals_per_plan.between(3, 7).all()
    assert actions_per_goal.between(2, 6).all()
    assert measures_per_action.between(1, 4).all()
    # Each measure belongs to the goal of its action.
    goal_of_action = dict(zip(actions["id"], actions["goal_id"], strict=True))
    assert (measures["action_id"].map(goal_of_action) == measures["goal_id"]).all()


def test_goals_use_every_citywide_goal_and_focus_area_and_every_bureau_has_workforce(demo_engine):
    goals = _frame(
        demo_engine,
        select(BureauGoal.citywide_goal_id, FocusArea.key, Plan.bureau_id)
        .join(FocusArea, FocusArea.id == BureauGoal.focus_area_id)
        .join(Plan, Plan.id == BureauGoal.plan_id),
    )
    assert set(goals["citywide_goal_id"]) == {1, 2, 3}
    assert goals["key"].nunique() == 6
    workforce_bureaus = set(goals.loc[goals["key"] == "workforce", "bureau_id"])
    assert workforce_bureaus == set(goals["bureau_id"])


def test_goals_have_keys_and_one_to_three_strategies(demo_engine):
    goals = _frame(demo_engine, select(BureauGoal.id, BureauGoal.key))
    links = _frame(demo_engine, select(goal_strategies))
    per_goal = links.groupby("goal_id").size().reindex(goals["id"], fill_value=0)
    assert goals["key"].str.fullmatch(r"G[1-7]").all()
    assert per_goal.between(1, 3).all()


def test_actions_have_dates_inside_plan_and_status_of_latest_update(demo_engine):
    actions = _frame(demo_engine, select(Action).order_by(Action.id))
    updates = _frame(demo_engine, select(ActionUpdate).order_by(ActionUpdate.reported_at, ActionUpdate.id))
    start = pd.to_datetime(actions["start_date"]).dt.date
    due = pd.to_datetime(actions["due_date"]).dt.date
    assert (start >= dt.date(2016, 7, 1)).all()
    assert (due <= dt.date(2021, 6, 30)).all()
    assert (start < due).all()
    assert actions["key"].str.fullmatch(r"G\d-A\d").all()
    latest = updates.groupby("action_id").last()
    counts = updates.groupby("action_id").size()
    assert counts.between(1, 5).all()
    assert len(counts) == len(actions)
    indexed = actions.set_index("id")
    assert (indexed["status"] == latest["status"]).all()
    assert (indexed["percent_complete"] == latest["percent_complete"]).all()
    assert (indexed.loc[indexed["status"] == "completed", "percent_complete"] == 100).all()
    assert (indexed.loc[indexed["status"] == "not_started", "percent_complete"] == 0).all()
    assert set(indexed["status"]) == {
        "not_started",
        "on_track",
        "some_disruption",
        "major_disruption",
        "completed",
        "deferred",
    }
    assert updates.groupby("action_id")["percent_complete"].apply(lambda s: s.is_monotonic_increasing).all()
    assert updates["narrative"].str.len().gt(20).all()


def test_demo_people_are_clearly_fictional(demo_engine):
    users = _frame(demo_engine, select(User))
    roles = _frame(demo_engine, select(UserRole))
    bureaus = _scalar(demo_engine, select(func.count()).select_from(Bureau))
    assert users["display_name"].str.contains("(fictional)", regex=False).all()
    assert users["password_hash"].isna().all()
    assert users["email"].str.endswith("@example.org").all()
    assert roles["role"].value_counts().to_dict() == {"bureau_editor": bureaus, "admin": 1, "analyst": 1}
    assert roles.loc[roles["role"] == "bureau_editor", "bureau_id"].nunique() == bureaus


# --- measures -----------------------------------------------------------------------------------


def test_every_measure_has_baseline_and_target_in_the_right_direction(demo_engine):
    measures = _measures(demo_engine)
    periods = _frame(demo_engine, select(ReportingPeriod.id, ReportingPeriod.label))
    label = dict(zip(periods["id"], periods["label"], strict=True))
    assert measures["baseline_value"].notna().all()
    assert measures["target_value"].notna().all()
    assert set(measures["baseline_period_id"].map(label)) == {BASELINE_LABEL}
    assert set(measures["target_period_id"].map(label)) == {TARGET_LABEL}
    change = measures["target_value"] - measures["baseline_value"]
    assert (change != 0).all()
    assert (change[measures["polarity"] == "higher_is_better"] > 0).all()
    assert (change[measures["polarity"] == "lower_is_better"] < 0).all()
    assert measures.groupby("goal_id")["key"].apply(lambda keys: keys.is_unique).all()
    assert measures["key"].str.fullmatch(r"G\d-A\d-M\d").all()
    percent = measures[measures["unit"] == "percent"]
    assert percent["target_value"].between(0, 100).all()


def test_measure_mix_of_units_frequencies_and_benchmarks(demo_engine):
    measures = _measures(demo_engine)
    assert set(measures["unit"]) == {"percent", "count", "dollars", "rate", "days"}
    assert set(measures["polarity"]) == {"higher_is_better", "lower_is_better", "neutral"}
    assert set(measures["rba_category"]) == {"how_much", "how_well", "better_off"}
    frequencies = measures["frequency"].value_counts(normalize=True)
    assert frequencies["annual"] > 0.6
    assert frequencies["quarterly"] > 0.03
    workforce = _frame(
        demo_engine,
        select(Measure.benchmark_id)
        .join(BureauGoal, BureauGoal.id == Measure.goal_id)
        .join(FocusArea, FocusArea.id == BureauGoal.focus_area_id)
        .where(FocusArea.key == "workforce"),
    )
    assert len(workforce) > 0
    assert workforce["benchmark_id"].notna().all()
    interim = _frame(
        demo_engine,
        select(InterimTarget.measure_id, ReportingPeriod.label).join(
            ReportingPeriod, ReportingPeriod.id == InterimTarget.period_id
        ),
    )
    assert 0.1 * len(measures) < len(interim) < 0.5 * len(measures)
    assert set(interim["label"]) == {"FY 2018-19"}


def test_baseline_value_is_the_value_reported_for_the_baseline_period(demo_engine, totals):
    measures = _measures(demo_engine).set_index("id")
    baseline = totals[totals["label"] == BASELINE_LABEL].set_index("measure_id")["value"]
    assert baseline.index.is_unique
    assert len(baseline) == len(measures)
    assert (baseline == measures.loc[baseline.index, "baseline_value"]).all()


def test_values_fall_inside_their_plans_fiscal_years(demo_engine, values):
    plans = _frame(demo_engine, select(Plan.bureau_id, Plan.first_fiscal_year, Plan.last_fiscal_year))
    merged = values.merge(plans, on="bureau_id")
    assert merged["fiscal_year"].between(merged["first_fiscal_year"], merged["last_fiscal_year"]).all()
    assert len(merged) == len(values)


def test_quarterly_measures_report_fiscal_quarters_after_the_baseline(demo_engine, totals):
    measures = _measures(demo_engine)
    quarterly = set(measures.loc[measures["frequency"] == "quarterly", "id"])
    labels = totals[totals["measure_id"].isin(quarterly)]["label"]
    later = labels[labels != BASELINE_LABEL]
    assert later.str.fullmatch(r"FY 20\d\d-\d\d Q[1-4]").all()
    assert "FY 2017-18 Q1" in set(later)
    assert "FY 2020-21 Q4" in set(later)
    annual = totals[~totals["measure_id"].isin(quarterly)]["label"]
    assert annual.str.fullmatch(r"FY 20\d\d-\d\d").all()


# --- race/ethnicity breakdowns ------------------------------------------------------------------


def _breakdowns(values: pd.DataFrame) -> dict[tuple[int, int], tuple[list, tuple | None]]:
    """(measure, period) → (group rows, total row) for disaggregated measures."""
    found: dict[tuple[int, int], tuple[list, tuple | None]] = defaultdict(lambda: ([], None))
    disaggregated = values[values["disaggregated"].astype(bool)]
    for row in disaggregated.itertuples(index=False):
        key = (row.measure_id, row.period_id)
        groups, _total = found[key]
        if pd.isna(row.group_id):
            found[key] = (groups, row)
        else:
            groups.append(row)
    return found


def test_count_and_dollar_breakdowns_add_up_to_the_total_exactly(values):
    checked = 0
    for (measure_id, period_id), (groups, total) in _breakdowns(values).items():
        assert total is not None, (measure_id, period_id)
        if total.unit not in ("count", "dollars"):
            continue
        assert len(groups) == 9
        assert all(float(row.value).is_integer() and row.value >= 0 for row in groups)
        assert sum(row.value for row in groups) == total.value, (measure_id, period_id)
        checked += 1
    assert checked > 300


def test_rate_breakdowns_carry_numerators_and_denominators_that_add_up(values):
    checked = 0
    for (measure_id, period_id), (groups, total) in _breakdowns(values).items():
        if total.unit != "percent":
            continue
        for row in [*groups, total]:
            assert row.denominator > 0
            assert 0 <= row.numerator <= row.denominator
            assert math.isclose(row.value, 100 * row.numerator / row.denominator, rel_tol=1e-12)
        assert sum(row.numerator for row in groups) == total.numerator, (measure_id, period_id)
        assert sum(row.denominator for row in groups) == total.denominator, (measure_id, period_id)
        checked += 1
    assert checked > 100


def test_breakdowns_use_base_groups_only_never_the_rollup(demo_engine, values):
    rollup = _scalar(demo_engine, select(RaceGroup.id).where(RaceGroup.is_rollup.is_(True)))
    grouped = values[values["group_id"].notna()]
    assert rollup not in set(grouped["group_id"])
    assert not values.loc[~values["disaggregated"].astype(bool), "group_id"].notna().any()


def test_small_bureaus_have_group_counts_below_ten_and_zeros(demo_engine, values):
    codes = _frame(demo_engine, select(Bureau.id, Bureau.code))
    small_ids = set(codes.loc[codes["code"].isin(SMALL_BUREAUS), "id"])
    headcount_ids = set(
        _frame(demo_engine, select(Measure.id).where(Measure.name == "Employees by race/ethnicity"))["id"]
    )
    rows = values[
        values["bureau_id"].isin(small_ids)
        & values["measure_id"].isin(headcount_ids)
        & values["group_id"].notna()
    ]
    headcounts = values[
        values["bureau_id"].isin(small_ids)
        & values["measure_id"].isin(headcount_ids)
        & values["group_id"].isna()
    ]
    assert len(headcounts) > 0
    assert headcounts["value"].max() < 60
    assert rows["value"].between(1, 9).sum() > 20
    assert (rows["value"] == 0).sum() > 5


def test_rate_breakdown_skips_groups_with_nobody(values):
    percent = values[(values["unit"] == "percent") & values["disaggregated"].astype(bool)]
    rows_per_period = percent[percent["group_id"].notna()].groupby(["measure_id", "period_id"]).size()
    assert rows_per_period.max() == 9
    assert rows_per_period.min() < 9


# --- reporting profiles -------------------------------------------------------------------------


def _meets_target(frame: pd.DataFrame) -> pd.Series:
    """Whether ``value`` reaches ``target_value`` in the measure's good direction."""
    higher = (frame["polarity"] == "higher_is_better") & (frame["value"] >= frame["target_value"])
    lower = (frame["polarity"] == "lower_is_better") & (frame["value"] <= frame["target_value"])
    return higher | lower


def test_profile_mix_includes_never_reported_stale_and_achieved(demo_engine, totals):
    measures = _measures(demo_engine).set_index("id")
    periods_reported = totals.groupby("measure_id")["period_id"].nunique()
    last_end = totals.groupby("measure_id")["end_date"].max()
    never = periods_reported[periods_reported == 1].index
    stale = last_end[(last_end <= STOPPED_AFTER) & (periods_reported > 1)].index
    current = last_end[last_end == dt.date(2021, 6, 30)].index
    assert len(never) >= 10
    assert len(stale) >= 10
    assert len(current) > len(measures) / 2
    # Stale measures sit in bureaus whose other measures reach FY 2020-21.
    assert set(measures.loc[stale, "bureau_id"]) & set(measures.loc[current, "bureau_id"])
    targets = measures[["target_value", "polarity"]]
    latest = totals.groupby("measure_id").last().join(targets)
    early = totals[totals["end_date"] <= dt.date(2019, 6, 30)].join(targets, on="measure_id")
    reached_early = set(early.loc[_meets_target(early), "measure_id"])
    achieved = set(latest.index[_meets_target(latest)])
    # Reached the target by FY 2018-19 and still there at the end.
    assert len(achieved & reached_early & set(current)) >= 10


def test_progress_against_time_shows_on_track_behind_and_at_risk(demo_engine, totals):
    measures = _measures(demo_engine).set_index("id")
    final = totals[totals["end_date"] == dt.date(2021, 6, 30)].groupby("measure_id").last()
    final = final.join(measures[["target_value", "baseline_value", "polarity"]])
    final = final[final["polarity"] != "neutral"]
    progress = (final["value"] - final["baseline_value"]) / (final["target_value"] - final["baseline_value"])
    # At the target period the expected progress is 100 %.
    assert (progress >= 0.95).sum() >= 20
    assert progress.between(0.85, 0.95, inclusive="left").sum() >= 5
    assert (progress < 0.85).sum() >= 10


def test_some_bureaus_stopped_reporting_after_fy_2017_18(totals):
    last_by_bureau = totals.groupby("bureau_id")["end_date"].max()
    stopped = last_by_bureau[last_by_bureau <= STOPPED_AFTER]
    assert 1 <= len(stopped) <= 2


def test_some_fy_2020_21_values_are_submitted_not_published(demo_engine):
    statuses = _frame(
        demo_engine,
        select(MeasureValue.review_status, ReportingPeriod.fiscal_year, Plan.bureau_id)
        .join(ReportingPeriod, ReportingPeriod.id == MeasureValue.period_id)
        .join(Measure, Measure.id == MeasureValue.measure_id)
        .join(BureauGoal, BureauGoal.id == Measure.goal_id)
        .join(Plan, Plan.id == BureauGoal.plan_id),
    )
    unpublished = statuses[statuses["review_status"] != "published"]
    assert set(unpublished["review_status"]) == {"submitted"}
    assert set(unpublished["fiscal_year"]) == {2020}
    assert 2 <= unpublished["bureau_id"].nunique() <= 3
    assert len(unpublished) < 0.1 * len(statuses)


def test_corrections_replace_an_earlier_row_for_the_same_measure_period_and_group(demo_engine):
    rows = _frame(demo_engine, select(MeasureValue).order_by(MeasureValue.id)).set_index("id")
    corrections = rows[rows["replaces_id"].notna()]
    assert len(corrections) >= 3
    originals = rows.loc[corrections["replaces_id"].astype(int)]
    for column in ("measure_id", "period_id"):
        assert (originals[column].to_numpy() == corrections[column].to_numpy()).all()
    assert (originals.index < corrections.index).all()
    assert (originals["value"].to_numpy() != corrections["value"].to_numpy()).all()
    assert (
        pd.to_datetime(originals["entered_at"]).to_numpy()
        < pd.to_datetime(corrections["entered_at"]).to_numpy()
    ).all()
    assert corrections["note"].str.startswith("Correction:").all()


def test_values_have_editor_entry_time_after_period_end_and_some_notes(demo_engine):
    rows = _frame(
        demo_engine,
        select(
            MeasureValue.entered_at, MeasureValue.note, MeasureValue.entered_by_id, ReportingPeriod.end_date
        ).join(ReportingPeriod, ReportingPeriod.id == MeasureValue.period_id),
    )
    entered = pd.to_datetime(rows["entered_at"], utc=True).dt.date
    assert (entered > pd.to_datetime(rows["end_date"]).dt.date).all()
    assert rows["entered_by_id"].notna().all()
    assert rows["note"].str.startswith("Methodology changed").any()
    assert rows["note"].notna().sum() >= 20


def test_annual_reports_have_one_to_three_items_each(demo_engine):
    reports = _frame(demo_engine, select(AnnualReport))
    bureaus = _scalar(demo_engine, select(func.count()).select_from(Bureau))
    for column in ("highlights", "challenges", "priorities"):
        items = reports[column].map(lambda raw: json.loads(raw) if isinstance(raw, str) else raw)
        assert items.map(len).between(1, 3).all(), column
        assert items.map(lambda texts: all(isinstance(text, str) and text for text in texts)).all()
    assert reports.groupby("bureau_id").size().max() == 5
    assert reports["bureau_id"].nunique() == bureaus
    assert set(reports["review_status"]) == {"published", "submitted"}


# --- loading rules ------------------------------------------------------------------------------


def test_demo_marker_row_names_seed_scale_and_label(demo_engine):
    raw = _scalar(demo_engine, select(AppMetadata.value).where(AppMetadata.key == DEMO_DATA_KEY))
    assert json.loads(raw) == {"seed": SEED, "scale": 1, "label": DEMO_LABEL}
    assert DEMO_LABEL == "Demo data — not real City figures"


def test_load_demo_into_loaded_database_raises_and_changes_nothing(demo_engine):
    before = _row_counts(demo_engine)
    with pytest.raises(DemoError, match="already holds plan data"):
        load_demo(demo_engine, seed=SEED + 5)
    assert _row_counts(demo_engine) == before


def test_load_demo_into_database_with_one_bureau_raises_and_changes_nothing(engine):
    with engine.begin() as connection:
        connection.execute(insert(Bureau).values(code="XX", name="Someone's real bureau", active=True))
    before = _row_counts(engine)
    with pytest.raises(DemoError, match="Nothing was changed"):
        load_demo(engine)
    assert _row_counts(engine) == before
    assert before["bureaus"] == 1
    assert before["measure_values"] == 0


@pytest.mark.parametrize("scale", [0, -1, 1.5, True])
def test_load_demo_rejects_a_scale_that_is_not_a_positive_whole_number(engine, scale):
    with pytest.raises(DemoError, match="scale"):
        load_demo(engine, scale=scale)
    assert _row_counts(engine)["bureaus"] == 0


def test_load_demo_summary_progress_and_inserts_without_ids_after_load(engine):
    steps: list[tuple[str, float]] = []
    summary = load_demo(engine, progress=lambda step, fraction: steps.append((step, fraction)))
    counts = _row_counts(engine)
    assert summary == DemoSummary(
        bureaus=counts["bureaus"],
        plans=counts["plans"],
        goals=counts["bureau_goals"],
        actions=counts["actions"],
        measures=counts["measures"],
        measure_values=counts["measure_values"],
        action_updates=counts["action_updates"],
        users=counts["users"],
    )
    fractions = [fraction for _, fraction in steps]
    assert fractions[0] == 0.0
    assert fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    assert 4 <= len(steps) <= 12
    # Explicit ids were written; new rows without one must still get a fresh id (PostgreSQL sequences).
    with engine.begin() as connection:
        bureau_id = connection.execute(
            insert(Bureau).values(code="NEW", name="New bureau", active=True)
        ).inserted_primary_key[0]
        user_id = connection.execute(
            insert(User).values(username="new-user", display_name="New user", active=True)
        ).inserted_primary_key[0]
        value_id = connection.execute(
            insert(MeasureValue).values(measure_id=1, period_id=1, value=1.0, review_status="draft")
        ).inserted_primary_key[0]
    assert bureau_id == summary.bureaus + 1
    assert user_id == summary.users + 1
    assert value_id == summary.measure_values + 1


def test_scale_two_has_more_bureaus_and_values_than_scale_one(engine, demo_engine):
    summary = load_demo(engine, scale=2)
    one = _row_counts(demo_engine)
    assert summary.bureaus == 2 * one["bureaus"]
    assert summary.measure_values > 2 * one["measure_values"]
    codes = _frame(engine, select(Bureau.code, Bureau.name))
    synthetic = codes[codes["code"].str.startswith("Z")]
    assert len(synthetic) == one["bureaus"]
    assert synthetic["name"].str.startswith("Demo Bureau ").all()
    marker = json.loads(_scalar(engine, select(AppMetadata.value).where(AppMetadata.key == DEMO_DATA_KEY)))
    assert marker["scale"] == 2
