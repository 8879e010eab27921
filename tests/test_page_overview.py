"""The citywide overview in AppTest on the demo city and on an empty database. (Its figures on the
golden city are in test_pages.py.)"""

import re

import pytest
from apptest_support import open_app, open_folded, shown, tables, texts

from equity_tracking.dashboards.common import fiscal_year_key

MISSING = re.compile(r"\b(nan|none|<NA>|NaT)\b", re.IGNORECASE)  # what a reader must never see


@pytest.mark.parametrize("year", [2016, 2018, 2020])
def test_overview_renders_every_year_without_a_missing_number(demo_engine, monkeypatch, year):
    app = open_app("app.py", demo_engine, monkeypatch, query={"fy": fiscal_year_key(year)})
    app.run()
    assert not app.exception
    assert not MISSING.search(texts(app))
    for frame in tables(app):
        words = frame.select_dtypes(include=["object", "str"]).astype(str)
        assert not words.isin(["nan", "None", "NaN", "<NA>"]).any().any()
    # The demo city: two bureaus stop reporting after FY 2017-18.
    if year == 2020:
        assert "2 bureaus had stopped reporting by FY 2020-21's deadline" in texts(app)


def test_overview_on_empty_database_explains_what_is_missing(engine, monkeypatch):
    app = open_app("app.py", engine, monkeypatch)
    app.run()
    assert not app.exception
    assert "No bureau plans are in the database yet" in texts(app)


def test_the_folded_sections_are_built_only_once_opened(demo_engine, monkeypatch):
    # The overview's goal sections, its reporting chart and its links to every bureau cost every visit
    # to build and draw; they are built once a reader opens them, and stay open across reruns.
    app = open_app("pages/home.py", demo_engine, monkeypatch, query={"fy": "2018-19"})
    app.run()
    assert not app.exception, app.exception
    assert [expander for expander in app.expander if shown(expander.label) == "Open a bureau's page"]
    assert not [link for link in app.get("page_link") if link.proto.page.endswith("bureau")]
    charts_closed = len(app.get("plotly_chart"))
    open_folded(app)
    bureau_links = [link for link in app.get("page_link") if link.proto.page.endswith("bureau")]
    assert len(bureau_links) == 26  # the demo city's bureaus
    # The demo city's three goal health charts and the reporting chart appear.
    assert len(app.get("plotly_chart")) == charts_closed + 4
    app.run()  # a rerun (as after a fiscal year picked) keeps them open
    assert len(app.get("plotly_chart")) == charts_closed + 4


def test_an_embed_of_a_chart_in_a_folded_section_shows_it(demo_engine, monkeypatch):
    # "&embed=true&chart=reporting" (as the chart's own caption offers) frames the reporting chart,
    # which the page itself builds only once its section is opened.
    query = {"fy": "2018-19", "embed": "true", "chart": "reporting"}
    app = open_app("pages/home.py", demo_engine, monkeypatch, query=query)
    app.context = {"is_embedded": True}  # what the browser tells the server of ?embed=true
    app.run()
    assert not app.exception, app.exception
    assert "chart-reporting" in [chart.key for chart in app.get("plotly_chart")]


def test_an_open_folded_section_stays_open_when_another_year_is_picked(demo_engine, monkeypatch):
    # Its title names the year, and Streamlit takes a stateful section with a new title for a new
    # one, closed; the reader who opened it expects it open still.
    app = open_app("pages/home.py", demo_engine, monkeypatch, query={"fy": "2018-19"})
    app.run()
    charts_closed = len(app.get("plotly_chart"))
    open_folded(app)
    next(box for box in app.selectbox if box.label == "Fiscal year").set_value("2019-20")
    app.run()
    assert not app.exception, app.exception
    assert any("FY 2019-20" in shown(expander.label) for expander in app.expander)
    # Still the three goal charts and the reporting chart, and every bureau's link.
    assert len(app.get("plotly_chart")) == charts_closed + 4
    assert len([link for link in app.get("page_link") if link.proto.page.endswith("bureau")]) == 26
    # A section the reader closes stays closed.
    app.session_state["folded-reporting"] = False  # as its heading clicked
    app.run()
    assert len(app.get("plotly_chart")) == charts_closed + 3
