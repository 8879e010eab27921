"""The Streamlit adapter: the only library module that imports streamlit.

Owns:
- the page guard (settings → database → permission → demo banner) and the per-process start-up;
- the caches, every one keyed explicitly on the database URL, the data version and what the viewer
  may see (caches are shared by every user of a server process);
- **the reader's place**: choices kept in the URL (``?fy=2018-19&bureau=TR``), carried from page to
  page in the session when a sidebar click drops them, written back to the URL on arrival, and
  refused with a plain "not found" when a link asks for something that does not exist;
- the house widgets pages are built from: charts with their title, text alternative, data table and
  downloads (CSV and Excel, side by side); links that work from the keyboard; text from the
  database written as text; sections that fold; a layout per screen width; a public page's plain
  opening (summary, caveats, last update) and the glossary's line beside a term's first use;
- **embeds** (``?embed=true``): no sidebar, a small "Demo data" label instead of the banner, a link
  to the page in the tracker, and the public's view for everyone.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import inspect
import logging
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, TypeVar

import pandas as pd
import pyarrow as pa
import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from streamlit.errors import StreamlitAPIException

from equity_tracking import accounts, audit, downloads, glossary, publication, reads, suppression
from equity_tracking.analytics.frames import FRAME_STORE
from equity_tracking.charts.style import PLOTLY_CONFIG, Chart
from equity_tracking.dashboards.common import (
    as_of_caption,
    baseline_year_note,
    default_fiscal_year,
    fiscal_year_choices,
    fiscal_year_from_key,
    fiscal_year_key,
)
from equity_tracking.dashboards.intros import CAVEATS_TITLE, Intro
from equity_tracking.db import (
    DatabaseBusyError,
    DatabaseError,
    close_shared_connections,
    mask_url,
    public_error_message,
    shared_engine,
)
from equity_tracking.formatting import date_text, md, md_link
from equity_tracking.navigation import FISCAL_YEAR, PAGES, Audience, PageSpec, href, may_open, page, pages_for
from equity_tracking.periods import fiscal_year_from_text, fiscal_year_label
from equity_tracking.permissions import (
    ANONYMOUS,
    PUBLIC,
    PUBLISHED_ONLY,
    Permission,
    Principal,
    Scope,
    Viewer,
    allowed,
)
from equity_tracking.rules import reporting_deadline
from equity_tracking.settings import PROJECT_ROOT, Settings, SettingsError
from equity_tracking.shared_cache import SharedCache
from equity_tracking.startup import DatabaseFileMissingError, Startup, prepare_database
from equity_tracking.validation import ValidationError
from equity_tracking.writes import WriteError

DEMO_BANNER = "Demo data — not real City figures"
LOGGER = logging.getLogger(__name__)
STYLE = Path(__file__).with_name("ui.css")
# The favicon, served by the app itself as a data: URL (never fetched from a third party). Encoded
# once per process: given as a file, Streamlit reads and encodes it again on every run.
FAVICON = "data:image/svg+xml;base64," + base64.b64encode(
    Path(__file__).with_name("assets").joinpath("favicon.svg").read_bytes()
).decode("ascii")
T = TypeVar("T")


@dataclass(frozen=True)
class PageContext:
    """What a page needs after its guard: where the data is, its version, and who is looking."""

    engine: Engine
    database_url: str
    data_version: str
    viewer: Viewer
    demo: dict | None

    @property
    def principal(self) -> Principal:
        return self.viewer.principal

    @property
    def scope(self) -> Scope:
        return self.viewer.scope

    def read(self, reader: str, **params: object) -> pd.DataFrame:
        """``reads.<reader>(engine, **params)``, cached per database, data version, the viewer's
        scope and parameters. A reader of rows that can be unpublished takes the viewer, and gets
        this page's: a page cannot forget it."""
        if "viewer" in params:
            raise TypeError("PageContext.read passes the page's own viewer; do not pass one.")
        scoped = reader in SCOPED_READERS
        shared = _cached_read(
            reader,
            self.database_url,
            self.data_version,
            self.scope if scoped else PUBLISHED_ONLY,  # reference data is the same for everyone
            tuple(sorted(params.items())),
            self.viewer if scoped else None,
        )
        # A new frame over the shared one's columns: with pandas' copy-on-write, whatever the page
        # changes in it is copied first, and the cached frame stays as read.
        return shared.copy(deep=False)

    def memo(self, name: str, build: Callable[[], T], **key: Hashable) -> T:
        """``build()``, cached per ``name``, database, data version, visibility and ``key``.

        For a page's assembled tables and figures, so that a rerun redraws instead of rebuilding.
        The result is shared by every session: treat it as read-only.
        """
        return _memo(  # type: ignore[return-value]
            name, self.database_url, self.data_version, self.scope, tuple(sorted(key.items())), build
        )

    def analytics(self, fiscal_year: int) -> suppression.PublicView:
        """Every judgement as the city stood at ``fiscal_year``'s reporting deadline, as this viewer
        may see it: figures by race/ethnicity pass through the suppression module first (cached).

        The result is shared by every session, and with the API and the reports: treat its frames as
        read-only.
        """
        return _public_view(self.engine, fiscal_year, self.viewer, self.data_version)

    def last_updated(self) -> str:
        """The date of the newest publication this viewer may see ("14 Aug 2020"), or a sentence
        saying that nothing is published yet."""
        newest = self.read("last_published")["last_published_at"].iloc[0]
        return "nothing has been published yet" if pd.isna(newest) else date_text(newest)


# Readers that take a viewer (rows that can be unpublished); the others read reference data.
SCOPED_READERS = frozenset(
    name
    for name, function in inspect.getmembers(reads, inspect.isfunction)
    if function.__module__ == reads.__name__
    and not name.startswith("_")
    and "viewer" in inspect.signature(function).parameters
)


# --- who is looking: sign-in sessions --------------------------------------------------------------

# The principal of this session's latest run: server code outside a script run (serve.py's
# websocket checks) reads it from the session's state. Built from the database, never the browser.
PRINCIPAL_KEY = "_equity_principal"
_TOKEN = "_equity_session_token"  # a single sign-on session's token (password sessions: the cookie)
_SIGNED_IN_AT = "_equity_signed_in_at"
_NOTICE = "_equity_notice"  # a message for the next page (why a session ended)
_SSO_REFUSED = "_equity_sso_refused"
_INCLUDE_UNPUBLISHED = "_equity_include_unpublished"
_SHOWING_UNPUBLISHED = "_equity_showing_unpublished"
SSO_PROVIDER = "city"  # the [auth.city] section of secrets.toml
IDENTITY_COOKIE = "_streamlit_user"  # Streamlit's signed identity cookie after st.login
PASSWORD_SIGN_IN_URL = "/auth/password"  # served by serve.py (equity_tracking.password_form)
UNPUBLISHED_BANNER = (
    "**Including unpublished work.** Figures on this page include drafts, submissions and approvals "
    "that the equity office has not published; each chart, table and download that may include "
    "them says so. The public sees published figures only."
)
_ENDED = {
    "idle": f"You were signed out after {accounts.IDLE_TEXT} without activity. Sign in again to continue.",
    "expired": f"You were signed out {accounts.ABSOLUTE_TEXT} after signing in. Sign in again to continue.",
    "inactive": "Your account is no longer active, so you were signed out.",
}


def current_principal() -> Principal:
    """Who is looking, decided on the server on every run: the public, or the user of this
    browser's session (the password form's cookie, or single sign-on), with their roles read from
    the database now (a disabled user or a changed role takes effect on their next click). A
    session that has gone idle or grown too old ends here. A visitor with no session costs no
    database query."""
    try:
        principal = _session_principal()
    except (DatabaseError, SettingsError, SQLAlchemyError):
        principal = ANONYMOUS  # the guard reports the database problem
    st.session_state[PRINCIPAL_KEY] = principal
    return principal


def _app_engine() -> Engine:
    """The pages' engine, for the session lookups that run before a page's guard."""
    settings = Settings.from_environment()
    return _startup(settings.database_url, settings.load_demo_when_empty).engine


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _session_cookie() -> str | None:
    cookie = st.context.cookies.get(accounts.SESSION_COOKIE)
    return cookie if isinstance(cookie, str) and cookie else None  # (AppTest has no real cookies)


def _sso_token() -> str | None:
    """The session token of this browser's single sign-on: derived from Streamlit's signed identity
    cookie, so a reload or a new tab resumes the same session (and its idle timeout) instead of
    opening a new one; in a test without cookies, the one opened in this browser session."""
    for name in (IDENTITY_COOKIE, f"{IDENTITY_COOKIE}_1"):
        identity = st.context.cookies.get(name)
        if isinstance(identity, str) and identity:
            return f"{SSO_PROVIDER}:{identity}"
    return st.session_state.get(_TOKEN)


def _session_principal() -> Principal:
    cookie = _session_cookie()
    if cookie:
        return _resume(cookie, sso=False)
    if not sso_signed_in() or sso_refused():
        # A session this browser session holds on the server (AppTest's way in: it has no cookies).
        token = st.session_state.get(_TOKEN)
        return ANONYMOUS if token is None else _resume(token, sso=False)
    token = _sso_token()
    if token is None:
        return _start_sso_session(token=None)
    return _resume(token, sso=True)


def _resume(token: str, *, sso: bool) -> Principal:
    state = accounts.resume_session(_app_engine(), token)
    if state.principal is not None:
        st.session_state[_SIGNED_IN_AT] = state.signed_in_at
        return state.principal
    if state.unknown and sso:
        return _start_sso_session(token=token)
    _forget_session()
    if state.ended is not None:
        st.session_state[_NOTICE] = _ENDED.get(state.ended, _ENDED["inactive"])
    if sso and (state.ended is not None or state.closed):
        st.logout()  # or the identity provider's cookie would open the ended session's page again
    return ANONYMOUS


def _forget_session() -> None:
    for key in (_TOKEN, _SIGNED_IN_AT, _INCLUDE_UNPUBLISHED):
        st.session_state.pop(key, None)


def sign_out(ctx: PageContext) -> None:
    """Sign out (audited): the session ends in the database, so its cookie opens nothing any more;
    a single sign-on session also ends Streamlit's identity cookie."""
    cookie = _session_cookie()
    token = cookie or _sso_token()
    if token:
        accounts.sign_out(ctx.engine, token, ctx.principal)
    was_sso = cookie is None
    _forget_session()
    st.session_state[_NOTICE] = "You are signed out."
    if was_sso and sso_signed_in():
        st.logout()
    go_to("home")


def go_to(page_key: str) -> None:
    """Open another page now (after signing in or out, the navigation changes with it)."""
    st.switch_page(str(PROJECT_ROOT / page(page_key).script))


def session_started() -> dt.datetime | None:
    return st.session_state.get(_SIGNED_IN_AT)


def session_notice() -> str | None:
    """Why the last session ended, or why single sign-on was refused."""
    return st.session_state.get(_NOTICE)


# --- single sign-on (OpenID Connect, through st.login) ----------------------------------------------


def sso_configured() -> bool:
    """Whether secrets.toml names the city's identity provider ([auth] and [auth.city])."""
    try:
        auth = st.secrets.get("auth")
    except (FileNotFoundError, StreamlitAPIException):
        return False
    return isinstance(auth, Mapping) and isinstance(auth.get(SSO_PROVIDER), Mapping)


def sso_signed_in() -> bool:
    try:
        return bool(st.user.is_logged_in)
    except (KeyError, AttributeError, StreamlitAPIException):
        return False


def sso_sign_in() -> None:
    st.login(SSO_PROVIDER)


def sso_sign_out() -> None:
    """Leave the identity provider's session in this browser (after a refused sign-in)."""
    st.session_state.pop(_SSO_REFUSED, None)
    st.session_state.pop(_NOTICE, None)
    st.logout()


def _start_sso_session(*, token: str | None) -> Principal:
    """Match the identity provider's verified email to a user; the user's roles come from the
    database. A refusal is audited once per browser session and explained on the sign-in page."""
    engine = _app_engine()
    email = st.user.get("email")
    verified = st.user.get("email_verified") is True
    try:
        principal = accounts.sign_in_verified_email(
            engine, email=str(email) if email else None, email_verified=verified, provider=SSO_PROVIDER
        )
    except accounts.SignInError as error:
        st.session_state[_SSO_REFUSED] = str(email or "")
        st.session_state[_NOTICE] = str(error)
        return ANONYMOUS
    # The 8 hours run from when the identity provider signed the person in (the token's auth_time
    # or iat), not from this page load.
    issued = st.user.get("auth_time") or st.user.get("iat")
    signed_in_at = dt.datetime.fromtimestamp(issued, dt.UTC) if isinstance(issued, int | float) else None
    st.session_state[_TOKEN] = accounts.open_session(
        engine, principal, method=SSO_PROVIDER, signed_in_at=signed_in_at, token=token
    )
    st.session_state[_SIGNED_IN_AT] = signed_in_at or _now()
    st.session_state.pop(_NOTICE, None)
    return principal


def sso_refused() -> bool:
    return st.session_state.get(_SSO_REFUSED) is not None


# --- what the viewer sees -----------------------------------------------------------------------------


def _include_unpublished_switch(principal: Principal) -> bool:
    """The sidebar's "include unpublished work" switch, for those whose scope it widens (staff, and
    editors for their bureaus). Off by default: a signed-in page looks like the public's until
    asked. Kept across pages (a widget's own state is per page)."""
    if not Viewer(principal).may_include_unpublished:
        return False
    chosen = bool(st.session_state.get(_INCLUDE_UNPUBLISHED, False))
    st.session_state["_pick_include_unpublished"] = chosen
    own = "" if allowed(principal, Permission.VIEW_UNPUBLISHED) else " of your own bureaus"
    st.sidebar.toggle(
        "Include unpublished work",
        key="_pick_include_unpublished",
        on_change=lambda: st.session_state.__setitem__(
            _INCLUDE_UNPUBLISHED, st.session_state["_pick_include_unpublished"]
        ),
        help=f"Show drafts, submissions and approvals{own} that are not yet published, marked as such.",
    )
    return chosen


def showing_unpublished() -> bool:
    """Whether this run's page includes unpublished work (every house widget then says so)."""
    return bool(st.session_state.get(_SHOWING_UNPUBLISHED, False))


def navigation_pages(principal: Principal) -> list[st.Page]:
    """Every page, in the registry's order; the sidebar lists those the principal may open. The
    others are registered but hidden, so that a link to one reaches its guard (which asks the
    visitor to sign in, and audits the refusal) instead of Streamlit's "Page not found"."""
    listed = set(pages_for(principal))
    return [_as_st_page(spec, visible=spec in listed) for spec in PAGES]


def _as_st_page(spec: PageSpec, *, visible: bool = True) -> st.Page:
    return st.Page(
        str(PROJECT_ROOT / spec.script),
        title=spec.title,
        icon=spec.icon,
        url_path=spec.url_path,
        default=spec.default,
        visibility="visible" if visible else "hidden",
    )


# Who app.py found looking, set while its navigation runs a page; a page script run without it was
# opened by its file.
_ROUTED: ContextVar[Principal | None] = ContextVar("equity_routed", default=None)
_REROUTED = "_equity_rerouted"


@contextmanager
def routing(principal: Principal) -> Iterator[None]:
    """Around ``st.navigation(...).run()`` in app.py: marks the page runs it starts as routed, and
    hands them the principal app.py resolved (one session lookup per run, not two)."""
    token = _ROUTED.set(principal)
    try:
        yield
    except (DatabaseError, SettingsError, SQLAlchemyError) as error:
        # The database failed after the page's guard (a dropped connection, a missing table, a
        # statement timeout): the plain message instead of Streamlit's exception box, and the next
        # run connects and checks the database afresh, so the page recovers when it is back.
        _forget_database()
        st.error(md(public_error_message(error)), icon=":material/error:")
    finally:
        _ROUTED.reset(token)


def _run_through_the_app(principal: Principal, spec: PageSpec) -> None:
    """A fresh server serves ``/bureau`` from ``pages/bureau.py`` alone until app.py has run once:
    the sidebar then lists file names. Register the app's navigation and go to this page through
    it, with the link's query. Once per session: should the app still not route (a page run by
    itself in a test), the page goes on alone."""
    if st.session_state.get(_REROUTED):
        return
    st.session_state[_REROUTED] = True
    pages = navigation_pages(principal)
    st.navigation(pages, position="hidden")
    target = next(page for page, registered in zip(pages, PAGES, strict=True) if registered == spec)
    st.switch_page(target, query_params=st.query_params.to_dict())


def guard(page_key: str) -> PageContext:
    """Run first in every page script: it must stand alone, since Streamlit serves ``pages/`` files
    by URL even when the navigation leaves them out. Stops the script with a plain message when the
    database cannot be used or the viewer may not open the page (a refusal is audited); offers
    the "include unpublished" switch to those who may use it."""
    spec = page(page_key)
    principal = _ROUTED.get() or current_principal()
    st.html(STYLE)
    _follow_streamlit_clear()
    try:
        settings = Settings.from_environment()
        startup = _current_startup(settings)
        allowed_here = may_open(principal, spec)
        if _ROUTED.get() is None:
            _run_through_the_app(principal, spec)
        # After the reroute above, so that the run that shows the page is the one that says it.
        if principal.is_anonymous and session_notice() and not sso_refused():
            st.info(st.session_state.pop(_NOTICE), icon=":material/logout:")  # why a session just ended
        if sso_refused() and spec.key != "sign_in":
            # The identity provider sends people back to the overview: say there why they are not in.
            st.warning(session_notice() or "", icon=":material/no_accounts:")
            link("Sign in: other ways in, or sign out of the City account", "sign_in")
        if not allowed_here:
            _refuse(startup.engine, principal, spec)
        embed = embedded()
        # An embed shows the public's view: its sidebar (and the switch in it) is not there.
        unpublished = spec.working or (not embed and _include_unpublished_switch(principal))
        viewer = Viewer(principal, include_unpublished=unpublished)
        # The version of what this viewer may see: the public's moves only with what is published.
        version = reads.data_version(startup.engine, viewer.scope)
        _drop_superseded_caches(settings.database_url, version, public=viewer.scope.published_only)
        demo = _cached_demo_marker(settings.database_url, version)
    except (DatabaseError, SettingsError, SQLAlchemyError) as error:
        if not isinstance(error, DatabaseFileMissingError):
            _forget_database()
        _stop_with_error(public_error_message(error))
    st.session_state[_SHOWING_UNPUBLISHED] = not viewer.scope.published_only
    st.session_state[_DOWNLOADS] = _DownloadContext(page_title=spec.title, demo=demo)
    if embed:
        _embed_header(spec, demo)
    elif demo is not None:
        st.warning(f"**{DEMO_BANNER}.** {demo_explanation(demo)}", icon=":material/science:")
    if not viewer.scope.published_only:
        st.info(UNPUBLISHED_BANNER, icon=":material/visibility:")
    return PageContext(
        engine=startup.engine,
        database_url=settings.database_url,
        data_version=version,
        viewer=viewer,
        demo=demo,
    )


# --- embeds: a public page inside another site's page (?embed=true) --------------------------------

EMBED_DEMO_LABEL = "Demo data"
OPEN_IN_TRACKER = "Open in the Equity Plan Tracker"


def embedded() -> bool:
    """Whether the page is shown as an embed: its address carries ``?embed=true``. Streamlit's own
    flag: its frontend then leaves out its header and toolbar (and keeps the flag on every page the
    embed opens), and tells the server with each run. serve.py lets only public pages with it be
    framed, by the sites of ``EQUITY_EMBED_ORIGINS``."""
    try:
        return bool(st.context.is_embedded)
    except (AttributeError, KeyError, RuntimeError, StreamlitAPIException):
        return False


def navigation_position() -> Literal["sidebar", "hidden"]:
    """Where app.py's navigation goes: the sidebar, or nowhere in an embed (no sidebar at all)."""
    return "hidden" if embedded() else "sidebar"


def _embed_header(spec: PageSpec, demo: dict | None) -> None:
    """An embed's only chrome: a small "Demo data" label when the data is the demo (instead of the
    banner), and a link that opens the same page, with the same choices, in the tracker itself (in a
    new tab: the embedding page stays)."""
    with st.container(horizontal=True, key="embed-header", vertical_alignment="center"):
        if demo is not None:
            st.caption(f":material/science: {EMBED_DEMO_LABEL}", width="content")
        st.link_button(
            OPEN_IN_TRACKER,
            "/" + href(spec.key, **st.query_params.to_dict()),
            type="tertiary",
            icon=":material/open_in_new:",
            width="content",
        )


def _refuse(engine: Engine, principal: Principal, spec: PageSpec) -> None:
    """The page is not for this visitor: say so, point to sign-in, audit it, and stop."""
    if spec.audience is Audience.SIGNED_OUT:
        st.info(f"You are signed in as {md(principal.display_name or principal.username)}.")
        link("Your account", "account")
        st.stop()
    audit.record_alone(
        engine,
        actor=principal,
        action="refused",
        entity=audit.ACCESS,
        detail={"page": spec.key, "permission": spec.permission.value},
    )
    if principal.is_anonymous:
        st.warning("This page is for City staff. Sign in to open it.", icon=":material/lock:")
        link("Sign in", "sign_in")
    else:
        st.error("Your account does not give access to this page.", icon=":material/block:")
    st.stop()


def demo_explanation(demo: dict) -> str:
    seed, scale = md(demo.get("seed", "?")), md(demo.get("scale", "?"))
    return (
        "Every bureau, measure and number shown here is generated for demonstration "
        f"(seed {seed}, scale {scale})."
    )


def _stop_with_error(message: str) -> None:
    st.error(md(message), icon=":material/error:")
    st.stop()


@st.cache_resource(show_spinner="Preparing the database…")
def _startup(database_url: str, load_demo_when_empty: bool) -> Startup:
    # Once per process and URL: connect, migrate to head, load the demo into an empty database.
    # A failure raises and is not cached, so the next page run tries again (e.g. after an outage).
    settings = Settings(database_url=database_url, load_demo_when_empty=load_demo_when_empty)
    return prepare_database(settings, engine=_engine(database_url))


def _current_startup(settings: Settings) -> Startup:
    """This process's startup for the configured database, checked first against a SQLite file that
    was deleted (refused, in plain words, until it is back) or replaced, e.g. by a restore (every
    cache is dropped and the database is prepared again: the new file's data version can repeat
    one the caches hold)."""
    startup = _startup(settings.database_url, settings.load_demo_when_empty)
    change = startup.file_change()
    if change == "missing":  # the startup is kept: the file that comes back is then "replaced"
        raise DatabaseFileMissingError(
            f"The SQLite file of {mask_url(startup.engine.url)} was deleted or moved."
        )
    if change == "replaced":
        LOGGER.warning("The SQLite file of %s was replaced; reading it afresh.", mask_url(startup.engine.url))
        _forget_database(every_cache=True)
        startup = _startup(settings.database_url, settings.load_demo_when_empty)
    return startup


def _forget_database(*, every_cache: bool = False) -> None:
    """After a database failure: close the pool's connections (they may be dead, or hold a deleted
    file open) and forget the startup, so the next run connects and checks the schema again.
    ``every_cache``: also drop every cached read and judgement (the data itself was replaced)."""
    _startup.clear()
    with suppress(SettingsError):  # nothing was opened with settings that cannot be read
        close_shared_connections(Settings.from_environment().database_url)
    if every_cache:
        st.cache_data.clear()
        st.cache_resource.clear()
        clear_caches()
        FRAME_STORE.forget()
        publication.forget()


def _engine(database_url: str) -> Engine:
    # One connection pool per process and database, shared by every session and by serve.py's
    # routes and hooks.
    return shared_engine(database_url)


# Every cache below is shared by every session of the process, so each is keyed on what the viewer
# may see (their scope, not who they are: two readers who may see the same rows share an entry).
# They are the project's own caches (equity_tracking.shared_cache), not Streamlit's.
_READS = SharedCache(max_entries=512)
_MEMOS = SharedCache(max_entries=512)
_DEMO_MARKERS = SharedCache(max_entries=8)


def clear_caches() -> None:
    """Forget every read, assembled page and derived table the pages hold in this process: when a
    newer data version is seen, when Streamlit's caches are cleared, when the database is replaced,
    and between tests. The judged views and the analytics' frames have stores of their own
    (``publication.VIEWS``, ``FRAME_STORE``)."""
    _READS.clear()
    _MEMOS.clear()
    _DEMO_MARKERS.clear()
    _DERIVED.clear()


@st.cache_resource(show_spinner=False)
def _streamlit_cache_generation() -> object:
    # A marker that goes when Streamlit's caches are cleared (an administrator's "Clear caches",
    # which serve.py lets through): Streamlit empties only its own caches, so the guard follows it.
    return object()


_GENERATION_SEEN: list[object] = []


def _follow_streamlit_clear() -> None:
    """Clear the pages' own caches (:func:`clear_caches`) once Streamlit's have been cleared since
    the last page run: an administrator's "Clear caches" means the pages' caches too."""
    generation = _streamlit_cache_generation()
    with _SEEN_LOCK:
        if _GENERATION_SEEN and _GENERATION_SEEN[0] is generation:
            return
        cleared = bool(_GENERATION_SEEN)
        _GENERATION_SEEN[:] = [generation]
    if cleared:
        clear_caches()


def _cached_read(
    reader: str, database_url: str, data_version: str, scope: Scope, params: tuple, viewer: Viewer | None
) -> pd.DataFrame:
    """``reads.<reader>``, shared: a reader that takes a viewer gets ``viewer`` (whose ``scope`` is
    the key: the viewer itself is not)."""

    def read() -> pd.DataFrame:
        function = getattr(reads, reader)
        if viewer is not None:
            assert viewer.scope == scope
            return function(_engine(database_url), viewer=viewer, **dict(params))
        return function(_engine(database_url), **dict(params))

    return _READS.get((reader, database_url, data_version, scope, params), read)


def _cached_demo_marker(database_url: str, data_version: str) -> dict | None:
    return _DEMO_MARKERS.get((database_url, data_version), lambda: reads.demo_marker(_engine(database_url)))


def _memo(
    name: str, database_url: str, data_version: str, scope: Scope, key: tuple, build: Callable
) -> object:
    """``build()``, shared, under ``name`` and ``key`` (``build`` itself is not part of the key)."""
    return _MEMOS.get((name, database_url, data_version, scope, key), build)


class _DerivedStore:
    """What the house widgets derive from a frame a page holds across reruns (a memo's tables): a
    table's Markdown cells, its phone cards. A crowd of viewers reruns the same shared frames, and
    deriving them again was a tenth of a rerun's time (benchmarks/load.py).

    Keyed on the frame's identity and checked through a weak reference: a frame built anew on every
    run simply misses, and its entry goes when the frame does (a dead frame's entry is never
    returned for a new frame that reuses its id). Frames are treated as read-only (as
    :meth:`PageContext.memo` asks). Bounded by count."""

    def __init__(self, capacity: int = 256) -> None:
        self._entries: OrderedDict[tuple[int, Hashable], tuple[weakref.ref, object]] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()
        # Ids of frames gone, noted by the weak references' callbacks (which may run in any thread,
        # at any allocation, even while the lock is held: so they only append) and purged on use.
        self._dead: list[int] = []

    def get(self, frame: pd.DataFrame, kind: Hashable, derive: Callable[[], T]) -> T:
        key = (id(frame), kind)
        with self._lock:
            self._purge()
            held = self._entries.get(key)
            if held is not None and held[0]() is frame:
                self._entries.move_to_end(key)
                return held[1]  # type: ignore[return-value]
        value = derive()
        with self._lock:
            self._entries[key] = (weakref.ref(frame, self._noting_death(id(frame))), value)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
        return value

    def _noting_death(self, ident: int) -> Callable[[weakref.ref], None]:
        dead = self._dead
        return lambda _ref: dead.append(ident)

    def __len__(self) -> int:
        with self._lock:
            self._purge()
            return len(self._entries)

    def _purge(self) -> None:
        if not self._dead:
            return
        dead, self._dead[:] = set(self._dead), []
        for key in [key for key, (ref, _value) in self._entries.items() if key[0] in dead and ref() is None]:
            del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_DERIVED = _DerivedStore()
_derived = _DERIVED.get


def _arrow(frame: pd.DataFrame) -> pa.Table | pd.DataFrame:
    """``frame`` as an Arrow table for ``st.dataframe`` and ``st.table``, which otherwise convert
    the frame on every rerun (a sixth of a crowd's rerun went to it). Made once per frame a page
    holds across reruns (:class:`_DerivedStore`). The index is left out: every table here hides it.
    A frame Arrow cannot take as it is (a column of mixed text and numbers, an integer too large
    for 64 bits) is handed over as it is, for Streamlit's own conversion, which makes such columns
    text."""
    table = _derived(frame, "arrow", lambda: _to_arrow(frame))
    return frame if table is None else table


def _to_arrow(frame: pd.DataFrame) -> pa.Table | None:
    # None, not the frame itself: an entry holding its own frame would keep it alive in the store.
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return None


# (database URL, a public version?) → the newest data version a page run has read
_SEEN_VERSIONS: dict[tuple[str, bool], str] = {}
_SEEN_LOCK = threading.Lock()


def _drop_superseded_caches(database_url: str, version: str, *, public: bool = False) -> None:
    """The first time this process sees a new data version of a database, drop the pages' cached
    reads and assembled tables: every entry is keyed on a version, so none of the older one's can be
    asked for again, and bounded only by count they would stay until pushed out (about 10 MiB a
    write for the ``--scale 10`` city). The views and frames have their own stores. The public's
    versions (``public``) and the full ones are followed apart (``reads.data_version``): sessions of
    both kinds take turns all day, and that is no change."""
    kind = (database_url, public)
    with _SEEN_LOCK:
        previous = _SEEN_VERSIONS.get(kind)
        _SEEN_VERSIONS[kind] = version
    if previous is not None and previous != version:
        clear_caches()


def _public_view(
    engine: Engine, fiscal_year: int, viewer: Viewer, data_version: str
) -> suppression.PublicView:
    # Not a Streamlit cache: the process's one store of views (publication.VIEWS), bounded by bytes
    # and shared with the API and the reports, so a server holds one judgement per year, not two.
    # The spinner shows only when the view has to be judged (seconds), as a cache's would.
    view = publication.VIEWS.held(engine, fiscal_year=fiscal_year, viewer=viewer, data_version=data_version)
    if view is not None:
        return view
    with st.spinner("Judging progress…"):
        return publication.public_view(
            engine, fiscal_year=fiscal_year, viewer=viewer, data_version=data_version
        )


# --- the reader's place: choices kept in the URL and carried from page to page -------------------


@dataclass(frozen=True)
class Choice:
    """What a URL-kept picker settled on: ``value`` (an option key), or None with ``asked`` holding
    what a link asked for that does not exist."""

    value: str | None
    asked: str | None = None


def _sticky(name: str) -> str:
    return f"_sticky_{name}"


def _widget(name: str) -> str:
    return f"_pick_{name}"


def _resolve(name: str, options: Mapping[str, str], *, default: str | None, normalize: Callable) -> Choice:
    """The URL wins (a shared link, back or forward); without it, what this reader last chose on any
    page (a sidebar click drops the URL's parameters); without that, the default."""
    asked_values = st.query_params.get_all(name)
    if asked_values:
        asked = asked_values[-1]
        value = normalize(asked)
        return Choice(value) if value in options else Choice(None, asked)
    remembered = st.session_state.get(_sticky(name))
    if remembered in options:
        return Choice(remembered)
    return Choice(default if default in options else next(iter(options), None))


def _on_pick(name: str, resets: tuple[str, ...]) -> None:
    value = st.session_state[_widget(name)]
    st.session_state[_sticky(name)] = value
    if value is not None:
        st.query_params[name] = value
    for other in resets:  # choices that only make sense under the old value (a bureau's measure)
        st.session_state.pop(_sticky(other), None)
        st.query_params.pop(other, None)


def url_choice(
    name: str,
    options: Mapping[str, str],
    *,
    label: str,
    not_found: Callable[[str], str],
    default: str | None = None,
    normalize: Callable[[str], str | None] = str.strip,
    resets: tuple[str, ...] = (),
    help: str | None = None,
    list_link: tuple[str, str, dict] | None = None,
) -> str:
    """A selectbox over ``{url value: label}`` kept in the URL as ``?{name}=value`` and remembered for
    the other pages. A link asking for a value that is not an option gets ``not_found(asked)`` as a
    plain message, with ``list_link`` (label, page key, parameters) to where every option is listed,
    above an empty picker, and the page stops there: never a different item shown silently. Returns
    the chosen value."""
    if not options:
        st.stop()
    choice = _resolve(name, options, default=default, normalize=normalize)
    if choice.value is None:
        st.warning(not_found(md(choice.asked)), icon=":material/search_off:")
        if list_link is not None:
            link(list_link[0], list_link[1], **list_link[2])
    else:
        st.session_state[_sticky(name)] = choice.value
    st.session_state[_widget(name)] = choice.value
    st.selectbox(
        label,
        list(options),
        key=_widget(name),
        format_func=lambda value: options[value],
        on_change=_on_pick,
        args=(name, resets),
        placeholder="Choose one",
        help=help,
    )
    if choice.value is None:
        st.stop()
    if st.query_params.get_all(name) != [choice.value]:  # one canonical copy, however it came
        st.query_params[name] = choice.value
    return choice.value


def fiscal_year_param(text: str) -> str | None:
    """A fiscal year as links write it ("2018-19", "FY 2018-19", "fy2018-19") → "2018-19"."""
    start = fiscal_year_from_text(text)
    return None if start is None else fiscal_year_key(start)


def pick_fiscal_year(ctx: PageContext) -> int:
    """The "as of" fiscal year, kept in the URL as ``?fy=2018-19``, with its "as reported by" caption
    and, for the baseline year, what that means; stops with an explanation when there are no plans."""
    choices = fiscal_year_choices(ctx.read("plans"))
    if not choices:
        st.info(
            "No bureau plans are in the database yet, so there is nothing to judge. An equity-office "
            "administrator can import plans, or load the demo city with "
            "`python -m equity_tracking load-demo`."
        )
        st.stop()
    options = {fiscal_year_key(year): fiscal_year_label(year) for year in choices}
    span = f"{fiscal_year_label(choices[0])} to {fiscal_year_label(choices[-1])}"
    chosen = url_choice(
        FISCAL_YEAR,
        options,
        label="Fiscal year",
        default=fiscal_year_key(default_fiscal_year(choices, today=dt.date.today()) or choices[0]),
        normalize=lambda text: fiscal_year_param(text) or text,
        not_found=lambda asked: (
            f"No plan in the tracker covers the fiscal year “{asked}”. The plans cover {span}: "
            "choose a year below."
        ),
        help="Show the plans as they stood when this fiscal year's reports were due (30 September).",
    )
    year = fiscal_year_from_key(chosen)
    st.session_state[_DOWNLOADS] = replace(_download_context(), fiscal_year=year)  # the files' as-of date
    st.caption(as_of_caption(year))
    note = baseline_year_note(year, choices)
    if note:
        st.info(note, icon=":material/flag:")
    return year


def prepare_public_views(ctx: PageContext) -> None:
    """Once something is published (or the plan structure or reference data changed): prepare the
    fiscal year a public page opens on, in the background, so that the public's first visitor after
    the change does not wait for the city to be judged (``publication.prepare_in_background``). A
    nicety: a failure is logged, never shown on the page of a change that succeeded."""
    try:
        choices = fiscal_year_choices(reads.plans(ctx.engine, viewer=PUBLIC))
        year = default_fiscal_year(choices, today=dt.date.today())
        if year is not None:
            publication.prepare_in_background(ctx.engine, fiscal_years=[year])
    except Exception:
        LOGGER.exception("Could not start preparing the public's views after a publication.")


# --- the house widgets ------------------------------------------------------------------------------


def link(label: str, page_key: str, **params: object) -> None:
    """A link to another page that keyboard and screen-reader users can follow (a real link, named
    by ``label``, which is written as text). Falls back to a plain link when the page was opened on
    its own (outside the navigation, as Streamlit allows for files in ``pages/``)."""
    query = {name: str(value) for name, value in params.items() if value is not None}
    try:
        st.page_link(str(PROJECT_ROOT / page(page_key).script), label=md(label), query_params=query, icon="")
    except StreamlitAPIException:
        st.markdown(f"[{md(label)}]({href(page_key, **query)})")


def plain_link(label: str, url: str) -> None:
    """A link to one of the server's own (non-Streamlit) pages, opened in this tab: a real link a
    keyboard reaches, styled as a button."""
    st.html(f'<a class="equity-plain-link" href="{html.escape(url, quote=True)}">{html.escape(label)}</a>')


def links(items: list[tuple[str, str, dict]], *, columns: int = 2) -> None:
    """Several links (label, page key, parameters) in ``columns`` columns, read down each column;
    the columns stack on a phone. One row of columns, not a row per pair: a city's 260 bureaus
    would otherwise be 130 rows of blocks, rebuilt on every rerun."""
    if not items:
        return
    per_column = -(-len(items) // columns)  # rounded up
    for column, start in zip(st.columns(columns), range(0, len(items), per_column), strict=False):
        with column:
            for label, page_key, params in items[start : start + per_column]:
                link(label, page_key, **params)


UNPUBLISHED_MARK = "Includes unpublished work."


def _unpublished_mark() -> str:
    """Added after a chart's title when the page includes unpublished work."""
    return f" — *{UNPUBLISHED_MARK[:-1].lower()}*" if showing_unpublished() else ""


def text(value: object) -> None:
    """A paragraph of text from the database, written exactly as typed (no Markdown, no HTML)."""
    st.text(str(value), width="stretch")


# --- plain language: how a public page opens, and the terms it uses ----------------------------------


def page_intro(intro: Intro, *, last_updated: str) -> None:
    """A public page's opening (``equity_tracking.dashboards.intros``): its two-sentence summary, a
    box of what the page cannot tell you, and the date of the last update
    (:meth:`PageContext.last_updated`)."""
    st.markdown(intro.summary)
    with st.container(border=True, key="page-caveats"):
        st.markdown(f"**{CAVEATS_TITLE}**\n\n" + "\n".join(f"- {caveat}" for caveat in intro.caveats))
    st.caption(f"Last updated {last_updated}: the newest figure, action update or report published.")


def terms(*names: str) -> None:
    """The glossary's one line for each term, under the term's first use on a page (in a line of
    its own: a tooltip is out of reach of keyboards and phones)."""
    for name in names:
        st.caption(f"**{glossary.name(name)}**: {glossary.explain(name)}")


PHONE_TABLE_COLUMNS = 4  # wider tables become one card per row on a phone (they would not fit)
PHONE_CARDS_SHOWN = 6  # more cards than this are folded, where the page asks for it


def table(
    frame: pd.DataFrame,
    *,
    key: str,
    links: Mapping[str, str] | None = None,
    phone_columns: Sequence[str] | None = None,
    phone_title: str | None = None,
    phone_fold: str | None = None,
) -> None:
    """A table whose long texts wrap (an HTML table, not a canvas): every cell is written as text,
    and each column named in ``links`` (``{column: column of addresses}``) becomes a real link a
    keyboard can reach, named by the cell's text. The address columns are not shown.

    On a phone, a table of more than :data:`PHONE_TABLE_COLUMNS` columns (or one given
    ``phone_columns`` or ``phone_title``) is shown as one card per row instead: its first column
    (or ``phone_title``) as the card's title, the others (or ``phone_columns``) as "Column: value"
    lines. A table wider than the screen would scroll sideways inside a box that a keyboard cannot
    scroll. With ``phone_fold``, more than :data:`PHONE_CARDS_SHOWN` cards are folded under that
    title, so that a phone's page stays short."""
    if showing_unpublished():
        st.caption(UNPUBLISHED_MARK)
    cells = _derived(frame, ("cells", tuple((links or {}).items())), lambda: _cells(frame, links or {}))
    if phone_columns is None and phone_title is None and len(cells.columns) <= PHONE_TABLE_COLUMNS:
        st.table(_arrow(cells), hide_index=True)
        return
    wide, narrow = by_width(f"table-{key}")
    with wide:
        st.table(_arrow(cells), hide_index=True)
    with narrow:
        title = phone_title or str(cells.columns[0])
        columns = tuple(phone_columns or [column for column in cells.columns if column != title])
        cards = _derived(
            frame,
            ("cards", tuple((links or {}).items()), title, columns),
            lambda: _cards(cells, title, columns),
        )
        if phone_fold is None or len(cards) <= PHONE_CARDS_SHOWN:
            _write_cards(cards)
        else:
            with section(f"{phone_fold} ({len(cards):,})", key=f"cards-{key}"):
                _write_cards(cards)


def _cells(frame: pd.DataFrame, links: Mapping[str, str]) -> pd.DataFrame:
    """A table's cells as Markdown-safe text, with each column in ``links`` made a link."""
    shown = frame.drop(columns=list(links.values()))
    cells = shown.astype(object).map(lambda value: md(value) if isinstance(value, str) else value)
    for column, address in links.items():
        cells[column] = [
            md_link(label, url) for label, url in zip(frame[column], frame[address], strict=True)
        ]
    return cells


def _cards(cells: pd.DataFrame, title: str, columns: Sequence[str]) -> list[str]:
    """One card's Markdown per row: ``title``'s cell in bold, then a line per column (cells are
    already Markdown-safe)."""
    others = [column for column in columns if column != title]
    return [
        "  \n".join([f"**{row[title]}**"] + [f"{md(column)}: {row[column]}" for column in others])
        for row in cells.to_dict("records")
    ]


def _write_cards(cards: list[str]) -> None:
    for card in cards:
        with st.container(border=True):
            st.markdown(card)


def section(title: str, *, expanded: bool = False, key: str | None = None):
    """A long section folded under its heading (readers open what they need; the page stays short).
    The title is written as text. Open in an embed of one chart, which may be inside it."""
    return st.expander(md(title), expanded=expanded or _embedding_one_chart(), key=key)


FOLDED = "folded-"  # the key prefix of a section built only while open (its CSS class: st-key-folded-…)
_FOLDED_OPEN = "_equity_folded_open"  # the keys of the folded sections open at the end of a run


@contextmanager
def folded(title: str, *, key: str) -> Iterator[bool]:
    """A section folded under its heading whose contents are built, sent and drawn only while it is
    open: yields whether to build them. Opening or closing it runs the page again. For what most
    readers never open and what costs every visit to build and draw (the overview's charts of 260
    bureaus and its 260 links). An embed builds everything, so that any chart can be shown alone
    (:func:`_show_only`), and an embed of one chart opens the section that holds it.

    It stays open across the page's reruns even when its title changes (a fiscal year picked, a
    new publication's figures in it): Streamlit takes a stateful section with a new title for a new
    one, closed, so the section's state is kept here under ``key`` as well."""
    widget = f"{FOLDED}{key}"
    kept_open: set[str] = st.session_state.setdefault(_FOLDED_OPEN, set())
    # Closed by the reader: the section's own state says False. A new title: it says nothing new.
    if widget in kept_open and st.session_state.get(widget) is not False:
        st.session_state[widget] = True
    with st.expander(md(title), expanded=_embedding_one_chart(), key=widget, on_change="rerun") as box:
        is_open = bool(box.open)
        if is_open:
            kept_open.add(widget)
        else:
            kept_open.discard(widget)
        yield is_open or embedded()


def _embedding_one_chart() -> bool:
    return embedded() and bool(st.query_params.get(EMBED_CHART))


TILE_WIDTH = 165  # px: three to five tiles a row beside each other on a desktop, two on a 390 px phone


def tile(label: str, value: str, *, help: str | None = None, width: int = TILE_WIDTH) -> None:
    """One figure in a bordered tile. Its label and value wrap instead of ending in "…" (ui.css): a
    reader must never lose the figure."""
    metric(label, value, help=help, border=True, width=width)


def metric(label: str, value: str, **options: object) -> None:
    """``st.metric``, its label marked when the page includes unpublished work."""
    st.metric(f"{label} (incl. unpublished)" if showing_unpublished() else label, value, **options)  # type: ignore[arg-type]


def dataframe(frame: pd.DataFrame, **options: object) -> None:
    """``st.dataframe``, with a line above it when the page includes unpublished work."""
    if showing_unpublished():
        st.caption(UNPUBLISHED_MARK)
    shown = _arrow(frame) if options.get("hide_index") else frame
    st.dataframe(shown, **options)  # type: ignore[call-overload]


def by_width(key: str):
    """Two containers for one piece of the page: ``(wide, narrow)``; a style rule shows the first on
    screens wider than a phone and the second on a phone, so each layout can be built for its
    screen (the server does not know the width)."""
    return st.container(key=f"wide-{key}"), st.container(key=f"narrow-{key}")


# --- downloads: every public table and chart's data, as CSV and as Excel ----------------------------

_DOWNLOADS = "_equity_download_context"
CSV_LABEL, EXCEL_LABEL = "(CSV)", "(Excel)"


@dataclass(frozen=True)
class _DownloadContext:
    """What this run's downloads say about themselves (set by the guard, and by the year picker)."""

    page_title: str
    demo: dict | None
    fiscal_year: int | None = None


def _download_context() -> _DownloadContext:
    context = st.session_state.get(_DOWNLOADS)
    return context if isinstance(context, _DownloadContext) else _DownloadContext("Equity Plan Tracker", None)


def download(
    data: pd.DataFrame,
    *,
    file_name: str,
    label: str = "Download the data (CSV)",
    key: str,
    title: str | None = None,
    dictionary: Mapping[str, str] | None = None,
) -> None:
    """The project's own download, side by side as CSV and as Excel (``equity_tracking.downloads``):
    raw numbers, dates and codes, formula-safe text, hidden figures labelled "hidden". The Excel
    file adds a data dictionary (``dictionary`` describes columns the project's dictionary does not
    know) and an "About" sheet: ``title`` (default: the page's title and the label's words), the
    source, the as-of date of the page's fiscal year, and whether the page includes unpublished
    work, which the labels and file names also say.

    ``label`` and ``file_name`` are the CSV's; the Excel button's label says "(Excel)" for "(CSV)".
    Each file is written when the reader asks for it, not on every run of the page. The click does
    not rerun the page: a rerun would replace the pending file's id before the browser fetched it."""
    context = _download_context()
    unpublished = showing_unpublished()
    csv_label, excel_label, csv_name, excel_name = download_names(label, file_name, unpublished=unpublished)
    about_title = title or _download_title(label, context.page_title)
    as_of = None
    if context.fiscal_year is not None:
        as_of = (
            f"{date_text(reporting_deadline(context.fiscal_year))}, the reporting deadline of "
            f"{fiscal_year_label(context.fiscal_year)}: values reported or published later are not counted."
        )
    with st.container(horizontal=True, key=f"downloads-{key}"):
        st.download_button(
            csv_label,
            data=lambda: downloads.csv_bytes(data),
            on_click="ignore",
            file_name=csv_name,
            mime="text/csv",
            key=f"download-{key}",
            icon=":material/download:",
        )
        st.download_button(
            excel_label,
            data=lambda: downloads.xlsx_bytes(
                data,
                title=about_title,
                source=downloads.source_text(context.demo),
                as_of=as_of,
                dictionary=dictionary,
                includes_unpublished=unpublished,
            ),
            on_click="ignore",
            file_name=excel_name,
            mime=downloads.XLSX_MIME,
            key=f"download-xlsx-{key}",
            icon=":material/table_view:",
        )
    if downloads.hidden_count(data):
        st.caption(downloads.HIDDEN_IN_DOWNLOADS)


def download_names(label: str, file_name: str, *, unpublished: bool) -> tuple[str, str, str, str]:
    """(CSV label, Excel label, CSV file name, Excel file name) of a download whose CSV button says
    ``label`` and whose CSV file is ``file_name``: the Excel button says "(Excel)" where the CSV's
    says "(CSV)"; when the page includes unpublished work, both labels and both file names say so."""
    csv_label = label
    excel_label = label.replace(CSV_LABEL, EXCEL_LABEL) if CSV_LABEL in label else f"{label} {EXCEL_LABEL}"
    stem = file_name.removesuffix(".csv")
    if unpublished:
        csv_label, excel_label = (f"{text}, including unpublished work" for text in (csv_label, excel_label))
        stem = f"{stem}-including-unpublished"
    return csv_label, excel_label, f"{stem}.csv", f"{stem}.xlsx"


def _download_title(label: str, page_title: str) -> str:
    """A file's title from its button's words: "Download the scorecard (CSV)" on the Bureaus page →
    "Bureaus: the scorecard"."""
    words = label.removeprefix("Download ").replace(CSV_LABEL, "").strip()
    return f"{page_title}: {words}"


def chart(
    chart: Chart,
    *,
    table: pd.DataFrame,
    alt: str,
    key: str,
    file_name: str,
    data: pd.DataFrame | None = None,
    dictionary: Mapping[str, str] | None = None,
) -> None:
    """A chart with its title above it, its source and text alternative under it, and its data one
    click away: ``table`` as people read it, and ``data`` (raw numbers and codes; the table when
    None) as the download, in CSV and Excel (``dictionary``: see :func:`download`).

    In an embed whose address names this chart (``&chart=KEY``), the chart is all the page shows
    (with the embed's label and link): see :func:`_show_only`."""
    with st.container(key=f"{CHART_BLOCK}{key}"):
        st.markdown(f"**{md(chart.title)}**{_unpublished_mark()}")
        st.plotly_chart(chart.figure, width="stretch", config=PLOTLY_CONFIG, key=f"chart-{key}")
        st.caption(md(f"Source: {chart.source}. {alt}"))
        with st.expander("Data table for this chart", icon=":material/table:"):
            st.dataframe(_arrow(table), hide_index=True, width="stretch")
            download(
                table if data is None else data,
                file_name=file_name,
                key=key,
                title=f"{chart.title}{' (includes unpublished work)' if showing_unpublished() else ''}",
                dictionary=dictionary,
            )
            st.caption(
                md(f"To embed this chart alone, add `&embed=true&{EMBED_CHART}={key}` to the page's address.")
            )
    if embedded() and st.query_params.get(EMBED_CHART) == key:
        _show_only(f"{CHART_BLOCK}{key}", "embed-header")


CHART_BLOCK = "chart-block-"  # the key of each chart's container (its CSS class: st-key-chart-block-…)
EMBED_CHART = "chart"  # the URL parameter that picks one chart of an embedded page


def _show_only(*keys: str) -> None:
    """Hide everything on the page but the containers with these keys (and what they hold): at every
    level of the page's blocks, a child that neither is one of them, holds one, nor lies inside one
    is not displayed. Keys are the app's own (letters, digits and hyphens), never a visitor's."""
    targets = [f".st-key-{key}" for key in keys if re.fullmatch(r"[A-Za-z0-9_-]+", key)]
    keep = "".join(f":not({target}):not(:has({target})):not({target} *)" for target in targets)
    hidden = f'[data-testid="stMain"] [data-testid="stVerticalBlock"] > *{keep}'
    st.html(f"<style>{hidden} {{display: none !important;}}</style>")


# --- forms: messages next to their fields, and what a save said ------------------------------------


def set_form_errors(form: str, errors: Mapping[str, str]) -> None:
    """Keep a refused save's messages (``{field: message}``) for the form's next run."""
    st.session_state[f"_errors-{form}"] = dict(errors)


def form_errors(form: str) -> dict[str, str]:
    """The messages of the form's last refused save (shown once, then forgotten)."""
    return st.session_state.pop(f"_errors-{form}", {})


def field_error(errors: Mapping[str, str], field: str) -> None:
    """The message for ``field``, right under it, written as text."""
    if field in errors:
        st.error(md(errors[field]), icon=":material/error:")


def flash(key: str, message: str, *, ok: bool) -> None:
    """A message to show on the next run (after ``st.rerun``), at :func:`show_flash`."""
    st.session_state[f"_flash-{key}"] = (message, ok)


def show_flash(key: str) -> None:
    if (said := st.session_state.pop(f"_flash-{key}", None)) is not None:
        message, ok = said
        if ok:
            st.success(md(message), icon=":material/check_circle:")
        else:
            st.error(md(message), icon=":material/error:")


def save_form(
    ctx: PageContext,
    form: str,
    save: Callable[[], object],
    done: str,
    *,
    unchanged: str = "Nothing changed: it already holds what the form says.",
) -> None:
    """Run a form's ``save`` (a structural write of the administrators' pages), then run the page
    again: the form shows each refused field's message next to that field (:func:`form_errors`,
    from a :class:`~equity_tracking.validation.ValidationError`), or why the change could not be
    made (a ``WriteError``, a busy database), or ``done`` (``unchanged`` when ``save`` returned
    False, or a result whose ``changed`` is False), at :func:`show_flash` of ``form``. After a save,
    what was typed in the form's widgets (keys starting "<form>-") is forgotten, so they show what
    was saved. A change moves the public's data version (``structure.structural_write``), so the
    public's opening year is prepared again in the background, as after a publication."""
    try:
        result = save()
    except ValidationError as refused:
        set_form_errors(form, {error.field: error.message for error in refused.errors})
    except (WriteError, DatabaseBusyError) as refused:
        flash(form, str(refused), ok=False)
    else:
        for name in [name for name in st.session_state if str(name).startswith(f"{form}-")]:
            del st.session_state[name]
        changed = result is not False and getattr(result, "changed", True)
        flash(form, done if changed else unchanged, ok=True)
        if changed:
            prepare_public_views(ctx)
    st.rerun()


def history_section(read: Callable[[], pd.DataFrame], *, key: str) -> None:
    """A record's history, folded away: the table ``read`` gives (one row per change, newest first),
    or a line saying that no change is recorded yet."""
    with section("History", key=f"history-{key}"):
        entries = read()
        if entries.empty:
            st.markdown("No change has been recorded yet.")
        else:
            table(entries, key=f"history-table-{key}", phone_title="Change")


def any_or_one(label: str, options: Mapping[Hashable, str], *, every: str, key: str) -> Hashable | None:
    """A filter: "every …" (None) or one of ``options`` (``{value: label}``)."""
    return st.selectbox(
        label,
        [None, *options],
        format_func=lambda value: every if value is None else options[value],
        key=key,
    )


# --- files: uploads, file downloads, a long run's progress ----------------------------------------


def upload_limit_mb() -> int:
    """The largest file an upload takes, in MB (Streamlit's ``server.maxUploadSize``)."""
    return int(st.get_option("server.maxUploadSize"))


def uploaded_files(
    label: str,
    *,
    types: Sequence[str],
    key: str,
    help: str | None = None,
    on_change: Callable[[], None] | None = None,
) -> dict[str, bytes]:
    """A file picker (one or several files of ``types``, each up to :func:`upload_limit_mb`); the
    chosen files as ``{file name: content}``, empty when none is chosen. A keyboard reaches its
    "Browse files" button."""
    chosen = st.file_uploader(
        label, type=list(types), accept_multiple_files=True, key=key, help=help, on_change=on_change
    )
    return {file.name: file.getvalue() for file in chosen or []}


def download_file(
    label: str,
    *,
    data: bytes | Callable[[], bytes],
    file_name: str,
    mime: str,
    key: str,
    primary: bool = False,
) -> None:
    """A download of a file that holds no figures (a template, a list of problems): unlike
    :func:`download`, never marked as unpublished work. ``data`` may be a function, called when the
    reader asks for the file. The click does not rerun the page."""
    st.download_button(
        label,
        data=data,
        file_name=file_name,
        mime=mime,
        on_click="ignore",
        key=f"download-{key}",
        icon=":material/download:",
        type="primary" if primary else "secondary",
    )


@contextmanager
def progress_bar(text: str) -> Iterator[Callable[[str, float], None]]:
    """A progress bar for a long step, taken away when the step ends: yields ``report(step,
    fraction)``, which shows ``step`` and fills the bar to ``fraction`` (0 to 1)."""
    place = st.empty()
    bar = place.progress(0.0, text=md(text))

    def report(step: str, fraction: float) -> None:
        bar.progress(min(1.0, max(0.0, float(fraction))), text=md(step))

    try:
        yield report
    finally:
        place.empty()


PHONE_ROWS_LISTED = 20  # a long table's rows shown as cards on a phone; the rest are in its download
LONG_TEXT = 90  # characters: a longer text gets three lines in a long table's grid
LONG_TEXT_ROW_HEIGHT = 76  # px


def long_table(
    frame: pd.DataFrame,
    *,
    key: str,
    phone_title: str,
    widths: Mapping[str, str | int] | None = None,
    wrap: str | None = None,
    rest: str = "The download lists them all.",
) -> None:
    """A table that may run to thousands of rows and holds no figures (an import's problems, say):
    a scrolling grid on a wider screen (its columns ``widths``: "small", "medium", "large" or
    pixels), whose rows are tall enough for three lines when the texts of column ``wrap`` are long;
    on a phone, where a grid's long texts would be cut off, one card per row for the first
    :data:`PHONE_ROWS_LISTED` rows, then how many more there are and ``rest``."""
    wide, narrow = by_width(f"long-{key}")
    longest = int(frame[wrap].astype(str).str.len().max()) if wrap is not None and len(frame) else 0
    with wide:
        st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            height="auto" if len(frame) <= 10 else 480,
            # Streamlit's grid wraps a cell's text only in rows taller than 4 rem.
            row_height=LONG_TEXT_ROW_HEIGHT if longest > LONG_TEXT else None,
            column_config={
                column: st.column_config.Column(width=width)  # type: ignore[arg-type]
                for column, width in (widths or {}).items()
            },
            key=f"grid-{key}",
        )
    with narrow:
        cells = frame.head(PHONE_ROWS_LISTED).astype(object).map(md)
        _write_cards(_cards(cells, phone_title, list(cells.columns)))
        if len(frame) > PHONE_ROWS_LISTED:
            st.markdown(f"… and {len(frame) - PHONE_ROWS_LISTED:,} more. {md(rest)}")
