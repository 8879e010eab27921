"""The bureau page in AppTest (its numbers equal the analytics'), and its view functions on small
hand-made frames."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from apptest_support import database_url, open_app
from sqlalchemy import text
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from equity_tracking import reads
from equity_tracking.analytics.states import ACTION_STATUS, HEALTH
from equity_tracking.charts import bureau as charts
from equity_tracking.dashboards import bureau as view
from equity_tracking.formatting import number, percent
from equity_tracking.rules import entry_cutoff, reporting_deadline

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUREAU_PAGE = str(PROJECT_ROOT / "pages" / "bureau.py")
YEAR = 2018


def _url(engine) -> str:
    return database_url(engine)


def _app(monkeypatch, engine, **state: str) -> AppTest:
    return open_app("pages/bureau.py", engine, monkeypatch, state=state)


@pytest.fixture(scope="module")
def analytics(analytics_as_of):
    return analytics_as_of(YEAR)


@pytest.fixture(scope="module")
def transportation(demo_engine):
    bureaus = reads.bureaus(demo_engine)
    return bureaus[bureaus["code"] == "TR"].iloc[0]


@pytest.fixture(scope="module")
def tr_page(demo_engine):
    """The bureau page for Transportation, FY 2018-19, run once for the tests that only read it."""
    st.cache_data.clear()
    st.cache_resource.clear()
    patch = pytest.MonkeyPatch()
    try:
        app = _app(patch, demo_engine, bureau="TR", fy="2018-19")
        app.run()
        yield app
    finally:
        patch.undo()


def _frame_with(app: AppTest, column: str) -> pd.DataFrame:
    return next(element.value for element in app.dataframe if column in element.value.columns)


def _frames_with(app: AppTest, column: str) -> list[pd.DataFrame]:
    return [element.value for element in app.dataframe if column in element.value.columns]


def _value(value: float, unit: str) -> str:
    """A measure value as the page should write it: counts and dollars whole."""
    return number(value, unit=unit, decimals=0 if unit in ("count", "dollars") else None)


# --- the page against the analytics --------------------------------------------------------------


def test_summary_tiles_equal_the_plan_rollup(tr_page, analytics, transportation, demo_engine):
    assert not tr_page.exception
    [plan] = reads.plans(demo_engine, bureau_id=int(transportation["id"])).itertuples()
    rollup = analytics.rollups["plan"].set_index("entity_id").loc[plan.id]
    metrics = {metric.label: metric.value for metric in tr_page.metric}
    assert metrics["Overall progress"] == percent(rollup["progress_pct"])
    assert metrics["Updated on time"] == percent(rollup["freshness"] * 100)
    assert metrics["⚠ Actions overdue"] == f"{int(rollup['actions_overdue']):,}"
    health = {f"{style.icon} {style.label}": f"health_{key}" for key, style in HEALTH.items()}
    statuses = {f"{style.icon} {style.label}": f"actions_{key}" for key, style in ACTION_STATUS.items()}
    # The tiles of measures by health come first, then those of actions by status, which start with
    # "★ Completed" (labels such as "✓ On track" appear in both).
    labels = [metric.label for metric in tr_page.metric]
    first_action = labels.index(f"{ACTION_STATUS['completed'].icon} {ACTION_STATUS['completed'].label}")
    health_tiles = [metric for metric in tr_page.metric[:first_action] if metric.label in health]
    action_tiles = [metric for metric in tr_page.metric[first_action:] if metric.label in statuses]
    for metric in health_tiles:
        assert metric.value == f"{int(rollup[health[metric.label]]):,}", metric.label
    for metric in action_tiles:
        assert metric.value == f"{int(rollup[statuses[metric.label]]):,}", metric.label
    assert sum(int(metric.value) for metric in health_tiles) == int(rollup["n_measures"])
    assert sum(int(metric.value) for metric in action_tiles) == int(rollup["n_actions"])


def test_goal_progress_equals_the_goal_rollup(tr_page, analytics, transportation, demo_engine):
    goals = reads.goals(demo_engine, bureau_id=int(transportation["id"]))
    table = _frame_with(tr_page, "Progress")
    rollup = analytics.rollups["goal"].set_index("entity_id")
    expected = rollup.loc[goals["id"], "progress_pct"].to_numpy(float)
    np.testing.assert_allclose(table["Progress"].to_numpy(float), expected)
    assert table["Progress to target"].tolist() == [percent(value) for value in expected]
    assert table["Citywide goal"].tolist() == [
        f"Goal {number} · {title}"
        for number, title in zip(goals["citywide_goal_number"], goals["citywide_goal_title"], strict=True)
    ]
    assert table["Measures"].tolist() == rollup.loc[goals["id"], "n_measures"].astype(int).tolist()


def test_scorecard_cells_equal_the_measure_status(tr_page, analytics, transportation, demo_engine):
    measures = reads.measures(demo_engine, bureau_id=int(transportation["id"])).set_index("id")
    card = _frame_with(tr_page, "Baseline % change")
    assert len(card) == len(measures)
    status = analytics.measures.set_index("measure_id")
    for row in card.to_dict("records"):
        measure_id = int(row["Open"].split("measure=")[1].split("&")[0])
        assert row["Open"] == f"measure?measure={measure_id}&fy=2018-19"
        unit, judged = measures.at[measure_id, "unit"], status.loc[measure_id]
        assert row["Measure"] == measures.at[measure_id, "name"]
        assert row["Current"] == _value(judged["current_value"], unit)
        assert row["Prior"] == _value(judged["prior_value"], unit)
        assert row["Target"] == f"{_value(judged['target_value'], unit)} by {judged['target_period']}"
        variance = _value(judged["variance_from_target"], unit)
        assert row["Variance"] == (("+" + variance) if judged["variance_from_target"] > 0 else variance)
        assert row["% of target"] == percent(judged["percent_of_target"])
        change = judged["baseline_change_pct"]
        assert row["Baseline % change"] == (("+" if change > 0 else "") + percent(change))
        assert row["Forecast"] == _value(judged["forecast_value"], unit)
        assert row["Health"] == f"{judged['health_icon']} {judged['health_label']}"
        if judged["trend_periods"] > 0 and judged["trend"] != "cannot_judge":
            periods = int(judged["trend_periods"])
            plural = "s" if periods > 1 else ""
            assert (
                row["Trend"] == f"{judged['trend_icon']} {judged['trend_label']} · {periods} period{plural}"
            )
        for cell in row.values():
            assert "nan" not in str(cell).lower()
            assert "none" not in str(cell).lower()


def test_equity_scores_equal_the_disparity_summary(tr_page, analytics, transportation, demo_engine):
    measures = reads.measures(demo_engine, bureau_id=int(transportation["id"]))
    goals = reads.goals(demo_engine, bureau_id=int(transportation["id"]))
    focus = measures["goal_id"].map(goals.set_index("id")["focus_area_key"])
    panel = measures[focus.isin(["workforce", "contracting"]) & measures["disaggregated"]]
    summary = analytics.disparity_summary.set_index("measure_id")
    expected = [
        f"{int(summary.at[measure_id, 'equity_score'])} of 100"
        if measure_id in summary.index and pd.notna(summary.at[measure_id, "equity_score"])
        else "Not scored"
        for measure_id in panel["id"]
    ]
    assert [metric.value for metric in tr_page.metric if metric.label == "Equity score"] == expected
    assert any(value.endswith("of 100") for value in expected)  # the demo scores at least one
    assert any("everyone is doing badly" in caption.value or "every group is doing badly" in caption.value
               for caption in tr_page.caption)  # fmt: skip


def test_small_counts_are_suppressed(tr_page, analytics, transportation, demo_engine):
    measures = reads.measures(demo_engine, bureau_id=int(transportation["id"]))
    employees = int(measures.loc[measures["name"] == "Employees by race/ethnicity", "id"].iat[0])
    tables = _frames_with(tr_page, "Representation index")
    assert tables, "the disparities panel shows a data table for each shares chart"
    shares = analytics.group_shares
    rows = shares[(shares["measure_id"] == employees)]
    latest = rows[rows["period_end"] == rows["period_end"].max()]
    names = reads.race_groups(demo_engine).set_index("id")["name"]
    small = set(latest.loc[latest["count"] < view.SMALL_COUNT, "group_id"].map(names))
    assert small, "the demo has small groups to hide"
    table = tables[0].set_index("Group")
    for group in small:
        assert table.at[group, "Count"] == view.SUPPRESSED_TEXT
        assert table.at[group, "Share"] == view.SUPPRESSED_TEXT
        assert table.at[group, "Representation index"] == "hidden"
    for frame in tables:
        for cell in frame["Count"]:
            if cell[0].isdigit():
                assert int(cell.replace(",", "")) >= view.SMALL_COUNT
    shown = latest[~latest["group_id"].map(names).isin(small)]
    for group_id, share in zip(shown["group_id"], shown["share"], strict=True):
        cell = table.at[names[group_id], "Share"]
        assert cell == percent(share * 100) or cell.startswith("hidden")
    assert any(caption.value == view.SUPPRESSED_NOTE for caption in tr_page.caption)


def test_actions_show_status_and_narrative_as_of_the_deadline(
    tr_page, analytics, transportation, demo_engine
):
    table = _frame_with(tr_page, "Latest update")
    actions = analytics.actions[analytics.actions["bureau_id"] == transportation["id"]]
    icons, labels = actions["status_icon"], actions["status_label"]
    assert table["Status"].tolist() == [f"{icon} {label}" for icon, label in zip(icons, labels, strict=True)]
    with demo_engine.connect() as connection:
        updates = pd.DataFrame(
            connection.execute(
                text(
                    "SELECT action_id, id, narrative, reported_at FROM action_updates "
                    "ORDER BY reported_at, id"
                )
            ).fetchall(),
            columns=["action_id", "id", "narrative", "reported_at"],
        )
    updates["reported_at"] = pd.to_datetime(updates["reported_at"], utc=True)
    visible = updates[updates["reported_at"] < entry_cutoff(reporting_deadline(YEAR))]
    latest = visible.drop_duplicates("action_id", keep="last").set_index("action_id")["narrative"]
    for action_id, narrative in zip(actions["action_id"], table["Latest update"], strict=True):
        if action_id not in latest.index:
            assert narrative == "No update reported yet."
        else:
            assert narrative == (latest[action_id] or "Updated without a narrative.")
    assert set(table["Overdue"]) <= {"⚠ Overdue", "No"}


def test_every_bureau_renders(demo_engine, monkeypatch):
    app = _app(monkeypatch, demo_engine, fy="2018-19")
    for code in reads.bureaus(demo_engine)["code"]:
        app.session_state["bureau"] = code
        app.run()
        assert not app.exception, code
        assert app.header[0].value  # the bureau's name
        for element in app.dataframe:
            frame = element.value
            texts = [name for name in frame.columns if pd.api.types.is_string_dtype(frame[name])]
            assert not frame[texts].astype(str).isin(["nan", "None", "NaN", "<NA>"]).any().any(), code


def test_warm_rerun_is_fast(demo_engine, monkeypatch):
    app = _app(monkeypatch, demo_engine, bureau="RV", fy="2018-19")
    app.run()
    started = time.perf_counter()
    app.run()
    warm = time.perf_counter() - started
    assert not app.exception
    assert warm < 1.0, f"warm rerun took {warm:.3f} s"  # ~0.05 s on the demo; generous for CI


def test_empty_database_says_what_is_missing(engine, monkeypatch):
    app = _app(monkeypatch, engine)
    app.run()
    assert not app.exception
    assert any("No bureaus are in the database yet" in info.value for info in app.info)


def test_bureau_without_values_says_who_can_fix_it(plan_without_values, monkeypatch):
    app = _app(monkeypatch, plan_without_values, bureau="ZZ", fy="2018-19")
    app.run()
    assert not app.exception
    messages = [element.value for element in [*app.info, *app.warning]]
    assert any("has not reported any values for FY 2018-19" in message for message in messages)
    assert any("equity lead" in message for message in messages)
    card = _frame_with(app, "Baseline % change")
    assert card["Current"].tolist() == ["—"]
    assert card["Health"].tolist() == [f"{HEALTH['no_data'].icon} {HEALTH['no_data'].label}"]


# --- a tiny database: one bureau, one plan, one goal, one measure and no values -----------------


@pytest.fixture
def plan_without_values(engine):
    return build_plan_without_values(engine)


def build_plan_without_values(engine):
    """Bureau "ZZ" with a plan for FY 2016-17 to FY 2020-21, one goal and one measure, no values."""
    from equity_tracking import models
    from equity_tracking.periods import PeriodKind

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
        session.commit()
    return engine


# --- view functions on hand-made frames ----------------------------------------------------------


def _cell(groups: list[tuple[int, float, bool]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period_id": 1,
            "group_id": [group for group, _, _ in groups],
            "count": [count for _, count, _ in groups],
            "is_rollup": [rollup for _, _, rollup in groups],
        }
    )


MEMBERS = pd.DataFrame({"rollup_id": [10, 10, 10], "member_id": [1, 2, 3]})


def test_small_counts_are_hidden_with_whatever_reveals_them():
    # Group 1 is small; alone it could be subtracted from the total, so the next smallest goes too.
    codes = view.suppress_small_counts(
        _cell([(1, 4, False), (2, 30, False), (3, 50, False), (7, 400, False)]),
        by=["period_id"],
        memberships=MEMBERS.iloc[:0],
    )
    assert codes.tolist() == [view.SMALL, view.PROTECTS, view.SHOWN, view.SHOWN]
    # Two small groups protect each other.
    codes = view.suppress_small_counts(
        _cell([(1, 4, False), (2, 3, False), (7, 400, False)]), by=["period_id"], memberships=MEMBERS.iloc[:0]
    )
    assert codes.tolist() == [view.SMALL, view.SMALL, view.SHOWN]


def test_a_rollup_is_hidden_when_it_would_reveal_one_member():
    # Group 9 (outside "people of color") is small: total − people of color − white would give it.
    frame = _cell(
        [(1, 4, False), (2, 5, False), (3, 50, False), (7, 400, False), (9, 2, False), (10, 59, True)]
    )
    codes = view.suppress_small_counts(frame, by=["period_id"], memberships=MEMBERS)
    assert codes.tolist() == [view.SMALL, view.SMALL, view.SHOWN, view.SHOWN, view.SMALL, view.PROTECTS]


def test_counts_of_no_people_are_never_hidden():
    frame = _cell([(1, np.nan, False), (2, np.nan, False)])
    assert view.suppress_small_counts(frame, by=["period_id"], memberships=MEMBERS).tolist() == [0, 0]
    without_complement = view.suppress_small_counts(
        _cell([(1, 4, False), (2, 30, False)]), by=["period_id"], memberships=MEMBERS, complementary=False
    )
    assert without_complement.tolist() == [view.SMALL, view.SHOWN]


def test_text_helpers_never_write_nan():
    assert view.measure_value(676.3, unit="count") == "676"
    assert view.measure_value(478609.4, unit="dollars") == "$478,609"
    assert view.measure_value(41.5, unit="percent") == "41.5 %"
    assert view.measure_value(np.nan, unit="percent") == "—"
    assert view.signed_percent(12.345) == "+12.3 %"
    assert view.signed_percent(-3.3) == "-3.3 %"
    assert view.signed_percent(None) == "—"
    assert view.date_text(pd.Timestamp("2020-11-30")) == "30 Nov 2020"
    assert view.date_text(pd.NaT) == "—"
    assert view.trend_text("▲", "Improving", 3, "improving") == "▲ Improving · 3 periods"
    assert view.trend_text("▲", "Improving", 1, "improving") == "▲ Improving · 1 period"
    assert view.trend_text("?", "Cannot be judged", 0, "cannot_judge") == "? Not enough values"
    assert view.ratio_text(np.nan) == "—"


def test_count_tiles_keep_the_main_states_and_any_other_above_zero():
    counts = {"achieved": 0, "on_track": 2, "behind": 0, "at_risk": 1, "not_started": 0, "no_data": 3}
    tiles = view.count_tiles(counts, HEALTH, always=("on_track", "behind", "at_risk"))
    assert tiles == [("✓ On track", "2"), ("! Behind", "0"), ("✕ At risk", "1"), ("– No data", "3")]


def test_shares_chart_writes_hidden_groups_out():
    table = pd.DataFrame(
        {
            "Group": ["Asian", "White"],
            "share_pct": [np.nan, 80.0],
            "benchmark_pct": [8.2, 70.0],
            "suppressed": [True, False],
            "hidden": [view.SUPPRESSED_TEXT, ""],
            "period": ["FY 2018-19", "FY 2018-19"],
        }
    )
    figure = charts.shares_chart(
        table,
        measure_name="Employees by race/ethnicity",
        benchmark_name="City residents",
        period="FY 2018-19",
    )
    bureau, benchmark = figure.data
    assert list(bureau.text) == [view.SUPPRESSED_TEXT, "80.0 %"]
    assert list(benchmark.text) == ["8.2 %", "70.0 %"]
    assert "Source:" in figure.layout.annotations[-1].text
    assert figure.layout.legend.yref == "container"
