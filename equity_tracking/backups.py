"""Backups and restores of the whole database: ``python -m equity_tracking backup PATH`` and
``restore PATH`` (docs/operations.md has the restore drill).

Owns how each database is copied while it is in use, and how a copy is put back:

- SQLite: the online backup API (``sqlite3.Connection.backup``), which copies a consistent
  snapshot while the app keeps reading and writing; written to a temporary file beside ``PATH``
  and renamed, so a failed backup never leaves half a file under the backup's name;
- PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --single-transaction``, the
  server's own tools (a restore that fails changes nothing). The password goes to them through
  ``PGPASSWORD``, never on their command line, where other users of the machine could read it.

A restore first reads the copy's schema revision and refuses a copy that is not this tracker's, or
is newer than this code (nothing is changed then); an older copy is upgraded after it is restored.
The restore then counts as one structural change of the data (``writes.bump_data_version``), so
every running server reads the restored data on its next page run instead of serving its caches.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404: runs only pg_dump and pg_restore, with argument lists
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from equity_tracking.db import DatabaseError, is_postgresql, make_engine, mask_url, sqlite_file, writing
from equity_tracking.schema import SchemaState, has_plan_data, schema_status, upgrade_to_head


class BackupError(DatabaseError):
    """A backup or restore that could not be done; nothing was changed. One line for people."""


@dataclass(frozen=True)
class RestoreResult:
    revision: str | None  # the schema revision of the copy, before any upgrade
    upgraded: bool  # the copy was older than this code and was upgraded


def backup(engine: Engine, path: Path) -> int:
    """Copy the whole database to ``path`` (a SQLite file, or a ``pg_dump`` custom-format archive);
    returns the size in bytes. ``path`` is replaced only when the copy is complete."""
    path = Path(path)
    if not path.parent.is_dir():
        raise BackupError(f"cannot write the backup: folder {path.parent} does not exist.")
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as handle:
        partial = Path(handle.name)
    try:
        if is_postgresql(engine):
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}"], engine)
        else:
            _sqlite_copy(_sqlite_path(engine), partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path.stat().st_size


def restore(engine: Engine, path: Path, *, replace: bool = False) -> RestoreResult:
    """Put the copy at ``path`` back into the engine's database, replacing everything in it.

    Refuses (changing nothing) a file that is missing or not a backup of this tracker, a copy made
    by a newer version, and a database that holds plan data unless ``replace`` is given."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"there is no backup at {path}; nothing was changed.")
    if _holds_data(engine) and not replace:
        raise BackupError(
            f"the database at {mask_url(engine.url)} holds plan data; a restore replaces all of it. "
            "Say --replace to go ahead (take a backup of it first). Nothing was changed."
        )
    if is_postgresql(engine):
        revision = _dump_revision(path)
        _refuse_unusable(revision, path)
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--exit-on-error", str(path)], engine)  # fmt: skip
    else:
        revision = _sqlite_revision(path)
        _refuse_unusable(revision, path)
        _sqlite_copy(path, _sqlite_path(engine))
    engine.dispose()  # connections opened before the restore may hold the old schema's statements
    before = schema_status(engine)
    upgrade_to_head(engine)
    _count_as_structural_change(engine)
    return RestoreResult(revision=revision, upgraded=before.state is SchemaState.BEHIND)


def _holds_data(engine: Engine) -> bool:
    state = schema_status(engine).state
    if state is SchemaState.EMPTY:
        return False
    return state is SchemaState.UNMANAGED or has_plan_data(engine)


def _count_as_structural_change(engine: Engine) -> None:
    from equity_tracking.writes import bump_data_version, mark_restored

    def count(connection) -> None:
        bump_data_version(connection, structural=True)
        mark_restored(connection)

    writing(engine, count)


def _refuse_unusable(revision: str | None, path: Path) -> None:
    """Judge the copy's schema revision as ``schema_status`` judges a database's, on a scratch
    SQLite database that holds only that revision."""
    if revision is None:
        raise BackupError(f"{path} is not a backup of an Equity Plan Tracker database; nothing was changed.")
    with tempfile.TemporaryDirectory() as folder:
        scratch = make_engine(f"sqlite:///{folder}/revision.db")
        try:
            with scratch.begin() as connection:
                connection.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
                connection.exec_driver_sql("INSERT INTO alembic_version VALUES (?)", (revision,))
            state = schema_status(scratch)
        finally:
            scratch.dispose()
    if state.state is SchemaState.AHEAD:
        raise BackupError(
            f"{path} was made by a newer version of the tracker (schema revision {revision}, this "
            f"version knows up to {state.code_revision}). Upgrade the tracker first; nothing was changed."
        )


# --- SQLite ---------------------------------------------------------------------------------------


def _sqlite_path(engine: Engine) -> Path:
    path = sqlite_file(engine.url)
    if path is None:
        raise BackupError("an in-memory SQLite database has nothing to back up or restore into.")
    return path


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent copy of ``source`` while others use it, written
    into ``target`` page by page under ``target``'s own lock (its readers then see the copy)."""
    try:
        reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise BackupError(f"cannot read {source}: {error}; nothing was changed.") from error
    try:
        writer = sqlite3.connect(target, timeout=30)
        try:
            reader.backup(writer)
        finally:
            writer.close()
    except sqlite3.Error as error:
        raise BackupError(f"cannot copy {source} to {target}: {error}; nothing was changed.") from error
    finally:
        reader.close()


def _sqlite_revision(path: Path) -> str | None:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if connection.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise BackupError(f"{path} is a damaged SQLite file; nothing was changed.")
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:  # not a database, or no alembic_version table
        raise BackupError(
            f"{path} is not a backup of an Equity Plan Tracker database ({error}); nothing was changed."
        ) from error
    return row[0] if row else None


# --- PostgreSQL -----------------------------------------------------------------------------------


def _dump_revision(path: Path) -> str | None:
    """The schema revision inside a ``pg_dump`` archive: its alembic_version rows, as text."""
    listing = _tool(["pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(path)], {})
    match = re.search(r"COPY [^\n]*alembic_version[^\n]*FROM stdin;\n([^\n\\]+)\n", listing)
    return match.group(1).strip() if match else None


def _run(arguments: list[str], engine: Engine) -> None:
    url = engine.url
    environment = {
        "PGHOST": url.host or "",
        "PGPORT": str(url.port or 5432),
        "PGUSER": url.username or "",
        "PGPASSWORD": url.password or "",
        "PGDATABASE": url.database or "",
        "PGCONNECT_TIMEOUT": "10",
    }
    _tool([*arguments, f"--dbname={url.database}"], environment)


def _tool(arguments: list[str], environment: dict[str, str]) -> str:
    program = shutil.which(arguments[0])
    if program is None:
        raise BackupError(
            f"{arguments[0]} is not installed; install PostgreSQL's client tools (Debian: "
            "postgresql-client, the same major version as the server). Nothing was changed."
        )
    completed = subprocess.run(  # nosec B603: a fixed program and arguments, no shell
        [program, *arguments[1:]],
        env={**os.environ, **{key: value for key, value in environment.items() if value}},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        reason = (completed.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{arguments[0]} failed: {reason}. Nothing was changed.")
    return completed.stdout
