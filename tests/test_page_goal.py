"""The citywide-goal page: its numbers equal the analytics', for every goal; its empty states; and
the page-shaped views and figures behind it, on small hand-made frames."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from apptest_support import database_url, open_app
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from equity_tracking import reads
from equity_tracking.analytics.pipeline import Analytics
from equity_tracking.analytics.states import ACTION_STATUS_ORDER, HEALTH, HEALTH_ORDER
from equity_tracking.charts import goal as charts
from equity_tracking.dashboards import goal as view
from equity_tracking.formatting import percent
from equity_tracking.models import Bureau, BureauGoal, CitywideGoal, FocusArea, Plan, PlanStatus, Strategy

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GOAL_PAGE = str(PROJECT_ROOT / "pages" / "citywide_goal.py")
FY_KEY, FY_START = "2018-19", 2018
MISSING = re.compile(r"\b(nan|none|<NA>|NaT)\b", re.IGNORECASE)  # what a reader must never see


@pytest.fixture(scope="module")
def analytics(analytics_as_of) -> Analytics:
    return analytics_as_of(FY_START)


def _url(engine) -> str:
    return database_url(engine)


def _app(monkeypatch, engine, **state: str) -> AppTest:
    return open_app("pages/citywide_goal.py", engine, monkeypatch, state=state)


def _table(app: AppTest, column: str) -> pd.DataFrame:
    """The first table shown with this column."""
    return next(frame.value for frame in app.dataframe if column in frame.value.columns)


def _all_text(app: AppTest) -> str:
    parts = [element.value for element in (*app.markdown, *app.caption, *app.info, *app.header)]
    parts += [f"{metric.label} {metric.value}" for metric in app.metric]
    for frame in app.dataframe:
        parts.append(frame.value.to_csv(index=False))
    return "\n".join(parts)


def _goal_progress_by_hand(analytics: Analytics) -> pd.Series:
    """Each bureau goal's progress from the measure scorecards: the mean clamped progress of its
    measures that have one (the rule the roll-ups document)."""
    return analytics.measures.groupby("goal_id")["progress_pct_clamped"].mean()


def _mean_text(values: pd.Series) -> str:
    return percent(values.mean()) if values.notna().any() else percent(None)


@pytest.mark.parametrize("number", [1, 2, 3])
def test_goal_page_numbers_equal_the_analytics(demo_engine, analytics, monkeypatch, number):
    app = _app(monkeypatch, demo_engine, goal=str(number), fy=FY_KEY)
    app.run()
    assert not app.exception

    citywide = reads.citywide_goals(demo_engine).set_index("number").loc[number]
    goals = reads.goals(demo_engine)
    under = goals[goals["citywide_goal_number"] == number]
    rollup = analytics.rollups["citywide_goal"].set_index("entity_id").loc[citywide["id"]]

    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics == {
        "Progress to target": percent(rollup["progress_pct"]),
        "Bureau goals": f"{int(rollup['n_goals']):,}",
        "Measures": f"{int(rollup['n_measures']):,}",
    }
    text = _all_text(app)
    assert citywide["text"] in text
    for state in HEALTH_ORDER:
        count = int(rollup[f"health_{state}"])
        if count:
            assert f"{HEALTH[state].icon} {HEALTH[state].label} **{count:,}**" in text
    assert f"**Actions by status** ({int(rollup['n_actions']):,})" in text

    # The bureaus' contributions: every bureau with a goal here, each the mean progress of its goals
    # under this citywide goal, computed from the measure scorecards, best first.
    by_goal = _goal_progress_by_hand(analytics)
    bureaus = reads.bureaus(demo_engine, include_inactive=True).set_index("id")
    expected = {
        bureaus.loc[bureau_id, "name"]: _mean_text(by_goal.reindex(rows["id"]))
        for bureau_id, rows in under.groupby("bureau_id")
    }
    table = _table(app, "Open")
    assert dict(zip(table["Bureau"], table["Progress"], strict=True)) == expected
    shown = table["Progress"].str.rstrip(" %").replace("—", np.nan).astype(float)
    assert shown.dropna().is_monotonic_decreasing
    codes = bureaus.set_index("name")["code"]
    assert list(table["Open"]) == [f"bureau?bureau={codes[name]}&fy={FY_KEY}" for name in table["Bureau"]]
    assert list(table["Rank"][: shown.notna().sum()]) == [
        str(int(rank)) for rank in shown.dropna().rank(method="min", ascending=False)
    ]
    # The chart's own table says the same, in the same order.
    chart_table = _table(app, "Goals with progress")
    assert list(chart_table["Bureau"]) == list(table["Bureau"])
    assert list(chart_table["Progress"]) == list(table["Progress"])

    # One contribution by hand: the top bureau's mean over its goals' progress.
    top = table.iloc[0]
    top_goals = under[under["bureau_id"] == bureaus.index[bureaus["name"] == top["Bureau"]][0]]
    goal_values = [by_goal.get(goal_id, np.nan) for goal_id in top_goals["id"]]
    assert top["Progress"] == percent(np.nanmean(goal_values))
    assert top["Bureau goals"] == len(top_goals)

    # Measures by health: the roll-up's counts.
    health = _table(app, "Share")
    assert list(health["Measures"]) == [int(rollup[f"health_{state}"]) for state in HEALTH_ORDER]

    # By focus area and by strategy: the mean progress of the bureau goals under this citywide goal.
    focus = _table(app, "Focus area").set_index("Focus area")
    for area in reads.focus_areas(demo_engine).itertuples():
        in_area = under[under["focus_area_id"] == area.id]
        assert focus.loc[area.name, "Progress"] == _mean_text(by_goal.reindex(in_area["id"]))
        assert focus.loc[area.name, "Bureau goals"] == len(in_area)
    links = reads.goal_strategy_links(demo_engine)
    strategy = _table(app, "Strategy").set_index("Strategy")
    for item in reads.strategies(demo_engine).itertuples():
        linked = links.loc[links["strategy_id"] == item.id, "goal_id"]
        in_strategy = under[under["id"].isin(linked)]
        assert strategy.loc[item.name, "Progress"] == _mean_text(by_goal.reindex(in_strategy["id"]))
        assert strategy.loc[item.name, "Bureau goals"] == len(in_strategy)

    assert not MISSING.search(text)


def test_goal_page_warm_rerun_is_fast(demo_engine, monkeypatch):
    app = _app(monkeypatch, demo_engine, goal="1", fy=FY_KEY)
    app.run()
    started = time.perf_counter()
    app.run()
    warm = time.perf_counter() - started
    assert not app.exception
    # The budget is 300 ms on the demo database; this guard leaves room for a busy test machine.
    assert warm < 1.5, f"warm rerun took {warm:.2f} s"


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
    table = _table(app, "Open")
    assert set(table["Progress"]) == {"—"}
    assert set(table["Rank"]) == {"—"}
    assert not MISSING.search(_all_text(app))


# --- the views on hand-made frames ------------------------------------------------------------------


def _rollup(level: str, rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in view.COUNT_COLUMNS:
        if column not in frame:
            frame[column] = 0
    frame["level"] = level
    frame["progress_reason"] = "Mean progress of some goals."
    return frame


def _analytics(goal_rows: list[dict], citywide_rows: list[dict] | None = None) -> Analytics:
    empty = pd.DataFrame()
    rollups = {
        "goal": _rollup("goal", goal_rows),
        "citywide_goal": _rollup("citywide_goal", citywide_rows or [{"entity_id": 1, "progress_pct": 30.0}]),
    }
    return Analytics(pd.Timestamp("2019-09-30"), empty, empty, empty, empty, empty, rollups)


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
    frame = view.bureau_contributions(
        HAND_ANALYTICS, goals=GOALS, bureaus=BUREAUS, citywide_goal_id=1, fiscal_year_key="2018-19"
    )
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
    assert water["link"] == "bureau?bureau=WA&fy=2018-19"
    table = view.bureau_detail_table(frame)
    assert list(table.columns[:4]) == ["Open", "Rank", "Bureau", "Progress"]
    assert {"✓ On track", "– No data"} <= set(table.columns)
    assert "? Cannot be judged" not in table.columns  # shown only when some measure is in it


def test_tied_bureaus_share_a_rank():
    analytics = _analytics([{"entity_id": 10, "progress_pct": 50.0}, {"entity_id": 12, "progress_pct": 50.0}])
    goals = GOALS[GOALS["id"].isin([10, 12])]
    frame = view.bureau_progress(analytics, goals=goals, bureaus=BUREAUS, fiscal_year_key="2018-19")
    assert list(frame["rank"]) == ["1", "1"]
    assert list(frame["name"]) == ["Transport", "Water"]  # ties by name


def test_headline_of_a_goal_nothing_maps_to():
    headline = view.goal_headline(HAND_ANALYTICS, goals=GOALS, citywide_goal_id=3)
    assert headline.progress_text == "—"
    assert (headline.n_goals, headline.n_measures, headline.n_bureaus) == (0, 0, 0)
    assert set(headline.health.values()) == {0}
    assert list(headline.actions) == list(ACTION_STATUS_ORDER)
    assert view.health_line(headline.health) == "No measures."


def test_headline_counts_come_from_the_citywide_rollup():
    analytics = _analytics(
        [],
        [{"entity_id": 1, "progress_pct": 36.19, "n_goals": 3, "n_measures": 4, "health_on_track": 3,
          "health_at_risk": 1, "n_actions": 2, "actions_completed": 2}],
    )  # fmt: skip
    headline = view.goal_headline(analytics, goals=GOALS, citywide_goal_id=1)
    assert (headline.progress_text, headline.n_goals, headline.n_bureaus) == ("36.2 %", 3, 2)
    assert (headline.measures_on_track, headline.measures_off_track) == (3, 1)
    assert view.health_line(headline.health) == "✓ On track **3** · ✕ At risk **1**"
    assert view.actions_line(headline.actions) == "★ Completed **2**"


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


def test_health_table_and_alt_text():
    health = dict.fromkeys(HEALTH_ORDER, 0) | {"on_track": 3, "at_risk": 1}
    table = view.health_table(health)
    assert list(table["Measures"]) == [0, 3, 0, 1, 0, 0, 0]
    assert table.loc[1, "Share"] == "75.0 %"
    assert view.health_table(dict.fromkeys(HEALTH_ORDER, 0))["Share"].eq("—").all()
    alt = view.health_alt(health, subject="under goal 1", fiscal_year_label="FY 2018-19")
    for words in ("4 measures", "On track: 3", "At risk: 1"):
        assert words in alt


def test_contributions_alt_names_the_top_and_bottom():
    frame = view.bureau_contributions(
        HAND_ANALYTICS, goals=GOALS, bureaus=BUREAUS, citywide_goal_id=1, fiscal_year_key="2018-19"
    )
    alt = view.contributions_alt(frame, goal_number=1, fiscal_year_label="FY 2018-19")
    assert "2 bureaus" in alt
    assert "Highest: Water, 30.0 %" in alt
    assert "1 bureau(s) have no progress to report yet" in alt


# --- the figures --------------------------------------------------------------------------------------


def test_contributions_chart_writes_names_above_bars_and_values_after_them():
    frame = view.bureau_contributions(
        HAND_ANALYTICS, goals=GOALS, bureaus=BUREAUS, citywide_goal_id=1, fiscal_year_key="2018-19"
    )
    figure = charts.contributions_chart(frame, goal_number=1, fiscal_year_label="FY 2018-19")
    bars, values, labels = figure.data[:3]
    assert list(bars.x) == [30.0, 0.0]  # no bar for a bureau without progress
    assert [text.strip() for text in values.text] == ["30.0 %", "no progress to report yet"]
    assert list(labels.text) == ["1. Water · 2 goals", "Transport · 1 goal"]
    bottom, top = figure.layout.yaxis.range
    assert bottom > max(bars.y) > min(bars.y) > top  # every bar inside the plot, top down
    assert figure.layout.title.text.startswith("Goal 1: bureaus ranked")
    assert "Source:" in figure.layout.annotations[0].text


def test_long_labels_and_titles_wrap_for_a_phone():
    assert charts.wrap("Portland Bureau of Emergency Management · reported for FY 2016-17", 46) == (
        "Portland Bureau of Emergency Management<br>reported for FY 2016-17"
    )
    assert charts.wrap("short", 46) == "short"
    assert charts.wrap("x" * 60, 46) == "x" * 60  # one long word stays whole
    frame = pd.DataFrame(
        {"name": ["A very long bureau name that goes on · and on and on", "Short"], "v": [1.0, 2.0]}
    )
    frame["t"] = ["1", "2"]
    figure = charts.labelled_bars(
        frame, label="name", value="v", text="t", title="T", source="S", x_title="X", x_range=(0, 2)
    )
    bars = figure.data[0]
    # The two-line label gets one more line of room than the one-line one.
    assert bars.y[1] - bars.y[0] == pytest.approx(charts.LINE_PX + 3 + charts.BAR_PX + charts.GAP_PX)
    assert bars.y[0] == pytest.approx(charts.TOP_PAD_PX + 2 * charts.LINE_PX + 3 + charts.BAR_PX / 2)


def test_health_chart_labels_every_state_with_icon_and_words():
    health = dict.fromkeys(HEALTH_ORDER, 0) | {"on_track": 5}
    figure = charts.health_chart(health, title="Measures by health")
    labels = list(figure.data[2].text)
    assert labels == [f"{HEALTH[state].icon} {HEALTH[state].label}" for state in HEALTH_ORDER]
    assert list(figure.data[0].marker.color) == [HEALTH[state].colour for state in HEALTH_ORDER]
    assert list(figure.layout.xaxis.range) == [0.0, 5.0]
