"""The citywide overview in AppTest on the demo city and on an empty database. (Its figures on the
golden city are in test_pages.py.)"""

import re

import pytest
from apptest_support import open_app, tables, texts

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
