"""The Streamlit adapter: the only library module that imports streamlit.

Owns the page guard (settings → database → permission → demo banner), the per-process database
start-up, cached reads, and turning the page registry into ``st.Page`` objects. Caches are shared by
every user of a server process, so every cached function is keyed explicitly on the database URL
and on the data version (and, once there are roles, on what the viewer may see).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from equity_tracking import reads
from equity_tracking.analytics.frames import AnalyticsFrames, load_frames
from equity_tracking.analytics.pipeline import Analytics, run_analytics
from equity_tracking.charts.style import PLOTLY_CONFIG
from equity_tracking.dashboards.common import (
    as_of_caption,
    default_fiscal_year,
    fiscal_year_choices,
    fiscal_year_from_key,
    fiscal_year_key,
)
from equity_tracking.db import DatabaseError, describe_connection_error, make_engine
from equity_tracking.formatting import csv_bytes
from equity_tracking.navigation import PageSpec, page, pages_for
from equity_tracking.permissions import ANONYMOUS, Principal, allowed
from equity_tracking.rules import reporting_deadline
from equity_tracking.settings import PROJECT_ROOT, Settings, SettingsError
from equity_tracking.startup import Startup, prepare_database

DEMO_BANNER = "Demo data — not real City figures"
T = TypeVar("T")


@dataclass(frozen=True)
class PageContext:
    """What a page needs after its guard: where the data is, its version, and who is looking."""

    engine: Engine
    database_url: str
    data_version: str
    principal: Principal
    demo: dict | None

    # Public pages show published values only; staff views (with sign-in) will pass False.
    published_only: bool = True

    def read(self, reader: str, **params: object) -> pd.DataFrame:
        """``reads.<reader>(engine, **params)``, cached per database, data version and parameters."""
        return _cached_read(reader, self.database_url, self.data_version, tuple(sorted(params.items())))

    def memo(self, name: str, build: Callable[[], T], **key: Hashable) -> T:
        """``build()``, cached per ``name``, database, data version, visibility and ``key``.

        For a page's assembled tables and figures, so that a rerun redraws instead of rebuilding.
        The result is shared by every session: treat it as read-only.
        """
        return _memo(
            name, self.database_url, self.data_version, self.published_only, tuple(sorted(key.items())), build
        )

    def analytics(self, fiscal_year: int) -> Analytics:
        """Every judgement as the city stood at ``fiscal_year``'s reporting deadline (cached).

        The result is shared by every session: treat its frames as read-only.
        """
        as_of = reporting_deadline(fiscal_year).isoformat()
        return _cached_analytics(self.database_url, self.data_version, self.published_only, as_of)


def current_principal() -> Principal:
    """The signed-in user. Sign-in comes in a later release: everyone is the public for now."""
    return ANONYMOUS


def navigation_pages(principal: Principal) -> list[st.Page]:
    return [_as_st_page(spec) for spec in pages_for(principal)]


def _as_st_page(spec: PageSpec) -> st.Page:
    return st.Page(
        str(PROJECT_ROOT / spec.script),
        title=spec.title,
        icon=spec.icon,
        url_path=spec.url_path,
        default=spec.default,
    )


def guard(page_key: str) -> PageContext:
    """Run first in every page script: it must stand alone, since Streamlit serves ``pages/`` files
    by URL even when the navigation leaves them out. Stops the script with a plain message when the
    database cannot be used or the viewer may not see the page."""
    spec = page(page_key)
    principal = current_principal()
    if not allowed(principal, spec.permission):
        st.error("This page is not available to you. Sign in with an account that has access.")
        st.stop()
    try:
        settings = Settings.from_environment()
        startup = _startup(settings.database_url, settings.load_demo_when_empty)
        version = reads.data_version(startup.engine)
        demo = _cached_demo_marker(settings.database_url, version)
    except (DatabaseError, SettingsError) as error:
        _stop_with_error(str(error))
    except SQLAlchemyError as error:
        _stop_with_error(describe_connection_error(make_url(settings.database_url), error))
    if demo is not None:
        st.warning(f"**{DEMO_BANNER}.** {demo_explanation(demo)}", icon=":material/science:")
    return PageContext(
        engine=startup.engine,
        database_url=settings.database_url,
        data_version=version,
        principal=principal,
        demo=demo,
    )


def demo_explanation(demo: dict) -> str:
    return (
        "Every bureau, measure and number shown here is generated for demonstration "
        f"(seed {demo.get('seed', '?')}, scale {demo.get('scale', '?')})."
    )


def _stop_with_error(message: str) -> None:
    st.error(f"The tracker cannot reach its data right now. {message}", icon=":material/error:")
    st.stop()


@st.cache_resource(show_spinner="Preparing the database…")
def _startup(database_url: str, load_demo_when_empty: bool) -> Startup:
    # Once per process and URL: connect, migrate to head, load the demo into an empty database.
    # A failure raises and is not cached, so the next page run tries again (e.g. after an outage).
    settings = Settings(database_url=database_url, load_demo_when_empty=load_demo_when_empty)
    return prepare_database(settings, engine=_engine(database_url))


@st.cache_resource(show_spinner=False)
def _engine(database_url: str) -> Engine:
    # One connection pool per process and database, shared by every session.
    return make_engine(database_url)


@st.cache_data(show_spinner=False, max_entries=8)
def _cached_demo_marker(database_url: str, data_version: str) -> dict | None:
    return reads.demo_marker(_engine(database_url))


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_read(reader: str, database_url: str, data_version: str, params: tuple) -> pd.DataFrame:
    function = getattr(reads, reader)
    return function(_engine(database_url), **dict(params))


@st.cache_resource(show_spinner=False, max_entries=512)
def _memo(
    name: str, database_url: str, data_version: str, published_only: bool, key: tuple, _build: Callable
) -> object:
    # ``_build`` is left out of the cache key (leading underscore); ``name`` and ``key`` identify it.
    return _build()


@st.cache_resource(show_spinner=False, max_entries=4)
def _cached_frames(database_url: str, data_version: str, published_only: bool) -> AnalyticsFrames:
    # Every version of every value, once per data version: each as-of date then picks its own.
    return load_frames(_engine(database_url), published_only=published_only, include_superseded=True)


@st.cache_resource(show_spinner="Judging progress…", max_entries=32)
def _cached_analytics(database_url: str, data_version: str, published_only: bool, as_of: str) -> Analytics:
    # cache_resource, not cache_data: the frames are shared read-only instead of unpickled per run.
    frames = _cached_frames(database_url, data_version, published_only)
    return run_analytics(frames, as_of=as_of)


# --- widgets kept in the URL, so every view can be shared as a link ------------------------------


def url_selectbox(
    label: str,
    values: list[str],
    *,
    key: str,
    format_func: Callable[[str], str] = str,
    default: str | None = None,
    help: str | None = None,
) -> str:
    """A selectbox whose value lives in the URL as ``?{key}=value``.

    The URL wins when it changed since this session last wrote it (a shared link, back or
    forward); otherwise the widget wins and is written to the URL. Values are short codes
    (``?bureau=TR&fy=2018-19``), not the labels people see.
    """
    fallback = default if default in values else values[0]
    written_key = f"_url_written_{key}"
    from_url = st.query_params.get(key)
    if from_url != st.session_state.get(written_key) and from_url in values:
        st.session_state[key] = from_url
    elif st.session_state.get(key) not in values:
        # The widget was not on the last page run (another page was open): come back to what this
        # session last chose, which Streamlit's page switch dropped from the URL.
        remembered = st.session_state.get(written_key)
        st.session_state[key] = remembered if remembered in values else fallback
    value = st.selectbox(label, values, key=key, format_func=format_func, help=help)
    if st.query_params.get(key) != value:
        st.query_params[key] = value
    st.session_state[written_key] = value
    return value


def fiscal_year_picker(choices: list[int], *, default: int) -> int:
    """The "as of" fiscal year, kept in the URL as ``?fy=2018-19``."""
    chosen = url_selectbox(
        "Fiscal year",
        [fiscal_year_key(year) for year in choices],
        key="fy",
        default=fiscal_year_key(default),
        format_func=lambda key: f"FY {key}",
        help="Show the plans as they stood when this fiscal year's reports were due (30 September).",
    )
    return fiscal_year_from_key(chosen)


def pick_fiscal_year(ctx: PageContext) -> int:
    """The fiscal-year selector with its "as reported by" caption; stops with an explanation when
    there are no plans yet."""
    choices = fiscal_year_choices(ctx.read("plans"))
    if not choices:
        st.info(
            "No bureau plans are in the database yet, so there is nothing to judge. An equity-office "
            "administrator can import plans, or load the demo city with "
            "`python -m equity_tracking load-demo`."
        )
        st.stop()
    year = fiscal_year_picker(choices, default=default_fiscal_year(choices, today=dt.date.today()))
    st.caption(as_of_caption(year))
    return year


def choice_picker(label: str, options: dict[str, str], *, key: str, help: str | None = None) -> str | None:
    """A selectbox over ``{url value: label}`` kept in the URL as ``?{key}=value``."""
    if not options:
        return None
    return url_selectbox(label, list(options), key=key, format_func=options.__getitem__, help=help)


def chart(figure: go.Figure, *, table: pd.DataFrame, alt: str, key: str, file_name: str) -> None:
    """A chart with its text alternative under it and its data one click away (and downloadable)."""
    st.plotly_chart(figure, width="stretch", config=PLOTLY_CONFIG, key=f"chart-{key}")
    st.caption(alt)
    with st.expander("Data table for this chart", icon=":material/table:"):
        st.dataframe(table, hide_index=True, width="stretch")
        st.download_button(
            "Download (CSV)",
            data=csv_bytes(table),
            file_name=file_name,
            mime="text/csv",
            key=f"download-{key}",
            icon=":material/download:",
        )
