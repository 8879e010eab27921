"""Schema versions: create or upgrade a database to the code's Alembic head, safely.

Owns the rule that a database whose schema is newer than this code (a revision this code does not
know) is refused with a clear message and never altered, and the "is this database empty?" test the
app uses before loading the demo city.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, func, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from equity_tracking.db import DatabaseError, mask_url
from equity_tracking.models import Bureau

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"


class SchemaState(enum.StrEnum):
    EMPTY = "empty"  # no tables of ours: safe to create
    CURRENT = "current"
    BEHIND = "behind"  # an older revision this code can upgrade
    AHEAD = "ahead"  # a revision this code does not know: refuse
    UNMANAGED = "unmanaged"  # tables but no alembic_version: someone else's database


@dataclass(frozen=True)
class SchemaStatus:
    state: SchemaState
    database_revision: str | None
    code_revision: str


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config(str(ALEMBIC_INI)) if ALEMBIC_INI.is_file() else Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # The library manages logging itself; only Alembic's own CLI should configure it from the ini.
    config.attributes["configure_logging"] = False
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def code_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise DatabaseError("This installation has no database migrations; reinstall the tracker.")
    return head


def schema_status(engine: Engine) -> SchemaStatus:
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    with engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
        tables = set(inspect(connection).get_table_names())
    if revision is None:
        state = SchemaState.UNMANAGED if tables - {"alembic_version"} else SchemaState.EMPTY
    elif revision == head:
        state = SchemaState.CURRENT
    elif _known_revision(script, revision):
        state = SchemaState.BEHIND
    else:
        state = SchemaState.AHEAD
    return SchemaStatus(state=state, database_revision=revision, code_revision=code_revision())


def _known_revision(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown id
        return False


def upgrade_to_head(engine: Engine) -> SchemaStatus:
    """Create the schema, or upgrade it; refuse a newer or foreign database without touching it."""
    status = schema_status(engine)
    if status.state is SchemaState.AHEAD:
        raise DatabaseError(
            f"The database at {mask_url(engine.url)} has schema revision {status.database_revision}, "
            f"newer than this version of the app knows (head {status.code_revision}). "
            "Upgrade the Equity Plan Tracker; the database was not changed."
        )
    if status.state is SchemaState.UNMANAGED:
        raise DatabaseError(
            f"The database at {mask_url(engine.url)} already holds tables that this app did not "
            "create. Point EQUITY_DATABASE_URL at an empty or Equity Plan Tracker database; "
            "nothing was changed."
        )
    if status.state is not SchemaState.CURRENT:
        _upgrade(engine)
    return schema_status(engine)


def _upgrade(engine: Engine) -> None:
    """Run the migrations in one transaction. On SQLite, batch mode rebuilds a table by copying it,
    which foreign-key enforcement would stop for any table that others point at: enforcement is
    paused for the migration (it cannot change inside a transaction), every key is checked before
    the commit, and enforcement comes back on before the connection returns to the pool."""
    config = alembic_config(engine)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:  # on the driver's connection: outside any transaction, where it takes effect
            _driver(connection).execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                try:
                    command.upgrade(config, "head")
                except SQLAlchemyError as error:
                    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
                    raise DatabaseError(
                        f"Upgrading the database at {mask_url(engine.url)} stopped: {reason}. Nothing was "
                        "changed; fix the rows it names and start again."
                    ) from error
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise DatabaseError(
                        f"Upgrading the database at {mask_url(engine.url)} would leave rows pointing at "
                        "missing rows; nothing was changed. Run `python -m equity_tracking check`."
                    )
        finally:
            if sqlite:
                _driver(connection).execute("PRAGMA foreign_keys=ON")


def _driver(connection: Connection) -> Any:
    """The driver's own connection (sqlite3's), outside SQLAlchemy's transactions."""
    driver = connection.connection.driver_connection
    assert driver is not None  # an open connection always has one
    return driver


def has_plan_data(engine: Engine) -> bool:
    """Whether the database holds any bureaus (the demo loader only fills an empty database)."""
    with engine.connect() as connection:
        return bool(connection.execute(select(func.count()).select_from(Bureau)).scalar_one())
