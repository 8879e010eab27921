"""The bureau page in AppTest on the demo city and on small databases, and its view functions and
figures on hand-made frames. (Its figures on the golden city are in test_pages.py.)"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from apptest_support import open_app, table_with, texts
from streamlit.testing.v1 import AppTest
from tiny_city import build_plan_without_values

from equity_tracking import reads
from equity_tracking.analytics.states import HEALTH
from equity_tracking.charts import bureau as charts
from equity_tracking.dashboards.common import count_tiles, trend_text
from equity_tracking.formatting import date_text, number, signed_percent


def _app(monkeypatch, engine, **query: str) -> AppTest:
    return open_app("pages/bureau.py", engine, monkeypatch, query=query)


def test_every_bureau_renders_without_a_missing_number_written_as_nan(demo_engine, monkeypatch):
    app = _app(monkeypatch, demo_engine, fy="2018-19")
    app.run()
    for code in reads.bureaus(demo_engine)["code"]:
        app.query_params["bureau"] = code
        app.run()
        assert not app.exception, code
        assert app.header[0].value  # the bureau's name
        for frame in [*[t.value for t in app.table], *[d.value for d in app.dataframe]]:
            words = frame.select_dtypes(include=["object", "str"]).astype(str)
            assert not words.isin(["nan", "None", "NaN", "<NA>"]).any().any(), code


def test_empty_database_says_what_is_missing(engine, monkeypatch):
    app = _app(monkeypatch, engine)
    app.run()
    assert not app.exception
    assert any("No bureaus are in the database yet" in info.value for info in app.info)


def test_bureau_without_values_says_so(plan_without_values, monkeypatch):
    app = _app(monkeypatch, plan_without_values, bureau="ZZ", fy="2018-19")
    app.run()
    assert not app.exception
    assert "had not reported any value for FY 2018-19" in texts(app)
    card = table_with(app, "Next value due")
    assert card["Current"].tolist() == ["—"]
    assert card["Health"].tolist() == [f"{HEALTH['no_data'].icon} {HEALTH['no_data'].label}"]


# --- a tiny database: one bureau, one plan, one goal, one measure and no values -----------------


@pytest.fixture
def plan_without_values(engine):
    return build_plan_without_values(engine)


# --- view functions and figures on hand-made frames ----------------------------------------------------


def test_text_helpers_never_write_nan():
    assert number(676.3, unit="count") == "676"
    assert number(478609.4, unit="dollars") == "$478,609"
    assert number(41.5, unit="percent") == "41.5 %"
    assert number(np.nan, unit="percent") == "—"
    assert signed_percent(12.345) == "+12.3 %"
    assert signed_percent(-3.3) == "−3.3 %"
    assert signed_percent(None) == "—"
    assert date_text(pd.Timestamp("2020-11-30")) == "30 Nov 2020"
    assert date_text(pd.NaT) == "—"
    assert trend_text("▲", "Improving", 3, "improving") == "▲ Improving · 3 periods"
    assert trend_text("▲", "Improving", 1, "improving") == "▲ Improving · 1 period"
    assert trend_text("?", "Cannot be judged", 0, "cannot_judge") == "? Not enough values"


def test_count_tiles_keep_the_main_states_and_any_other_above_zero():
    counts = {"achieved": 0, "on_track": 2, "behind": 0, "at_risk": 1, "not_started": 0, "no_data": 3}
    tiles = count_tiles(counts, HEALTH, always=("on_track", "behind", "at_risk"))
    assert tiles == [("✓ On track", "2"), ("! Behind", "0"), ("✕ At risk", "1"), ("– No data", "3")]


def test_shares_chart_writes_hidden_groups_out_and_stops_at_100_percent():
    rows = pd.DataFrame(
        {
            "group": ["Asian", "White <b>x</b>"],
            "share_pct": [np.nan, 80.0],
            "benchmark_pct": [8.2, 70.0],
            "hidden": [True, False],
        }
    )
    chart = charts.shares_chart(
        rows, measure_name="Employees by race/ethnicity", benchmark_name="City residents", period="FY 2018-19"
    )
    bureau, benchmark = chart.figure.data
    assert list(bureau.text) == ["hidden", "80.0 %"]
    assert list(benchmark.text) == ["8.2 %", "70.0 %"]
    label = list(bureau.y)[1]  # a name from the database is text in a chart, not markup
    assert "&lt;b&gt;x&lt;/b&gt;" in label
    assert "<b>" not in label
    assert list(chart.figure.layout.xaxis.range) == [0, 100]
    assert chart.title == "Employees by race/ethnicity, against City residents, FY 2018-19"
    assert chart.figure.layout.title.text is None  # the title is page text above the chart
