"""Shared fixtures: every test gets real, throw-away databases, never ``data/equity.db``.

SQLite by default. When ``EQUITY_TEST_DATABASE_URL`` names a PostgreSQL database (``.ci/run`` sets
it), the same tests run on PostgreSQL: that database is used only to create and drop further
throw-away databases, one per test that needs one.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from principals import PUBLIC
from sqlalchemy import Engine, create_engine, make_url, text

from equity_tracking.db import make_engine
from equity_tracking.schema import upgrade_to_head

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The public's view snapshots (equity_tracking.snapshots) of servers started for a whole session go
# to a folder of this process's own, never data/snapshots; each test gets a fresh one below.
os.environ["EQUITY_SNAPSHOT_DIR"] = tempfile.mkdtemp(prefix="equity-test-snapshots-")
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
DEMO_SEED = 2016
_counter = itertools.count()


def pytest_report_header(config: pytest.Config) -> str:
    return f"equity test database: {_backend()}"


def _backend() -> str:
    url = os.environ.get("EQUITY_TEST_DATABASE_URL", "")
    return "postgresql" if url.startswith("postgresql") else "sqlite"


# Every engine the tests made: their idle connections are closed after each test (an engine stays
# usable, and reconnects when a later test of a module-wide city uses it). PostgreSQL allows a
# hundred clients, and a test that keeps its pool open until the session ends would use them up.
_TEST_ENGINES: list[Engine] = []


class DatabaseFactory:
    """Creates empty databases (SQLite files or PostgreSQL databases) and drops them afterwards."""

    def __init__(self, tmp_root: Path) -> None:
        self.tmp_root = tmp_root
        self.admin_url = os.environ.get("EQUITY_TEST_DATABASE_URL", "")
        self._created: list[str] = []
        self._engines: list[Engine] = []
        self._template: str | None = None  # a migrated database that fresh ones are copied from

    @property
    def is_postgresql(self) -> bool:
        return self.admin_url.startswith("postgresql")

    def new_url(self, *, copy_of: str | None = None) -> str:
        """A new empty database, or a copy of the database ``copy_of`` (a name from this factory)."""
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        name = f"t_{worker}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
        if not self.is_postgresql:
            if copy_of is not None:
                shutil.copyfile(self.tmp_root / (copy_of + ".db"), self.tmp_root / (name + ".db"))
            return f"sqlite:///{self.tmp_root / (name + '.db')}"
        template = f' TEMPLATE "{copy_of}"' if copy_of else ""
        with self._admin() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{template}'))
        self._created.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def new_engine(self, *, migrated: bool = True) -> Engine:
        """A fresh database; ``migrated``: at the schema's head, copied from one migrated database
        (migrating each test's database took most of a second, hundreds of times a run)."""
        engine = make_engine(self.new_url(copy_of=self._migrated_template() if migrated else None))
        self._engines.append(engine)
        _TEST_ENGINES.append(engine)
        return engine

    def _migrated_template(self) -> str:
        if self._template is None:
            url = self.new_url()
            engine = make_engine(url)
            upgrade_to_head(engine)
            engine.dispose()  # no connection may remain: PostgreSQL copies only an unused template
            self._template = Path(str(make_url(url).database)).stem  # the file's or the database's name
        return self._template

    def _admin(self):
        admin = create_engine(
            make_url(self.admin_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
        )
        return admin.connect()

    def cleanup(self) -> None:
        for engine in self._engines:
            engine.dispose()
        if self.is_postgresql and self._created:
            with self._admin() as connection:
                for name in self._created:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def database_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("databases"))
    yield factory
    factory.cleanup()


@pytest.fixture
def engine(database_factory: DatabaseFactory) -> Engine:
    """A fresh database, migrated to head and empty: for tests that write."""
    return database_factory.new_engine()


@pytest.fixture
def empty_engine(database_factory: DatabaseFactory) -> Engine:
    """A fresh database with no tables at all."""
    return database_factory.new_engine(migrated=False)


@pytest.fixture(scope="session")
def demo_engine(database_factory: DatabaseFactory) -> Engine:
    """One database with the demo city (scale 1, fixed seed), shared by tests that only read."""
    from equity_tracking.demo import load_demo

    engine = database_factory.new_engine()
    load_demo(engine, scale=1, seed=DEMO_SEED)
    return engine


@pytest.fixture(scope="session")
def analytics_as_of(demo_engine: Engine):
    """``analytics_as_of(2018)``: the demo city judged as of FY 2018-19's reporting deadline,
    computed independently of the pages' caches (once per fiscal year per session)."""
    from equity_tracking.analytics import load_frames, run_analytics
    from equity_tracking.rules import reporting_deadline

    frames = load_frames(demo_engine, include_superseded=True, viewer=PUBLIC)
    results = {}

    def _for(fiscal_year: int):
        if fiscal_year not in results:
            results[fiscal_year] = run_analytics(frames, as_of=reporting_deadline(fiscal_year))
        return results[fiscal_year]

    return _for


@pytest.fixture(autouse=True)
def own_snapshot_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of snapshots for each test: a view judged by one test is never read by the next."""
    folder = tmp_path / "snapshots"
    monkeypatch.setenv("EQUITY_SNAPSHOT_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def fresh_streamlit_caches() -> Iterator[None]:
    """Streamlit's caches outlive one AppTest and are shared by every session: start each test
    clean, and leave nothing behind."""
    import streamlit as st

    from equity_tracking import publication, ui
    from equity_tracking.analytics.frames import FRAME_STORE
    from equity_tracking.db import dispose_shared_engines

    st.cache_data.clear()
    st.cache_resource.clear()
    ui.clear_caches()  # the pages' shared reads and assemblies
    FRAME_STORE.forget()
    publication.forget()  # the process's views, shared by the pages, the API and the reports
    yield
    publication.wait_for_preparations()  # nothing of this test is still being written afterwards
    st.cache_data.clear()
    st.cache_resource.clear()
    ui.clear_caches()
    FRAME_STORE.forget()
    publication.forget()
    # Each test may use a database of its own: close its connections now rather than when garbage
    # is collected (PostgreSQL allows a hundred clients).
    dispose_shared_engines()
    for engine in _TEST_ENGINES:
        engine.dispose()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


# --- the app in a real server and a real browser ------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(base_url: str, process, timeout_s: float = 60.0) -> None:
    import time
    import urllib.request

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)  # polling interval while the server starts, not a wait for the page
    raise RuntimeError(f"streamlit did not become healthy at {base_url} within {timeout_s:.0f} s")


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    import shutil

    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed; `make test` installs it.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# --- the demo, golden and hostile cities, each in a server of its own (browser tests) ---------------


def serve_app(
    engine: Engine,
    log_path: Path,
    *,
    port: int | None = None,
    secrets_file: Path | None = None,
    script: str = "serve.py",
) -> Iterator[str]:
    """``streamlit run serve.py`` against ``engine``'s database (no demo loaded into it): yields the
    base URL once, and stops the server when resumed or closed; a fixture serves it with
    ``yield from serve_app(...)``. The server's output goes to ``log_path``.

    ``port`` (default: a free one) and ``secrets_file`` are for single sign-on tests, whose
    secrets name the port in ``[auth] redirect_uri``: the file replaces Streamlit's secrets search
    (``--secrets.files``). ``script`` "app.py" serves the app without the tracker's server (a
    control for what Streamlit does unguarded)."""
    import subprocess
    import sys

    port = port or _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "EQUITY_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "EQUITY_LOAD_DEMO_WHEN_EMPTY": "false",
    }
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / script),
                "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
                "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
                *(["--secrets.files", str(secrets_file)] if secrets_file is not None else []),
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            _wait_until_healthy(base_url, process)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def golden_engine(database_factory: DatabaseFactory) -> Engine:
    """One database holding the golden city (tests/golden_city.py), shared by tests that only read."""
    from golden_city import build_golden_city

    engine = database_factory.new_engine()
    build_golden_city(engine)
    return engine


@pytest.fixture(scope="session")
def hostile_engine(database_factory: DatabaseFactory) -> Engine:
    """One database holding the golden city with planted hostile text (tests/hostile_city.py)."""
    from hostile_city import build_hostile_city

    engine = database_factory.new_engine()
    build_hostile_city(engine)
    return engine


@pytest.fixture(scope="session")
def app_server(demo_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served on the demo city; yields the base URL."""
    yield from serve_app(demo_engine, tmp_path_factory.mktemp("demo-server") / "streamlit.log")


@pytest.fixture(scope="session")
def golden_server(golden_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served on the golden city; yields the base URL."""
    yield from serve_app(golden_engine, tmp_path_factory.mktemp("golden-server") / "streamlit.log")


@pytest.fixture(scope="session")
def hostile_server(hostile_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served on the hostile city; yields the base URL."""
    yield from serve_app(hostile_engine, tmp_path_factory.mktemp("hostile-server") / "streamlit.log")


@pytest.fixture
def fresh_golden_server(golden_engine: Engine, tmp_path: Path) -> Iterator[str]:
    """A server of its own on the golden city that no browser has opened yet (Streamlit serves
    ``pages/`` files by URL until app.py has run once)."""
    yield from serve_app(golden_engine, tmp_path / "streamlit.log")
