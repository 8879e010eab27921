"""The compare-bureaus page: by focus area and by measure its numbers equal the analytics'; its
empty states; and the views and figures behind it, on small hand-made frames."""

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
from equity_tracking.analytics.states import HEALTH, HEALTH_ORDER
from equity_tracking.charts import compare as charts
from equity_tracking.dashboards import compare as view
from equity_tracking.dashboards.goal import COUNT_COLUMNS
from equity_tracking.formatting import number, percent
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

PROJECT_ROOT = Path(__file__).resolve().parent.parent
COMPARE_PAGE = str(PROJECT_ROOT / "pages" / "compare.py")
FY_KEY, FY_START = "2018-19", 2018
MISSING = re.compile(r"\b(nan|none|<NA>|NaT)\b", re.IGNORECASE)  # what a reader must never see
FOCUS_KEYS = ["commitment", "leadership", "workforce", "community_access", "contracting", "data_metrics"]


@pytest.fixture(scope="module")
def analytics(analytics_as_of) -> Analytics:
    return analytics_as_of(FY_START)


def _url(engine) -> str:
    return database_url(engine)


def _app(monkeypatch, engine, **state: str) -> AppTest:
    return open_app("pages/compare.py", engine, monkeypatch, state=state)


def _table(app: AppTest, *columns: str) -> pd.DataFrame:
    """The first table shown with these columns."""
    return next(frame.value for frame in app.dataframe if set(columns) <= set(frame.value.columns))


def _all_text(app: AppTest) -> str:
    parts = [element.value for element in (*app.markdown, *app.caption, *app.info, *app.header)]
    parts += [f"{metric.label} {metric.value}" for metric in app.metric]
    parts += [frame.value.to_csv(index=False) for frame in app.dataframe]
    return "\n".join(parts)


def _mean_text(values: pd.Series) -> str:
    return percent(values.mean()) if values.notna().any() else percent(None)


# --- by focus area ------------------------------------------------------------------------------------


def test_every_focus_area_compares_without_errors_and_equals_the_analytics(
    demo_engine, analytics, monkeypatch
):
    focus_areas = reads.focus_areas(demo_engine)
    assert sorted(focus_areas["key"]) == sorted(FOCUS_KEYS)
    goals = reads.goals(demo_engine)
    bureaus = reads.bureaus(demo_engine, include_inactive=True).set_index("id")
    # Each bureau goal's progress from the measure scorecards (the rule the roll-ups document).
    by_goal = analytics.measures.groupby("goal_id")["progress_pct_clamped"].mean()
    rollup = analytics.rollups["focus_area"].set_index("entity_id")
    app = _app(monkeypatch, demo_engine, fy=FY_KEY)
    for area in focus_areas.itertuples():
        app.session_state["focus"] = area.key
        app.run()
        assert not app.exception, area.key
        assert app.header[0].value == area.name
        metrics = {metric.label: metric.value for metric in app.metric}
        assert metrics["Progress to target"] == percent(rollup.loc[area.id, "progress_pct"])
        assert metrics["Bureau goals"] == f"{int(rollup.loc[area.id, 'n_goals']):,}"

        in_area = goals[goals["focus_area_id"] == area.id]
        expected = {
            bureaus.loc[bureau_id, "name"]: _mean_text(by_goal.reindex(rows["id"]))
            for bureau_id, rows in in_area.groupby("bureau_id")
        }
        table = _table(app, "Open", "Progress")
        assert dict(zip(table["Bureau"], table["Progress"], strict=True)) == expected
        assert metrics["Bureaus with goals here"] == f"{len(expected)} of {len(reads.bureaus(demo_engine))}"
        assert table["Open"].str.fullmatch(rf"bureau\?bureau=[A-Z]{{2}}&fy={FY_KEY}").all()
        # Each bureau's measures by health add up to the focus area's.
        assert table["✓ On track"].sum() == rollup.loc[area.id, "health_on_track"]
        assert table["✕ At risk"].sum() == rollup.loc[area.id, "health_at_risk"]
        health = _table(app, "Health", "Share")
        assert list(health["Measures"]) == [int(rollup.loc[area.id, f"health_{s}"]) for s in HEALTH_ORDER]
        assert not MISSING.search(_all_text(app)), area.key


def test_focus_area_warm_rerun_is_fast(demo_engine, monkeypatch):
    app = _app(monkeypatch, demo_engine, focus="workforce", fy=FY_KEY)
    app.run()
    started = time.perf_counter()
    app.run()
    warm = time.perf_counter() - started
    assert not app.exception
    # The budget is 300 ms on the demo database; this guard leaves room for a busy test machine.
    assert warm < 1.5, f"warm rerun took {warm:.2f} s"


# --- by measure ---------------------------------------------------------------------------------------


def _shared_names(demo_engine) -> pd.Series:
    definitions = reads.measure_definitions(demo_engine)
    counts = definitions.groupby("name")["bureau_id"].nunique()
    return counts[counts >= 2]


def test_measure_choices_are_the_names_two_or_more_bureaus_report(demo_engine):
    options = view.shared_measure_names(reads.measure_definitions(demo_engine))
    shared = _shared_names(demo_engine)
    assert set(options) == set(shared.index)
    assert options["Promotion rate"] == f"Promotion rate · {shared['Promotion rate']} bureaus"


# One name per unit, and one that a bureau reports twice.
MEASURE_NAMES = [
    "Share of new hires who are people of color",  # percent
    "Median days from job posting to offer",  # days, lower is better
    "Budget dedicated to racial equity work",  # dollars
    "Employees by race/ethnicity",  # count, neutral
    "Bids received per solicitation",  # rate, reported twice by one bureau
]


def test_measure_comparison_values_equal_the_analytics(demo_engine, analytics, monkeypatch):
    definitions = reads.measure_definitions(demo_engine)
    bureaus = reads.bureaus(demo_engine, include_inactive=True).set_index("id")
    scorecard = analytics.measures.set_index("measure_id")
    app = _app(monkeypatch, demo_engine, by=view.BY_MEASURE, fy=FY_KEY)
    for name in MEASURE_NAMES:
        app.session_state["measure_name"] = name
        app.run()
        assert not app.exception, name
        assert app.header[0].value == name
        chosen = definitions[definitions["name"] == name]
        table = _table(app, "Open", "Current value")
        assert len(table) == len(chosen)
        twice = chosen["bureau_id"].duplicated(keep=False)
        expected = {}
        for row, repeated in zip(chosen.itertuples(), twice, strict=True):
            card = scorecard.loc[row.measure_id]
            label = bureaus.loc[row.bureau_id, "name"] + (f" ({row.key})" if repeated else "")
            expected[label] = (
                number(card["current_value"], unit=row.unit),
                number(card["target_value"], unit=row.unit),
                percent(card["progress_pct_clamped"]),
                f"{HEALTH[card['health']].icon} {HEALTH[card['health']].label}",
            )
        columns = ["Current value", "Target", "Progress to target", "Health"]
        shown = dict(zip(table["Bureau"], table[columns].itertuples(index=False, name=None), strict=True))
        assert shown == expected, name
        metrics = {metric.label: metric.value for metric in app.metric}
        assert metrics["Bureaus reporting it"] == str(chosen["bureau_id"].nunique())
        good = scorecard.loc[chosen["measure_id"], "health"].isin(["achieved", "on_track"]).sum()
        assert metrics["★ ✓ Measures achieved or on track"] == f"{good} of {len(chosen)}"
        # Units on the axis of the value chart.
        figure = app.get("plotly_chart")[0].proto.spec
        assert f"Latest value ({view.unit_word(chosen['unit'].iloc[0])})" in figure
        assert not MISSING.search(_all_text(app)), name


def test_measure_value_chart_marks_targets(demo_engine, analytics):
    definitions = reads.measure_definitions(demo_engine)
    comparison = view.measure_comparison(
        analytics,
        definitions=definitions,
        bureaus=reads.bureaus(demo_engine),
        name="Share of new hires who are people of color",
        fiscal_year=FY_START,
    )
    [(unit, part)] = view.by_unit(comparison)
    figure = charts.value_chart(part, name="Share", unit=unit, fiscal_year_label="FY 2018-19")
    bars, _, labels, targets = figure.data
    assert list(bars.x) == pytest.approx(list(part["current_value"]))
    assert list(targets.x) == pytest.approx(list(part["target_value"].dropna()))
    assert targets.name == "Target"
    assert figure.layout.xaxis.title.text == "Latest value (%)"
    assert figure.layout.xaxis.ticksuffix == " %"
    # Best first: for a higher-is-better measure, the highest value first.
    assert list(bars.x) == sorted(bars.x, reverse=True)
    assert all(
        "reported for FY" in text for text, stale in zip(labels.text, part["stale"], strict=True) if stale
    )


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
    table = _table(app, "Open", "Current value")
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


def _analytics(measures: pd.DataFrame) -> Analytics:
    empty = pd.DataFrame()
    return Analytics(pd.Timestamp("2019-09-30"), measures, empty, empty, empty, empty, {})


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
        _analytics(SCORECARD), definitions=DEFINITIONS, bureaus=BUREAUS, name="Days to hire", fiscal_year=2018
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
    assert rows.loc["Water", "link"] == "bureau?bureau=WA&fy=2018-19"
    table = view.measure_table(frame)
    assert list(table.columns) == [
        *["Open", "Bureau", "Current value", "Target"],
        *["Progress to target", "Health", "Reported for", "Target year"],
    ]
    assert not MISSING.search(table.to_csv())


def test_values_in_different_units_get_a_chart_each_best_first():
    frame = view.measure_comparison(
        _analytics(SCORECARD), definitions=DEFINITIONS, bureaus=BUREAUS, name="Days to hire", fiscal_year=2018
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
    figure = charts.value_chart(days, name="Days to hire", unit="days", fiscal_year_label="FY 2018-19")
    assert figure.layout.xaxis.title.text == "Latest value (days)"
    assert [text.strip() for text in figure.data[1].text] == ["40 days", "55.5 days", "no value reported yet"]
    # The value is written after the target when the target lies further right.
    assert list(figure.data[1].x) == [40.0, 55.5, 45.0]


def test_measure_progress_chart_shows_health_in_words():
    frame = view.measure_comparison(
        _analytics(SCORECARD), definitions=DEFINITIONS, bureaus=BUREAUS, name="Days to hire", fiscal_year=2018
    )
    figure = charts.measure_progress_chart(frame, name="Days to hire", fiscal_year_label="FY 2018-19")
    labels = list(figure.data[2].text)
    assert labels[0] == "Parks · ★ Achieved"
    assert list(figure.data[0].marker.color) == [HEALTH[state].colour for state in frame["health"]]


def test_focus_area_comparison_is_the_mean_of_each_bureaus_goals_in_it():
    rollup = pd.DataFrame({"entity_id": [10, 11, 12], "progress_pct": [20.0, 60.0, np.nan]})
    for column in COUNT_COLUMNS:
        if column not in rollup:
            rollup[column] = 0
    analytics = Analytics(pd.Timestamp("2019-09-30"), *[pd.DataFrame()] * 5, {"goal": rollup})
    goals = pd.DataFrame({"id": [10, 11, 12], "bureau_id": [1, 1, 2], "focus_area_id": [7, 7, 7]})
    frame = view.focus_area_comparison(
        analytics, goals=goals, bureaus=BUREAUS, focus_area_id=7, fiscal_year_key="2018-19"
    )
    assert list(frame["name"]) == ["Water", "Transport"]
    assert list(frame["progress_text"]) == ["40.0 %", "—"]
    assert view.bureaus_without(frame, BUREAUS) == ["Parks"]
    assert view.coverage_text(frame, BUREAUS[BUREAUS["id"] != 2]) == "2 of 3"  # Transport is inactive
    alt = view.focus_alt(frame, focus_name="Workforce", fiscal_year_label="FY 2018-19")
    assert "Highest: Water, 40.0 %" in alt
    assert "1 bureau(s) have no progress to report yet" in alt
