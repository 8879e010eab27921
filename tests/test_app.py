"""The app in Streamlit's AppTest: routing, the guard, the demo banner and the error messages."""

from apptest_support import open_app, texts
from streamlit.testing.v1 import AppTest

from equity_tracking import reads
from equity_tracking.db import PUBLIC_DATABASE_ERROR
from equity_tracking.navigation import PAGES
from equity_tracking.permissions import Permission
from equity_tracking.ui import DEMO_BANNER


def _run(
    script: str, monkeypatch, engine, *, demo_when_empty: bool = False, standalone: bool = False
) -> AppTest:
    app = open_app(script, engine, monkeypatch, demo_when_empty=demo_when_empty, standalone=standalone)
    app.run()
    return app


def test_home_lists_the_three_citywide_goals(demo_engine, monkeypatch):
    app = _run("app.py", monkeypatch, demo_engine)
    assert not app.exception
    shown = texts(app)
    for goal in reads.citywide_goals(demo_engine).itertuples():
        assert f"Goal {goal.number} · {goal.short_title}" in shown


def test_demo_data_carries_the_banner(demo_engine, monkeypatch):
    app = _run("app.py", monkeypatch, demo_engine)
    assert any(DEMO_BANNER in warning.value for warning in app.warning)


def test_empty_database_shows_empty_states_without_banner(engine, monkeypatch):
    app = _run("app.py", monkeypatch, engine)
    assert not app.exception
    assert not any(DEMO_BANNER in warning.value for warning in app.warning)
    assert "No bureau plans are in the database yet" in texts(app)


PUBLIC_PAGES = [spec for spec in PAGES if spec.permission is Permission.VIEW_PUBLISHED]
STAFF_PAGES = [spec for spec in PAGES if spec not in PUBLIC_PAGES]


def test_navigation_offers_every_public_page(demo_engine, monkeypatch):
    app = _run("app.py", monkeypatch, demo_engine)
    for spec in PUBLIC_PAGES:
        app.switch_page(spec.script).run()
        assert not app.exception, spec.key
        assert any(DEMO_BANNER in warning.value for warning in app.warning), spec.key


def test_empty_database_gets_the_demo_on_first_run_when_configured(empty_engine, monkeypatch):
    app = _run("app.py", monkeypatch, empty_engine, demo_when_empty=True)
    assert not app.exception
    assert any(DEMO_BANNER in warning.value for warning in app.warning)
    assert len(reads.bureaus(empty_engine)) >= 26


def test_unreachable_database_shows_one_clear_message(monkeypatch, caplog):
    app = _run("app.py", monkeypatch, "postgresql+psycopg://app:s3cret@127.0.0.1:1/equity")
    assert not app.exception
    [error] = app.error
    assert PUBLIC_DATABASE_ERROR in texts(app)
    assert "127.0.0.1" not in error.value  # visitors learn nothing about the server
    assert "s3cret" not in error.value
    assert "s3cret" not in caplog.text
    assert not app.dataframe


def test_malformed_database_url_tells_visitors_nothing_and_the_log_how_to_fix(monkeypatch, caplog):
    app = _run("app.py", monkeypatch, "not a database url")
    assert not app.exception
    [_error] = app.error
    assert PUBLIC_DATABASE_ERROR in texts(app)
    assert "is not a database URL" in caplog.text


def test_every_page_script_guards_itself_when_opened_directly(demo_engine, monkeypatch):
    # Streamlit serves every file in pages/ by URL on a fresh server, outside the navigation.
    for spec in PUBLIC_PAGES:
        app = _run(spec.script, monkeypatch, demo_engine, standalone=True)
        assert not app.exception, spec.key
        assert any(DEMO_BANNER in warning.value for warning in app.warning), spec.key
