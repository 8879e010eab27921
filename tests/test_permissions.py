"""Permissions: named actions, decided in one module, denied by default; the viewer scope; which
pages each role gets."""

import pytest

from equity_tracking.navigation import may_open, page, pages_for, short_link_target
from equity_tracking.permissions import (
    ANONYMOUS,
    PUBLISHED_ONLY,
    Permission,
    PermissionDeniedError,
    Principal,
    Role,
    Scope,
    Viewer,
    allowed,
    bureaus_with,
    require,
)

EDITOR_OF_7 = Principal(user_id=1, username="editor", roles=frozenset({(Role.BUREAU_EDITOR, 7)}))
ANALYST = Principal(user_id=2, username="analyst", roles=frozenset({(Role.ANALYST, None)}))
ADMIN = Principal(user_id=3, username="admin", roles=frozenset({(Role.ADMIN, None)}))
PRINCIPALS = {"public": ANONYMOUS, "editor": EDITOR_OF_7, "analyst": ANALYST, "admin": ADMIN}
OWN, OTHER = 7, 8  # the editor's own bureau, and another

# The truth table, written out by hand: for each action, which roles hold it for the editor's own
# bureau and for another bureau. Every cell of role × action × bureau is checked below.
P = Permission
TRUTH: dict[Permission, tuple[set[str], set[str]]] = {
    #                         own bureau                                  another bureau
    P.VIEW_PUBLISHED: ({"public", "editor", "analyst", "admin"}, {"public", "editor", "analyst", "admin"}),
    P.VIEW_UNPUBLISHED: ({"editor", "analyst", "admin"}, {"analyst", "admin"}),
    P.EDIT_BUREAU_DATA: ({"editor", "admin"}, {"admin"}),
    P.SUBMIT: ({"editor", "admin"}, {"admin"}),
    P.REVIEW: ({"analyst", "admin"}, {"analyst", "admin"}),
    P.PUBLISH: ({"admin"}, {"admin"}),
    P.MANAGE_USERS: ({"admin"}, {"admin"}),
    P.MANAGE_PLAN_STRUCTURE: ({"admin"}, {"admin"}),
    P.IMPORT_DATA: ({"admin"}, {"admin"}),
    P.VIEW_AUDIT_LOG: ({"analyst", "admin"}, {"analyst", "admin"}),
    P.CLEAR_CACHES: ({"admin"}, {"admin"}),
    P.VIEW_OWN_ACCOUNT: ({"editor", "analyst", "admin"}, {"editor", "analyst", "admin"}),
}


def test_the_truth_table_names_every_permission():
    assert set(TRUTH) == set(Permission)


@pytest.mark.parametrize("permission", list(Permission))
@pytest.mark.parametrize("role", list(PRINCIPALS))
@pytest.mark.parametrize("bureau", ["own", "other"])
def test_permission_truth_table(permission, role, bureau):
    own, other = TRUTH[permission]
    expected = role in (own if bureau == "own" else other)
    bureau_id = OWN if bureau == "own" else OTHER
    assert allowed(PRINCIPALS[role], permission, bureau_id=bureau_id) is expected


def test_a_bureau_scoped_permission_asked_without_a_bureau_is_denied_to_an_editor():
    assert not allowed(EDITOR_OF_7, Permission.EDIT_BUREAU_DATA)
    assert allowed(ADMIN, Permission.EDIT_BUREAU_DATA)


def test_an_editor_of_two_bureaus_holds_both_and_no_third():
    both = Principal(
        user_id=4, username="two", roles=frozenset({(Role.BUREAU_EDITOR, 7), (Role.BUREAU_EDITOR, 9)})
    )
    assert [allowed(both, Permission.EDIT_BUREAU_DATA, bureau_id=b) for b in (7, 8, 9)] == [True, False, True]
    assert bureaus_with(both, Permission.VIEW_UNPUBLISHED) == frozenset({7, 9})


def test_an_editor_may_read_back_what_they_may_write():
    for bureau in (OWN, OTHER):
        if allowed(EDITOR_OF_7, Permission.EDIT_BUREAU_DATA, bureau_id=bureau):
            assert allowed(EDITOR_OF_7, Permission.VIEW_UNPUBLISHED, bureau_id=bureau)


def test_the_viewer_scope_follows_the_principal_and_the_switch():
    assert Viewer(ANONYMOUS, include_unpublished=True).scope == PUBLISHED_ONLY
    assert Viewer(ADMIN).scope == PUBLISHED_ONLY  # the switch is off
    assert Viewer(ANALYST, include_unpublished=True).scope == Scope(None)
    assert Viewer(EDITOR_OF_7, include_unpublished=True).scope == Scope(frozenset({7}))
    assert not Viewer(ANONYMOUS).may_include_unpublished
    assert Viewer(EDITOR_OF_7).may_include_unpublished


def test_require_raises_with_who_and_what():
    with pytest.raises(PermissionDeniedError, match="public may not view unpublished"):
        require(ANONYMOUS, Permission.VIEW_UNPUBLISHED)


def test_the_public_gets_every_dashboard_and_the_sign_in_page_only():
    public = [spec.key for spec in pages_for(ANONYMOUS)]
    assert public == [
        "home",
        "goal",
        "bureau",
        "measure",
        "compare",
        "workforce",
        "reports",
        "methodology",
        "sign_in",
    ]


@pytest.mark.parametrize(
    ("principal", "extra"),
    [
        (EDITOR_OF_7, ["my_bureau", "account"]),
        (ANALYST, ["review", "audit", "account"]),
        (
            ADMIN,
            [
                "my_bureau",
                "review",
                "users",
                "reference_data",
                "plan_structure",
                "import_data",
                "audit",
                "account",
            ],
        ),
    ],
)
def test_signed_in_users_get_their_pages_and_no_sign_in_page(principal, extra):
    keys = [spec.key for spec in pages_for(principal)]
    assert keys[-len(extra) :] == extra
    assert "sign_in" not in keys
    assert all(may_open(principal, page(key)) for key in keys)


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
