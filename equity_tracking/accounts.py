"""Accounts: who may sign in, how, and the users an administrator manages.

Owns:
- passwords, hashed with argon2id at OWASP's parameters (argon2-cffi), never stored or logged;
- local sign-in, with failures counted in the database: after :data:`FREE_ATTEMPTS` wrong passwords
  in a row the account locks, and each lockout lasts twice as long as the one before (back-off);
- single sign-on: an identity provider's verified email is matched to a user row; the roles always
  come from the database, never from the provider or the browser;
- when a session has gone idle or grown too old (:func:`session_expiry`);
- building the :class:`~equity_tracking.permissions.Principal` from the database on every page run,
  so that a disabled user or a changed role takes effect at once;
- managing users (create, change role and bureaus, disable, archive; never delete), each change
  permission-checked and audited in its own transaction.

Every sign-in, success or failure, is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from equity_tracking import audit
from equity_tracking.models import Bureau, User, UserRole, UserSession
from equity_tracking.permissions import Permission, Principal, Role

# OWASP Password Storage Cheat Sheet: argon2id, 19 MiB of memory, 2 iterations, 1 degree of
# parallelism. argon2-cffi's hashes record their parameters, so raising these later rehashes each
# password at its owner's next sign-in (see _verify).
HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
# A hash of a password nobody has: an unknown email costs the same time as a wrong password, so the
# time taken does not tell who has an account.
_DUMMY_HASH = HASHER.hash("no account has this password")

MIN_PASSWORD_LENGTH = 12
FREE_ATTEMPTS = 5
FIRST_LOCKOUT = dt.timedelta(minutes=15)
LONGEST_LOCKOUT = dt.timedelta(hours=24)
IDLE_TIMEOUT = dt.timedelta(minutes=30)
ABSOLUTE_TIMEOUT = dt.timedelta(hours=8)

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


WRONG_OR_LOCKED = (
    f"That email and password do not match an account. After {FREE_ATTEMPTS} wrong passwords in a row "
    "an account is locked for a while: ask the equity office if you are locked out."
)


class Refusal(enum.StrEnum):
    """Why a sign-in was refused (the audit log's reason; people see :attr:`message`)."""

    WRONG_CREDENTIALS = "wrong_credentials"  # unknown email or wrong password: one message for both
    LOCKED = "locked"
    DISABLED = "disabled"
    NOT_REGISTERED = "not_registered"  # signed in with the identity provider, but no user row
    UNVERIFIED_EMAIL = "unverified_email"

    @property
    def message(self) -> str:
        return {
            # One message for both, so that the answer never tells whether an email has an account.
            Refusal.WRONG_CREDENTIALS: WRONG_OR_LOCKED,
            Refusal.LOCKED: WRONG_OR_LOCKED,
            Refusal.DISABLED: "This account is disabled. Ask the equity office to enable it.",
            Refusal.NOT_REGISTERED: "Your City account is not registered in the tracker. "
            "Ask the equity office to add you.",
            Refusal.UNVERIFIED_EMAIL: "The identity provider has not verified your email address.",
        }[self]


class SignInError(Exception):
    """A refused sign-in: ``reason`` (for the audit log and tests) and, for a lockout, ``until``.
    Its message is what the person is told."""

    def __init__(self, reason: Refusal, *, until: dt.datetime | None = None):
        self.reason, self.until = reason, until
        super().__init__(reason.message)


class AccountError(ValueError):
    """A user-management request that cannot be carried out; the message says why."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes: they were stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def _duration(span: dt.timedelta) -> str:
    """ "30 minutes", "8 hours": a policy's length as people read it."""
    minutes = int(span.total_seconds() // 60)
    if minutes % 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return "1 hour" if hours == 1 else f"{hours} hours"


# The session and lockout policy in words, for the pages (one home: the constants above).
IDLE_TEXT, ABSOLUTE_TEXT, FIRST_LOCKOUT_TEXT = (
    _duration(IDLE_TIMEOUT),
    _duration(ABSOLUTE_TIMEOUT),
    _duration(FIRST_LOCKOUT),
)
SESSION_POLICY = (
    f"You are signed out after {IDLE_TEXT} without activity, and {ABSOLUTE_TEXT} after signing in."
)
LOCKOUT_POLICY = (
    f"After {FREE_ATTEMPTS} wrong passwords in a row an account locks for {FIRST_LOCKOUT_TEXT}, "
    "then longer each time."
)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    return HASHER.hash(password)


def lockout_for(lockouts: int) -> dt.timedelta:
    """How long the ``lockouts``-th lockout lasts: 15 minutes, then twice as long each time, at
    most a day."""
    return min(FIRST_LOCKOUT * 2 ** max(lockouts - 1, 0), LONGEST_LOCKOUT)


# --- sign-in ----------------------------------------------------------------------------------------


def sign_in(engine: Engine, *, email: str, password: str, now: dt.datetime | None = None) -> Principal:
    """The principal for a correct email and password; otherwise :class:`SignInError`. Every try
    is audited, and wrong passwords are counted towards a lockout."""
    now = now or _now()
    email = normalize_email(email)
    with engine.connect() as connection:
        user = connection.execute(
            select(User).where(User.username == email, User.archived_at.is_(None))
        ).first()
    reason, until = _check_password(user, password, now)
    if reason is None:
        assert user is not None
        with engine.begin() as connection:
            principal = _signed_in(connection, user, password, now)
        return principal
    if reason is Refusal.WRONG_CREDENTIALS and user is not None and user.password_hash is not None:
        with engine.begin() as connection:  # a write first: concurrent tries wait their turn
            reason, until = _count_failure(connection, user.id, now)
    record_refused_sign_in(
        engine, who=email, method="password", reason=reason, user_id=user.id if user else None
    )
    raise SignInError(reason, until=until)


def record_refused_sign_in(
    engine: Engine, *, who: str, method: str, reason: str, user_id: int | None = None
) -> None:
    """Audit a refused sign-in, in a transaction of its own: who tried (the email typed, or what is
    known), how (``"password"`` or the identity provider), and why. Never the password or token."""
    audit.record_alone(
        engine,
        actor=Principal(user_id=user_id, username=who[:120] or "unknown"),
        action="sign_in_refused",
        entity=audit.SESSION,
        detail={"method": method, "reason": str(reason)},
    )


def _check_password(user, password: str, now: dt.datetime) -> tuple[Refusal | None, dt.datetime | None]:
    """(None, None) when the password is right and the account may sign in; otherwise why not.
    Every path does one argon2 verification, so the time taken tells nothing about the account."""
    if user is None or user.password_hash is None:
        _verify(_DUMMY_HASH, password)
        return Refusal.WRONG_CREDENTIALS, None
    locked_until = _utc(user.locked_until)
    if locked_until is not None and locked_until > now:
        _verify(_DUMMY_HASH, password)  # a locked account's password is not checked at all
        return Refusal.LOCKED, locked_until
    if not _verify(user.password_hash, password):
        return Refusal.WRONG_CREDENTIALS, None
    if not user.active:
        return Refusal.DISABLED, None  # said only to someone who knows the password
    return None, None


def _signed_in(connection: Connection, user, password: str, now: dt.datetime) -> Principal:
    values: dict = {"failed_sign_ins": 0, "locked_until": None, "last_sign_in_at": now}
    if _needs_rehash(user.password_hash):
        values["password_hash"] = HASHER.hash(password)
    connection.execute(update(User).where(User.id == user.id).values(**values))
    principal = principal_for(connection, user.id)
    assert principal is not None
    audit.record(
        connection, actor=principal, action="signed_in", entity=audit.SESSION, detail={"method": "password"}
    )
    return principal


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _needs_rehash(password_hash: str) -> bool:
    try:
        return HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def _count_failure(
    connection: Connection, user_id: int, now: dt.datetime
) -> tuple[Refusal, dt.datetime | None]:
    """Count one more wrong password, in the database (tries made at the same time each count), and
    lock the account when they reach :data:`FREE_ATTEMPTS`."""
    failures, lockouts = connection.execute(
        update(User)
        .where(User.id == user_id)
        .values(failed_sign_ins=User.failed_sign_ins + 1)
        .returning(User.failed_sign_ins, User.lockouts)
    ).one()
    if failures < FREE_ATTEMPTS:
        return Refusal.WRONG_CREDENTIALS, None
    until = now + lockout_for(lockouts + 1)
    connection.execute(
        update(User)
        .where(User.id == user_id)
        .values(failed_sign_ins=0, lockouts=User.lockouts + 1, locked_until=until)
    )
    return Refusal.LOCKED, until


def sign_in_verified_email(
    engine: Engine, *, email: str | None, email_verified: bool, provider: str
) -> Principal:
    """The principal for an identity provider's verified ``email``; otherwise :class:`SignInError`.
    Only the email is taken from the provider; who the user is and what they may do come from the
    user row. Audited either way."""
    address = normalize_email(email or "")
    with engine.begin() as connection:
        user = connection.execute(
            select(User).where(
                func.lower(func.coalesce(User.email, User.username)) == address, User.archived_at.is_(None)
            )
        ).first()
        reason = None
        if not email_verified or not address:
            reason = Refusal.UNVERIFIED_EMAIL
        elif user is None:
            reason = Refusal.NOT_REGISTERED
        elif not user.active:
            reason = Refusal.DISABLED
        if reason is None:
            assert user is not None
            connection.execute(update(User).where(User.id == user.id).values(last_sign_in_at=_now()))
            principal = principal_for(connection, user.id)
            assert principal is not None
            audit.record(
                connection,
                actor=principal,
                action="signed_in",
                entity=audit.SESSION,
                detail={"method": provider},
            )
            return principal
    record_refused_sign_in(
        engine, who=address, method=provider, reason=reason, user_id=user.id if user else None
    )
    raise SignInError(reason)


def principal_for(connection: Connection, user_id: int) -> Principal | None:
    """The principal of an active, unarchived user, with their roles as the database holds them
    now; None when the user may not act (disabled, archived or gone)."""
    user = connection.execute(
        select(User.id, User.username, User.display_name).where(
            User.id == user_id, User.active.is_(True), User.archived_at.is_(None)
        )
    ).first()
    if user is None:
        return None
    roles = connection.execute(select(UserRole.role, UserRole.bureau_id).where(UserRole.user_id == user_id))
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=frozenset((Role(role), bureau_id) for role, bureau_id in roles),
    )


def current_principal(engine: Engine, user_id: int) -> Principal | None:
    with engine.connect() as connection:
        return principal_for(connection, user_id)


def session_expiry(
    *, signed_in_at: dt.datetime, last_seen_at: dt.datetime, now: dt.datetime | None = None
) -> str | None:
    """Why a session has ended ("idle" after :data:`IDLE_TIMEOUT` without a page run, "expired"
    :data:`ABSOLUTE_TIMEOUT` after signing in), or None while it is live."""
    now = now or _now()
    if now - signed_in_at >= ABSOLUTE_TIMEOUT:
        return "expired"
    if now - last_seen_at >= IDLE_TIMEOUT:
        return "idle"
    return None


# --- sessions -------------------------------------------------------------------------------------

SESSION_COOKIE = "equity_session"  # the browser's session token (HttpOnly, SameSite=Lax)
# A page run renews its session's last activity in the database at most this often, not on every run.
_RENEW_EVERY = dt.timedelta(minutes=1)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(
    engine: Engine,
    principal: Principal,
    *,
    method: str,
    signed_in_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
    token: str | None = None,
) -> str:
    """A new session for a signed-in principal; returns its token (give it to the browser, never
    store it): a new random one, or ``token`` (single sign-on uses the identity provider's signed
    cookie, so every tab of that sign-in shares one session). ``signed_in_at`` is when the identity
    provider signed them in, if earlier."""
    now = now or _now()
    token = token or secrets.token_urlsafe(32)
    with engine.begin() as connection:
        connection.execute(
            insert(UserSession).values(
                token_hash=_token_hash(token),
                user_id=principal.user_id,
                method=method[:40],
                created_at=min(signed_in_at or now, now),
                last_seen_at=now,
            )
        )
    return token


@dataclass(frozen=True)
class SessionState:
    """What a session token stands for now: its principal, or why it ended (``ended``)."""

    principal: Principal | None
    ended: str | None = None  # why it ended just now ("idle", "expired", "inactive")
    unknown: bool = False  # no session has this token
    closed: bool = False  # the session had already ended
    method: str = ""
    signed_in_at: dt.datetime | None = None


def resume_session(engine: Engine, token: str, *, now: dt.datetime | None = None) -> SessionState:
    """The principal of a live session, with its roles as the database holds them now; a session
    that has gone idle, grown too old or whose user was disabled is ended here (and audited); an
    unknown or already-ended token is nobody (and says which)."""
    now = now or _now()
    with engine.begin() as connection:
        row = connection.execute(
            select(UserSession).where(UserSession.token_hash == _token_hash(token))
        ).first()
        if row is None:
            return SessionState(None, unknown=True)
        if row.ended_at is not None:
            return SessionState(None, closed=True, method=row.method)
        created, seen = _utc(row.created_at), _utc(row.last_seen_at)
        assert created is not None
        assert seen is not None
        ended = session_expiry(signed_in_at=created, last_seen_at=seen, now=now)
        principal = principal_for(connection, row.user_id) if ended is None else None
        if principal is None:
            ended = ended or "inactive"
            _end(connection, row.id, ended, now)
            audit.record(
                connection,
                actor=Principal(user_id=row.user_id, username=f"user {row.user_id}"),
                action=ended,
                entity=audit.SESSION,
                entity_id=row.id,
            )
            return SessionState(None, ended=ended, method=row.method)
        if now - seen >= _RENEW_EVERY:
            connection.execute(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
        return SessionState(principal, method=row.method, signed_in_at=created)


def _end(connection: Connection, session_id: int, reason: str, now: dt.datetime) -> None:
    connection.execute(
        update(UserSession).where(UserSession.id == session_id).values(ended_at=now, end_reason=reason[:40])
    )


def end_sessions(connection: Connection, user_id: int, *, reason: str) -> int:
    """End every open session of a user (in the caller's transaction); returns how many."""
    return connection.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=_now(), end_reason=reason[:40])
    ).rowcount


def sign_out(engine: Engine, token: str, principal: Principal) -> None:
    """End a session at its user's request (audited)."""
    now = _now()
    with engine.begin() as connection:
        session_id = connection.execute(
            select(UserSession.id).where(
                UserSession.token_hash == _token_hash(token), UserSession.ended_at.is_(None)
            )
        ).scalar_one_or_none()
        if session_id is not None:
            _end(connection, session_id, "signed_out", now)
        audit.record(
            connection, actor=principal, action="signed_out", entity=audit.SESSION, entity_id=session_id
        )


# --- managing users ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """A role and, for a bureau editor, the bureaus (by code) it covers."""

    role: Role
    bureau_codes: tuple[str, ...] = ()


def create_user(
    engine: Engine,
    *,
    actor: Principal,
    email: str,
    display_name: str | None = None,
    assignment: Assignment,
    password: str | None = None,
) -> int:
    """A new user with one role (for an editor, over ``bureau_codes``); returns the user's id.
    Without ``password`` the user signs in through the city's identity provider only."""
    audit.require(engine, actor, Permission.MANAGE_USERS, what="create a user")
    email = normalize_email(email)
    if not EMAIL.fullmatch(email):
        raise AccountError(f"“{email}” is not an email address.")
    password_hash = hash_password(password) if password is not None else None
    with engine.begin() as connection:
        if connection.execute(select(User.id).where(User.username == email)).first() is not None:
            raise AccountError(f"A user with the email {email} already exists.")
        bureau_ids = _bureau_ids(connection, assignment)
        user_id = connection.execute(
            insert(User)
            .values(
                username=email,
                email=email,
                display_name=(display_name or email.split("@")[0]).strip()[:200],
                password_hash=password_hash,
                active=True,
                failed_sign_ins=0,
                lockouts=0,
            )
            .returning(User.id)
        ).scalar_one()
        _write_roles(connection, user_id, assignment.role, bureau_ids)
        audit.record(
            connection,
            actor=actor,
            action="created",
            entity=audit.USER,
            entity_id=user_id,
            detail={"email": email, "role": assignment.role.value, "bureaus": list(assignment.bureau_codes)},
        )
    return user_id


def _bureau_ids(connection: Connection, assignment: Assignment) -> list[int]:
    codes = [code.strip().upper() for code in assignment.bureau_codes if code.strip()]
    if assignment.role is not Role.BUREAU_EDITOR:
        if codes:
            raise AccountError("Only a bureau editor is given bureaus; other roles cover every bureau.")
        return []
    if not codes:
        raise AccountError("A bureau editor needs at least one bureau.")
    found = dict(connection.execute(select(Bureau.code, Bureau.id).where(Bureau.code.in_(codes))).all())
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise AccountError(f"No bureau has the code {', '.join(unknown)}.")
    return [found[code] for code in codes]


def _write_roles(connection: Connection, user_id: int, role: Role, bureau_ids: Iterable[int]) -> None:
    connection.execute(delete(UserRole).where(UserRole.user_id == user_id))
    bureaus: list[int | None] = list(bureau_ids) or [None]  # None: the role covers every bureau
    rows = [{"user_id": user_id, "role": role.value, "bureau_id": bureau} for bureau in bureaus]
    connection.execute(insert(UserRole), rows)


def _user_row(connection: Connection, user_id: int):
    user = connection.execute(select(User).where(User.id == user_id)).first()
    if user is None:
        raise AccountError(f"There is no user {user_id}.")
    return user


def change_role(engine: Engine, *, actor: Principal, user_id: int, assignment: Assignment) -> None:
    audit.require(engine, actor, Permission.MANAGE_USERS, what=f"change the role of user {user_id}")
    with engine.begin() as connection:
        _user_row(connection, user_id)
        bureau_ids = _bureau_ids(connection, assignment)
        _write_roles(connection, user_id, assignment.role, bureau_ids)
        audit.record(
            connection,
            actor=actor,
            action="role_changed",
            entity=audit.USER,
            entity_id=user_id,
            detail={"role": assignment.role.value, "bureaus": list(assignment.bureau_codes)},
        )


def set_active(engine: Engine, *, actor: Principal, user_id: int, active: bool) -> None:
    """Enable or disable a user; a disabled user's open sessions end at their next page run."""
    audit.require(engine, actor, Permission.MANAGE_USERS, what=f"enable or disable user {user_id}")
    if not active and actor.user_id == user_id:
        raise AccountError("You cannot disable your own account.")
    _update_user(engine, actor, user_id, action="enabled" if active else "disabled", active=active)


def archive_user(engine: Engine, *, actor: Principal, user_id: int) -> None:
    """Archive (disable and hide) a user; the row stays, so the audit log still names them."""
    audit.require(engine, actor, Permission.MANAGE_USERS, what=f"archive user {user_id}")
    if actor.user_id == user_id:
        raise AccountError("You cannot archive your own account.")
    _update_user(engine, actor, user_id, action="archived", active=False, archived_at=_now())


def _update_user(engine: Engine, actor: Principal, user_id: int, *, action: str, **values: object) -> None:
    """Change a user's row and audit it as ``action``, in one transaction (permission already asked)."""
    with engine.begin() as connection:
        _user_row(connection, user_id)
        connection.execute(update(User).where(User.id == user_id).values(**values))
        audit.record(connection, actor=actor, action=action, entity=audit.USER, entity_id=user_id)


def reset_password(engine: Engine, *, actor: Principal, email: str, password: str) -> None:
    """Set a new password (and lift any lockout): an administrator's, or the command line's."""
    audit.require(engine, actor, Permission.MANAGE_USERS, what=f"reset the password of {email}")
    email = normalize_email(email)
    password_hash = hash_password(password)
    with engine.begin() as connection:
        user_id = connection.execute(select(User.id).where(User.username == email)).scalar_one_or_none()
        if user_id is None:
            raise AccountError(f"No user has the email {email}.")
        connection.execute(
            update(User)
            .where(User.id == user_id)
            .values(password_hash=password_hash, failed_sign_ins=0, lockouts=0, locked_until=None)
        )
        # Whoever was signed in with the old password (perhaps not its owner) is signed out.
        ended = end_sessions(connection, user_id, reason="password_reset")
        audit.record(
            connection,
            actor=actor,
            action="password_reset",
            entity=audit.USER,
            entity_id=user_id,
            detail={"sessions_ended": ended},
        )


def users(engine: Engine, *, actor: Principal, include_archived: bool = False) -> pd.DataFrame:
    """Every user, for the Users page: id, email, display_name, role, bureau_codes (a list),
    active, locked_until, last_sign_in_at, archived_at, has_password."""
    audit.require(engine, actor, Permission.MANAGE_USERS, what="list users")
    statement = select(
        User.id,
        User.username.label("email"),
        User.display_name,
        User.active,
        User.locked_until,
        User.last_sign_in_at,
        User.archived_at,
        User.password_hash.is_not(None).label("has_password"),
    ).order_by(User.username)
    if not include_archived:
        statement = statement.where(User.archived_at.is_(None))
    roles_statement = (
        select(UserRole.user_id, UserRole.role, Bureau.code)
        .outerjoin(Bureau, Bureau.id == UserRole.bureau_id)
        .order_by(UserRole.user_id, Bureau.code)
    )
    with engine.connect() as connection:
        frame = pd.DataFrame(
            connection.execute(statement).mappings().all(), columns=list(statement.selected_columns.keys())
        )
        roles = pd.DataFrame(connection.execute(roles_statement).all(), columns=["user_id", "role", "code"])
    roles["role"] = roles["role"].map(lambda role: getattr(role, "value", role))
    frame["role"] = frame["id"].map(roles.groupby("user_id")["role"].first()).fillna("")
    codes = roles.dropna(subset=["code"]).groupby("user_id")["code"].agg(list)
    frame["bureau_codes"] = [codes.get(user_id, []) for user_id in frame["id"]]
    frame["active"] = frame["active"].astype(bool)
    frame["has_password"] = frame["has_password"].astype(bool)
    return frame
