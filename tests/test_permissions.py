"""Permissions: named, decided in one module, denied by default."""

import pytest

from equity_tracking.models import Role
from equity_tracking.navigation import PAGES, pages_for
from equity_tracking.permissions import (
    ANONYMOUS,
    Permission,
    PermissionDeniedError,
    Principal,
    allowed,
    require,
)

EDITOR_OF_7 = Principal(user_id=1, username="editor", roles=frozenset({(Role.BUREAU_EDITOR, 7)}))
ANALYST = Principal(user_id=2, username="analyst", roles=frozenset({(Role.ANALYST, None)}))
ADMIN = Principal(user_id=3, username="admin", roles=frozenset({(Role.ADMIN, None)}))


@pytest.mark.parametrize("permission", [p for p in Permission if p is not Permission.VIEW_PUBLIC])
def test_anonymous_is_denied_everything_but_public_views(permission):
    assert allowed(ANONYMOUS, Permission.VIEW_PUBLIC)
    assert not allowed(ANONYMOUS, permission, bureau_id=7)


def test_bureau_editor_edits_only_own_bureau():
    assert allowed(EDITOR_OF_7, Permission.EDIT_BUREAU_DATA, bureau_id=7)
    assert not allowed(EDITOR_OF_7, Permission.EDIT_BUREAU_DATA, bureau_id=8)
    assert not allowed(EDITOR_OF_7, Permission.EDIT_BUREAU_DATA)
    assert not allowed(EDITOR_OF_7, Permission.REVIEW_AND_PUBLISH)


def test_analyst_reads_unpublished_but_cannot_edit():
    assert allowed(ANALYST, Permission.VIEW_UNPUBLISHED)
    assert not allowed(ANALYST, Permission.EDIT_BUREAU_DATA, bureau_id=7)


def test_admin_holds_every_permission_everywhere():
    assert all(allowed(ADMIN, permission, bureau_id=99) for permission in Permission)


def test_require_raises_with_who_and_what():
    with pytest.raises(PermissionDeniedError, match="public may not view unpublished"):
        require(ANONYMOUS, Permission.VIEW_UNPUBLISHED)


def test_public_gets_every_public_page():
    public = [spec for spec in PAGES if spec.permission is Permission.VIEW_PUBLIC]
    assert pages_for(ANONYMOUS) == public
    assert public[0].key == "home"
