"""What the browser downloads: Streamlit's static files compressed once, and its page shell carrying
the tracker's stylesheet from the first frame.

Streamlit 1.67 serves its JavaScript uncompressed (8.7 MiB for a page with Plotly charts): its own
gzip middleware skips ``/static/``, because it would compress the same bytes again on every request.
Here each file is compressed once instead:

- :class:`CompressedFiles` compresses a folder's text files (JavaScript, CSS, JSON, SVG…) of at least
  :data:`MIN_BYTES`: gzip at level 9 the first time a file is asked for (a request waits for it; the
  largest file, Plotly's 4.7 MB, takes about 0.3 s), then brotli at quality 11 in a background
  thread (about 3 s per MB, a quarter smaller than gzip). Each result is kept in memory (at most the
  folder once per coding, about 12 MB for Streamlit's) and in a cache folder keyed by the file's path,
  modification time and size, so the next process, or the next start, reads it instead.
- :class:`PrecompressedStatic` answers a request for one of those files, from a browser that accepts
  the coding, with the compressed bytes and the headers Streamlit gives the file itself (type,
  caching, validators: it asks Streamlit for a ``HEAD`` of the file), a weak ETag, ``Vary``.
- :class:`StyledShell` puts a stylesheet (``ui.css``) into Streamlit's page shell (``index.html``,
  served for every page's URL), so its layout rules hold before a page's script has run, and serves
  the shell compressed. Streamlit only applies a page's styles once its script has sent them, a
  second or more after the first frame was drawn without them.

Nothing here imports Streamlit: serve.py passes the folder, the shell and the base path.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import logging
import os
import queue
import stat
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

import brotli
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOGGER = logging.getLogger("equity_tracking.compression")

GZIP_LEVEL = 9
BROTLI_QUALITY = 11
# Below about one packet compression saves no round trip, and the header costs some of the gain.
MIN_BYTES = 1024
# Text compresses; PNG, GIF, WOFF2 and the like are compressed already.
COMPRESSIBLE_SUFFIXES = frozenset(
    {".js", ".mjs", ".css", ".html", ".json", ".map", ".svg", ".txt", ".xml", ".wasm", ".ttf", ".otf"}
)
# The codings served, the preferred first.
ENCODINGS = ("br", "gzip")
DEFAULT_CACHE_DIR = Path(tempfile.gettempdir()) / "equity-tracker-compressed"
SHELL_STYLE_MARK = "data-equity-shell-style"


# --- codings ----------------------------------------------------------------------------------------


def accepted_encodings(header: str | None) -> frozenset[str]:
    """The codings of :data:`ENCODINGS` an ``Accept-Encoding`` header allows: those it names with a
    weight above 0, and, when it allows ``*``, those it does not name."""
    weights: dict[str, float] = {}
    for part in (header or "").split(","):
        coding, _, parameters = part.partition(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        weight = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights["gzip" if coding == "x-gzip" else coding] = weight
    return frozenset(coding for coding in ENCODINGS if weights.get(coding, weights.get("*", 0.0)) > 0)


def compress(data: bytes, encoding: str) -> bytes:
    """``data`` in ``encoding`` (``gzip`` without a timestamp, so the same file gives the same bytes)."""
    if encoding == "gzip":
        return gzip.compress(data, GZIP_LEVEL, mtime=0)
    if encoding == "br":
        return bytes(brotli.compress(data, quality=BROTLI_QUALITY))
    raise ValueError(f"Unknown coding {encoding!r}.")


def decompress(data: bytes, encoding: str) -> bytes:
    """The bytes :func:`compress` was given."""
    if encoding == "gzip":
        return gzip.decompress(data)
    if encoding == "br":
        return bytes(brotli.decompress(data))
    raise ValueError(f"Unknown coding {encoding!r}.")


def _preferred(accepted: frozenset[str]) -> str | None:
    return next((coding for coding in ENCODINGS if coding in accepted), None)


# --- the files, compressed once ---------------------------------------------------------------------


class _Worker:
    """One daemon thread running jobs in turn: compression takes at most a core, and a job under way
    never holds up the server's exit. ``nice`` lowers the thread's priority (Linux: that thread
    alone), so that work nobody waits for yields the CPU to page runs."""

    def __init__(self, name: str, nice: int = 0) -> None:
        self.name = name
        self.nice = nice
        self._jobs: queue.SimpleQueue[tuple[Callable[[], bytes], Future[bytes]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, job: Callable[[], bytes]) -> Future[bytes]:
        future: Future[bytes] = Future()
        self._jobs.put((job, future))
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
        return future

    def _run(self) -> None:
        if self.nice:
            with contextlib.suppress(AttributeError, OSError):
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), self.nice)
        while True:
            job, future = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job())
            except BaseException as error:  # handed to whoever waits on the future
                future.set_exception(error)


def private_folder(path: Path | None) -> Path | None:
    """``path``, created if need be, when it is a folder only this user may write to; else None (no
    cache on disk). Whoever can write there could make visitors' browsers run their script; each
    file read back is checked against the original all the same."""
    if path is None:
        return None
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.lstat()
    except OSError:
        LOGGER.warning("Cannot use %s for compressed files; they are kept in memory only.", path)
        return None
    owner = getattr(os, "getuid", lambda: info.st_uid)()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != owner or info.st_mode & 0o022:
        LOGGER.warning("%s is not a private folder; compressed files are kept in memory only.", path)
        return None
    return path


def _eligible_files(root: Path, min_bytes: int) -> dict[str, Path]:
    """The files below ``root`` worth compressing, by their path relative to it (``/`` separated)."""
    files = {}
    for path in sorted(root.rglob("*")):
        if path.suffix.lower() not in COMPRESSIBLE_SUFFIXES or not path.is_file():
            continue
        resolved = path.resolve()
        if resolved.is_relative_to(root) and resolved.stat().st_size >= min_bytes:
            files[path.relative_to(root).as_posix()] = resolved
    return files


class CompressedFiles:
    """The compressible files of a folder, each compressed once per coding (see the module's notes).
    Files are found when this is made; a file that changes afterwards is compressed again."""

    def __init__(
        self, root: Path, cache_dir: Path | None = DEFAULT_CACHE_DIR, *, min_bytes: int = MIN_BYTES
    ) -> None:
        self.root = root.resolve()
        self.files = _eligible_files(self.root, min_bytes)
        self.cache_dir = private_folder(cache_dir)
        # Re-entrant: a job that is already done runs its callback (which takes the lock) at once.
        self._lock = threading.RLock()
        self._ready: dict[tuple[str, int, int, str], bytes] = {}
        self._pending: dict[tuple[str, int, int, str], Future[bytes]] = {}
        # gzip answers waiting requests; brotli, which nobody waits for, runs beside it at low priority.
        self._workers = {"gzip": _Worker("equity-compress-gzip"), "br": _Worker("equity-compress-br", 10)}

    def size(self, relative: str) -> int | None:
        """The file's size now, or None when it is not one of the files served compressed."""
        path = self.files.get(relative)
        if path is None:
            return None
        try:
            return path.stat().st_size
        except OSError:
            return None

    def compressed(self, relative: str, encoding: str) -> Future[bytes]:
        """The file in ``encoding``: a finished future when it is in memory, else one that the
        coding's worker fulfils (reading the cache folder, or compressing). Asked again while under
        way, the same future is returned."""
        path = self.files[relative]
        info = path.stat()
        key = (relative, info.st_mtime_ns, info.st_size, encoding)
        with self._lock:
            if key in self._ready:
                done: Future[bytes] = Future()
                done.set_result(self._ready[key])
                return done
            if key in self._pending:
                return self._pending[key]
            future = self._workers[encoding].submit(lambda: self._produce(key, path))
            self._pending[key] = future
            future.add_done_callback(lambda finished: self._settle(key, finished))
            return future

    def _settle(self, key: tuple[str, int, int, str], future: Future[bytes]) -> None:
        with self._lock:
            self._pending.pop(key, None)
            if future.exception() is None:
                self._ready[key] = future.result()
            else:
                LOGGER.warning("Could not compress %s as %s: %s", key[0], key[3], future.exception())

    def _produce(self, key: tuple[str, int, int, str], path: Path) -> bytes:
        original = path.read_bytes()
        if len(original) != key[2]:  # changed since it was looked at: the next request sees it anew
            raise OSError(f"{path} changed while it was read")
        cached = self._cache_file(key)
        if cached is not None:
            data = self._read_cached(cached, original, key[3])
            if data is not None:
                return data
        data = compress(original, key[3])
        if cached is not None:
            self._write_cached(cached, data)
        return data

    def _cache_file(self, key: tuple[str, int, int, str]) -> Path | None:
        if self.cache_dir is None:
            return None
        level = GZIP_LEVEL if key[3] == "gzip" else BROTLI_QUALITY
        name = "\0".join(map(str, (*key, level, self.root)))
        return self.cache_dir / f"{hashlib.sha256(name.encode()).hexdigest()[:40]}.{key[3]}"

    @staticmethod
    def _read_cached(cached: Path, original: bytes, encoding: str) -> bytes | None:
        try:
            data = cached.read_bytes()
        except FileNotFoundError:
            return None
        except OSError:
            data = b""
        try:
            if len(data) <= len(original) + 1024 and decompress(data, encoding) == original:
                return data
        except (OSError, ValueError, EOFError, brotli.error):
            pass
        LOGGER.info("Ignored the cached %s, which does not match its file.", cached)
        return None

    @staticmethod
    def _write_cached(cached: Path, data: bytes) -> None:
        try:
            handle, temporary = tempfile.mkstemp(dir=cached.parent, prefix=".partial-")
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, cached)  # whole or absent for other processes reading it
        except OSError as error:
            LOGGER.info("Could not keep %s: %s", cached, error)


# --- serving them -----------------------------------------------------------------------------------


def _relative_path(scope: Scope, base_path: str) -> str:
    """The request's path below the app's root (an ASGI mount's ``root_path``, then Streamlit's
    ``server.baseUrlPath``), without its leading slash."""
    path: str = scope.get("path", "")
    for prefix in (scope.get("root_path", ""), "/" + base_path.strip("/")):
        prefix = prefix.rstrip("/")
        if prefix and (path == prefix or path.startswith(prefix + "/")):
            path = path[len(prefix) :]
    return path.lstrip("/")


def _add_vary(headers: MutableHeaders) -> None:
    vary = [part.strip() for part in headers.get("vary", "").split(",") if part.strip()]
    if "accept-encoding" not in {part.lower() for part in vary}:
        headers["vary"] = ", ".join([*vary, "Accept-Encoding"])


def _vary_on_coding(send: Send) -> Send:
    """``send`` that says the response depends on ``Accept-Encoding`` (a cache between must not hand
    one browser's coding to another)."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            _add_vary(MutableHeaders(scope=message))
        await send(message)

    return sending


async def _streamlit_head(app: ASGIApp, scope: Scope) -> Message | None:
    """The start of the app's answer to a ``HEAD`` for the same path and validators, asked without
    ``Accept-Encoding``: the status and the headers it would send with the file itself."""
    head = {
        **scope,
        "method": "HEAD",
        "headers": [(name, value) for name, value in scope["headers"] if name != b"accept-encoding"],
    }
    started: Message | None = None
    messages = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> Message:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def capture(message: Message) -> None:
        nonlocal started
        if message["type"] == "http.response.start":
            started = message

    await app(head, receive, capture)
    return started


class PrecompressedStatic:
    """Serves the files of a :class:`CompressedFiles` compressed, to browsers that accept brotli or
    gzip. Every other request, and a file's range, goes to the app unchanged (a file's with ``Vary``).

    Streamlit stays the judge of what it serves: the app is asked for a ``HEAD`` of the file first,
    and only a plain 200 for a file of the same size is replaced; its 304 is passed on."""

    def __init__(
        self, app: ASGIApp, files: CompressedFiles, base_path: Callable[[], str] = lambda: ""
    ) -> None:
        self.app = app
        self.files = files
        self.base_path = base_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        relative = self._served_compressed(scope)
        if relative is None:
            await self.app(scope, receive, send)
            return
        accepted = accepted_encodings(Headers(scope=scope).get("accept-encoding"))
        encoding, body = await self._variant(relative, accepted)
        if body is None:
            await self.app(scope, receive, _vary_on_coding(send))
            return
        start = await _streamlit_head(self.app, scope)
        status = start["status"] if start else None
        headers = MutableHeaders(raw=list(start["headers"])) if start else MutableHeaders()
        if status == 304:
            _add_vary(headers)
            await send({"type": "http.response.start", "status": 304, "headers": headers.raw})
            await send({"type": "http.response.body", "body": b""})
            return
        if (
            status != 200
            or "content-encoding" in headers
            or headers.get("content-length") != str(self.files.size(relative))
        ):
            await self.app(scope, receive, _vary_on_coding(send))
            return
        headers["content-encoding"] = encoding
        headers["content-length"] = str(len(body))
        if "etag" in headers and not headers["etag"].startswith("W/"):
            headers["etag"] = "W/" + headers["etag"]  # the same content, in other bytes
        _add_vary(headers)
        await send({"type": "http.response.start", "status": 200, "headers": headers.raw})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

    def _served_compressed(self, scope: Scope) -> str | None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return None
        if "range" in Headers(scope=scope):
            return None
        relative = _relative_path(scope, self.base_path())
        return relative if relative in self.files.files else None

    async def _variant(self, relative: str, accepted: frozenset[str]) -> tuple[str, bytes | None]:
        """The best coding ready now: brotli once it is made (it is asked for here, and made in the
        background), else gzip, waited for the first time."""
        try:
            if "br" in accepted:
                brotli_future = self.files.compressed(relative, "br")
                if brotli_future.done() and brotli_future.exception() is None:
                    return "br", brotli_future.result()
            if "gzip" in accepted:
                return "gzip", await asyncio.wrap_future(self.files.compressed(relative, "gzip"))
        except Exception:  # the file is served as it is; the reason is logged
            LOGGER.exception("Could not compress %s; served uncompressed.", relative)
        return "", None


# --- the page shell ---------------------------------------------------------------------------------


def shell_with_style(shell: bytes, style: str) -> bytes:
    """The page shell with ``style`` in a ``<style>`` element at the end of its head."""
    if "</" in style:
        raise ValueError("A stylesheet put into the page shell cannot close its <style> element.")
    head_end = shell.lower().rfind(b"</head>")
    if head_end < 0:
        raise ValueError("The page shell has no </head>.")
    element = f"<style {SHELL_STYLE_MARK}>\n{style}\n</style>\n".encode()
    return shell[:head_end] + element + shell[head_end:]


class StyledShell:
    """Puts a stylesheet into the page shell wherever the app serves it, compressed for the browser.

    A small HTML answer to a ``GET`` is held until it is whole; when it is the shell (plain or in a
    coding of :data:`ENCODINGS`), the styled shell goes out instead, without the shell file's
    validators (it is sent ``no-cache`` and is a few KB; an ETag or date of the file alone would not
    change with the stylesheet). Anything else goes out as it came."""

    def __init__(self, app: ASGIApp, shell: Path, style: str) -> None:
        self.app = app
        self.shell = shell.read_bytes()
        styled = shell_with_style(self.shell, style)
        self.variants = {"": styled, **{coding: compress(styled, coding) for coding in ENCODINGS}}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        accepted = accepted_encodings(Headers(scope=scope).get("accept-encoding"))
        held: Message | None = None
        body = bytearray()

        async def sending(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start" and self._may_be_shell(message):
                held = message
                return
            if held is not None and message["type"] != "http.response.body":
                await send(held)  # not a body to look at (a file sent by its path): passed on
                held = None
            if held is None:
                await send(message)
                return
            body.extend(message.get("body", b""))
            if not message.get("more_body", False):
                await self._send_held(held, bytes(body), accepted, send)

        await self.app(scope, receive, sending)

    def _may_be_shell(self, start: Message) -> bool:
        headers = Headers(raw=start["headers"])
        length = headers.get("content-length", "")
        return (
            start["status"] == 200
            and headers.get("content-type", "").startswith("text/html")
            and headers.get("content-encoding", "") in ("", *ENCODINGS)
            and length.isdigit()
            and int(length) <= len(self.shell) + 1024
        )

    async def _send_held(self, start: Message, body: bytes, accepted: frozenset[str], send: Send) -> None:
        headers = MutableHeaders(raw=list(start["headers"]))
        coding = headers.get("content-encoding", "")
        try:
            is_shell = (decompress(body, coding) if coding else body) == self.shell
        except (ValueError, EOFError, OSError, brotli.error):
            is_shell = False
        if is_shell:
            coding = _preferred(accepted) or ""
            body = self.variants[coding]
            for name in ("content-encoding", "etag", "last-modified"):
                del headers[name]
            if coding:
                headers["content-encoding"] = coding
            headers["content-length"] = str(len(body))
            _add_vary(headers)
        await send({**start, "headers": headers.raw})
        await send({"type": "http.response.body", "body": body})
