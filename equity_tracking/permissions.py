"""Who may do what: named permissions, decided in this one module and denied by default.

Every page guard and every library function that reads unpublished data or writes asks
:func:`allowed`. Sign-in arrives in a later release; until then every visitor is
:data:`ANONYMOUS`, who may see the public, published views and nothing else.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from equity_tracking.models import Role


class Permission(enum.StrEnum):
    VIEW_PUBLIC = "view_public"  # published dashboards and downloads
    VIEW_UNPUBLISHED = "view_unpublished"  # drafts, submissions and superseded versions
    EDIT_BUREAU_DATA = "edit_bureau_data"  # values, action updates, narratives of one bureau
    REVIEW_AND_PUBLISH = "review_and_publish"
    ADMINISTER = "administer"  # plan structure, users, imports


# Bureau-scoped grants apply only to the bureaus a role names; the others apply everywhere.
_BUREAU_SCOPED = {Permission.EDIT_BUREAU_DATA}

_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.BUREAU_EDITOR: frozenset({Permission.VIEW_PUBLIC, Permission.EDIT_BUREAU_DATA}),
    Role.ANALYST: frozenset({Permission.VIEW_PUBLIC, Permission.VIEW_UNPUBLISHED}),
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True)
class Principal:
    """The acting user: who they are and the roles they hold (role, bureau id or None)."""

    user_id: int | None
    username: str
    roles: frozenset[tuple[Role, int | None]] = field(default_factory=frozenset)

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None


ANONYMOUS = Principal(user_id=None, username="public")


def allowed(principal: Principal, permission: Permission, *, bureau_id: int | None = None) -> bool:
    """Whether ``principal`` holds ``permission`` (for ``bureau_id`` when it is bureau-scoped)."""
    if permission is Permission.VIEW_PUBLIC:
        return True  # the public views are public
    for role, role_bureau in principal.roles:
        if permission not in _GRANTS.get(role, frozenset()):
            continue
        if permission not in _BUREAU_SCOPED or role is Role.ADMIN:
            return True
        if bureau_id is not None and role_bureau == bureau_id:
            return True
    return False


class PermissionDeniedError(PermissionError):
    """Raised by library functions when the acting user lacks a permission."""


def require(principal: Principal, permission: Permission, *, bureau_id: int | None = None) -> None:
    if not allowed(principal, permission, bureau_id=bureau_id):
        scope = f" for bureau {bureau_id}" if bureau_id is not None else ""
        what = permission.value.replace("_", " ")
        raise PermissionDeniedError(f"{principal.username} may not {what}{scope}.")
