"""The citywide-goal page: its empty states, and the page-shaped views and figures behind it on
small hand-made frames. (Its figures on the golden city are in test_pages.py.)"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from apptest_support import open_app, table_with
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from equity_tracking.analytics.pipeline import Analytics
from equity_tracking.analytics.states import ACTION_STATUS_ORDER, HEALTH, HEALTH_ORDER
from equity_tracking.charts import goal as charts
from equity_tracking.charts import style
from equity_tracking.dashboards import common
from equity_tracking.dashboards import goal as view
from equity_tracking.models import Bureau, BureauGoal, CitywideGoal, FocusArea, Plan, PlanStatus, Strategy
from equity_tracking.suppression import GroupSetup, PublicView

FY_KEY = "2018-19"
MISSING = re.compile(r"\b(nan|none|<NA>|NaT)\b", re.IGNORECASE)  # what a reader must never see


def _app(monkeypatch, engine, **query: str) -> AppTest:
    return open_app("pages/citywide_goal.py", engine, monkeypatch, query=query)


def _all_text(app: AppTest) -> str:
    parts = [element.value for element in (*app.markdown, *app.caption, *app.info, *app.header)]
    parts += [f"{metric.label} {metric.value}" for metric in app.metric]
    for frame in [*app.dataframe, *app.table]:
        parts.append(frame.value.to_csv(index=False))
    return "\n".join(parts)


def test_goal_page_on_an_empty_database_says_what_is_missing(engine, monkeypatch):
    app = _app(monkeypatch, engine)
    app.run()
    assert not app.exception
    [info] = app.info
    assert "Citywide Racial Equity Goals are not in the database yet" in info.value
    assert not app.get("plotly_chart")


def build_small_city(engine, *, shared_measure: bool = False) -> None:
    """The framework, two bureaus with one plan each, and goals under citywide goal 1 only (one
    in workforce, one in contracting); optionally a measure both bureaus report, without values."""
    from equity_tracking.models import Frequency, Measure, Polarity, RbaCategory, Unit

    with Session(engine) as session:
        goals = [
            CitywideGoal(number=number, short_title=f"Short {number}", text=f"Goal text {number}.")
            for number in (1, 2, 3)
        ]
        areas = [
            FocusArea(key=key, name=name, sort_order=order)
            for order, (key, name) in enumerate([("workforce", "Workforce"), ("contracting", "Contracting")])
        ]
        strategy = Strategy(number=1, name="Be data-driven")
        session.add_all([*goals, *areas, strategy])
        session.flush()
        for code, name, area in (("WA", "Water Bureau", areas[0]), ("TR", "Transportation", areas[1])):
            bureau = Bureau(code=code, name=name)
            session.add(bureau)
            session.flush()
            plan = Plan(
                bureau_id=bureau.id,
                title=f"{name} plan",
                first_fiscal_year=2016,
                last_fiscal_year=2020,
                status=PlanStatus.ACTIVE,
                adopted_on=dt.date(2016, 7, 1),
            )
            session.add(plan)
            session.flush()
            goal = BureauGoal(
                plan_id=plan.id,
                key="G1",
                title=f"{name} goal",
                citywide_goal_id=goals[0].id,
                focus_area_id=area.id,
                strategies=[strategy],
            )
            session.add(goal)
            session.flush()
            if shared_measure or code == "WA":
                session.add(
                    Measure(
                        goal_id=goal.id,
                        key="G1-M1",
                        name="Share of new hires who are people of color",
                        unit=Unit.PERCENT,
                        polarity=Polarity.HIGHER_IS_BETTER,
                        rba_category=RbaCategory.BETTER_OFF,
                        frequency=Frequency.ANNUAL,
                    )
                )
        session.commit()


def test_goal_without_bureau_goals_explains_who_can_fix_it(engine, monkeypatch):
    build_small_city(engine)
    app = _app(monkeypatch, engine, goal="3", fy=FY_KEY)
    app.run()
    assert not app.exception
    assert any("No bureau goal maps to goal 3 yet" in info.value for info in app.info)
    assert any("Office of Equity and Human Rights" in info.value for info in app.info)
    assert not app.get("plotly_chart")


def test_goal_with_goals_but_no_values_shows_dashes_not_nan(engine, monkeypatch):
    build_small_city(engine)
    app = _app(monkeypatch, engine, goal="1", fy=FY_KEY)
    app.run()
    assert not app.exception
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Progress to target"] == "—"
    assert metrics["Bureau goals"] == "2"
    table = table_with(app, "Goals with progress")
    assert set(table["Progress"]) == {"—"}
    assert set(table["Rank"]) == {"—"}
    assert not MISSING.search(_all_text(app))


# --- the views on hand-made frames ------------------------------------------------------------------


def _rollup(level: str, rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    if "entity_id" not in frame:
        frame["entity_id"] = pd.Series(dtype="int64")
    for column in common.COUNT_COLUMNS:
        if column not in frame:
            frame[column] = 0
    frame["level"] = level
    frame["progress_reason"] = "Mean progress of some goals."
    return frame


def _analytics(goal_rows: list[dict], citywide_rows: list[dict] | None = None) -> PublicView:
    empty = pd.DataFrame()
    rollups = {
        "goal": _rollup("goal", goal_rows),
        "citywide_goal": _rollup("citywide_goal", citywide_rows or [{"entity_id": 1, "progress_pct": 30.0}]),
    }
    analytics = Analytics(pd.Timestamp("2019-09-30"), empty, empty, empty, empty, empty, rollups)
    return PublicView(analytics=analytics, measures=empty, setup=GroupSetup(frozenset(), {}))


GOALS = pd.DataFrame(
    {
        "id": [10, 11, 12, 13],
        "bureau_id": [1, 1, 2, 3],
        "citywide_goal_id": [1, 1, 1, 2],
        "focus_area_id": [100, 101, 100, 100],
    }
)
BUREAUS = pd.DataFrame({"id": [1, 2, 3], "code": ["WA", "TR", "PK"], "name": ["Water", "Transport", "Parks"]})
HAND_ANALYTICS = _analytics(
    [
        {"entity_id": 10, "progress_pct": 20.0, "n_measures": 2, "health_on_track": 1, "health_at_risk": 1},
        {"entity_id": 11, "progress_pct": 40.0, "n_measures": 1, "health_behind": 1},
        {"entity_id": 12, "progress_pct": np.nan, "n_measures": 1, "health_no_data": 1},
        {"entity_id": 13, "progress_pct": 90.0, "n_measures": 1, "health_achieved": 1},
    ]
)


def test_goal_options_and_choice():
    citywide = pd.DataFrame({"id": [1, 2], "number": [1, 2], "short_title": ["End disparities", "Outreach"]})
    assert view.goal_options(citywide) == {"1": "Goal 1 · End disparities", "2": "Goal 2 · Outreach"}
    assert view.chosen_goal(citywide, "2")["short_title"] == "Outreach"
    assert view.chosen_goal(citywide, "9") is None


def test_bureau_contributions_rank_the_mean_of_each_bureaus_goals():
    frame = view.bureau_contributions(HAND_ANALYTICS, goals=GOALS, bureaus=BUREAUS, citywide_goal_id=1)
    assert list(frame["name"]) == ["Water", "Transport"]  # Parks has no goal under goal 1
    water, transport = frame.iloc[0], frame.iloc[1]
    assert water["progress_pct"] == pytest.approx(30.0)  # mean of 20 and 40
    assert (water["progress_text"], water["rank"], water["n_goals"], water["n_judged"]) == (
        "30.0 %",
        "1",
        2,
        2,
    )
    assert (water["health_on_track"], water["health_at_risk"], water["health_behind"]) == (1, 1, 1)
    assert (transport["progress_text"], transport["rank"], transport["n_judged"]) == ("—", "—", 0)
    table = common.bureau_detail_table(frame)
    assert list(table.columns[:3]) == ["Rank", "Bureau", "Progress (%)"]
    assert {"✓ On track", "– No data"} <= set(table.columns)
    assert "? Cannot be judged" not in table.columns  # shown only when some measure is in it


def test_tied_bureaus_share_a_rank():
    analytics = _analytics([{"entity_id": 10, "progress_pct": 50.0}, {"entity_id": 12, "progress_pct": 50.0}])
    goals = GOALS[GOALS["id"].isin([10, 12])]
    frame = common.bureau_progress(analytics, goals=goals, bureaus=BUREAUS)
    assert list(frame["rank"]) == ["1", "1"]
    assert list(frame["name"]) == ["Transport", "Water"]  # ties by name


def test_headline_of_a_goal_nothing_maps_to():
    headline = view.goal_headline(HAND_ANALYTICS, goals=GOALS, citywide_goal_id=3)
    assert headline.progress_text == "—"
    assert (headline.n_goals, headline.n_measures, headline.n_bureaus) == (0, 0, 0)
    assert set(headline.health.values()) == {0}
    assert list(headline.actions) == list(ACTION_STATUS_ORDER)
    assert common.counts_line(headline.health, HEALTH) == ""


def test_headline_counts_come_from_the_citywide_rollup():
    analytics = _analytics(
        [{"entity_id": goal_id} for goal_id in (10, 11, 12)],
        [{"entity_id": 1, "progress_pct": 36.19, "n_goals": 3, "n_measures": 4, "health_on_track": 3,
          "health_at_risk": 1, "n_actions": 2, "actions_completed": 2}],
    )  # fmt: skip
    headline = view.goal_headline(analytics, goals=GOALS, citywide_goal_id=1)
    assert (headline.progress_text, headline.n_goals, headline.n_bureaus) == ("36.2 %", 3, 2)
    assert (headline.measures_on_track, headline.measures_off_track) == (3, 1)
    assert common.counts_line(headline.health, HEALTH) == "✓ On track 3 · ✕ At risk 1"


def test_breakdown_by_focus_area_keeps_areas_without_goals():
    areas = pd.DataFrame({"id": [100, 101, 102], "name": ["Workforce", "Contracting", "Data"]})
    frame = view.focus_area_breakdown(HAND_ANALYTICS, goals=GOALS, focus_areas=areas, citywide_goal_id=1)
    rows = frame.set_index("name")
    assert rows.loc["Workforce", "progress_pct"] == pytest.approx(20.0)  # goals 10 (20 %) and 12 (none)
    assert (rows.loc["Workforce", "n_goals"], rows.loc["Workforce", "n_judged"]) == (2, 1)
    assert rows.loc["Workforce", "n_bureaus"] == 2
    assert rows.loc["Contracting", "progress_text"] == "40.0 %"
    assert (rows.loc["Data", "progress_text"], rows.loc["Data", "n_goals"]) == ("—", 0)
    assert rows.loc["Data", "progress_reason"] == "No bureau goal here."
    alt = view.breakdown_alt(frame, by="focus area", goal_number=1, fiscal_year_label="FY 2018-19")
    assert "Workforce: 20.0 % (2 goals); Contracting: 40.0 % (1 goal); Data: no bureau goals." in alt
    table = view.breakdown_table(frame, heading="Focus area")
    assert list(table["Focus area"]) == ["Workforce", "Contracting", "Data"]
    assert table["Progress (%)"].tolist()[:2] == [20.0, 40.0]
    assert not MISSING.search(table.to_csv())


def test_breakdown_by_strategy_counts_a_goal_under_each_of_its_strategies():
    strategies = pd.DataFrame({"id": [1, 2], "name": ["Framework", "Data-driven"]})
    links = pd.DataFrame({"goal_id": [10, 10, 11, 13], "strategy_id": [1, 2, 2, 1]})
    frame = view.strategy_breakdown(
        HAND_ANALYTICS, goals=GOALS, strategies=strategies, links=links, citywide_goal_id=1
    ).set_index("name")
    assert frame.loc["Framework", "n_goals"] == 1  # goal 13 is under another citywide goal
    assert frame.loc["Framework", "progress_text"] == "20.0 %"
    assert frame.loc["Data-driven", "n_goals"] == 2
    assert frame.loc["Data-driven", "progress_text"] == "30.0 %"


def test_health_table_and_alt_text_leave_out_states_with_no_measure():
    health = dict.fromkeys(HEALTH_ORDER, 0) | {"on_track": 3, "at_risk": 1}
    table = common.state_table(health, HEALTH, noun="Measures")
    assert table["State"].tolist() == ["✓ On track", "✕ At risk"]
    assert table["Measures"].tolist() == [3, 1]
    assert table["Share (%)"].tolist() == [75.0, 25.0]
    alt = view.health_alt(health, subject="under goal 1", fiscal_year_label="FY 2018-19")
    for words in ("4 measures", "On track: 3", "At risk: 1"):
        assert words in alt
    assert "No data" not in alt


def test_contributions_alt_names_the_top_and_bottom():
    frame = view.bureau_contributions(HAND_ANALYTICS, goals=GOALS, bureaus=BUREAUS, citywide_goal_id=1)
    alt = view.contributions_alt(frame, goal_number=1, fiscal_year_label="FY 2018-19")
    assert "2 bureaus" in alt
    assert "Highest: Water, 30.0 %" in alt
    assert "1 bureau(s) have no progress to report yet" in alt


# --- the figures --------------------------------------------------------------------------------------


def test_contributions_chart_writes_names_above_bars_and_values_after_them():
    frame = view.bureau_contributions(HAND_ANALYTICS, goals=GOALS, bureaus=BUREAUS, citywide_goal_id=1)
    chart = charts.contributions_chart(frame, goal_number=1, fiscal_year_label="FY 2018-19")
    bars, values, labels = chart.figure.data[:3]
    assert list(bars.x) == [30.0, 0.0]  # no bar for a bureau without progress
    assert [text.strip() for text in values.text] == ["30.0 %", "no progress to report yet"]
    assert list(labels.text) == ["1. Water · 2 goals", "Transport · 1 goal"]
    bottom, top = chart.figure.layout.yaxis.range
    assert bottom > max(bars.y) > min(bars.y) > top  # every bar inside the plot, top down
    assert list(chart.figure.layout.xaxis.range) == [0.0, 100.0]  # a percentage axis stops at 100
    assert chart.title.startswith("Goal 1: bureaus ranked")


def test_long_labels_wrap_for_a_phone_and_are_never_cut():
    assert style.wrap("Portland Bureau of Emergency Management · reported for FY 2016-17", 46) == (
        "Portland Bureau of Emergency Management<br>reported for FY 2016-17"
    )
    assert style.wrap("short", 46) == "short"
    assert style.wrap("x" * 60, 46) == "x" * 60  # one long word stays whole
    frame = pd.DataFrame(
        {"name": ["A very long bureau name that goes on · and on and on", "Short"], "v": [1.0, 2.0]}
    )
    frame["t"] = ["1", "2"]
    figure = style.labelled_bars(frame, label="name", value="v", text="t", x_title="X", x_range=(0, 2))
    bars = figure.data[0]
    # The two-line label gets one more line of room than the one-line one.
    assert bars.y[1] - bars.y[0] == pytest.approx(style.LINE_PX + 3 + style.BAR_PX + style.GAP_PX)
    assert bars.y[0] == pytest.approx(style.TOP_PAD_PX + 2 * style.LINE_PX + 3 + style.BAR_PX / 2)


def test_health_chart_leaves_out_states_with_no_measure():
    health = dict.fromkeys(HEALTH_ORDER, 0) | {"on_track": 5, "out_of_date": 2}
    figure = style.health_chart(health, title="Measures by health").figure
    assert list(figure.data[2].text) == ["✓ On track", "◷ Out of date"]
    assert list(figure.data[0].marker.color) == [HEALTH["on_track"].colour, HEALTH["out_of_date"].colour]
    assert list(figure.layout.xaxis.range) == [0.0, 5.0]
