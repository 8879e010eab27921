"""The compare-bureaus page: every choice renders on the demo city; its empty states; and the views
and figures behind it on small hand-made frames. (Its figures on the golden city are in
test_pages.py.)"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
from apptest_support import open_app, shown, tables
from principals import PUBLIC
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from equity_tracking import reads
from equity_tracking.analytics.pipeline import Analytics
from equity_tracking.analytics.states import HEALTH
from equity_tracking.charts import compare as charts
from equity_tracking.dashboards import compare as view
from equity_tracking.dashboards.common import COUNT_COLUMNS
from equity_tracking.models import (
    Bureau,
    BureauGoal,
    CitywideGoal,
    FocusArea,
    Frequency,
    Measure,
    Plan,
    PlanStatus,
    Polarity,
    RbaCategory,
    Unit,
)
from equity_tracking.suppression import GroupSetup, PublicView

FY_KEY = "2018-19"
MISSING = re.compile(r"\b(nan|none|<NA>|NaT)\b", re.IGNORECASE)  # what a reader must never see
FOCUS_KEYS = ["commitment", "leadership", "workforce", "community_access", "contracting", "data_metrics"]


def _app(monkeypatch, engine, **query: str) -> AppTest:
    return open_app("pages/compare.py", engine, monkeypatch, query=query)


def _table(app: AppTest, *columns: str) -> pd.DataFrame:
    """The first table shown with these columns."""
    return next(frame for frame in tables(app) if set(columns) <= set(frame.columns))


def _all_text(app: AppTest) -> str:
    parts = [element.value for element in (*app.markdown, *app.caption, *app.info, *app.header)]
    parts += [f"{metric.label} {metric.value}" for metric in app.metric]
    parts += [frame.to_csv(index=False) for frame in tables(app)]
    return "\n".join(parts)


# --- on the demo city: every choice renders, and never writes a missing number as "nan" --------------


def test_every_focus_area_renders(demo_engine, monkeypatch):
    focus_areas = reads.focus_areas(demo_engine)
    assert sorted(focus_areas["key"]) == sorted(FOCUS_KEYS)
    app = _app(monkeypatch, demo_engine, fy=FY_KEY)
    app.run()
    for area in focus_areas.itertuples():
        app.query_params["focus"] = area.key
        app.run()
        assert not app.exception, area.key
        assert shown(app.header[0].value) == area.name
        assert not MISSING.search(_all_text(app)), area.key


def test_measure_choices_are_the_names_two_or_more_bureaus_report(demo_engine):
    definitions = reads.measure_definitions(demo_engine, viewer=PUBLIC)
    counts = definitions.groupby("name")["bureau_id"].nunique()
    options = view.shared_measure_names(definitions)
    assert set(options) == set(counts[counts >= 2].index)
    assert options["Promotion rate"] == f"Promotion rate · {counts['Promotion rate']} bureaus"


# One name per unit, and one that a bureau reports twice.
MEASURE_NAMES = [
    "Share of new hires who are people of color",  # percent
    "Median days from job posting to offer",  # days, lower is better
    "Budget dedicated to racial equity work",  # dollars
    "Employees by race/ethnicity",  # count, neutral: tracked, never judged
    "Bids received per solicitation",  # rate, reported twice by one bureau
]


def test_every_kind_of_shared_measure_renders(demo_engine, monkeypatch):
    app = _app(monkeypatch, demo_engine, by=view.BY_MEASURE, fy=FY_KEY)
    app.run()
    for name in MEASURE_NAMES:
        app.query_params["measure_name"] = name
        app.run()
        assert not app.exception, name
        assert shown(app.header[0].value) == name
        assert not MISSING.search(_all_text(app)), name
        if name == "Employees by race/ethnicity":
            table = _table(app, "Current value", "Health")
            assert set(table["Health"]) <= {"◇ Tracked, not judged", "– No data"}  # never judged


# --- empty states -------------------------------------------------------------------------------------


def test_empty_database_says_what_is_missing(engine, monkeypatch):
    app = _app(monkeypatch, engine)
    app.run()
    assert not app.exception
    assert any("focus areas are not in the database yet" in info.value for info in app.info)
    app = _app(monkeypatch, engine, by=view.BY_MEASURE)
    app.run()
    assert not app.exception
    assert any("No measure is reported under the same name" in info.value for info in app.info)


def _small_city(engine, *, shared_measure: bool) -> None:
    """Two bureaus with one goal each under citywide goal 1, both in workforce; a measure named the
    same in both (without values) or only in one."""
    with Session(engine) as session:
        citywide = CitywideGoal(number=1, short_title="End disparities", text="Goal text.")
        areas = [
            FocusArea(key="workforce", name="Workforce"),
            FocusArea(key="contracting", name="Contracting"),
        ]
        session.add_all([citywide, *areas])
        session.flush()
        for code in ("WA", "TR"):
            bureau = Bureau(code=code, name=f"Bureau {code}")
            session.add(bureau)
            session.flush()
            plan = Plan(
                bureau_id=bureau.id,
                title="Plan",
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
                title="Goal",
                citywide_goal_id=citywide.id,
                focus_area_id=areas[0].id,
            )
            session.add(goal)
            session.flush()
            if shared_measure or code == "WA":
                session.add(
                    Measure(
                        goal_id=goal.id,
                        key="G1-M1",
                        name="Promotion rate",
                        unit=Unit.PERCENT,
                        polarity=Polarity.HIGHER_IS_BETTER,
                        rba_category=RbaCategory.BETTER_OFF,
                        frequency=Frequency.ANNUAL,
                    )
                )
        session.commit()


def test_focus_area_without_goals_explains_who_can_fix_it(engine, monkeypatch):
    _small_city(engine, shared_measure=False)
    app = _app(monkeypatch, engine, focus="contracting", fy=FY_KEY)
    app.run()
    assert not app.exception
    [info] = app.info
    assert "No bureau has a goal in Contracting yet" in info.value
    assert "Office of Equity and Human Rights" in info.value
    assert not app.get("plotly_chart")


def test_no_shared_measure_names_explains_who_can_fix_it(engine, monkeypatch):
    _small_city(engine, shared_measure=False)
    app = _app(monkeypatch, engine, by=view.BY_MEASURE, fy=FY_KEY)
    app.run()
    assert not app.exception
    assert any("No measure is reported under the same name" in info.value for info in app.info)


def test_measure_without_values_shows_dashes_not_nan(engine, monkeypatch):
    _small_city(engine, shared_measure=True)
    app = _app(monkeypatch, engine, by=view.BY_MEASURE, fy=FY_KEY)
    app.run()
    assert not app.exception
    table = _table(app, "Current value", "Health")
    assert set(table["Current value"]) == {"—"}
    assert set(table["Health"]) == {"? Cannot be judged"}  # no baseline, target or values
    assert not MISSING.search(_all_text(app))
    # And the focus area with goals but no measures with values.
    app = _app(monkeypatch, engine, focus="workforce", fy=FY_KEY)
    app.run()
    assert not app.exception
    assert {metric.label: metric.value for metric in app.metric}["Progress to target"] == "—"
    assert not MISSING.search(_all_text(app))


# --- the views on hand-made frames ------------------------------------------------------------------


def _public(measures: pd.DataFrame, rollups: dict | None = None) -> PublicView:
    empty = pd.DataFrame()
    analytics = Analytics(pd.Timestamp("2019-09-30"), measures, empty, empty, empty, empty, rollups or {})
    return PublicView(analytics=analytics, measures=empty, setup=GroupSetup(frozenset(), {}))


DEFINITIONS = pd.DataFrame(
    {
        "measure_id": [1, 2, 3, 4, 5],
        "bureau_id": [1, 2, 2, 3, 1],
        "key": ["G1-M1", "G1-M1", "G2-M1", "G1-M1", "G1-M2"],
        "name": ["Days to hire", "Days to hire", "Days to hire", "Days to hire", "Only here"],
        "unit": ["days", "days", "days", "percent", "count"],
        "polarity": ["lower_is_better"] * 4 + ["higher_is_better"],
    }
)
BUREAUS = pd.DataFrame({"id": [1, 2, 3], "code": ["WA", "TR", "PK"], "name": ["Water", "Transport", "Parks"]})
SCORECARD = pd.DataFrame(
    {
        "measure_id": [1, 2, 3, 4, 5],
        "current_value": [40.0, 55.5, np.nan, 12.0, 3.0],
        "current_period": ["FY 2018-19", "FY 2016-17", None, "FY 2018-19", "FY 2018-19"],
        "current_period_end": pd.to_datetime(["2019-06-30", "2017-06-30", None, "2019-06-30", "2019-06-30"]),
        "target_value": [30.0, 45.0, 45.0, 10.0, 5.0],
        "target_period": ["FY 2020-21"] * 5,
        "progress_pct_clamped": [50.0, 10.0, np.nan, 80.0, 20.0],
        "health": ["on_track", "at_risk", "no_data", "achieved", "behind"],
        "health_reason": ["r1", "r2", "Nothing has been reported.", "r4", "r5"],
    }
)


def test_shared_measure_names_count_bureaus_not_measures():
    assert view.shared_measure_names(DEFINITIONS) == {"Days to hire": "Days to hire · 3 bureaus"}
    one_bureau_twice = DEFINITIONS[DEFINITIONS["bureau_id"] == 2]
    assert view.shared_measure_names(one_bureau_twice) == {}
    assert view.shared_measure_names(DEFINITIONS.iloc[0:0]) == {}


def test_measure_comparison_rows():
    frame = view.measure_comparison(
        _public(SCORECARD), definitions=DEFINITIONS, bureaus=BUREAUS, name="Days to hire", fiscal_year=2018
    )
    assert list(frame["label"]) == ["Parks", "Water", "Transport (G1-M1)", "Transport (G2-M1)"]
    rows = frame.set_index("label")
    assert rows.loc["Water", "value_text"] == "40 days"
    assert rows.loc["Parks", "value_text"] == "12.0 %"
    assert rows.loc["Transport (G2-M1)", "value_text"] == "—"
    assert rows.loc["Transport (G2-M1)", "progress_text"] == "—"
    assert rows.loc["Transport (G2-M1)", "health_text"] == "– No data"
    assert bool(rows.loc["Transport (G1-M1)", "stale"])  # reported for FY 2016-17, shown for FY 2018-19
    assert not bool(rows.loc["Water", "stale"])
    table = view.measure_table(frame)
    assert list(table.columns) == [
        *["Bureau", "Current value", "Target"],
        *["Progress to target", "Health", "Reported for", "Target year"],
    ]
    assert not MISSING.search(table.to_csv())


def test_values_in_different_units_get_a_chart_each_best_first():
    frame = view.measure_comparison(
        _public(SCORECARD), definitions=DEFINITIONS, bureaus=BUREAUS, name="Days to hire", fiscal_year=2018
    )
    parts = view.by_unit(frame)
    assert [unit for unit, _ in parts] == ["days", "percent"]
    days = parts[0][1]
    assert list(days["label"]) == ["Water", "Transport (G1-M1)", "Transport (G2-M1)"]  # lower is better
    counts = view.health_counts(frame)
    assert counts["achieved"] == counts["on_track"] == counts["at_risk"] == counts["no_data"] == 1
    alt = view.value_alt(days, name="Days to hire", fiscal_year_label="FY 2018-19")
    assert "the latest value of 2 bureaus (3 measures)" in alt
    assert "From Water, 40 days (target 30 days)" in alt
    assert "1 bureau(s) have reported no value yet" in alt
    figure = charts.value_chart(days, name="Days to hire", unit="days", fiscal_year_label="FY 2018-19").figure
    assert figure.layout.xaxis.title.text == "Latest value (days)"
    assert [text.strip() for text in figure.data[1].text] == ["40 days", "55.5 days", "no value reported yet"]
    # The value is written after the target when the target lies further right.
    assert list(figure.data[1].x) == [40.0, 55.5, 45.0]


def test_measure_progress_chart_shows_health_in_words():
    frame = view.measure_comparison(
        _public(SCORECARD), definitions=DEFINITIONS, bureaus=BUREAUS, name="Days to hire", fiscal_year=2018
    )
    figure = charts.measure_progress_chart(frame, name="Days to hire", fiscal_year_label="FY 2018-19").figure
    labels = list(figure.data[2].text)
    assert labels[0] == "Parks · ★ Achieved"
    assert list(figure.data[0].marker.color) == [HEALTH[state].colour for state in frame["health"]]


def test_focus_area_comparison_is_the_mean_of_each_bureaus_goals_in_it():
    rollup = pd.DataFrame({"entity_id": [10, 11, 12], "progress_pct": [20.0, 60.0, np.nan]})
    for column in COUNT_COLUMNS:
        if column not in rollup:
            rollup[column] = 0
    goals = pd.DataFrame({"id": [10, 11, 12], "bureau_id": [1, 1, 2], "focus_area_id": [7, 7, 7]})
    frame = view.focus_area_comparison(
        _public(pd.DataFrame(), {"goal": rollup}), goals=goals, bureaus=BUREAUS, focus_area_id=7
    )
    assert list(frame["name"]) == ["Water", "Transport"]
    assert list(frame["progress_text"]) == ["40.0 %", "—"]
    assert view.bureaus_without(frame, BUREAUS) == ["Parks"]
    assert view.coverage_text(frame, BUREAUS[BUREAUS["id"] != 2]) == "2 of 3"  # Transport is inactive
    alt = view.focus_alt(frame, focus_name="Workforce", fiscal_year_label="FY 2018-19")
    assert "Highest: Water, 40.0 %" in alt
    assert "1 bureau(s) have no progress to report yet" in alt
