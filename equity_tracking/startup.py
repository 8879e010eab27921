"""Getting a database ready to use: connect, migrate to head, and fill an empty one with the demo.

Shared by the app (once per process, through the UI adapter) and by ``init-db`` and ``load-demo`` on
the command line, so all apply the same rules: a database newer than the code is refused untouched,
the demo city is only ever loaded into a database that holds no plan data, and only one process sets
a database up at a time (:func:`exclusive_setup`): two ``init-db`` runs on one empty database would
otherwise both create its tables, and the second would fail half-way with a traceback.

Also owns how a running process notices that its SQLite file was deleted or replaced under it
(:meth:`Startup.file_change`): its open connections would go on reading the old file.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import Engine, text

from equity_tracking.db import DatabaseError, check_connection, is_postgresql, make_engine, sqlite_file
from equity_tracking.schema import SchemaStatus, has_plan_data, upgrade_to_head
from equity_tracking.settings import Settings

SETUP_WAIT_S = 120.0  # a server starting beside a running setup waits this long for it
SETUP_BUSY = (
    "Another process is setting up this database right now (init-db, load-demo, or a server "
    "starting on an empty database). Nothing was changed; run this again when it has finished."
)
# Any fixed number: PostgreSQL's advisory locks are named by a 64-bit key per database.
_SETUP_LOCK_KEY = 0x45515549_54590001

FileIdentity = tuple[int, int]  # (device, inode) of a SQLite file


class DatabaseFileMissingError(DatabaseError):
    """The SQLite file this process opened was deleted or moved (see :meth:`Startup.file_change`)."""


class SetupBusyError(DatabaseError):
    """Another process holds the setup lock of this database (and did not let go in time)."""


@dataclass(frozen=True)
class Startup:
    engine: Engine
    schema: SchemaStatus
    loaded_demo: bool
    demo_summary: object | None = None  # demo.DemoSummary when the demo was loaded
    file_identity: FileIdentity | None = None  # SQLite: the file this process opened

    def file_change(self) -> Literal["missing", "replaced"] | None:
        """For SQLite: whether the database file is gone, or is another file now (a restore copied
        over it), since this process opened it. None for PostgreSQL, or when it is the same file."""
        if self.file_identity is None:
            return None
        current = sqlite_file_identity(self.engine)
        if current is None:
            return "missing"
        return "replaced" if current != self.file_identity else None


def prepare_database(
    settings: Settings,
    *,
    load_demo_when_empty: bool | None = None,
    engine: Engine | None = None,
    progress: Callable[[str, float], None] | None = None,
    wait_for_setup_s: float = SETUP_WAIT_S,
    demo_scale: int = 1,
    demo_seed: int = 2016,
) -> Startup:
    """Connect, upgrade to head, and load the demo into an empty database if so configured.

    Holds the database's setup lock meanwhile: waits up to ``wait_for_setup_s`` for another process
    that holds it (0: refuse at once, as the command line's setup commands do), then raises
    :class:`SetupBusyError`. Raises :class:`~equity_tracking.db.DatabaseError` with a one-line,
    password-masked message for any other problem.
    """
    engine = engine or make_engine(settings.database_url)
    check_connection(engine)
    wants_demo = settings.load_demo_when_empty if load_demo_when_empty is None else load_demo_when_empty
    summary = None
    with exclusive_setup(engine, wait_s=wait_for_setup_s):
        schema = upgrade_to_head(engine)
        if wants_demo and not has_plan_data(engine):
            from equity_tracking.demo import load_demo  # the generator is large; import it when used

            summary = load_demo(engine, scale=demo_scale, seed=demo_seed, progress=progress)
    return Startup(
        engine=engine,
        schema=schema,
        loaded_demo=summary is not None,
        demo_summary=summary,
        file_identity=sqlite_file_identity(engine),
    )


@contextmanager
def exclusive_setup(engine: Engine, *, wait_s: float) -> Iterator[None]:
    """Hold the database's setup lock while the block runs: a PostgreSQL advisory lock, or an
    exclusive lock on a ``-setup.lock`` file beside a SQLite file. Both end with the process, so a
    killed setup never leaves the database locked. Waits up to ``wait_s`` seconds for another
    holder, then raises :class:`SetupBusyError`."""
    if is_postgresql(engine):
        with _advisory_lock(engine, wait_s):
            yield
        return
    path = sqlite_file(engine.url)
    if path is None:
        yield
        return
    with _file_lock(path.with_name(f"{path.name}-setup.lock"), wait_s):
        yield


def _waiting(try_lock: Callable[[], bool], wait_s: float) -> None:
    deadline = time.monotonic() + wait_s
    while not try_lock():
        if time.monotonic() >= deadline:
            raise SetupBusyError(SETUP_BUSY)
        time.sleep(0.25)


@contextmanager
def _advisory_lock(engine: Engine, wait_s: float) -> Iterator[None]:
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")

        def try_lock() -> bool:
            statement = text("SELECT pg_try_advisory_lock(:key)")
            return bool(connection.execute(statement, {"key": _SETUP_LOCK_KEY}).scalar_one())

        _waiting(try_lock, wait_s)
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _SETUP_LOCK_KEY})


@contextmanager
def _file_lock(path: Path, wait_s: float) -> Iterator[None]:
    try:
        handle = path.open("a")
    except OSError as error:
        raise DatabaseError(f"Cannot open the setup lock file {path}: {error.strerror or error}.") from error
    with handle:

        def try_lock() -> bool:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        _waiting(try_lock, wait_s)
        try:
            yield
        finally:
            # The file stays: deleting it would let a third process lock a new file meanwhile.
            fcntl.flock(handle, fcntl.LOCK_UN)


def sqlite_file_identity(engine: Engine) -> FileIdentity | None:
    """(device, inode) of the engine's SQLite file; None for PostgreSQL, an in-memory database, or
    a file that does not exist."""
    path = sqlite_file(engine.url)
    if path is None:
        return None
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_dev, status.st_ino)
