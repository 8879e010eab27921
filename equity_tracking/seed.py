"""The reference data every city starts from: the Council-adopted citywide goals, GARE's strategies,
the focus areas, the race/ethnicity groups with their roll-ups, and the residents' benchmark.

Owns how :mod:`equity_tracking.reference` becomes rows (:func:`reference_rows`, with fixed ids: the
demo city and an import into an empty database write the same rows) and how a database that has
none gets them (:func:`ensure_reference`). Administrators change them later on the reference-data
page; nothing here overwrites a database that already has them.
"""

from __future__ import annotations

from sqlalchemy import Connection, Table, func, select, text

from equity_tracking import reference as ref
from equity_tracking.models import (
    Base,
    BenchmarkPopulation,
    BenchmarkShare,
    CitywideGoal,
    FocusArea,
    RaceGroup,
    RaceGroupMembership,
    Strategy,
    table_of,
)

GROUP_IDS = {group.key: number for number, group in enumerate(ref.RACE_GROUPS, start=1)}


def reference_rows() -> dict[Table, list[dict]]:
    """The reference data as rows, per table, in the order they must be written."""
    rows: dict[Table, list[dict]] = {
        table_of(CitywideGoal): [
            {"id": goal.number, "number": goal.number, "short_title": goal.short_title, "text": goal.text,
             "adopted_on": goal.adopted_on, "adopted_by": goal.adopted_by}
            for goal in ref.CITYWIDE_GOALS
        ],
        table_of(Strategy): [
            {"id": strategy.number, "number": strategy.number, "name": strategy.name,
             "description": strategy.description}
            for strategy in ref.STRATEGIES
        ],
        table_of(FocusArea): [
            {"id": area.order, "key": area.key, "name": area.name, "description": area.description,
             "sort_order": area.order}
            for area in ref.FOCUS_AREAS
        ],
        table_of(RaceGroup): [
            {"id": GROUP_IDS[group.key], "key": group.key, "name": group.name, "sort_order": group.order,
             "is_rollup": group.is_rollup, "is_unknown": group.is_unknown, "active": True}
            for group in ref.RACE_GROUPS
        ],
        table_of(RaceGroupMembership): [
            {"rollup_id": GROUP_IDS[group.key], "member_id": GROUP_IDS[member]}
            for group in ref.RACE_GROUPS
            for member in group.members
        ],
        table_of(BenchmarkPopulation): [
            {"id": number, "key": benchmark.key, "name": benchmark.name, "source": benchmark.source,
             "year": benchmark.year}
            for number, benchmark in enumerate(ref.BENCHMARKS, start=1)
        ],
        table_of(BenchmarkShare): [
            {"benchmark_id": number, "group_id": GROUP_IDS[key], "share": share}
            for number, benchmark in enumerate(ref.BENCHMARKS, start=1)
            for key, share in benchmark.shares
        ],
    }  # fmt: skip
    return rows


def ensure_reference(connection: Connection) -> bool:
    """Write the reference data into a database that has no citywide goals yet (in the caller's
    transaction); True when it did. A database that has them is left as it is."""
    if connection.execute(select(func.count()).select_from(CitywideGoal)).scalar_one():
        return False
    for table, rows in reference_rows().items():
        if rows:
            connection.execute(table.insert(), rows)
    reset_sequences(connection)
    return True


def reset_sequences(connection: Connection) -> None:
    """After rows with explicit ids, point PostgreSQL's id sequences past them so later inserts work."""
    if connection.dialect.name != "postgresql":
        return  # SQLite picks max(rowid) + 1 by itself
    for table in Base.metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
        )
