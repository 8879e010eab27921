"""The server's hardening (issue #8, "Enforcement"), tested against a real ``streamlit run serve.py``:

- a raw WebSocket client, not signed in, sends Streamlit's ``clear_cache`` message: the server
  refuses it, logs the refusal with the session id, and the shared caches survive; the same message
  sent to the app without ``serve.py``'s guard does clear them (the control that shows the
  observable works);
- a request or WebSocket for a host that is not allowed gets 400 (403 for the handshake);
- ``/_stcore/metrics`` is not public;
- every response carries the anti-framing and other security headers;
- what a visitor is told about a database problem names no path, host, port, database or role;
- the hardened settings in ``.streamlit/config.toml``.

The caches' state is observed through the demo banner: the app caches the demo marker per data
version, so changing the marker in place (which no data version notices) shows the old text while
the cache holds, and the new text once it has been cleared.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import PROJECT_ROOT, serve_app
from sqlalchemy import Engine, create_engine, delete, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from tiny_city import build_plan_without_values
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from equity_tracking import db
from equity_tracking.models import DEMO_DATA_KEY, AppMetadata

# Seeds shown in the demo banner: letters and digits only, so no Markdown escaping can change them.
CACHED = "Alpha7391"
CHANGED = "Omega8264"
ALLOWED_HOSTS = "tracker.example.org,localhost,127.0.0.1"
SECURITY_HEADERS = {
    "x-frame-options": "SAMEORIGIN",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


@dataclass(frozen=True)
class Server:
    base_url: str
    log_path: Path

    @property
    def port(self) -> int:
        return urlsplit(self.base_url).port or 80

    def log(self) -> str:
        return self.log_path.read_text()


def _set_demo_seed(engine: Engine, seed: str) -> None:
    with Session(engine) as session, session.begin():
        session.execute(delete(AppMetadata).where(AppMetadata.key == DEMO_DATA_KEY))
        session.add(
            AppMetadata(key=DEMO_DATA_KEY, value=json.dumps({"seed": seed, "scale": 1, "label": "x"}))
        )


def _tiny_demo(database_factory) -> Engine:
    """A one-bureau city the app takes for the demo (seed :data:`CACHED`): quick to serve."""
    engine = database_factory.new_engine()
    build_plan_without_values(engine)
    _set_demo_seed(engine, CACHED)
    return engine


@pytest.fixture(scope="module")
def tiny_engine(database_factory) -> Engine:
    return _tiny_demo(database_factory)


@pytest.fixture(scope="module")
def server(tiny_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``streamlit run serve.py`` on the tiny city, answering to :data:`ALLOWED_HOSTS`."""
    log_path = tmp_path_factory.mktemp("hardened-server") / "streamlit.log"
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("EQUITY_ALLOWED_HOSTS", ALLOWED_HOSTS)
        running = serve_app(tiny_engine, log_path)
        base_url = next(running)  # the server has started with the environment above
    try:
        yield Server(base_url, log_path)
    finally:
        running.close()


def _request(server: Server, path: str, host: str | None = None, **headers: str):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(
            "GET", path, headers={"Host": f"127.0.0.1:{server.port}" if host is None else host, **headers}
        )
        response = connection.getresponse()
        return (
            response.status,
            {name.lower(): value for name, value in response.getheaders()},
            response.read(),
        )
    finally:
        connection.close()


# --- the clear-cache message ---------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    session_id: str
    stream: bytes  # every ForwardMsg of the run, as sent


def _run_app(base_url: str, *, first: BackMsg | None = None) -> Run:
    """Open a new session over a raw WebSocket, as the browser does, send ``first`` (if any), then ask
    for a run of the home page and read everything the server sends until the run has finished."""
    stream_url = base_url.replace("http://", "ws://", 1) + "/_stcore/stream"
    with connect(stream_url, subprotocols=["streamlit"], open_timeout=30) as websocket:
        if first is not None:
            websocket.send(first.SerializeToString())
        rerun = BackMsg()
        rerun.rerun_script.SetInParent()
        websocket.send(rerun.SerializeToString())
        session_id, stream = "", b""
        while True:
            raw = websocket.recv(timeout=90)
            assert isinstance(raw, bytes)
            stream += raw
            message = ForwardMsg()
            message.ParseFromString(raw)
            kind = message.WhichOneof("type")
            if kind == "new_session":
                session_id = message.new_session.initialize.session_id
            elif kind == "script_finished" and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                assert message.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
                return Run(session_id, stream)


def _clear_cache() -> BackMsg:
    message = BackMsg()
    message.clear_cache = True
    return message


def _banner_seed(run: Run) -> str:
    shown = {seed for seed in (CACHED, CHANGED) if seed.encode() in run.stream}
    assert len(shown) == 1, f"the demo banner should show one seed, found {shown or 'none'}"
    return shown.pop()


def _audited_clear_cache_refusals(engine, wait_s: float = 20.0) -> int:
    """Refusals of clear_caches in the audit log (written off the server's event loop: polled)."""
    import time

    from sqlalchemy import text

    deadline = time.monotonic() + wait_s
    while True:
        with engine.connect() as connection:
            details = connection.execute(
                text("SELECT detail FROM audit_log WHERE action = 'refused'")
            ).scalars()
            count = sum("clear_caches" in str(detail) for detail in details)
        if count or time.monotonic() > deadline:
            return count
        time.sleep(0.1)


def test_an_anonymous_clear_cache_message_is_refused_and_every_cache_survives(server, tiny_engine):
    assert _banner_seed(_run_app(server.base_url)) == CACHED  # the caches now hold the marker
    _set_demo_seed(tiny_engine, CHANGED)
    try:
        refused = _run_app(server.base_url, first=_clear_cache())
        assert _banner_seed(refused) == CACHED
        assert _banner_seed(_run_app(server.base_url)) == CACHED  # and in any other session
        assert f"Refused a clear-cache request from session {refused.session_id}" in server.log()
        assert _audited_clear_cache_refusals(tiny_engine) >= 1  # and in the audit log
    finally:
        _set_demo_seed(tiny_engine, CACHED)


def test_without_the_guard_the_same_message_clears_every_cache(database_factory, tmp_path):
    # The control: app.py served by itself, without serve.py, is what Streamlit does unguarded.
    engine = _tiny_demo(database_factory)
    serve = contextlib.contextmanager(serve_app)
    with serve(engine, tmp_path / "streamlit.log", script="app.py") as base_url:
        assert _banner_seed(_run_app(base_url)) == CACHED
        _set_demo_seed(engine, CHANGED)
        assert _banner_seed(_run_app(base_url)) == CACHED  # the cache holds without the message
        assert _banner_seed(_run_app(base_url, first=_clear_cache())) == CHANGED


# --- hosts, private routes, headers ---------------------------------------------------------------


def test_a_request_for_a_host_that_is_not_allowed_gets_400(server):
    for host in ("evil.example", "evil.example:80", "tracker.example.org.evil.example", "[::1]", ""):
        status, headers, body = _request(server, "/", host=host)
        assert status == 400, host
        assert body == b"Bad request: unknown host."
        assert headers["x-frame-options"] == "SAMEORIGIN"
    for host in ("tracker.example.org", f"localhost:{server.port}", "TRACKER.example.org."):
        assert _request(server, "/", host=host)[0] == 200, host
    assert "Refused a request for an unknown host 'evil.example'" in server.log()


def test_a_websocket_for_a_host_that_is_not_allowed_is_refused(server):
    import socket

    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        with pytest.raises(InvalidStatus) as refused:
            connect(f"ws://evil.example:{server.port}/_stcore/stream", sock=sock, open_timeout=10)
        assert refused.value.response.status_code == 403


def test_metrics_are_not_public(server):
    for path in ("/_stcore/metrics", "/_stcore/metrics/", "/_stcore//metrics", "/_stcore/metrics?families=x"):
        status, _headers, body = _request(server, path, Accept="application/x-protobuf")
        assert status == 404, path
        assert b"session" not in body
    assert _request(server, "/_stcore/health")[0] == 200  # what a load balancer asks stays open


def test_every_response_forbids_framing_by_other_sites(server):
    for path in ("/", "/bureau", "/bureau/TR", "/no-such-page"):
        _status, headers, _body = _request(server, path)
        for name, value in SECURITY_HEADERS.items():
            assert headers.get(name) == value, (path, name)
        policy = [part.strip() for part in headers["content-security-policy"].split(";")]
        assert "frame-ancestors 'self'" in policy, path
        assert "img-src 'self' data: blob:" in policy
        assert "connect-src 'self'" in policy


def test_server_settings_parse_and_refuse_as_documented():
    # serve.py is imported in a process of its own: importing it installs the clear-cache guard and
    # builds the st.App, which this test process (AppTest's) must not get.
    probe = """
import json, types
import serve
from equity_tracking.models import Role
from equity_tracking.permissions import Principal
from streamlit.runtime.app_session import AppSession

def session(principal=None):
    state = {} if principal is None else {serve.PRINCIPAL_KEY: principal}
    return types.SimpleNamespace(id="s", session_state=state)

def principal(role):
    return Principal(user_id=1, username="someone", roles=frozenset({(role, None)}))

try:
    serve.allowed_hosts({"EQUITY_ALLOWED_HOSTS": "ok.example.org,bad host"})
    refused = False
except serve.ConfigurationError as error:
    refused = "EQUITY_ALLOWED_HOSTS" in str(error)
hosts = ("localhost", "*.city.example")
from equity_tracking import ui
print(json.dumps({
    "guarded": getattr(AppSession.handle_backmsg, "_equity_guarded", False),
    "principal_keys": [serve.PRINCIPAL_KEY, ui.PRINCIPAL_KEY],
    "default_hosts": serve.allowed_hosts({}),
    "configured_hosts": serve.allowed_hosts({"EQUITY_ALLOWED_HOSTS": " Equity.Example.org , [::1] "}),
    "bad_hosts_refused": refused,
    "host_checks": {
        header: serve.host_allowed(header, hosts)
        for header in ("localhost:8501", "a.city.example", "city.example", "xcity.example",
                       "localhost@evil.example", "localhost:99999", "localhost/x", None)
    },
    "may_clear": {
        "anonymous": serve.may_clear_caches(session()),
        "something else stored": serve.may_clear_caches(session("admin")),
        "admin": serve.may_clear_caches(session(principal(Role.ADMIN))),
        "analyst": serve.may_clear_caches(session(principal(Role.ANALYST))),
        "editor": serve.may_clear_caches(session(principal(Role.BUREAU_EDITOR))),
    },
}))
"""
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["guarded"] is True
    assert found["principal_keys"] == ["_equity_principal"] * 2  # where ui.py stores the principal
    assert found["default_hosts"] == ["localhost", "127.0.0.1", "::1"]
    assert found["configured_hosts"] == ["equity.example.org", "::1"]
    assert found["bad_hosts_refused"] is True
    assert found["host_checks"] == {
        "localhost:8501": True,
        "a.city.example": True,
        "city.example": False,
        "xcity.example": False,
        "localhost@evil.example": False,
        "localhost:99999": False,
        "localhost/x": False,
        "null": False,
    }
    assert found["may_clear"] == {
        "anonymous": False,
        "something else stored": False,
        "admin": True,
        "analyst": False,
        "editor": False,
    }


# --- what visitors are told about the database ---------------------------------------------------

UNREACHABLE = "postgresql+psycopg://equity_role:s3cret@127.0.0.1:1/equity_db"
SERVER_DETAILS = ("127.0.0.1", ":1", "equity_role", "equity_db", "s3cret", "postgresql", "psycopg", "/")


def _unreachable_error() -> OperationalError:
    engine = create_engine(UNREACHABLE)
    try:
        with engine.connect():
            pass
    except OperationalError as error:
        return error
    finally:
        engine.dispose()
    raise AssertionError("the database on port 1 answered")


def test_a_database_that_cannot_be_reached_is_described_to_visitors_in_general_terms(caplog):
    error = _unreachable_error()
    with caplog.at_level("WARNING", logger="equity_tracking.db"):
        message = db.describe_connection_error(make_url(UNREACHABLE), error)
    assert message == db.PUBLIC_DATABASE_ERROR
    assert not any(detail in message for detail in SERVER_DETAILS)
    logged = caplog.text
    assert "postgresql+psycopg://equity_role:***@127.0.0.1:1/equity_db" in logged  # the details are logged
    assert "s3cret" not in logged


def test_any_database_problem_is_described_to_visitors_in_general_terms(tmp_path, caplog):
    folder = tmp_path / "no-such-folder"
    with pytest.raises(db.DatabaseError) as missing_folder:
        db.make_engine(f"sqlite:///{folder}/equity.db")
    engine = db.make_engine(UNREACHABLE)
    with pytest.raises(db.DatabaseError) as unreachable:
        db.check_connection(engine)
    engine.dispose()
    for error in (missing_folder.value, unreachable.value, _unreachable_error()):
        with caplog.at_level("WARNING", logger="equity_tracking.db"):
            message = db.public_error_message(error)
        assert message == db.PUBLIC_DATABASE_ERROR
        assert not any(detail in message for detail in (*SERVER_DETAILS, str(tmp_path)))
    assert str(folder) in caplog.text
    assert "s3cret" not in caplog.text
    # the people who run the tracker still get the details on the command line
    assert "postgresql+psycopg://equity_role:***@127.0.0.1:1/equity_db" in str(unreachable.value)


def test_the_page_tells_visitors_nothing_about_the_server_when_the_database_is_unreachable(monkeypatch):
    from apptest_support import open_app, texts

    app = open_app("app.py", UNREACHABLE, monkeypatch).run()
    assert not app.exception
    shown = texts(app)
    assert db.PUBLIC_DATABASE_ERROR in shown
    assert not any(detail in shown for detail in SERVER_DETAILS)


# --- configuration --------------------------------------------------------------------------------


def test_streamlit_configuration_is_hardened():
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["client"]["showErrorLinks"] is False
    assert config["client"]["toolbarMode"] == "viewer"
    assert config["client"]["allowedOrigins"] == []
    assert config["browser"]["gatherUsageStats"] is False
    server = config["server"]
    assert server["address"] == "127.0.0.1"
    assert server["enableXsrfProtection"] is True
    assert server["enableCORS"] is True
    assert server["enableStaticServing"] is False
    assert server["enableAgentApi"] is False
    assert (
        "allowedHosts" not in server
    )  # the middleware in serve.py checks every request, not only WebSockets


CALLBACK_COOKIES = [
    (['_streamlit_user="abc.def"; HttpOnly; Path=/; SameSite=lax; Max-Age=2592000'], True),
    (["_streamlit_user_1=abc; Path=/", "_streamlit_user_2=def; Path=/"], True),
    (['_streamlit_user=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/'], False),
    (["_streamlit_xsrf=abc; Path=/"], False),
    ([], False),
]


def test_a_callback_signs_someone_in_only_when_it_sets_the_identity_cookie():
    # serve.py audits a refused single sign-on by this test (Streamlit itself only logs it). Imported
    # in a subprocess: importing serve.py changes Streamlit for the rest of the process.
    cases = [headers for headers, _ in CALLBACK_COOKIES]
    code = f"import serve; print([serve.identity_cookie_set(headers) for headers in {cases!r}])"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert result.stdout.strip().splitlines()[-1] == str([signed_in for _, signed_in in CALLBACK_COOKIES])
