"""The measure page in AppTest (its numbers equal the analytics'), and its view functions on small
hand-made frames."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from apptest_support import open_app
from streamlit.testing.v1 import AppTest

from equity_tracking import reads
from equity_tracking.charts import measure as charts
from equity_tracking.dashboards import bureau as bureau_view
from equity_tracking.dashboards import measure as view
from equity_tracking.formatting import number, percent
from equity_tracking.rules import as_of_day, entry_cutoff, reporting_deadline

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MEASURE_PAGE = str(PROJECT_ROOT / "pages" / "measure.py")
YEAR = 2018


def _app(monkeypatch, engine, *, query: dict | None = None, **state: str) -> AppTest:
    return open_app("pages/measure.py", engine, monkeypatch, state=state, query=query)


def _value(value: float, unit: str) -> str:
    return number(value, unit=unit, decimals=0 if unit in ("count", "dollars") else None)


@pytest.fixture(scope="module")
def analytics(analytics_as_of):
    return analytics_as_of(YEAR)


@pytest.fixture(scope="module")
def employees(demo_engine) -> pd.Series:
    """Transportation's "Employees by race/ethnicity": a disaggregated count."""
    measures = reads.measures(demo_engine)
    return measures[
        (measures["bureau_code"] == "TR") & (measures["name"] == "Employees by race/ethnicity")
    ].iloc[0]


@pytest.fixture(scope="module")
def employees_page(demo_engine, employees):
    """The page opened with only ``?measure=<id>`` (and the fiscal year), run once."""
    st.cache_data.clear()
    st.cache_resource.clear()
    patch = pytest.MonkeyPatch()
    try:
        app = _app(patch, demo_engine, measure=str(employees["id"]), fy="2018-19")
        app.run()
        yield app
    finally:
        patch.undo()


def test_a_measure_alone_opens_it_with_its_bureau(employees_page, employees):
    assert not employees_page.exception
    assert employees_page.selectbox(key="bureau").value == "TR"
    assert employees_page.selectbox(key="measure").value == str(employees["id"])
    assert employees_page.header[0].value == employees["name"]


def test_a_measure_in_the_query_string_opens_it(demo_engine, monkeypatch, employees):
    app = _app(monkeypatch, demo_engine, query={"measure": str(employees["id"])})
    app.run()
    assert not app.exception
    assert app.selectbox(key="bureau").value == "TR"
    assert app.header[0].value == employees["name"]


def test_choosing_another_bureau_opens_one_of_its_measures(demo_engine, monkeypatch, employees):
    app = _app(monkeypatch, demo_engine, measure=str(employees["id"]), fy="2018-19")
    app.run()
    app.selectbox(key="bureau").select("WA").run()
    assert not app.exception
    water = reads.measures(demo_engine)
    water = water[water["bureau_code"] == "WA"]
    assert app.selectbox(key="measure").value == str(water["id"].iat[0])
    assert app.header[0].value == water["name"].iat[0]


def test_headline_equals_the_measure_status(employees_page, employees, analytics):
    status = analytics.measures.set_index("measure_id").loc[employees["id"]]
    unit = employees["unit"]
    metrics = {metric.label: metric.value for metric in employees_page.metric}
    assert metrics["Current"] == _value(status["current_value"], unit)
    assert metrics["Prior"] == _value(status["prior_value"], unit)
    assert metrics["Target"] == _value(status["target_value"], unit)
    assert metrics["Progress to target"] == percent(status["progress_pct_clamped"])
    assert metrics["Forecast"] == _value(status["forecast_value"], unit)
    periods = f"Current: {status['current_period']} · prior: {status['prior_period']}"
    assert any(caption.value.startswith(periods) for caption in employees_page.caption)
    text = "\n".join(element.value for element in employees_page.markdown)
    assert f"{status['health_icon']} {status['health_label']}" in text
    assert f"**{_value(status['expected_value'], unit)}**" in text


def test_curve_table_holds_the_values_reported_by_the_deadline(employees_page, employees, demo_engine):
    history = reads.measure_history(demo_engine, measure_id=int(employees["id"]), include_superseded=True)
    visible = history[
        (history["group_key"] == "")
        & (history["period_end"] <= as_of_day(reporting_deadline(YEAR)))
        & (history["entered_at"] < entry_cutoff(reporting_deadline(YEAR)))
    ].drop_duplicates("period", keep="last")
    table = next(element.value for element in employees_page.dataframe if "Series" in element.value.columns)
    actual = table[table["Series"] == "Actual"]
    assert actual["Period"].tolist() == visible["period"].tolist()
    assert actual["Value"].tolist() == [_value(value, employees["unit"]) for value in visible["value"]]
    assert table.loc[table["Series"] == "Target", "Value"].tolist() == [
        _value(employees["target_value"], employees["unit"])
    ]
    alt = " ".join(caption.value for caption in employees_page.caption)
    assert f"target {_value(employees['target_value'], employees['unit'])}" in alt


def test_group_values_hide_small_counts(employees_page, employees, analytics, demo_engine):
    shares = analytics.group_shares
    rows = shares[(shares["measure_id"] == employees["id"]) & ~shares["is_rollup"]]
    names = reads.race_groups(demo_engine).set_index("id")["name"]
    data = next(
        element.value for element in employees_page.dataframe if "Review status" in element.value.columns
    )
    for period, group_id, count in zip(rows["period_label"], rows["group_id"], rows["count"], strict=True):
        cell = data[(data["Period"] == period) & (data["Group"] == names[group_id])]["Value"].iat[0]
        if count < bureau_view.SMALL_COUNT:
            assert cell == bureau_view.SUPPRESSED_TEXT
        else:
            assert cell in (_value(count, "count"), bureau_view.HIDDEN_TEXT[bureau_view.PROTECTS])
    for cell in data["Value"]:
        if cell[0].isdigit() and "(total)" not in cell:
            assert int(cell.replace(",", "")) >= bureau_view.SMALL_COUNT
    assert any(caption.value == bureau_view.SUPPRESSED_NOTE for caption in employees_page.caption)
    assert set(data["Review status"]) == {"Published"}


def test_notes_timeline_lists_value_notes_and_action_updates(demo_engine, monkeypatch):
    history_notes = []
    for measure in reads.measures(demo_engine).itertuples():
        if len(history_notes) > 0:
            break
        history = reads.measure_history(demo_engine, measure_id=int(measure.id))
        noted = history[
            history["note"].notna() & (history["period_end"] <= as_of_day(reporting_deadline(2020)))
        ]
        if len(noted):
            history_notes.append((measure, noted.iloc[0]))
    [(measure, note)] = history_notes
    app = _app(monkeypatch, demo_engine, measure=str(measure.id), fy="2020-21")
    app.run()
    assert not app.exception
    timeline = "\n".join(element.value for element in app.markdown)
    assert f"Note on the {note['period']} value: {note['note']}" in timeline
    assert bureau_view.date_text(note["entered_at"]) in timeline
    assert "Action update:" in timeline


def test_every_measure_of_a_bureau_renders(demo_engine, monkeypatch):
    app = _app(monkeypatch, demo_engine, bureau="PK", fy="2017-18")
    app.run()
    for measure_id in list(app.selectbox(key="measure").options):
        app.session_state["measure"] = measure_id
        app.run()
        assert not app.exception, measure_id
        for element in app.dataframe:
            frame = element.value
            texts = [name for name in frame.columns if pd.api.types.is_string_dtype(frame[name])]
            assert not frame[texts].astype(str).isin(["nan", "None", "NaN", "<NA>"]).any().any()
        for metric in app.metric:
            assert metric.value not in ("nan", "None")


def test_warm_rerun_is_fast(demo_engine, monkeypatch, employees):
    app = _app(monkeypatch, demo_engine, measure=str(employees["id"]), fy="2018-19")
    app.run()
    started = time.perf_counter()
    app.run()
    warm = time.perf_counter() - started
    assert not app.exception
    assert warm < 1.0, f"warm rerun took {warm:.3f} s"  # ~0.03 s on the demo; generous for CI


def test_measure_without_values_says_who_can_fix_it(plan_without_values, monkeypatch):
    app = _app(monkeypatch, plan_without_values, bureau="ZZ", fy="2018-19")
    app.run()
    assert not app.exception
    assert any("No values for this measure had been published" in info.value for info in app.info)
    assert any("equity lead" in info.value for info in app.info)
    assert not app.metric


def test_empty_database_says_what_is_missing(engine, monkeypatch):
    app = _app(monkeypatch, engine)
    app.run()
    assert not app.exception
    assert any("No performance measures are in the database yet" in info.value for info in app.info)


@pytest.fixture
def plan_without_values(engine):
    from tests.test_page_bureau import build_plan_without_values

    return build_plan_without_values(engine)


# --- view functions on hand-made frames ----------------------------------------------------------


def _history(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows,
        columns=["version_id", "period", "period_end", "group_key", "value", "entered_at", "is_current"],
    )
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    frame["period_start"] = frame["period_end"] - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    frame["entered_at"] = pd.to_datetime(frame["entered_at"], utc=True)
    for column in ("group_name", "numerator", "denominator", "note", "review_status"):
        frame[column] = None
    return frame


def test_history_as_of_picks_the_version_visible_on_the_date():
    history = _history(
        [
            (1, "FY 2017-18", "2018-06-30", "", 10.0, "2018-08-01", False),
            (2, "FY 2017-18", "2018-06-30", "", 12.0, "2019-11-01", True),  # a correction after the date
            (3, "FY 2018-19", "2019-06-30", "", 14.0, "2019-08-01", True),
            (4, "FY 2019-20", "2020-06-30", "", 16.0, "2020-08-01", True),  # a later period
        ]
    )
    seen = view.history_as_of(history, "2019-09-30")
    assert seen["version_id"].tolist() == [1, 3]
    assert seen["corrected_later"].tolist() == [True, False]
    assert view.history_as_of(history, "2019-12-31")["version_id"].tolist() == [2, 3]


def test_curve_runs_through_interim_targets_and_forecasts_from_the_latest_value():
    measure = pd.Series(
        {
            "unit": "percent",
            "baseline_value": 20.0,
            "baseline_period": "FY 2016-17",
            "baseline_period_end": pd.Timestamp("2017-06-30"),
            "target_value": 60.0,
            "target_period": "FY 2020-21",
            "target_period_end": pd.Timestamp("2021-06-30"),
        }
    )
    totals = pd.DataFrame(
        {
            "period": ["FY 2016-17", "FY 2017-18"],
            "period_end": pd.to_datetime(["2017-06-30", "2018-06-30"]),
            "value": [20.0, 30.0],
        }
    )
    interim = pd.DataFrame(
        {"period": ["FY 2018-19"], "period_end": pd.to_datetime(["2019-06-30"]), "value": [45.0]}
    )
    points = view.curve(measure, pd.Series({"forecast_value": 55.5}), totals, interim)
    assert points.expected["value"].tolist() == [20.0, 45.0, 60.0]
    assert points.forecast["value"].tolist() == [30.0, 55.5]
    assert points.forecast["label"].tolist() == ["FY 2017-18", "FY 2020-21"]
    table = view.curve_table(points)
    assert table[table["Series"] == "Forecast"]["Value"].tolist() == ["55.5 %"]
    no_forecast = view.curve(measure, pd.Series({"forecast_value": np.nan}), totals, interim.iloc[:0])
    assert no_forecast.forecast.empty
    assert no_forecast.expected["value"].tolist() == [20.0, 60.0]
    figure = charts.turn_the_curve_chart(
        points,
        measure_name="Share of something",
        unit="percent",
        source="test",
        fiscal_year_label="FY 2018-19",
    )
    forecast = next(trace for trace in figure.data if trace.name == "Forecast")
    assert forecast.line.dash == "dash"
    assert figure.layout.yaxis.title.text == "Percent (%)"
    assert [trace.name for trace in figure.data] == [
        "Expected path",
        "Actual",
        "Forecast",
        "Baseline",
        "Target",
    ]


def test_timeline_is_dated_newest_first_and_as_of_the_date():
    values = pd.DataFrame(
        {
            "note": ["Counted by hand.", None],
            "period": ["FY 2017-18", "FY 2018-19"],
            "entered_at": pd.to_datetime(["2018-08-01 18:00", "2019-08-01 18:00"], utc=True),
        }
    )
    updates = pd.DataFrame(
        {
            "update_id": [1, 2],
            "action_id": [5, 5],
            "status": ["on_track", "completed"],
            "percent_complete": [50.0, 100.0],
            "narrative": ["Halfway.", "Done."],
            "reported_at": pd.to_datetime(["2019-01-15 18:00", "2020-01-15 18:00"], utc=True),
        }
    )
    frame = view.timeline(values, updates, as_of="2019-09-30")
    assert frame["Date"].tolist() == ["15 Jan 2019", "1 Aug 2018"]
    assert frame["Text"].tolist() == ["Halfway.", "Counted by hand."]
    assert frame["What"].iat[0] == "Action update: ✓ On track, 50 % complete"
    assert view.timeline(values.iloc[:0], view.no_updates(), as_of="2019-09-30").empty


def test_seed_bureau_from_measure_only_when_the_bureau_is_not_given():
    definitions = pd.DataFrame({"measure_id": [7], "bureau_id": [3]})
    bureaus = pd.DataFrame({"id": [3], "code": ["TR"]})
    state: dict = {}
    view.seed_bureau_from_measure(state, {"measure": "7"}, definitions=definitions, bureaus=bureaus)
    assert state == {"bureau": "TR"}
    state = {"measure": "7", "bureau": "WA"}
    view.seed_bureau_from_measure(state, {}, definitions=definitions, bureaus=bureaus)
    assert state["bureau"] == "WA"
    state = {}
    view.seed_bureau_from_measure(
        state, {"measure": "not a number"}, definitions=definitions, bureaus=bureaus
    )
    assert state == {}


def test_group_chart_tells_groups_apart_without_colour():
    rows = pd.DataFrame(
        {
            "period": ["FY 2017-18"] * 2 + ["FY 2018-19"] * 2,
            "period_end": pd.to_datetime(["2018-06-30"] * 2 + ["2019-06-30"] * 2),
            "Group": ["Asian", "White"] * 2,
            "sort_order": [2, 7] * 2,
            "value": [43.0, 437.0, 5.0, 440.0],
            "value_text": ["43", "437", "5", "440"],
            "suppressed": [False, False, True, False],
            "hidden": ["", "", bureau_view.SUPPRESSED_TEXT, ""],
        }
    )
    figure = charts.group_chart(
        rows, measure_name="Employees", unit="count", source="test", fiscal_year_label="FY"
    )
    asian, white = figure.data
    assert asian.marker.symbol != white.marker.symbol
    assert asian.line.dash != white.line.dash
    assert np.isnan(asian.y[1])  # the hidden small count leaves a gap
    assert asian.customdata[1][1] == bureau_view.SUPPRESSED_TEXT
