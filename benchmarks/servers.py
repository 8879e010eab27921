"""Servers for the benchmarks: the app started as ``make run`` starts it (``streamlit run serve.py``),
and any other server a benchmark compares it with. One home for the command line, the wait until a
server answers, and stopping it, so that every benchmark measures the same app.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

PROJECT_ROOT = Path(__file__).resolve().parent.parent
HEALTH = "/_stcore/health"


@dataclass(frozen=True)
class Server:
    url: str  # http://127.0.0.1:PORT (or the host asked for)
    pid: int
    port: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def app_command(port: int, options: Sequence[str] = ()) -> list[str]:
    """``streamlit run serve.py`` on ``port``, headless, without the file watcher; ``options`` are
    further ``--section.name value`` arguments."""
    return [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port),
            "--server.address", "127.0.0.1", "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
            *options]  # fmt: skip


def app_environment(database_url: str) -> dict[str, str]:
    return {**os.environ, "EQUITY_DATABASE_URL": database_url, "EQUITY_LOAD_DEMO_WHEN_EMPTY": "false"}


def start(command: list[str], env: dict[str, str], output: IO | int = subprocess.DEVNULL) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def wait_for(port: int, path: str, process: subprocess.Popen, timeout_s: float = 120.0) -> None:
    """Poll ``path`` until it answers 200; fail at once if the server exits."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with code {process.returncode}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        time.sleep(0.3)  # polling while the server starts
    raise RuntimeError(f"the server on port {port} did not answer {path} within {timeout_s:.0f} s")


def stop(processes: Iterable[subprocess.Popen], timeout_s: float = 15) -> None:
    """Ask every process to end first, then wait for each (killing those that do not)."""
    processes = list(processes)
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def serving(
    command: list[str], port: int, ready_path: str, env: dict[str, str]
) -> Iterator[subprocess.Popen]:
    """Any server started by ``command``, once ``ready_path`` answers; stopped on exit."""
    process = start(command, env)
    try:
        wait_for(port, ready_path, process)
        yield process
    finally:
        stop([process])


@contextlib.contextmanager
def app_server(database_url: str, *, host: str = "127.0.0.1") -> Iterator[Server]:
    """The app on ``database_url`` as ``make run`` starts it, on a free port; ``host`` names it in
    the URL (``localhost`` is one of the names serve.py answers to by default)."""
    port = free_port()
    with serving(app_command(port), port, HEALTH, app_environment(database_url)) as process:
        yield Server(f"http://{host}:{port}", process.pid, port)
