"""The audit log: who did what to which record, when, and every refusal.

Owns how an entry is written. A change writes its entry on the change's own connection, inside its
transaction (:func:`record`), so the two commit or roll back together. A refusal or a failed
sign-in changes nothing, so it is written in a transaction of its own (:func:`record_alone`), and
:func:`require` asks the permission module and writes the refusal before raising.

Also owns how administrators list the log (:func:`entries`, refused to everyone else).

Entries name the actor by user id when there is one and by name in ``detail`` otherwise (the
public, the command line); they never hold a password or a token.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from equity_tracking import permissions
from equity_tracking.models import AuditEntry, User
from equity_tracking.permissions import Permission, PermissionDeniedError, Principal

# Entities of entries that are about access, not about the plan data.
SESSION, ACCESS, USER = "session", "access", "user"


def record(
    connection: Connection,
    *,
    actor: Principal,
    action: str,
    entity: str,
    entity_id: object = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """One entry, on ``connection`` (in the caller's transaction)."""
    connection.execute(
        insert(AuditEntry).values(
            user_id=actor.user_id,
            action=action[:60],
            entity=entity[:60],
            entity_id=None if entity_id is None else str(entity_id)[:60],
            detail={"actor": actor.username[:120], **(detail or {})},
        )
    )


def record_alone(engine: Engine, **entry: Any) -> None:
    """One entry in a transaction of its own (for refusals and failed sign-ins)."""
    with engine.begin() as connection:
        record(connection, **entry)


def require(
    engine: Engine,
    principal: Principal,
    permission: Permission,
    *,
    bureau_id: int | None = None,
    what: str = "",
) -> None:
    """Raise :class:`PermissionDeniedError` unless ``principal`` holds ``permission`` (for
    ``bureau_id``), writing the refusal to the audit log first."""
    try:
        permissions.require(principal, permission, bureau_id=bureau_id)
    except PermissionDeniedError as refused:
        record_refusal(engine, refused, what=what)
        raise


def record_refusal(engine: Engine, refused: PermissionDeniedError, *, what: str = "") -> None:
    """Audit a refused action in a transaction of its own (the refused one rolls back). Call it
    outside any open write transaction: on SQLite that one holds the write lock."""
    record_alone(
        engine,
        actor=refused.principal,
        action="refused",
        entity=ACCESS,
        entity_id=refused.bureau_id,
        detail={"permission": refused.permission.value, "what": (what or refused.what)[:200]},
    )


AUDIT_PAGE_LIMIT = 5000  # entries one listing returns, newest first (the CSV holds the same)


def entries(
    engine: Engine,
    *,
    actor: Principal,
    since: dt.date | None = None,
    until: dt.date | None = None,
    user_id: int | None = None,
    actions: Sequence[str] = (),
    entity: str | None = None,
    entity_id: str | None = None,
    limit: int = AUDIT_PAGE_LIMIT,
) -> pd.DataFrame:
    """The audit log for administrators, newest first, filtered by day (UTC, both ends included),
    user, actions, entity and one record (``entity_id``): id, at (UTC), user (name, or the actor
    named in the entry), action, entity, entity_id, detail (as JSON text). Only those who may view
    the audit log may list it."""
    require(engine, actor, Permission.VIEW_AUDIT_LOG, what="list the audit log")
    statement = (
        select(
            AuditEntry.id,
            AuditEntry.at,
            User.display_name.label("user"),
            AuditEntry.action,
            AuditEntry.entity,
            AuditEntry.entity_id,
            AuditEntry.detail,
        )
        .outerjoin(User, User.id == AuditEntry.user_id)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    if since is not None:
        statement = statement.where(AuditEntry.at >= dt.datetime.combine(since, dt.time(), dt.UTC))
    if until is not None:
        statement = statement.where(
            AuditEntry.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC)
        )
    if user_id is not None:
        statement = statement.where(AuditEntry.user_id == user_id)
    if actions:
        statement = statement.where(AuditEntry.action.in_(list(actions)))
    if entity:
        statement = statement.where(AuditEntry.entity == entity)
    if entity_id is not None:
        statement = statement.where(AuditEntry.entity_id == entity_id)
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    frame = pd.DataFrame(rows, columns=["id", "at", "user", "action", "entity", "entity_id", "detail"])
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    named = frame["detail"].map(
        lambda detail: (detail or {}).get("actor", "") if isinstance(detail, dict) else ""
    )
    frame["user"] = frame["user"].fillna(named).astype(object)
    frame["detail"] = frame["detail"].map(
        lambda detail: json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
    )
    return frame


@dataclass(frozen=True)
class Filters:
    """What the log holds, for the page's filters: its actions, kinds of record and people."""

    actions: list[str]
    entities: list[str]
    people: dict[int, str]


def filters(engine: Engine, *, actor: Principal) -> Filters:
    require(engine, actor, Permission.VIEW_AUDIT_LOG, what="list the audit log")
    with engine.connect() as connection:
        actions = connection.execute(
            select(AuditEntry.action).distinct().order_by(AuditEntry.action)
        ).scalars()
        entities = connection.execute(
            select(AuditEntry.entity).distinct().order_by(AuditEntry.entity)
        ).scalars()
        people = connection.execute(
            select(User.id, User.display_name)
            .where(User.id.in_(select(AuditEntry.user_id).distinct()))
            .order_by(User.display_name)
        ).all()
        return Filters(list(actions), list(entities), {int(user_id): str(name) for user_id, name in people})
