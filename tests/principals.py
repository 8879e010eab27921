"""Principals and viewers the tests act as (built by hand, as the accounts module would)."""

from equity_tracking.permissions import PUBLIC, Principal, Role, Viewer

ANALYST = Principal(user_id=9001, username="analyst@example.org", roles=frozenset({(Role.ANALYST, None)}))
ADMIN = Principal(user_id=9002, username="admin@example.org", roles=frozenset({(Role.ADMIN, None)}))


def editor_of(*bureau_ids: int, user_id: int = 9003) -> Principal:
    return Principal(
        user_id=user_id,
        username=f"editor{user_id}@example.org",
        roles=frozenset((Role.BUREAU_EDITOR, bureau) for bureau in bureau_ids),
    )


def make_user(
    engine, email: str, role: Role, *bureaus: str, password: str | None = None, name: str | None = None
) -> int:
    """A real user row, created as the command line does (``accounts.create_user`` by the
    operator); returns its id."""
    from equity_tracking import accounts
    from equity_tracking.permissions import OPERATOR

    return accounts.create_user(
        engine,
        actor=OPERATOR,
        email=email,
        display_name=name,
        assignment=accounts.Assignment(role, bureaus),
        password=password,
    )


# Equity-office staff with "include unpublished" on: every review state of every bureau.
STAFF = Viewer(ANALYST, include_unpublished=True)

__all__ = ["ADMIN", "ANALYST", "PUBLIC", "STAFF", "editor_of", "make_user"]
