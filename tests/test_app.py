"""The app in Streamlit's AppTest: routing, the home page's numbers, the guard and the banner."""

from pathlib import Path

from apptest_support import database_url, open_app
from streamlit.testing.v1 import AppTest

from equity_tracking import reads
from equity_tracking.navigation import PAGES
from equity_tracking.ui import DEMO_BANNER

PROJECT_ROOT = Path(__file__).resolve().parent.parent
APP = str(PROJECT_ROOT / "app.py")
HOME = str(PROJECT_ROOT / "pages" / "home.py")


def _run(script: str, monkeypatch, url: str, *, demo_when_empty: bool = False) -> AppTest:
    app = open_app(script, url, monkeypatch, demo_when_empty=demo_when_empty)
    app.run()
    return app


def _url(engine) -> str:
    return database_url(engine)


def _all_markdown(app: AppTest) -> str:
    return "\n".join(element.value for element in app.markdown)


def test_home_lists_the_three_citywide_goals(demo_engine, monkeypatch):
    app = _run(APP, monkeypatch, _url(demo_engine))
    assert not app.exception
    text = _all_markdown(app)
    for goal in reads.citywide_goals(demo_engine).itertuples():
        assert goal.text in text
        assert f"Goal {goal.number} · {goal.short_title}" in [header.value for header in app.subheader]


def test_home_bureau_table_counts_equal_the_read_layer(demo_engine, monkeypatch):
    app = _run(APP, monkeypatch, _url(demo_engine))
    overview = reads.bureau_overview(demo_engine)
    table = app.dataframe[-1].value  # the bureau list closes the page
    assert len(table) == len(overview)
    assert table.set_index("Code")["Measures"].to_dict() == overview.set_index("code")["measures"].to_dict()
    assert table.set_index("Code")["Goals"].to_dict() == overview.set_index("code")["goals"].to_dict()


def test_demo_data_carries_the_banner(demo_engine, monkeypatch):
    app = _run(APP, monkeypatch, _url(demo_engine))
    assert any(DEMO_BANNER in warning.value for warning in app.warning)


def test_empty_database_shows_empty_states_without_banner(engine, monkeypatch):
    app = _run(APP, monkeypatch, _url(engine))
    assert not app.exception
    assert not any(DEMO_BANNER in warning.value for warning in app.warning)
    assert any("No bureau plans are in the database yet" in info.value for info in app.info)


def test_navigation_offers_every_public_page(demo_engine, monkeypatch):
    app = _run(APP, monkeypatch, _url(demo_engine))
    for spec in PAGES:
        app.switch_page(str(PROJECT_ROOT / spec.script)).run()
        assert not app.exception, spec.key
        assert any(DEMO_BANNER in warning.value for warning in app.warning), spec.key


def test_empty_database_gets_the_demo_on_first_run_when_configured(empty_engine, monkeypatch):
    app = _run(APP, monkeypatch, _url(empty_engine), demo_when_empty=True)
    assert not app.exception
    assert any(DEMO_BANNER in warning.value for warning in app.warning)
    assert len(app.dataframe[-1].value) == len(reads.bureau_overview(empty_engine)) >= 26


def test_unreachable_database_shows_one_clear_message(monkeypatch):
    app = _run(APP, monkeypatch, "postgresql+psycopg://app:s3cret@127.0.0.1:1/equity")
    assert not app.exception
    [error] = app.error
    assert "postgresql+psycopg://app:***@127.0.0.1:1/equity" in error.value
    assert "s3cret" not in error.value
    assert not app.dataframe


def test_malformed_database_url_shows_how_to_fix(monkeypatch):
    app = _run(APP, monkeypatch, "not a database url")
    assert not app.exception
    [error] = app.error
    assert "is not a database URL" in error.value


def test_page_script_guards_itself_when_opened_directly(demo_engine, monkeypatch):
    app = _run(HOME, monkeypatch, _url(demo_engine))
    assert not app.exception
    assert any(DEMO_BANNER in warning.value for warning in app.warning)
    assert len(app.dataframe[-1].value) == len(reads.bureau_overview(demo_engine))
