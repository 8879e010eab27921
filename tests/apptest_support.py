"""Helpers for the AppTest page tests: open a page script against a test database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def database_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def open_app(
    script: str,
    engine: Engine | str,
    monkeypatch: pytest.MonkeyPatch,
    *,
    state: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    demo_when_empty: bool = False,
) -> AppTest:
    """An AppTest of ``script`` (relative to the project, e.g. "pages/bureau.py"), not yet run.

    ``state`` sets widget values through session state; ``query`` sets the URL's query parameters,
    which the pages' URL-kept pickers read the way a shared link would.
    """
    url = engine if isinstance(engine, str) else database_url(engine)
    monkeypatch.setenv("EQUITY_DATABASE_URL", url)
    monkeypatch.setenv("EQUITY_LOAD_DEMO_WHEN_EMPTY", "true" if demo_when_empty else "false")
    app = AppTest.from_file(str(PROJECT_ROOT / script), default_timeout=60)
    for key, value in (state or {}).items():
        app.session_state[key] = value
    for key, value in (query or {}).items():
        app.query_params[key] = value
    return app
