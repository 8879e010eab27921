"""Helpers for the AppTest page tests: open a page of the app against a test database, and read what
it shows as a reader would."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
APP = PROJECT_ROOT / "app.py"


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
    standalone: bool = False,
) -> AppTest:
    """An AppTest of a page (``script`` relative to the project, e.g. "pages/bureau.py"), not yet run.

    The page runs through the router (``app.py`` and its navigation), as in the browser; with
    ``standalone`` it runs on its own, as Streamlit serves a file of ``pages/`` opened by URL on a
    fresh server. ``state`` sets session state; ``query`` the URL's query parameters, which the pages'
    URL-kept pickers read the way a shared link would.
    """
    url = engine if isinstance(engine, str) else database_url(engine)
    monkeypatch.setenv("EQUITY_DATABASE_URL", url)
    monkeypatch.setenv("EQUITY_LOAD_DEMO_WHEN_EMPTY", "true" if demo_when_empty else "false")
    if standalone:
        app = AppTest.from_file(str(PROJECT_ROOT / script), default_timeout=90)
    else:
        app = AppTest.from_file(str(APP), default_timeout=90)
        if script != "app.py":
            app.switch_page(str(PROJECT_ROOT / script))
    for key, value in (state or {}).items():
        app.session_state[key] = value
    for key, value in (query or {}).items():
        app.query_params[key] = value
    return app


def open_folded(app: AppTest) -> AppTest:
    """Open every section of the page that is built only while open (``ui.folded``), as a reader
    who opens them all would, and run the page again; sections inside them too. Returns ``app``."""
    for _ in range(5):  # nesting depth
        closed = [
            key
            for expander in app.expander
            if (key := _folded_key(expander.proto.id)) is not None and not app.session_state[key]
        ]
        if not closed:
            return app
        for key in closed:
            app.session_state[key] = True
        app.run()
        assert not app.exception, app.exception
    raise AssertionError("a folded section would not open")


def _folded_key(element_id: str) -> str | None:
    # A keyed widget's id ends with its key ("$$ID-<hash>-<key>"); ui.folded's keys start with FOLDED.
    from equity_tracking.ui import FOLDED

    key = element_id.split("-", 2)[-1] if element_id else ""
    return key if key.startswith(FOLDED) else None


def shown(markdown: str) -> str:
    """Markdown source as a reader sees it: bold markers, backslash escapes and word joiners (how text
    from the database is made inert) removed."""
    return re.sub(r"\\(.)", r"\1", re.sub(r"(?<!\\)\*\*", "", markdown)).replace("\u2060", "")


def texts(app: AppTest) -> str:
    """Every text element of a run page (Markdown, captions, alerts, headings, plain text), as shown."""
    parts = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "text",
        "info",
        "warning",
        "error",
        "success",
    ):
        parts += [str(element.value) for element in getattr(app, kind)]
    parts += [str(expander.label) for expander in app.expander]
    return "\n".join(shown(part) for part in parts)


def metrics(app: AppTest) -> dict[str, str]:
    """``{label: value}`` of every metric tile."""
    return {shown(metric.label): metric.value for metric in app.metric}


def tables(app: AppTest) -> list[pd.DataFrame]:
    """Every table (st.table and st.dataframe) on the page, cells as shown."""
    frames = [element.value for element in app.table] + [element.value for element in app.dataframe]
    return [frame.map(lambda cell: shown(cell) if isinstance(cell, str) else cell) for frame in frames]


def table_with(app: AppTest, column: str) -> pd.DataFrame:
    """The first table that has ``column``."""
    return next(frame for frame in tables(app) if column in frame.columns)
