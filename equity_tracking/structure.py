"""Changes to the plan structure: bureaus, plans and their versions, goals, actions, measures and
their targets, race/ethnicity groups and roll-ups, benchmark populations and reporting cycles.

Owns the one way a structural row is created or changed (:func:`save_row`): the acting principal
must hold :attr:`Permission.MANAGE_PLAN_STRUCTURE`; a change that changes nothing writes nothing (so
an import of the same file twice, or a form saved unchanged, leaves no trace); every real change
writes an audit entry with the fields before and after, which is the row's history. Nothing here is
deleted: rows are archived (``archived_at``, or ``active`` for bureaus and groups).

The functions here take a :class:`~sqlalchemy.Connection` inside the caller's write transaction (the
admin workspace's write functions, or one import), and leave it to that caller to bump the data
version once, as structural (``writes.bump_data_version(connection, structural=True)``), so that every
process reads the values again.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from equity_tracking import audit, permissions
from equity_tracking.models import Base, table_of
from equity_tracking.permissions import Permission, Principal


@dataclass(frozen=True)
class SavedRow:
    """The row's id, and whether anything changed (False: it already held these fields)."""

    id: int
    changed: bool


def _plain(value: object) -> object:
    """A field as the audit log's JSON holds it."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _same(before: object, after: object) -> bool:
    if isinstance(before, enum.Enum) or isinstance(after, enum.Enum):
        return _plain(before) == _plain(after)
    if isinstance(before, float) or isinstance(after, float):
        # A spreadsheet keeps 15 significant digits: a figure read back from one is the same figure.
        return (
            before is not None
            and after is not None
            and math.isclose(float(before), float(after), rel_tol=1e-12)  # type: ignore[arg-type]
        )
    return before == after


def entity_name(model: type[Base]) -> str:
    """The audit log's name for a model's rows: its table name, singular ("measures" → "measure")."""
    name = str(table_of(model).name)
    return name[:-1] if name.endswith("s") else name


def save_row(
    connection: Connection,
    *,
    actor: Principal,
    model: type[Base],
    row_id: int | None,
    fields: Mapping[str, Any],
    what: str = "",
) -> SavedRow:
    """Create a row of ``model`` (``row_id`` None) or change the given ``fields`` of one, with its
    history in the audit log. Refused (``PermissionDeniedError``) without permission to manage the
    plan structure; an unchanged row writes nothing."""
    entity = entity_name(model)
    permissions.require(actor, Permission.MANAGE_PLAN_STRUCTURE, what=what or f"change a {entity}")
    table = table_of(model)
    if row_id is None:
        new_id = int(connection.execute(insert(table).values(**fields).returning(table.c.id)).scalar_one())
        audit.record(
            connection, actor=actor, action=f"{entity}_created", entity=entity, entity_id=new_id,
            detail={"after": {name: _plain(value) for name, value in fields.items()}},
        )  # fmt: skip
        return SavedRow(new_id, True)
    before = connection.execute(select(table).where(table.c.id == row_id)).one()._mapping
    changes = {name: value for name, value in fields.items() if not _same(before[name], value)}
    if not changes:
        return SavedRow(row_id, False)
    connection.execute(update(table).where(table.c.id == row_id).values(**changes))
    audit.record(
        connection, actor=actor, action=f"{entity}_changed", entity=entity, entity_id=row_id,
        detail={
            "before": {name: _plain(before[name]) for name in changes},
            "after": {name: _plain(value) for name, value in changes.items()},
        },
    )  # fmt: skip
    return SavedRow(row_id, True)


def save_keyed_row(
    connection: Connection,
    *,
    actor: Principal,
    model: type[Base],
    key: Mapping[str, Any],
    fields: Mapping[str, Any],
    what: str = "",
) -> bool:
    """:func:`save_row` for a table whose rows are named by ``key`` (its primary-key columns, such as
    a reporting cycle's fiscal year or a group's share of a benchmark): creates the row if it is
    missing, else changes ``fields``. Returns whether anything changed."""
    entity = entity_name(model)
    permissions.require(actor, Permission.MANAGE_PLAN_STRUCTURE, what=what or f"change a {entity}")
    table = table_of(model)
    entity_id = ":".join(str(_plain(value)) for value in key.values())
    where = [table.c[name] == value for name, value in key.items()]
    before = connection.execute(select(table).where(*where)).one_or_none()
    if before is None:
        connection.execute(insert(table).values(**key, **fields))
        audit.record(
            connection, actor=actor, action=f"{entity}_created", entity=entity, entity_id=entity_id,
            detail={"after": {name: _plain(value) for name, value in {**key, **fields}.items()}},
        )  # fmt: skip
        return True
    changes = {name: value for name, value in fields.items() if not _same(before._mapping[name], value)}
    if not changes:
        return False
    connection.execute(update(table).where(*where).values(**changes))
    audit.record(
        connection, actor=actor, action=f"{entity}_changed", entity=entity, entity_id=entity_id,
        detail={
            "before": {name: _plain(before._mapping[name]) for name in changes},
            "after": {name: _plain(value) for name, value in changes.items()},
        },
    )  # fmt: skip
    return True
