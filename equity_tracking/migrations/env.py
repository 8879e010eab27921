"""Alembic environment: runs migrations on the connection the library hands over, or on the URL
from the project's Settings when Alembic's own command line is used."""

from logging.config import fileConfig

from alembic import context

from equity_tracking.db import make_engine
from equity_tracking.models import Base
from equity_tracking.settings import Settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    # Keep the app's loggers alive: the default would silence every logger created before now.
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _configure_and_run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    engine = make_engine(Settings.from_environment().database_url)
    try:
        with engine.connect() as connection:
            _configure_and_run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run against a database.")
run_migrations_online()
