"""Getting a database ready to use: connect, migrate to head, and fill an empty one with the demo.

Shared by the app (once per process, through the UI adapter) and by ``init-db`` on the command line,
so both apply the same rules: a database newer than the code is refused untouched, and the demo
city is only ever loaded into a database that holds no plan data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from equity_tracking.db import check_connection, make_engine
from equity_tracking.schema import SchemaStatus, has_plan_data, upgrade_to_head
from equity_tracking.settings import Settings


@dataclass(frozen=True)
class Startup:
    engine: Engine
    schema: SchemaStatus
    loaded_demo: bool


def prepare_database(
    settings: Settings,
    *,
    load_demo_when_empty: bool | None = None,
    engine: Engine | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> Startup:
    """Connect, upgrade to head, and load the demo into an empty database if so configured.

    Raises :class:`~equity_tracking.db.DatabaseError` with a one-line, password-masked message.
    """
    engine = engine or make_engine(settings.database_url)
    check_connection(engine)
    schema = upgrade_to_head(engine)
    wants_demo = settings.load_demo_when_empty if load_demo_when_empty is None else load_demo_when_empty
    loaded = False
    if wants_demo and not has_plan_data(engine):
        from equity_tracking.demo import load_demo  # the generator is large; import it only when used

        load_demo(engine, progress=progress)
        loaded = True
    return Startup(engine=engine, schema=schema, loaded_demo=loaded)
