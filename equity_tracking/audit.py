"""The audit log: who did what to which record, when, and every refusal.

Owns how an entry is written. A change writes its entry on the change's own connection, inside its
transaction (:func:`record`), so the two commit or roll back together. A refusal or a failed
sign-in changes nothing, so it is written in a transaction of its own (:func:`record_alone`), and
:func:`require` asks the permission module and writes the refusal before raising.

Entries name the actor by user id when there is one and by name in ``detail`` otherwise (the
public, the command line); they never hold a password or a token.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, insert

from equity_tracking import permissions
from equity_tracking.models import AuditEntry
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
