"""The Streamlit adapter: the only library module that imports streamlit.

Owns the page guard (settings → database → permission → demo banner), the per-process database
start-up, cached reads, and turning the page registry into ``st.Page`` objects. Caches are shared by
every user of a server process, so every cached function is keyed explicitly on the database URL
and on the data version (and, once there are roles, on what the viewer may see).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from equity_tracking import reads
from equity_tracking.db import DatabaseError, describe_connection_error, make_engine
from equity_tracking.navigation import PageSpec, page, pages_for
from equity_tracking.permissions import ANONYMOUS, Principal, allowed
from equity_tracking.settings import PROJECT_ROOT, Settings, SettingsError
from equity_tracking.startup import Startup, prepare_database

DEMO_BANNER = "Demo data — not real City figures"


@dataclass(frozen=True)
class PageContext:
    """What a page needs after its guard: where the data is, its version, and who is looking."""

    engine: Engine
    database_url: str
    data_version: str
    principal: Principal
    demo: dict | None

    def read(self, reader: str, **params: object) -> pd.DataFrame:
        """``reads.<reader>(engine, **params)``, cached per database, data version and parameters."""
        return _cached_read(reader, self.database_url, self.data_version, tuple(sorted(params.items())))


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


def clear_caches() -> None:
    """For tests: forget engines and cached frames shared across AppTest runs."""
    st.cache_data.clear()
    st.cache_resource.clear()
