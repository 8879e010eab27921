"""The server: Streamlit's ASGI app around ``app.py``, with the tracker's own routes and protections.

``streamlit run serve.py`` (what ``make run`` does) finds the ``st.App`` below and serves ``app.py``
through it. The routes answer before Streamlit does:

- ``/bureau/TR``, ``/measure/87``, ``/goal/2`` and any other path below a page redirect to the
  page's own URL (``/bureau?bureau=TR``): Streamlit would serve its page shell there, which loads its
  scripts from the wrong folder and shows a blank page;
- ``/auth/password`` is the password sign-in form (``equity_tracking.password_form``), which sets
  the session cookie a Streamlit script cannot;
- ``/api/v1/…`` is the open-data API (``equity_tracking.api``): published, suppressed data as JSON
  or CSV, read-only, for anyone (``Access-Control-Allow-Origin: *``; it reads no cookie).

and a middleware in front of every request (``docs/security.md`` explains each choice):

- a request whose ``Host`` is not in ``EQUITY_ALLOWED_HOSTS`` (default: the loopback names) gets
  400, and a WebSocket with one is closed before it opens;
- ``/_stcore/metrics`` (Streamlit's per-session and cache statistics) answers 404;
- every HTTP response says that no other site may frame it, and that it must not be sniffed, and
  lets the browser fetch images, fonts and connections from this server only;
- except that a public page asked for as an embed (``/bureau?bureau=TR&embed=true``) may be framed
  by the sites listed in ``EQUITY_EMBED_ORIGINS`` (none by default; ``docs/embedding.md``).

Streamlit's own files (its JavaScript, 8.7 MiB for a page with charts) go out compressed, each
compressed once rather than on every request, and its page shell carries ``ui.css`` so that the first
frame is laid out as the page will be (``equity_tracking.compression``).

Streamlit lets any session clear every shared cache, for all users, with a ``clear_cache`` message
over its WebSocket (the toolbar only hides the menu item). :func:`refuse_clear_cache_unless_allowed`
makes the server refuse that message unless the session's principal may clear caches.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
import threading
from collections.abc import Callable, Mapping
from functools import wraps
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import streamlit as st
from sqlalchemy import Engine
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from streamlit import file_util
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.pages_manager import PagesManager

from equity_tracking import accounts, api, audit, password_form
from equity_tracking.compression import CompressedFiles, PrecompressedStatic, StyledShell
from equity_tracking.db import shared_engine
from equity_tracking.navigation import PAGES, Audience, short_link_target
from equity_tracking.permissions import ANONYMOUS, Permission, Principal, allowed
from equity_tracking.settings import Settings

# Where each script run keeps the session's signed-in principal (absent means anonymous). Only the
# server reads it here; the browser cannot set session state.
from equity_tracking.ui import IDENTITY_COOKIE, PRINCIPAL_KEY, SSO_PROVIDER, STYLE

LOGGER = logging.getLogger("equity_tracking.serve")

ALLOWED_HOSTS_VARIABLE = "EQUITY_ALLOWED_HOSTS"
DEFAULT_ALLOWED_HOSTS = ("localhost", "127.0.0.1", "::1")
# A host name (optionally "*." for every subdomain), an IPv4 address or an IPv6 address.
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_HOST_PATTERN = re.compile(rf"(?:\*\.)?{_LABEL}(?:\.{_LABEL})*|[0-9a-f:.]+")

# Sent with every HTTP response. The app is never framed by another site (the one exception: a
# public page's embed, for the sites of EQUITY_EMBED_ORIGINS, see embed_headers); the browser may
# load images, fonts, media and connections from this server (and data: and blob: URLs it builds
# itself) only, so no visitor's browser talks to a third party even if a component would ask it to.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "frame-ancestors 'self'; img-src 'self' data: blob:; font-src 'self' data:; "
        "media-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'"
    ),
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
METRICS_PATH_END = "/_stcore/metrics"

# --- embeds: the sites that may frame the public pages ----------------------------------------------

EMBED_ORIGINS_VARIABLE = "EQUITY_EMBED_ORIGINS"
_LOOPBACK = ("localhost", "127.0.0.1", "::1")  # names urlsplit gives
# The pages an embed may show: those the public may open (not the sign-in page). Streamlit serves one
# page shell for every page, so the server decides on the path and ``?embed=true`` of the request.
EMBEDDABLE_PATHS = frozenset(
    spec.url_path
    for spec in PAGES
    if spec.permission is Permission.VIEW_PUBLISHED and spec.audience is Audience.EVERYONE
)


def embed_origins(environ: Mapping[str, str] = os.environ) -> tuple[str, ...]:
    """The sites that may embed the public pages: ``EQUITY_EMBED_ORIGINS``, origins separated by
    spaces or commas (``https://www.portland.gov``; ``https://*.portland.gov`` for every subdomain;
    plain http only for this machine's loopback names, for trying it out). None by default: only
    the app itself may frame its pages."""
    origins = []
    for part in re.split(r"[\s,]+", environ.get(EMBED_ORIGINS_VARIABLE, "")):
        if not part:
            continue
        origin = part.strip().lower().rstrip("/")
        try:
            parsed = urlsplit(origin)
            _ = parsed.port  # reading it checks that a port is a number in range
        except ValueError:
            parsed = None
        secure = parsed is not None and (
            parsed.scheme == "https" or (parsed.scheme == "http" and parsed.hostname in _LOOPBACK)
        )
        if (
            parsed is None
            or not secure
            or not parsed.hostname
            or not _HOST_PATTERN.fullmatch(_normalise_host(parsed.hostname))
            or parsed.username
            or parsed.password
            or parsed.path
            or parsed.query
            or parsed.fragment
        ):
            raise ConfigurationError(
                f"{EMBED_ORIGINS_VARIABLE} holds {part!r}, which is not an https origin. List the sites "
                "that may embed the public pages, e.g. https://www.portland.gov https://*.portland.gov."
            )
        origins.append(origin)
    return tuple(dict.fromkeys(origins))


def embed_headers(origins: tuple[str, ...]) -> dict[str, str]:
    """:data:`SECURITY_HEADERS` for a public page's embed: the sites of ``origins`` may frame it
    too. ``X-Frame-Options`` cannot name another site, so it is left out (every browser that reads
    ``frame-ancestors`` obeys it instead)."""
    headers = {name: value for name, value in SECURITY_HEADERS.items() if name != "X-Frame-Options"}
    headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(
        "frame-ancestors 'self'", " ".join(["frame-ancestors 'self'", *origins])
    )
    return headers


def is_embed_request(path: str, query: str, base_path: str = "") -> bool:
    """Whether a request asks for a public page as an embed: ``?embed=true`` (as Streamlit reads
    it: any case) on a public page's path (``/bureau``, or ``/`` for the overview) below the
    server's ``base_path``."""
    wanted = any(
        name.lower() == "embed" and value.strip().lower() == "true"
        for name, value in parse_qsl(query, keep_blank_values=True)
    )
    if not wanted:
        return False
    base = base_path.strip("/")
    rest = re.sub(r"/+", "/", path).strip("/")
    if base:
        if rest != base and not rest.startswith(base + "/"):
            return False
        rest = rest[len(base) :].strip("/")
    return rest == "" or rest in EMBEDDABLE_PATHS


# The app routes with st.navigation alone. Until app.py has run once, Streamlit otherwise treats
# pages/ as an old-style pages folder: /bureau runs pages/bureau.py by itself (its guard then
# reroutes), and /goal, which no file is named after, opens a "Page not found" dialog.
PagesManager.uses_pages_directory = False


def audit_engine() -> Engine:
    """The database the server's own audit entries go to (outside any script run)."""
    return shared_engine(Settings.from_environment().database_url)


# --- the clear-cache message ---------------------------------------------------------------------


def session_principal(session: AppSession) -> Principal:
    """The principal the session's latest script run stored; anonymous when there is none (or
    anything else is stored there, or the state cannot be read)."""
    try:
        principal = session.session_state[PRINCIPAL_KEY]
    except Exception:  # a missing key, or state being replaced by a run: fail closed
        return ANONYMOUS
    return principal if isinstance(principal, Principal) else ANONYMOUS


def _audit_clear_cache_refusal(principal: Principal) -> None:
    try:
        audit.record_alone(
            audit_engine(),
            actor=principal,
            action="refused",
            entity=audit.ACCESS,
            detail={"permission": Permission.CLEAR_CACHES.value, "what": "clear every cache"},
        )
    except Exception:
        LOGGER.exception("Could not write the refused clear-cache request to the audit log.")


def may_clear_caches(session: AppSession) -> bool:
    """Whether the session's principal may clear every cache; no when it cannot be decided."""
    try:
        return allowed(session_principal(session), Permission.CLEAR_CACHES)
    except Exception:  # fail closed: a refusal costs nothing, a clear costs every visitor
        LOGGER.exception("Could not decide whether session %s may clear caches; refused.", session.id)
        return False


def refuse_clear_cache_unless_allowed() -> None:
    """Make every session refuse Streamlit's ``clear_cache`` BackMsg unless its principal holds
    :attr:`Permission.CLEAR_CACHES`. Streamlit's handler clears ``st.cache_data`` and
    ``st.cache_resource`` for the whole process; a refusal changes nothing and is logged.

    Wraps ``AppSession.handle_backmsg``, through which the WebSocket handler passes every message
    (``Runtime.handle_backmsg``). Idempotent."""
    original: Callable[[AppSession, BackMsg], None] = AppSession.handle_backmsg
    if getattr(original, "_equity_guarded", False):
        return

    @wraps(original)
    def handle_backmsg(self: AppSession, msg: BackMsg) -> None:
        if msg.WhichOneof("type") == "clear_cache" and not may_clear_caches(self):
            LOGGER.warning(
                "Refused a clear-cache request from session %s: it is not signed in as someone who "
                "may clear caches.",
                self.id,
            )
            # Audited off the event loop: a refusal must not wait on the database.
            threading.Thread(
                target=_audit_clear_cache_refusal, args=(session_principal(self),), daemon=True
            ).start()
            return
        original(self, msg)

    handle_backmsg._equity_guarded = True  # type: ignore[attr-defined]
    AppSession.handle_backmsg = handle_backmsg  # type: ignore[method-assign]


# --- accepted connections: replies without Nagle's delay ---------------------------------------


def reply_without_delay() -> None:
    """Make asyncio turn Nagle's algorithm off (``TCP_NODELAY``) on every TCP connection the server
    accepts, so that small replies leave at once.

    asyncio does so only for sockets whose protocol reads ``IPPROTO_TCP`` (``base_events._set_nodelay``,
    called for each accepted connection); Streamlit binds its listening socket with protocol 0
    (``socket.socket(family=…)``, which is TCP all the same), before this module is even imported.
    On a kept-alive connection each reply written as headers then body then waited ~40 ms for the
    client's delayed acknowledgement: every page asset and every open-data API answer. The check is
    widened to stream sockets of the internet families whose protocol is 0 or TCP. Idempotent."""
    from asyncio import base_events

    original = base_events._set_nodelay  # type: ignore[attr-defined]  # private: see the docstring
    if getattr(original, "_equity_tcp", False):
        return

    def set_nodelay(sock: socket.socket) -> None:
        if (
            sock.family in (socket.AF_INET, socket.AF_INET6)
            and sock.type == socket.SOCK_STREAM
            and sock.proto in (0, socket.IPPROTO_TCP)
        ):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        else:
            original(sock)

    set_nodelay._equity_tcp = True  # type: ignore[attr-defined]
    base_events._set_nodelay = set_nodelay  # type: ignore[attr-defined]


# --- allowed hosts, private routes and security headers ------------------------------------------


class ConfigurationError(ValueError):
    """A server setting that cannot be used; the message names the variable and what to set."""


def allowed_hosts(environ: Mapping[str, str] = os.environ) -> tuple[str, ...]:
    """The host names the server answers to: ``EQUITY_ALLOWED_HOSTS`` (comma-separated names or
    addresses, ``*.example.org`` for every subdomain), else the loopback names."""
    raw = environ.get(ALLOWED_HOSTS_VARIABLE, "")
    hosts = tuple(_normalise_host(part) for part in raw.split(",") if part.strip())
    for host in hosts:
        if not _HOST_PATTERN.fullmatch(host):
            raise ConfigurationError(
                f"{ALLOWED_HOSTS_VARIABLE} holds {host!r}, which is not a host name or address. "
                "List the names the app is reached at, e.g. equity.example.org,localhost."
            )
    return hosts or DEFAULT_ALLOWED_HOSTS


def _normalise_host(host: str) -> str:
    return host.strip().lower().removeprefix("[").removesuffix("]").rstrip(".")


def host_allowed(host_header: str | None, hosts: tuple[str, ...]) -> bool:
    """Whether a ``Host`` header (a name or address, with an optional port) names one of ``hosts``."""
    if not host_header:
        return False
    try:
        parsed = urlsplit(f"//{host_header}")
        _ = parsed.port  # reading it checks that a port is a number in range
    except ValueError:
        return False
    if parsed.hostname is None or parsed.username or parsed.password or parsed.path or parsed.query:
        return False
    name = _normalise_host(parsed.hostname)
    return any(
        name == host or (host.startswith("*.") and name.endswith(host[1:]) and len(name) > len(host) - 1)
        for host in hosts
    )


def _base_path() -> str:
    """Streamlit's ``server.baseUrlPath`` (the app served below a folder of the site), if any."""
    return str(st.get_option("server.baseUrlPath") or "")


def is_private_path(path: str) -> bool:
    """Whether a path is one of Streamlit's routes that must not be public (the metrics)."""
    collapsed = re.sub(r"/+", "/", path).rstrip("/")
    return collapsed.endswith(METRICS_PATH_END)


class HardeningMiddleware:
    """Checks the ``Host`` of every request and WebSocket, hides private routes, and adds
    :data:`SECURITY_HEADERS` to every HTTP response (:func:`embed_headers` to a public page's embed,
    when ``embed_origins`` names sites that may frame it). Pure ASGI, so WebSockets pass through."""

    def __init__(
        self,
        app: ASGIApp,
        hosts: tuple[str, ...] = DEFAULT_ALLOWED_HOSTS,
        embed_origins: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.hosts = hosts
        self.embed_origins = embed_origins
        self.embed_headers = embed_headers(embed_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host")
        if not host_allowed(host, self.hosts):
            LOGGER.warning("Refused a request for an unknown host %r (%s).", host, ALLOWED_HOSTS_VARIABLE)
            await self._refuse(scope, receive, send, 400, "Bad request: unknown host.")
            return
        if is_private_path(scope.get("path", "")):
            await self._refuse(scope, receive, send, 404, "Not found")
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return

        chosen = SECURITY_HEADERS
        if self.embed_origins and is_embed_request(
            scope.get("path", ""), scope.get("query_string", b"").decode("latin-1"), _base_path()
        ):
            chosen = self.embed_headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in chosen.items():
                    if name not in headers:
                        headers.append(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int, text: str) -> None:
        if scope["type"] == "websocket":
            # Closing before accepting makes the server answer the handshake with 403.
            await send({"type": "websocket.close", "code": 1008})
            return
        response = PlainTextResponse(text, status_code=status, headers=SECURITY_HEADERS)
        await response(scope, receive, send)


# --- sign-ins the identity provider's callback refuses ------------------------------------------------

OIDC_CALLBACK_PATH = "/oauth2callback"  # Streamlit's route for the identity provider's redirect


def identity_cookie_set(set_cookie_headers: list[str]) -> bool:
    """Whether a response signs someone in: it sets Streamlit's identity cookie (or its first chunk)
    to a value, rather than clearing it."""
    for header in set_cookie_headers:
        name, _, rest = header.partition("=")
        value = rest.split(";", 1)[0].strip().strip('"')
        cleared = "max-age=0" in rest.lower().replace(" ", "") or "1970" in rest
        if name.strip() in (IDENTITY_COOKIE, f"{IDENTITY_COOKIE}_1") and value and not cleared:
            return True
    return False


def _audit_rejected_identity() -> None:
    accounts.record_refused_sign_in(
        audit_engine(), who="identity provider sign-in", method=SSO_PROVIDER, reason="identity_token_rejected"
    )


class IdentityCallbackAudit:
    """Writes a refused single sign-on to the audit log when Streamlit's callback turns down the
    identity provider's answer (a tampered or expired ID token, a wrong state): Streamlit only logs
    it and sends the visitor home signed out. A successful callback is audited by the app itself
    when the session starts (``accounts.sign_in_verified_email``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = scope.get("query_string", b"")
        if scope["type"] != "http" or not scope.get("path", "").endswith(OIDC_CALLBACK_PATH):
            await self.app(scope, receive, send)
            return
        # Only an authorization response (code or error); the provider's sign-out also lands here.
        answers = any(part.split(b"=")[0] in (b"code", b"error") for part in query.split(b"&"))

        async def watch(message: Message) -> None:
            if answers and message["type"] == "http.response.start":
                cookies = [
                    value.decode("latin-1") for key, value in message["headers"] if key == b"set-cookie"
                ]
                if not identity_cookie_set(cookies):
                    LOGGER.warning(
                        "The identity provider's answer was refused; the visitor stays signed out."
                    )
                    try:
                        await asyncio.to_thread(_audit_rejected_identity)
                    except Exception:
                        LOGGER.exception("Could not write the refused sign-in to the audit log.")
            await send(message)

        await self.app(scope, receive, watch)


def _log_to_stderr() -> None:
    """The tracker's own log lines (refusals, database errors with their details) go to the server's
    standard error, like Streamlit's."""
    logger = logging.getLogger("equity_tracking")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


# --- routes ---------------------------------------------------------------------------------------


async def short_link(request: Request) -> Response:
    target = short_link_target(request.url.path, request.url.query)
    if target is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    return RedirectResponse(target, status_code=307)


STATIC_DIR = Path(file_util.get_static_dir())  # Streamlit's page shell and its JavaScript

_log_to_stderr()
refuse_clear_cache_unless_allowed()
reply_without_delay()

app = st.App(
    Path(__file__).with_name("app.py"),
    routes=[
        *password_form.ROUTES,
        *api.ROUTES,  # the open-data API under /api/v1 (equity_tracking.api, docs/api.md)
        *(Route(f"/{spec.url_path}/{{rest:path}}", short_link) for spec in PAGES),
    ],
    middleware=[
        Middleware(HardeningMiddleware, hosts=allowed_hosts(), embed_origins=embed_origins()),
        Middleware(IdentityCallbackAudit),
        # Streamlit's page shell with ui.css, and its static files compressed once (not per request).
        Middleware(StyledShell, shell=STATIC_DIR / "index.html", style=STYLE.read_text(encoding="utf-8")),
        Middleware(PrecompressedStatic, files=CompressedFiles(STATIC_DIR), base_path=_base_path),
    ],
)
