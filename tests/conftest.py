"""Shared fixtures: every test gets real, throw-away databases, never ``data/equity.db``.

SQLite by default. When ``EQUITY_TEST_DATABASE_URL`` names a PostgreSQL database (``.ci/run`` sets
it), the same tests run on PostgreSQL: that database is used only to create and drop further
throw-away databases, one per test that needs one.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text

from equity_tracking.db import make_engine
from equity_tracking.schema import upgrade_to_head

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
DEMO_SEED = 2016
_counter = itertools.count()


def pytest_report_header(config: pytest.Config) -> str:
    return f"equity test database: {_backend()}"


def _backend() -> str:
    url = os.environ.get("EQUITY_TEST_DATABASE_URL", "")
    return "postgresql" if url.startswith("postgresql") else "sqlite"


class DatabaseFactory:
    """Creates empty databases (SQLite files or PostgreSQL databases) and drops them afterwards."""

    def __init__(self, tmp_root: Path) -> None:
        self.tmp_root = tmp_root
        self.admin_url = os.environ.get("EQUITY_TEST_DATABASE_URL", "")
        self._created: list[str] = []
        self._engines: list[Engine] = []

    @property
    def is_postgresql(self) -> bool:
        return self.admin_url.startswith("postgresql")

    def new_url(self) -> str:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        name = f"t_{worker}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
        if not self.is_postgresql:
            return f"sqlite:///{self.tmp_root / (name + '.db')}"
        with self._admin() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self._created.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def new_engine(self, *, migrated: bool = True) -> Engine:
        engine = make_engine(self.new_url())
        self._engines.append(engine)
        if migrated:
            upgrade_to_head(engine)
        return engine

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
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
