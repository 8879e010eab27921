"""Changes to the plan structure: bureaus, plans and their versions, goals, actions, measures and
their targets, race/ethnicity groups and roll-ups, benchmark populations and reporting cycles.

Owns the one way a structural row is created or changed (:func:`save_row`): the acting principal
must hold :attr:`Permission.MANAGE_PLAN_STRUCTURE`; a change that changes nothing writes nothing (so
an import of the same file twice, or a form saved unchanged, leaves no trace); every real change
writes an audit entry with the fields before and after, which is the row's history. Nothing here is
deleted: rows are archived (``archived_at``, or ``active`` for bureaus and groups).

The functions here take a :class:`~sqlalchemy.Connection` inside the caller's write transaction. The
admin workspace runs each of its writes in :func:`structural_write`: the permission asked first, then
the work, then the data version bumped once, as structural, when any row changed (so that every
process reads the values again). An import runs its own transaction and bumps the version itself.

Also owns reading a record's history back (:func:`history`, :func:`describe_change`): the audit
entries it wrote, the fields before and after in words.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select, update

from equity_tracking import audit, permissions, writes
from equity_tracking.models import Base, table_of
from equity_tracking.permissions import Permission, Principal

T = TypeVar("T")
_CHANGED = "structure.changed"  # connection.info, inside structural_write: whether a row changed


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


def existing_row(connection: Connection, model: type[Base], row_id: int, what: str) -> Any:
    """The row ``row_id`` of ``model``; a :class:`~equity_tracking.writes.WriteError` ("There is no
    ``what`` 7.") when there is none."""
    table = table_of(model)
    row = connection.execute(select(table).where(table.c.id == row_id)).one_or_none()
    if row is None:
        raise writes.WriteError(f"There is no {what} {row_id}.")
    return row


def entity_name(model: type[Base]) -> str:
    """The audit log's name for a model's rows: its table name, singular ("measures" → "measure")."""
    name = str(table_of(model).name)
    return name[:-1] if name.endswith("s") else name


def structural_write(engine: Engine, work: Callable[[Connection], T], *, actor: Principal, what: str) -> T:
    """``work`` in one write transaction (``writes._write``: a refusal is rolled back and audited).
    The acting principal must hold :attr:`Permission.MANAGE_PLAN_STRUCTURE`, asked before ``work``
    reads anything (so a refusal says nothing about what exists or whether the fields were good);
    ``what`` names the change in the refusal. When any :func:`save_row` or :func:`save_keyed_row`
    in it changed a row (or ``work`` called :func:`note_change`), the data version moves on once,
    as structural."""

    def run(connection: Connection) -> T:
        permissions.require(actor, Permission.MANAGE_PLAN_STRUCTURE, what=what)
        connection.info[_CHANGED] = False  # set afresh: a busy database may run this again
        try:
            result = work(connection)
            if connection.info[_CHANGED]:
                writes.bump_data_version(connection, structural=True)
            return result
        finally:
            connection.info.pop(_CHANGED, None)  # the connection goes back to the pool

    return writes._write(engine, run)


def note_change(connection: Connection) -> None:
    """Note, for :func:`structural_write`, a change written other than by :func:`save_row` (a row
    removed, a roll-up's members). Outside it (an import) this does nothing: the caller bumps the
    data version itself."""
    if _CHANGED in connection.info:
        connection.info[_CHANGED] = True


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
    plan structure; an unchanged row writes nothing; a change is noted for :func:`structural_write`."""
    entity = entity_name(model)
    permissions.require(actor, Permission.MANAGE_PLAN_STRUCTURE, what=what or f"change a {entity}")
    table = table_of(model)
    if row_id is None:
        new_id = int(connection.execute(insert(table).values(**fields).returning(table.c.id)).scalar_one())
        audit.record(
            connection, actor=actor, action=f"{entity}_created", entity=entity, entity_id=new_id,
            detail={"after": {name: _plain(value) for name, value in fields.items()}},
        )  # fmt: skip
        note_change(connection)
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
    note_change(connection)
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
    missing, else changes ``fields``. Returns whether anything changed (and notes it, as
    :func:`save_row` does)."""
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
        note_change(connection)
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
    note_change(connection)
    return True


# --- a record's history ---------------------------------------------------------------------------


def _shown(value: object) -> str:
    return "—" if value is None else str(value)


def describe_change(detail: str | None) -> str:
    """An audit entry's detail as a line a person reads: "name: Asian → Asian American" for a
    change, "name: Somali" for a new row, else its other fields ("from_plan: 3, goals: 2")."""
    parsed = json.loads(detail or "{}")
    before, after = parsed.get("before") or {}, parsed.get("after") or {}
    fields = [name for name in dict.fromkeys([*before, *after]) if name != "actor"]
    if fields and not before:
        return "; ".join(f"{name}: {_shown(after[name])}" for name in fields)
    if fields:
        return "; ".join(f"{name}: {_shown(before.get(name))} → {_shown(after.get(name))}" for name in fields)
    return ", ".join(f"{name}: {value}" for name, value in parsed.items() if name != "actor")


def history(
    engine: Engine, *, actor: Principal, entity: str, record_id: object, parts: str | None = None
) -> pd.DataFrame:
    """One record's history: its audit entries, newest first (``audit.entries``' columns, with the
    ``change`` in words, :func:`describe_change`). ``entity`` as the audit log names it
    (:func:`entity_name`); ``parts`` also takes in the entries of the rows named
    "<record_id>:…" of that entity (a benchmark population's shares). Only those who may view the
    audit log may read it (a refusal is audited)."""
    log = audit.entries(engine, actor=actor, entity=entity, entity_id=str(record_id))
    if parts is not None:
        found = audit.entries(engine, actor=actor, entity=parts)
        log = pd.concat([log, found[found["entity_id"].astype(str).str.startswith(f"{record_id}:")]])
        log = log.sort_values("id", ascending=False)
    log = log.reset_index(drop=True)
    log["change"] = [describe_change(detail) for detail in log["detail"]]
    return log
