"""Who may do what, and who may see what: decided in this one module, denied by default.

- :class:`Permission` names every action the tracker knows. :func:`allowed` is the only place that
  decides whether a principal holds one, for a bureau where the action is bureau-scoped.
- :class:`Viewer` is what a reader may see: derived from the principal (never given by the client)
  and the reader's own "include unpublished" choice. Its :attr:`Viewer.scope` says which bureaus'
  unpublished rows may be shown; the read layer turns that into SQL (``reads.visible``), and every
  cache keys on it.

The library's write and read functions ask here; page guards and navigation ask here too, but
hiding a page is a convenience, never the protection.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from functools import cached_property


class Role(enum.StrEnum):
    """The roles a user can hold (stored in ``user_roles``); the public is the absence of any."""

    BUREAU_EDITOR = "bureau_editor"
    ANALYST = "analyst"
    ADMIN = "admin"


class Permission(enum.StrEnum):
    VIEW_PUBLISHED = "view_published"  # published dashboards, reports and downloads
    VIEW_UNPUBLISHED = "view_unpublished"  # a bureau's drafts, submissions and approvals
    EDIT_BUREAU_DATA = "edit_bureau_data"  # a bureau's values, action updates and narratives
    SUBMIT = "submit"  # send a bureau's cycle of work to the equity office for review
    REVIEW = "review"  # approve a submission, or return it with a comment
    PUBLISH = "publish"  # make approved work public
    MANAGE_USERS = "manage_users"  # create, disable, archive users; change roles and bureaus
    MANAGE_PLAN_STRUCTURE = "manage_plan_structure"  # bureaus, plans, goals, actions, measures
    IMPORT_DATA = "import_data"
    VIEW_AUDIT_LOG = "view_audit_log"
    CLEAR_CACHES = "clear_caches"  # every visitor's caches, in every session of a server process
    VIEW_OWN_ACCOUNT = "view_own_account"  # the account page: who am I, my role, sign out


# Granted for one bureau at a time: to an editor, only for the bureaus their role names.
BUREAU_SCOPED = frozenset({Permission.VIEW_UNPUBLISHED, Permission.EDIT_BUREAU_DATA, Permission.SUBMIT})

_SIGNED_IN = frozenset({Permission.VIEW_PUBLISHED, Permission.VIEW_OWN_ACCOUNT})
_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.BUREAU_EDITOR: _SIGNED_IN | BUREAU_SCOPED,  # for the bureaus their role names
    # Equity-office analysts read everything and review what bureaus submit; they change nothing else.
    Role.ANALYST: _SIGNED_IN | {Permission.VIEW_UNPUBLISHED, Permission.REVIEW, Permission.VIEW_AUDIT_LOG},
    Role.ADMIN: frozenset(Permission),
}
# What a visitor who has not signed in may do.
_PUBLIC = frozenset({Permission.VIEW_PUBLISHED})

ROLE_LABELS = {
    Role.BUREAU_EDITOR: "Bureau editor",
    Role.ANALYST: "Equity-office analyst",
    Role.ADMIN: "Equity-office administrator",
}


@dataclass(frozen=True)
class Principal:
    """The acting user: who they are and the roles they hold, as ``(role, bureau id or None)``.

    Built from the database (``accounts``), never from anything the browser sends."""

    user_id: int | None
    username: str
    roles: frozenset[tuple[Role, int | None]] = field(default_factory=frozenset)
    display_name: str = ""

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None and not self.roles


ANONYMOUS = Principal(user_id=None, username="public", display_name="The public")
# Whoever runs ``python -m equity_tracking`` on the server: they hold the database already.
OPERATOR = Principal(
    user_id=None,
    username="command line",
    roles=frozenset({(Role.ADMIN, None)}),
    display_name="Server operator (command line)",
)


def allowed(principal: Principal, permission: Permission, *, bureau_id: int | None = None) -> bool:
    """Whether ``principal`` holds ``permission``; a bureau-scoped permission is asked for one
    ``bureau_id`` (without one, only a role that holds it for every bureau says yes)."""
    if permission in _PUBLIC:
        return True  # for everyone, signed in with any role or none
    for role, role_bureau in principal.roles:
        if permission not in _GRANTS.get(role, frozenset()):
            continue
        # Equity-office roles hold a bureau-scoped permission for every bureau; an editor for theirs.
        if permission not in BUREAU_SCOPED or role is not Role.BUREAU_EDITOR:
            return True
        if bureau_id is not None and role_bureau == bureau_id:
            return True
    return False


def bureaus_with(principal: Principal, permission: Permission) -> frozenset[int] | None:
    """The bureaus for which ``principal`` holds a bureau-scoped ``permission``: None means every
    bureau, an empty set none."""
    if allowed(principal, permission):
        return None
    return frozenset(
        bureau
        for _, bureau in principal.roles
        if bureau is not None and allowed(principal, permission, bureau_id=bureau)
    )


class PermissionDeniedError(PermissionError):
    """Raised by library functions when the acting user lacks a permission."""

    def __init__(
        self, principal: Principal, permission: Permission, bureau_id: int | None = None, what: str = ""
    ):
        self.principal, self.permission, self.bureau_id = principal, permission, bureau_id
        self.what = what  # what was asked, in words, for the audit log
        scope = f" for bureau {bureau_id}" if bureau_id is not None else ""
        super().__init__(f"{principal.username} may not {permission.value.replace('_', ' ')}{scope}.")


def require(
    principal: Principal, permission: Permission, *, bureau_id: int | None = None, what: str = ""
) -> None:
    if not allowed(principal, permission, bureau_id=bureau_id):
        raise PermissionDeniedError(principal, permission, bureau_id, what)


# --- what a reader may see ------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which rows a read may return: published rows of every bureau, plus every review state of the
    bureaus in ``unpublished_bureaus`` (None: of every bureau).

    Hashable and small: caches key on it, so two readers who may see the same rows share a cache
    entry, and two who may not never do."""

    unpublished_bureaus: frozenset[int] | None = frozenset()

    @property
    def published_only(self) -> bool:
        return self.unpublished_bureaus is not None and not self.unpublished_bureaus

    @property
    def every_bureau(self) -> bool:
        return self.unpublished_bureaus is None


PUBLISHED_ONLY = Scope()


@dataclass(frozen=True)
class Viewer:
    """A reader: the principal, and whether they asked to include unpublished work.

    The scope is derived here from the principal's permissions, so asking to include unpublished
    work gives only what the principal may see: all of it for equity-office staff, their own
    bureaus' for an editor, nothing more for the public."""

    principal: Principal = ANONYMOUS
    include_unpublished: bool = False

    @cached_property
    def scope(self) -> Scope:
        if not self.include_unpublished:
            return PUBLISHED_ONLY
        return Scope(bureaus_with(self.principal, Permission.VIEW_UNPUBLISHED))

    @property
    def may_include_unpublished(self) -> bool:
        """Whether the "include unpublished" switch means anything for this principal."""
        return bureaus_with(self.principal, Permission.VIEW_UNPUBLISHED) != frozenset()


PUBLIC = Viewer()
