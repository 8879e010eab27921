"""A viewer's browser, as far as the server can tell: a client that speaks Streamlit's own WebSocket
protocol (protobuf ``BackMsg`` up, ``ForwardMsg`` down, from ``streamlit.proto``), for the load test
(``benchmarks/load.py``).

What it does is what Streamlit 1.67's frontend does (its ``index.*.js``; the server side is
``streamlit/web/server/starlette/starlette_websocket.py`` and ``runtime/app_session.py``):

- it opens ``/_stcore/stream`` with the subprotocols ``streamlit`` and an XSRF token (the frontend
  sends ``PLACEHOLDER_AUTH_TOKEN`` when it has no ``_streamlit_xsrf`` cookie; the server reads the
  token only to trust a sign-in cookie, and a public viewer has none);
- every run of a page is a ``BackMsg.rerun_script`` carrying the page's query string, the page
  (``page_name``, its URL path, on a session's first run, as when a URL is typed in; afterwards the
  ``page_script_hash`` that the server's ``navigation`` message gave that path, as a sidebar or
  page-link click sends it), the browser's context (time zone, locale, URL) and the hashes of the
  messages it holds;
- it reads ``ForwardMsg`` frames until ``script_finished`` (one that finished early for a rerun is
  followed by the rerun's own), keeping the large element messages the server marks ``cacheable``
  and putting a cached one back in place of a ``ref_hash`` message, with the frontend's expiry
  (a message unused for ``max_cached_message_age`` runs is dropped). :class:`MessageCache` owns
  that rule.

A run fails when the page shows an exception element, when the server says the page is not found,
or when the script fails to compile; the connection is *dropped* when the server closes it or it
breaks. Time is measured from sending the rerun until ``script_finished`` arrives: a full-page
rerun as a viewer waits for it, without the browser's drawing.

Plain sockets (``websocket-client``), no threads of its own: under Locust every viewer is a gevent
greenlet, and under pytest it is ordinary blocking code.
"""

from __future__ import annotations

import contextlib
import time
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field

import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

STREAM_PATH = "_stcore/stream"
SUBPROTOCOL = "streamlit"
# The frontend's stand-in for an XSRF token when the page set no _streamlit_xsrf cookie.
PLACEHOLDER_TOKEN = "PLACEHOLDER_AUTH_TOKEN"
TIMEZONE = "America/Los_Angeles"  # the city's; the pages judge dates in the city's own time zone
LOCALE = "en-US"
# The frontend's default until a new_session message says otherwise (NewSession.config).
DEFAULT_MAX_CACHED_MESSAGE_AGE = 2
FINISHED = frozenset(
    {
        ForwardMsg.FINISHED_SUCCESSFULLY,
        ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
        ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
    }
)


class SessionDroppedError(ConnectionError):
    """The server closed the session's WebSocket, or the connection broke."""


class RunTimeoutError(TimeoutError):
    """No ``script_finished`` arrived in time; the session's state is unknown afterwards."""


class CacheMissError(RuntimeError):
    """The server referred to a message this client does not hold (the frontend reports a bug)."""


def stream_url(base_url: str) -> str:
    """The WebSocket URL of a server's stream: ``http://host:port/base`` → ``ws://host:port/base/_stcore/stream``."""
    parts = urllib.parse.urlsplit(base_url)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    path = parts.path.rstrip("/") + "/" + STREAM_PATH
    return urllib.parse.urlunsplit((scheme, parts.netloc, path, "", ""))


def rerun_message(
    *,
    query_string: str,
    page_script_hash: str = "",
    page_name: str = "",
    cached_message_hashes: Iterable[str] = (),
    url: str = "",
) -> BackMsg:
    """The ``rerun_script`` BackMsg the frontend sends to run a page: by ``page_script_hash`` once the
    session knows the page's hash, else by ``page_name`` (its URL path, ``""`` for the default page)."""
    message = BackMsg()
    state = message.rerun_script
    state.query_string = query_string.lstrip("?")
    state.page_script_hash = page_script_hash
    state.page_name = "" if page_script_hash else page_name
    state.cached_message_hashes.extend(cached_message_hashes)
    state.context_info.timezone = TIMEZONE
    state.context_info.locale = LOCALE
    state.context_info.url = url
    return message


@dataclass
class _Cached:
    raw: bytes
    last_used_run: int


class MessageCache:
    """The frontend's ForwardMsg cache: messages the server marked ``metadata.cacheable`` are kept
    by hash; a ``ref_hash`` message is replaced by the kept one (with the reference's metadata);
    after each finished run, messages unused for more than ``max_age`` runs are dropped. Their
    hashes go up with every rerun, so that the server sends references instead of the messages."""

    def __init__(self) -> None:
        self._messages: dict[str, _Cached] = {}
        self.run_count = 0

    def resolve(self, message: ForwardMsg, raw: bytes) -> ForwardMsg:
        """The message to act on: ``message`` itself, or the cached one it refers to."""
        if message.WhichOneof("type") == "ref_hash":
            cached = self._messages.get(message.ref_hash)
            if cached is None:
                raise CacheMissError(f"the server referred to message {message.ref_hash}, which is not held")
            cached.last_used_run = self.run_count
            resolved = ForwardMsg()
            resolved.ParseFromString(cached.raw)
            resolved.metadata.CopyFrom(message.metadata)
            return resolved
        if message.metadata.cacheable and message.hash:
            held = self._messages.get(message.hash)
            if held is None:
                self._messages[message.hash] = _Cached(raw, self.run_count)
            else:
                held.last_used_run = self.run_count
        return message

    def finish_run(self, max_age: int) -> None:
        """A run finished: count it, and drop messages unused for more than ``max_age`` runs."""
        self.run_count += 1
        for key in [
            key for key, held in self._messages.items() if self.run_count - held.last_used_run > max_age
        ]:
            del self._messages[key]

    def hashes(self) -> list[str]:
        return list(self._messages)


@dataclass
class RunResult:
    """One full-page run as the viewer saw it."""

    seconds: float = 0.0
    bytes_received: int = 0
    messages: int = 0
    cache_hits: int = 0
    status: int | None = None
    page_script_hash: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.status in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
            and not self.errors
        )


class RunReader:
    """Folds one run's ForwardMsg frames into a :class:`RunResult` and the session's knowledge (page
    hashes from ``navigation``, the cache's age limit from ``new_session``). :meth:`feed` says when
    the run is over."""

    def __init__(self, cache: MessageCache, pages: dict[str, str], result: RunResult) -> None:
        self.cache = cache
        self.pages = pages
        self.result = result
        self.max_cached_message_age = DEFAULT_MAX_CACHED_MESSAGE_AGE

    def feed(self, raw: bytes) -> bool:
        """Take one frame; True when it ended the run."""
        received = ForwardMsg()
        received.ParseFromString(raw)
        self.result.bytes_received += len(raw)
        self.result.messages += 1
        if received.WhichOneof("type") == "ref_hash":
            self.result.cache_hits += 1
        message = self.cache.resolve(received, raw)
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self._new_session(message)
        elif kind == "navigation":
            for page in message.navigation.app_pages:
                self.pages[page.url_pathname] = page.page_script_hash
        elif kind == "delta" and message.delta.new_element.WhichOneof("type") == "exception":
            exception = message.delta.new_element.exception
            self.result.errors.append(f"{exception.type}: {exception.message}"[:300])
        elif kind == "page_not_found":
            self.result.errors.append(f"page not found: {message.page_not_found.page_name!r}")
        elif kind == "session_event" and message.session_event.HasField("script_compilation_exception"):
            self.result.errors.append(
                f"compile error: {message.session_event.script_compilation_exception.message}"
            )
        elif kind == "script_finished" and message.script_finished in FINISHED:
            self.result.status = message.script_finished
            self.cache.finish_run(self.max_cached_message_age)
            return True
        return False

    def _new_session(self, message: ForwardMsg) -> None:
        self.result.page_script_hash = message.new_session.page_script_hash
        age = message.new_session.config.max_cached_message_age
        self.max_cached_message_age = age if age > 0 else DEFAULT_MAX_CACHED_MESSAGE_AGE


class StreamlitSession:
    """One viewer's session on one server: :meth:`connect`, then :meth:`run` pages, then :meth:`close`."""

    def __init__(self, base_url: str, *, timeout_s: float = 120.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.cache = MessageCache()
        self.pages: dict[str, str] = {}  # URL path → page_script_hash, from the server's navigation
        self._socket: websocket.WebSocket | None = None

    @property
    def connected(self) -> bool:
        return self._socket is not None and self._socket.connected

    def connect(self) -> None:
        """Open the WebSocket as the frontend does (a new session: no previous session id)."""
        try:
            self._socket = websocket.create_connection(
                stream_url(self.base_url),
                timeout=self.timeout_s,
                subprotocols=[SUBPROTOCOL, PLACEHOLDER_TOKEN],
                enable_multithread=False,
            )
        except (OSError, websocket.WebSocketException) as error:
            raise SessionDroppedError(f"could not open the session: {error}") from error

    def run(self, path: str, query: str = "") -> RunResult:
        """Run the page at URL path ``path`` (``""`` for the default page) with ``query`` and wait
        for the whole page."""
        if self._socket is None:
            raise SessionDroppedError("the session is not connected")
        page_hash = self.pages.get(path, "")
        url = f"{self.base_url}/{path}" + (f"?{query}" if query else "")
        message = rerun_message(
            query_string=query,
            page_script_hash=page_hash,
            page_name=path,
            cached_message_hashes=self.cache.hashes(),
            url=url,
        )
        result = RunResult()
        reader = RunReader(self.cache, self.pages, result)
        started = time.perf_counter()
        deadline = started + self.timeout_s
        self._send(message.SerializeToString())
        while not reader.feed(self._receive(deadline)):
            pass
        result.seconds = time.perf_counter() - started
        return result

    def idle(self, seconds: float) -> None:
        """Hold the session open for ``seconds`` as an idle browser tab does: answer the server's
        keep-alive pings (they are answered while reading), and notice a close."""
        if self._socket is None:
            raise SessionDroppedError("the session is not connected")
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            self._socket.settimeout(remaining)
            try:
                opcode, _ = self._socket.recv_data()
            except websocket.WebSocketTimeoutException:
                return
            except (OSError, websocket.WebSocketException) as error:
                raise SessionDroppedError(str(error)) from error
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                raise SessionDroppedError("the server closed the session")

    def close(self) -> None:
        if self._socket is not None:
            # Already gone: nothing left to release.
            with contextlib.suppress(OSError, websocket.WebSocketException):
                self._socket.close(timeout=1)
            self._socket = None

    def _send(self, payload: bytes) -> None:
        assert self._socket is not None
        try:
            self._socket.send_binary(payload)
        except (OSError, websocket.WebSocketException) as error:
            raise SessionDroppedError(str(error)) from error

    def _receive(self, deadline: float) -> bytes:
        assert self._socket is not None
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise RunTimeoutError(f"no script_finished within {self.timeout_s:.0f} s")
        self._socket.settimeout(remaining)
        try:
            opcode, data = self._socket.recv_data()
        except websocket.WebSocketTimeoutException as error:
            raise RunTimeoutError(f"no script_finished within {self.timeout_s:.0f} s") from error
        except (OSError, websocket.WebSocketException) as error:
            raise SessionDroppedError(str(error)) from error
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            raise SessionDroppedError("the server closed the session")
        if opcode != websocket.ABNF.OPCODE_BINARY:
            raise SessionDroppedError(
                f"unexpected WebSocket frame (opcode {opcode}); Streamlit sends binary protobufs"
            )
        return bytes(data)
