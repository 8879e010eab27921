"""Database connections: engines for SQLite and PostgreSQL, and clear errors when they fail.

Owns how a URL becomes an engine (SQLite with WAL, foreign keys and a busy timeout; PostgreSQL
through psycopg 3), how a URL is shown to people (password masked), and the messages for a database
that cannot be reached or a URL that cannot be read: a one-line, password-masked description for the
people who run the tracker (the command line, the server log), and one generic sentence for visitors,
which names no server path, host, port, database or role. Also owns how a write transaction begins
and how a busy database is retried (:func:`writing`).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

from equity_tracking.settings import database_timeouts

SQLITE_BUSY_TIMEOUT_MS = 10_000
URL_EXAMPLES = "sqlite:///data/equity.db or postgresql+psycopg://user:password@host:5432/dbname"
# All a visitor is told about a database problem; what went wrong goes to the server log.
PUBLIC_DATABASE_ERROR = "The database is not reachable right now. Please try again later."

LOGGER = logging.getLogger(__name__)


class DatabaseError(RuntimeError):
    """A database problem a person can fix; ``str()`` is one line naming the (masked) URL, for the
    people who run the tracker. Visitors are told :func:`public_error_message` instead."""


def mask_url(url: str | URL) -> str:
    """The URL with any password replaced by ``***``, safe for logs and screens.

    Masked by pattern, not by SQLAlchemy's parse: a password with an unencoded ``@`` or ``/`` is
    read by the parser as part of the host, and would then be shown."""
    if isinstance(url, URL):
        url = url.render_as_string(hide_password=False)
    return _mask_urls_in(str(url))


def parse_url(url: str) -> URL:
    """``url`` as SQLAlchemy's URL, or a one-line :class:`DatabaseError` naming the masked URL and
    the fix: an unreadable URL, an unsupported database, or a password with an unencoded ``@``."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as error:  # ValueError: a port that is not a number
        raise DatabaseError(
            f"EQUITY_DATABASE_URL {mask_url(url)!r} is not a database URL. "
            f"Set it to a URL such as {URL_EXAMPLES}."
        ) from error
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise DatabaseError(
            f"EQUITY_DATABASE_URL {mask_url(url)!r} names an unsupported database "
            f"({parsed.get_backend_name()}). Use SQLite or PostgreSQL, e.g. {URL_EXAMPLES}."
        )
    if "@" in (parsed.host or ""):
        raise DatabaseError(
            f"EQUITY_DATABASE_URL {mask_url(url)!r} has an @ in its user name or password: write "
            "it as %40 (and any other reserved character percent-encoded, e.g. / as %2F)."
        )
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        # Plain postgresql:// would pick psycopg2; this project ships psycopg 3.
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


_SHARED: dict[str, Engine] = {}
_SHARED_LOCK = threading.Lock()


def shared_engine(database_url: str) -> Engine:
    """One engine (one connection pool) per database per process, shared by the pages, the server's
    own routes and its hooks."""
    with _SHARED_LOCK:
        if database_url not in _SHARED:
            _SHARED[database_url] = make_engine(database_url)
        return _SHARED[database_url]


def close_shared_connections(database_url: str) -> None:
    """Close the pooled connections of ``database_url``'s shared engine, if there is one (after a
    failure: they may be dead, or hold a deleted file open). The engine stays usable."""
    with _SHARED_LOCK:
        engine = _SHARED.get(database_url)
    if engine is not None:
        engine.dispose()


def dispose_shared_engines() -> None:
    """Close every shared engine's connections and forget them (tests, between databases)."""
    with _SHARED_LOCK:
        for engine in _SHARED.values():
            engine.dispose()
        _SHARED.clear()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; raises :class:`DatabaseError` for a URL that cannot be used, or whose
    driver is not installed."""
    parsed = parse_url(url)
    try:
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(parsed)
        return _postgresql_engine(parsed)
    except (ArgumentError, NoSuchModuleError) as error:
        raise DatabaseError(f"Cannot use database URL {mask_url(parsed)!r}: {error}") from error
    except ImportError as error:  # e.g. postgresql+psycopg2:// without psycopg2
        raise DatabaseError(
            f"Cannot use database URL {mask_url(parsed)!r}: its driver ({parsed.drivername}) is not "
            "installed. Use postgresql+psycopg:// (psycopg 3 comes with the tracker) or sqlite:///."
        ) from error


def _postgresql_engine(url: URL) -> Engine:
    connect, statement = database_timeouts()
    return create_engine(
        url,
        pool_pre_ping=True,  # a connection the server dropped (a restart) is replaced, not used
        pool_size=5,
        max_overflow=10,
        pool_timeout=connect,
        connect_args={
            # A server that never answers fails in seconds instead of hanging the page or the
            # command line; a statement that runs away is stopped by the server; TCP keepalives
            # notice a host that vanished mid-query.
            "connect_timeout": max(1, round(connect)),
            "options": f"-c statement_timeout={round(statement * 1000)}",
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
        },
    )


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite URL; None for PostgreSQL or an in-memory database (``file:`` URIs are
    left to SQLite)."""
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in {"", ":memory:"} or database.startswith("file:"):
        return None
    return Path(database)


def _sqlite_engine(url: URL) -> Engine:
    path = sqlite_file(url)
    if path is not None:
        folder = path.parent
        if not folder.is_dir():
            raise DatabaseError(
                f"Cannot open SQLite database {mask_url(url)!r}: folder {folder} does not exist. "
                "Create it or point EQUITY_DATABASE_URL elsewhere."
            )
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # WAL lets readers (the app) and a writer (an import) work at once; SQLite leaves foreign
        # keys off unless asked on every connection.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()
        # Python's sqlite3 opens a transaction only before INSERT, UPDATE or DELETE, so a schema
        # change would commit statement by statement and a failed migration would stay half done.
        # Let SQLAlchemy say BEGIN itself (SQLAlchemy's documented recipe for pysqlite).
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A write transaction takes SQLite's write lock up front (BEGIN IMMEDIATE, see ``writing``):
        # one that read first and wrote later would fail if another writer committed in between.
        connection.exec_driver_sql(connection.get_execution_options().get(SQLITE_BEGIN, "BEGIN"))

    return engine


SQLITE_BEGIN = "equity_sqlite_begin"
WRITE_ATTEMPTS = 5  # a write that finds the database busy is tried this many times in all
DATABASE_BUSY = (
    "The database is busy with another change, so nothing was saved. Please try again in a moment."
)


class DatabaseBusyError(DatabaseError):
    """The database stayed locked (SQLite) or kept refusing to serialize (PostgreSQL) through every
    attempt; nothing was written."""


def is_busy(error: BaseException) -> bool:
    """A failure that a fresh attempt may not meet: SQLite's "database is locked" or "busy", or
    PostgreSQL's serialization failure or deadlock (SQLSTATE 40001, 40P01)."""
    original = getattr(error, "orig", error)
    if getattr(original, "sqlstate", None) in {"40001", "40P01"}:
        return True
    message = str(original).lower()
    return "database is locked" in message or "database is busy" in message


T = TypeVar("T")


def writing(engine: Engine, work: Callable[[Connection], T]) -> T:
    """Run ``work(connection)`` in one write transaction and commit it, or roll it all back.

    On SQLite the transaction takes the write lock first (``BEGIN IMMEDIATE``, after waiting up to
    the busy timeout). A busy database is tried again, ``WRITE_ATTEMPTS`` times in all with a growing
    pause, and then refused with :data:`DATABASE_BUSY`, never a traceback. ``work`` must be safe to
    run again: it runs from the start, in a fresh transaction, each time.
    """
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            with engine.connect() as connection:
                connection = connection.execution_options(**{SQLITE_BEGIN: "BEGIN IMMEDIATE"})
                with connection.begin():
                    return work(connection)
        except OperationalError as error:
            if not is_busy(error):
                raise
            if attempt == WRITE_ATTEMPTS:
                raise DatabaseBusyError(DATABASE_BUSY) from error
            time.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")  # the loop returns or raises


def check_connection(engine: Engine) -> None:
    """Connect once; turn any failure into a one-line :class:`DatabaseError`."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        raise DatabaseError(connection_error_detail(engine.url, error)) from error


def connection_error_detail(url: URL, error: Exception) -> str:
    """For the people who run the tracker: one line naming the (masked) URL, the reason and the fix.
    Never shown to visitors (see :func:`describe_connection_error`)."""
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    return (
        f"Cannot connect to the database at {mask_url(url)}: {reason}. "
        "Check that the server is running and that EQUITY_DATABASE_URL is right."
    )


def database_error_detail(error: Exception) -> str:
    """For the people who run the tracker: one line saying what the database reported mid-command
    (a dropped connection, a missing table, a statement timeout), with any URL's password masked.
    Each command's writes are one transaction, so a failure leaves nothing half-saved."""
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    return (
        f"the database reported a problem: {_mask_urls_in(reason)}. "
        "Nothing from this command was left half-saved; check the database and try again."
    )


def describe_connection_error(url: URL, error: Exception) -> str:
    """For visitors: :data:`PUBLIC_DATABASE_ERROR`, which names no path, host, port, database or
    role. The details go to the server log."""
    LOGGER.warning("%s", connection_error_detail(url, error))
    return PUBLIC_DATABASE_ERROR


def public_error_message(error: BaseException) -> str:
    """For visitors, whatever stopped the database being used (a :class:`DatabaseError`, a settings
    error, an SQLAlchemy error): :data:`PUBLIC_DATABASE_ERROR`. The error's own message, which can
    name the masked URL, a file path or the database's revision, goes to the server log."""
    reason = " ".join(str(getattr(error, "orig", None) or error).split()) or type(error).__name__
    LOGGER.warning("The database cannot be used: %s", _mask_urls_in(reason))
    return PUBLIC_DATABASE_ERROR


def _mask_urls_in(text: str) -> str:
    """``text`` with the password of any URL in it replaced by ``***``: everything between the user
    name's colon and the *last* ``@`` before the host, so an unencoded ``@`` in a password is
    masked too."""
    return re.sub(r"(://[^:/@\s]*:)[^\s]*@", r"\1***@", text)


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
