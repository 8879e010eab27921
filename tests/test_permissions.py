"""Permissions: named, decided in one module, denied by default."""

import pytest

from equity_tracking.models import Role
from equity_tracking.navigation import PAGES, pages_for, short_link_target
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


@pytest.mark.parametrize(
    ("path", "query", "target"),
    [
        ("/bureau/TR", "", "/bureau?bureau=TR"),
        ("/bureau/TR/", "fy=2018-19", "/bureau?bureau=TR&fy=2018-19"),
        ("/measure/87", "", "/measure?measure=87"),
        ("/goal/2", "", "/goal?goal=2"),
        ("/methodology/anything", "", "/methodology"),
        ("/bureau/a b", "", "/bureau?bureau=a%20b"),
    ],
)
def test_a_path_below_a_page_is_a_short_link_to_it(path, query, target):
    assert short_link_target(path, query) == target


@pytest.mark.parametrize(
    "path", ["/bureau", "/bureau/_stcore/health", "/bureau/static/js/x.js", "/bureau/TR/extra", "/nowhere/x"]
)
def test_streamlit_paths_and_unknown_pages_are_not_short_links(path):
    # Streamlit's scripts probe "/bureau/_stcore/health" to find the app's root: it must stay a 404.
    assert short_link_target(path) is None
