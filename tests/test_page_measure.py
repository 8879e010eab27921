"""The measure page in AppTest on the demo city and small databases, and its view functions and
figures on hand-made frames. (Its figures on the golden city are in test_pages.py.)"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from apptest_support import open_app, texts
from principals import PUBLIC
from streamlit.testing.v1 import AppTest
from tiny_city import build_plan_without_values

from equity_tracking import reads
from equity_tracking.charts import measure as charts
from equity_tracking.dashboards import measure as view
from equity_tracking.formatting import date_text
from equity_tracking.rules import as_of_day, reporting_deadline


def _app(monkeypatch, engine, **query: str) -> AppTest:
    return open_app("pages/measure.py", engine, monkeypatch, query=query)


def test_notes_timeline_lists_value_notes_and_action_updates(demo_engine, monkeypatch):
    noted = None
    for measure in reads.measures(demo_engine, viewer=PUBLIC).itertuples():
        history = reads.measure_history(demo_engine, measure_id=int(measure.id), viewer=PUBLIC)
        notes = history[
            history["note"].notna() & (history["period_end"] <= as_of_day(reporting_deadline(2020)))
        ]
        if len(notes) and pd.notna(measure.action_id):
            noted = (measure, notes.iloc[0])
            break
    assert noted is not None
    measure, note = noted
    app = _app(monkeypatch, demo_engine, measure=str(measure.id), fy="2020-21")
    app.run()
    assert not app.exception
    shown = texts(app)
    assert f"{date_text(note['entered_at'])} · Note on the {note['period']} value" in shown
    assert note["note"] in [element.value for element in app.text]
    assert "Action update:" in shown


def test_every_measure_of_a_bureau_renders(demo_engine, monkeypatch):
    app = _app(monkeypatch, demo_engine, bureau="PK", fy="2017-18")
    app.run()
    for measure_id in list(app.selectbox(key="_pick_measure").options):
        app.query_params["measure"] = measure_id
        app.run()
        assert not app.exception, measure_id
        for frame in [*[t.value for t in app.table], *[d.value for d in app.dataframe]]:
            words = frame.select_dtypes(include=["object", "str"]).astype(str)
            assert not words.isin(["nan", "None", "NaN", "<NA>"]).any().any()
        for metric in app.metric:
            assert metric.value not in ("nan", "None")


def test_measure_without_values_says_so(plan_without_values, monkeypatch):
    app = _app(monkeypatch, plan_without_values, bureau="ZZ", fy="2018-19")
    app.run()
    assert not app.exception
    assert "No values for this measure had been published" in texts(app)
    assert not app.metric


def test_empty_database_says_what_is_missing(engine, monkeypatch):
    app = _app(monkeypatch, engine)
    app.run()
    assert not app.exception
    assert "No performance measures are in the database yet" in texts(app)


@pytest.fixture
def plan_without_values(engine):
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
    frame["visible_at"] = frame["entered_at"]  # a staff reader: seen from entry
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


def test_history_as_of_counts_a_version_from_when_the_reader_could_see_it():
    history = _history([(1, "FY 2018-19", "2019-06-30", "", 14.0, "2019-08-01", True)])
    history["visible_at"] = pd.to_datetime(["2019-10-15"], utc=True)  # published after the deadline
    assert view.history_as_of(history, "2019-09-30").empty
    assert view.history_as_of(history, "2019-10-31")["version_id"].tolist() == [1]


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
    ).figure
    assert figure.layout.yaxis.range[1] <= 100  # a percentage axis stops at 100
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
    ).assign(visible_at=lambda frame: frame["reported_at"])
    frame = view.timeline(values, updates, as_of="2019-09-30")
    assert frame["Date"].tolist() == ["15 Jan 2019", "1 Aug 2018"]
    assert frame["Text"].tolist() == ["Halfway.", "Counted by hand."]
    assert frame["What"].iat[0] == "Action update: ✓ On track, 50 % complete"
    assert view.timeline(values.iloc[:0], view.no_updates(), as_of="2019-09-30").empty


def test_group_chart_tells_groups_apart_without_colour():
    rows = pd.DataFrame(
        {
            "period": ["FY 2017-18"] * 2 + ["FY 2018-19"] * 2,
            "period_end": pd.to_datetime(["2018-06-30"] * 2 + ["2019-06-30"] * 2),
            "group": ["Asian", "White"] * 2,
            "sort_order": [2, 7] * 2,
            "value": [43.0, 437.0, np.nan, 440.0],
            "value_text": ["43", "437", "hidden", "440"],
            "suppressed": [False, False, True, False],
        }
    )
    figure = charts.group_chart(
        rows, measure_name="Employees", unit="count", source="test", fiscal_year_label="FY"
    ).figure
    asian, white = figure.data
    assert asian.marker.symbol != white.marker.symbol
    assert asian.line.dash != white.line.dash
    assert np.isnan(asian.y[1])  # a hidden figure leaves a gap, never a zero
    assert asian.customdata[1][2] == "hidden"
