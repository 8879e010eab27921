"""Sign-in, sessions and the viewer scope in Streamlit's AppTest, on the golden city with real
accounts (created through ``accounts``, as the command line does).

Golden-city facts used here (worked out by hand in golden_city.py): M1 (bureau AA, id 1) has a
FY 2020-21 value of 29.0 % that was only submitted, never published; its newest published value is
FY 2019-20's 28.0 %. Bureau BB (id 2) has a submitted annual narrative for FY 2018-19 ("Not yet
reviewed."). Gamma (CC, id 3) has a draft plan revision.
"""

from __future__ import annotations

import datetime as dt

import pytest
from apptest_support import metrics, open_app, shown, tables, texts
from golden_city import build_golden_city
from principals import make_user
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from equity_tracking import accounts
from equity_tracking.permissions import OPERATOR, Role
from equity_tracking.ui import PRINCIPAL_KEY, UNPUBLISHED_BANNER

PASSWORD = "correct horse battery staple"
TOKEN = "_equity_session_token"  # where a session's token lives when no cookie carries it


@pytest.fixture(scope="module")
def city(database_factory):
    """The golden city with an analyst, an admin, an editor of AA, an editor of BB and a disabled
    user, each signing in with ``PASSWORD``."""
    engine = database_factory.new_engine()
    build_golden_city(engine)
    ids = {}
    for email, role, bureaus in [
        ("analyst@city.example", Role.ANALYST, ()),
        ("admin@city.example", Role.ADMIN, ()),
        ("alpha@city.example", Role.BUREAU_EDITOR, ("AA",)),
        ("beta@city.example", Role.BUREAU_EDITOR, ("BB",)),
        ("gone@city.example", Role.ANALYST, ()),
    ]:
        ids[email] = make_user(engine, email, role, *bureaus, password=PASSWORD)
    accounts.set_active(engine, actor=OPERATOR, user_id=ids["gone@city.example"], active=False)
    engine.ids = ids  # type: ignore[attr-defined]
    return engine


def _signed_in(city, email: str, *, minutes_ago: float = 1, idle_minutes: float = 1) -> dict:
    """Session state holding the token of a real session in the database, opened ``minutes_ago``
    and last active ``idle_minutes`` ago. (In the browser the token arrives in a cookie; AppTest
    cannot send one.)"""
    now = dt.datetime.now(dt.UTC)
    principal = accounts.current_principal(city, city.ids[email])
    assert principal is not None
    token = accounts.open_session(
        city, principal, method="password", now=now - dt.timedelta(minutes=minutes_ago)
    )
    with city.begin() as connection:
        connection.execute(
            text(
                "UPDATE user_sessions SET last_seen_at = :seen WHERE id = (SELECT MAX(id) FROM user_sessions)"
            ),
            {"seen": now - dt.timedelta(minutes=idle_minutes)},
        )
    return {TOKEN: token}


def _session_row(city, token: str) -> tuple:
    import hashlib

    with city.connect() as connection:
        return connection.execute(
            text("SELECT last_seen_at, ended_at, end_reason FROM user_sessions WHERE token_hash = :hash"),
            {"hash": hashlib.sha256(token.encode()).hexdigest()},
        ).one()


def _open(
    script: str, city, monkeypatch, *, state=None, standalone=False, runs: int = 2, **query: str
) -> AppTest:
    app = open_app(script, city, monkeypatch, state=state, query=query, standalone=standalone)
    # Two runs before a test touches a widget: on the first run through the router, AppTest's page
    # id differs from the navigation's, and so do the widget ids a click refers to.
    for _ in range(runs):
        app.run()
    assert not app.exception, app.exception
    return app


def _audit(city, action: str) -> list[tuple]:
    with city.connect() as connection:
        return list(
            connection.execute(
                text("SELECT user_id, entity, detail FROM audit_log WHERE action = :action ORDER BY id"),
                {"action": action},
            )
        )


# --- signing in (the form itself is tested in test_password_form.py) ------------------------------


def test_the_sign_in_page_offers_the_password_form(city, monkeypatch):
    app = _open("pages/sign_in.py", city, monkeypatch)
    assert '<a class="equity-plain-link" href="/auth/password">Sign in with a tracker password</a>' in [
        str(element.value) for element in app.get("html")
    ]
    assert not app.button  # no single sign-on configured here


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(database_factory):
    engine = database_factory.new_engine()
    make_user(engine, "lock@city.example", Role.ANALYST, password=PASSWORD)
    now = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    for attempt in range(4):
        with pytest.raises(accounts.SignInError) as refused:
            accounts.sign_in(engine, email="lock@city.example", password=f"guess {attempt}", now=now)
        assert refused.value.reason is accounts.Refusal.WRONG_CREDENTIALS
    with pytest.raises(accounts.SignInError) as fifth:
        accounts.sign_in(engine, email="lock@city.example", password="guess 5", now=now)
    assert fifth.value.reason is accounts.Refusal.LOCKED
    assert fifth.value.until == now + dt.timedelta(minutes=15)
    # Locked: even the right password is refused, and not checked.
    with pytest.raises(accounts.SignInError) as locked:
        accounts.sign_in(
            engine, email="lock@city.example", password=PASSWORD, now=now + dt.timedelta(minutes=14)
        )
    assert locked.value.reason is accounts.Refusal.LOCKED
    # After 15 minutes the right password works, and the count starts again.
    later = now + dt.timedelta(minutes=16)
    assert accounts.sign_in(engine, email="lock@city.example", password=PASSWORD, now=later).username == (
        "lock@city.example"
    )
    # Back-off: the next lockout lasts twice as long.
    for attempt in range(5):
        with pytest.raises(accounts.SignInError):
            accounts.sign_in(engine, email="lock@city.example", password=f"again {attempt}", now=later)
    with engine.connect() as connection:
        failed, lockouts, until = connection.execute(
            text("SELECT failed_sign_ins, lockouts, locked_until FROM users WHERE username = :email"),
            {"email": "lock@city.example"},
        ).one()
    assert (failed, lockouts) == (0, 2)
    assert str(until).startswith("2026-11-30 09:46")  # 16 minutes + 30 minutes after 09:00
    refusals = [row[2] for row in _audit(engine, "sign_in_refused")]
    assert len(refusals) == 4 + 1 + 1 + 5
    assert "guess" not in str(refusals)
    assert PASSWORD not in str(refusals)


def test_passwords_are_stored_as_argon2id_at_owasp_parameters(city):
    with city.connect() as connection:
        stored = connection.execute(
            text("SELECT password_hash FROM users WHERE username = 'analyst@city.example'")
        ).scalar_one()
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in stored


# --- sessions -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes_ago", "idle_minutes", "message"),
    [
        (40, 31, "signed out after 30 minutes without activity"),
        (8 * 60 + 1, 1, "signed out 8 hours after signing in"),
    ],
)
def test_an_idle_or_old_session_ends(city, monkeypatch, minutes_ago, idle_minutes, message):
    state = _signed_in(city, "analyst@city.example", minutes_ago=minutes_ago, idle_minutes=idle_minutes)
    app = _open("pages/home.py", city, monkeypatch, state=state, runs=1)
    assert message in texts(app)
    assert app.session_state[PRINCIPAL_KEY].is_anonymous
    assert TOKEN not in app.session_state
    _, ended_at, reason = _session_row(city, state[TOKEN])
    assert ended_at is not None
    assert reason == ("idle" if idle_minutes > 30 else "expired")


def test_a_live_session_is_kept_and_renewed(city, monkeypatch):
    state = _signed_in(city, "analyst@city.example", minutes_ago=60, idle_minutes=29)
    app = _open("pages/home.py", city, monkeypatch, state=state)
    assert app.session_state[PRINCIPAL_KEY].username == "analyst@city.example"
    seen, ended_at, _ = _session_row(city, state[TOKEN])
    assert ended_at is None
    seen = seen if isinstance(seen, dt.datetime) else dt.datetime.fromisoformat(str(seen))
    assert dt.datetime.now(dt.UTC) - seen.replace(tzinfo=dt.UTC) < dt.timedelta(minutes=1)


def test_a_user_disabled_mid_session_is_signed_out_at_the_next_click(database_factory, monkeypatch):
    engine = database_factory.new_engine()
    user_id = make_user(engine, "soon@city.example", Role.ANALYST)
    engine.ids = {"soon@city.example": user_id}  # type: ignore[attr-defined]
    app = _open("pages/account.py", engine, monkeypatch, state=_signed_in(engine, "soon@city.example"))
    assert "soon@city.example" in texts(app)
    accounts.set_active(engine, actor=OPERATOR, user_id=user_id, active=False)
    app.run()
    assert app.session_state[PRINCIPAL_KEY].is_anonymous
    assert "Sign in to open it" in texts(app)  # the account page is for signed-in users
    assert "no longer active" in texts(app)


def test_the_account_page_says_who_and_signs_out(city, monkeypatch):
    app = _open("pages/account.py", city, monkeypatch, state=_signed_in(city, "alpha@city.example"))
    shown = texts(app)
    assert "alpha@city.example" in shown
    assert "Bureau editor for Bureau of Alpha" in shown
    before = len(_audit(city, "signed_out"))
    token = app.session_state[TOKEN]
    next(button for button in app.button if button.label == "Sign out").click()
    app.run()
    assert app.session_state[PRINCIPAL_KEY].is_anonymous
    assert len(_audit(city, "signed_out")) == before + 1
    assert _session_row(city, token)[2] == "signed_out"  # the token opens nothing any more


# --- single sign-on (st.user, as AppTest sets it) ---------------------------------------------------------


def _as_sso(app: AppTest, claims: dict) -> AppTest:
    app.user = {"is_logged_in": True, **claims}
    return app


def test_sso_maps_the_verified_email_to_the_user_row_and_roles_come_from_the_database(city, monkeypatch):
    app = open_app("pages/account.py", city, monkeypatch)
    # A token that claims admin rights gains nothing: roles are read from the user row.
    _as_sso(
        app, {"email": "Beta@City.example", "email_verified": True, "roles": ["admin"], "groups": ["admin"]}
    )
    app.run()
    principal = app.session_state[PRINCIPAL_KEY]
    assert principal.username == "beta@city.example"
    assert principal.roles == frozenset({(Role.BUREAU_EDITOR, 2)})
    assert "Bureau editor for Bureau of Beta" in texts(app)


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"email": "stranger@city.example", "email_verified": True}, "not registered in the tracker"),
        ({"email": "analyst@city.example"}, "has not verified your email"),  # no email_verified claim
        ({"email": "gone@city.example", "email_verified": True}, "This account is disabled."),
    ],
)
def test_sso_refusals_are_explained_audited_and_leave_the_visitor_public(city, monkeypatch, claims, message):
    before = len(_audit(city, "sign_in_refused"))
    app = _as_sso(open_app("pages/sign_in.py", city, monkeypatch), claims)
    app.run()
    assert message in texts(app)
    assert app.session_state[PRINCIPAL_KEY].is_anonymous
    assert len(_audit(city, "sign_in_refused")) == before + 1
    app.run()  # not asked again on every click
    assert len(_audit(city, "sign_in_refused")) == before + 1


# --- what each viewer sees ---------------------------------------------------------------------------------


def _switch_on(app: AppTest) -> AppTest:
    next(toggle for toggle in app.toggle if toggle.label == "Include unpublished work").set_value(True)
    return app.run()


def test_the_public_and_staff_see_their_own_figures_from_one_process(city, monkeypatch):
    # Both readers in one process, alternately: the caches are shared, and must never cross.
    for _ in range(2):
        public = _open("pages/measure.py", city, monkeypatch, measure="1", fy="2020-21")
        assert metrics(public)["Current"] == "28.0 %"
        assert not public.toggle  # nothing to switch for the public
        staff = _open(
            "pages/measure.py",
            city,
            monkeypatch,
            state=_signed_in(city, "analyst@city.example"),
            measure="1",
            fy="2020-21",
        )
        assert metrics(staff)["Current"] == "28.0 %"  # the switch is off until asked
        _switch_on(staff)
        assert metrics(staff)["Current (incl. unpublished)"] == "29.0 %"
        assert UNPUBLISHED_BANNER.split("**")[1] in texts(staff)


def test_an_editor_sees_unpublished_work_of_their_own_bureau_only(city, monkeypatch):
    own = _switch_on(
        _open(
            "pages/measure.py",
            city,
            monkeypatch,
            state=_signed_in(city, "alpha@city.example"),
            measure="1",
            fy="2020-21",
        )
    )
    assert metrics(own)["Current (incl. unpublished)"] == "29.0 %"
    other = _switch_on(
        _open(
            "pages/measure.py",
            city,
            monkeypatch,
            state=_signed_in(city, "beta@city.example"),
            measure="1",
            fy="2020-21",
        )
    )
    assert metrics(other)["Current (incl. unpublished)"] == "28.0 %"  # AA's submission is not theirs


def test_the_switch_is_remembered_from_page_to_page(city, monkeypatch):
    app = _switch_on(
        _open("pages/home.py", city, monkeypatch, state=_signed_in(city, "analyst@city.example"))
    )
    app.switch_page("pages/measure.py")
    app.query_params["measure"] = "1"
    app.query_params["fy"] = "2020-21"
    app.run()
    assert metrics(app)["Current (incl. unpublished)"] == "29.0 %"


# --- staff pages -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("script", ["pages/users.py", "pages/account.py"])
def test_a_staff_page_opened_by_url_asks_the_public_to_sign_in_and_shows_nothing_else(
    city, monkeypatch, script
):
    before = len(_audit(city, "refused"))
    app = _open(script, city, monkeypatch, standalone=True, runs=1)
    assert "Sign in to open it" in texts(app)
    assert not app.table
    assert not app.dataframe
    assert not app.text_input
    assert not app.button
    assert len(_audit(city, "refused")) == before + 1


def test_an_analyst_may_not_open_the_users_page(city, monkeypatch):
    app = _open("pages/users.py", city, monkeypatch, state=_signed_in(city, "analyst@city.example"))
    assert "Your account does not give access to this page." in texts(app)
    assert not app.table
    assert not app.text_input


def test_an_admin_adds_a_bureau_editor_on_the_users_page(city, monkeypatch):
    app = _open("pages/users.py", city, monkeypatch, state=_signed_in(city, "admin@city.example"))
    [users] = tables(app)
    assert "analyst@city.example" in set(users["Email"])
    form = app.text_input
    form[0].input("new.editor@city.example")
    form[1].input("New Editor")
    next(box for box in app.selectbox if box.label == "Role").set_value("bureau_editor")
    next(box for box in app.multiselect if box.label.startswith("Bureaus")).set_value(["CC"])
    next(button for button in app.button if button.label == "Add user").click()
    app.run()
    assert "Added new.editor@city.example." in texts(app)
    with city.connect() as connection:
        role, bureau = connection.execute(
            text(
                "SELECT r.role, b.code FROM user_roles r JOIN users u ON u.id = r.user_id "
                "JOIN bureaus b ON b.id = r.bureau_id WHERE u.username = 'new.editor@city.example'"
            )
        ).one()
    assert (role, bureau) == ("bureau_editor", "CC")


def test_an_unpublished_narrative_says_so_to_the_staff_who_see_it(city, monkeypatch):
    # Golden: Bureau of Beta's FY 2018-19 narrative ("Not yet reviewed.") was submitted, never published.
    public = _open("pages/reports.py", city, monkeypatch, fy="2018-19")
    assert "Bureau of Beta" not in " ".join(shown(expander.label) for expander in public.expander)
    staff = _switch_on(
        _open(
            "pages/reports.py",
            city,
            monkeypatch,
            state=_signed_in(city, "analyst@city.example"),
            fy="2018-19",
        )
    )
    labels = [shown(expander.label) for expander in staff.expander]
    assert "Bureau of Beta: 1 item — Not yet published (submitted for review)" in labels
    assert "Bureau of Alpha: 3 items" in labels


# --- attacks on the password check -------------------------------------------------------------------


def _lock_account(database_factory):
    engine = database_factory.new_engine()
    make_user(engine, "target@city.example", Role.ANALYST, password=PASSWORD)
    return engine


def test_wrong_passwords_tried_at_the_same_time_each_count(database_factory):
    from concurrent.futures import ThreadPoolExecutor

    engine = _lock_account(database_factory)

    def guess(attempt: int) -> accounts.Refusal:
        try:
            accounts.sign_in(engine, email="target@city.example", password=f"parallel guess {attempt}")
        except accounts.SignInError as refused:
            return refused.reason
        raise AssertionError("a wrong password was accepted")

    with ThreadPoolExecutor(max_workers=8) as pool:
        reasons = list(pool.map(guess, range(8)))
    # Eight wrong passwords at once: the fifth to be counted locks the account; none is lost.
    with engine.connect() as connection:
        failed, lockouts = connection.execute(
            text("SELECT failed_sign_ins, lockouts FROM users WHERE username = 'target@city.example'")
        ).one()
    assert lockouts == 1
    # The other three were either counted again after the lock (failed) or refused as locked.
    assert failed + reasons.count(accounts.Refusal.LOCKED) - 1 == 3


def test_a_locked_account_and_an_unknown_email_get_the_same_answer(database_factory):
    engine = _lock_account(database_factory)
    for attempt in range(5):
        with pytest.raises(accounts.SignInError):
            accounts.sign_in(engine, email="target@city.example", password=f"guess {attempt}")
    with pytest.raises(accounts.SignInError) as locked:
        accounts.sign_in(engine, email="target@city.example", password=PASSWORD)
    with pytest.raises(accounts.SignInError) as unknown:
        accounts.sign_in(engine, email="nobody@city.example", password=PASSWORD)
    assert locked.value.reason is accounts.Refusal.LOCKED  # the audit log knows which
    assert str(locked.value) == str(unknown.value)  # the person is told the same


def test_a_password_reset_ends_every_open_session_of_the_user(database_factory):
    engine = _lock_account(database_factory)
    principal = accounts.sign_in(engine, email="target@city.example", password=PASSWORD)
    tokens = [accounts.open_session(engine, principal, method="password") for _ in range(2)]
    accounts.reset_password(
        engine, actor=OPERATOR, email="target@city.example", password="a brand new password"
    )
    for token in tokens:
        state = accounts.resume_session(engine, token)
        assert state.principal is None
        assert state.closed


def test_a_single_sign_on_session_is_one_session_across_reloads_and_its_idle_timeout_holds(database_factory):
    # ui derives the token from Streamlit's identity cookie, the same in every tab of one sign-in.
    engine = _lock_account(database_factory)
    principal = accounts.current_principal(engine, 1)
    start = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    token = accounts.open_session(engine, principal, method="city", token="city:signed-cookie", now=start)
    assert accounts.resume_session(engine, token, now=start + dt.timedelta(minutes=29)).principal == principal
    idle = accounts.resume_session(engine, token, now=start + dt.timedelta(minutes=29 + 31))
    assert idle.ended == "idle"
    # A reload after that finds the session closed: ui then signs the browser out of the provider.
    again = accounts.resume_session(engine, token, now=start + dt.timedelta(minutes=61))
    assert again.closed
    assert again.principal is None


def test_the_users_table_says_who_is_locked_until_when_and_who_is_disabled():
    import pandas as pd

    from equity_tracking.dashboards.users import users_table

    now = pd.Timestamp("2026-11-30 09:00", tz="UTC")
    people = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "email": ["a@x.org", "b@x.org", "c@x.org", "d@x.org"],
            "display_name": ["A", "B", "C", "D"],
            "role": ["bureau_editor", "analyst", "admin", "bureau_editor"],
            "bureau_codes": [["TR", "WA"], [], [], ["PK"]],
            "active": [True, True, False, True],
            "locked_until": [
                pd.Timestamp("2026-11-30 09:15", tz="UTC"),
                None,
                None,
                pd.Timestamp("2026-11-30 08:00"),
            ],
            "last_sign_in_at": [None, pd.Timestamp("2026-11-29 17:30", tz="UTC"), None, None],
            "has_password": [True, False, True, True],
        }
    )
    table = users_table(people, now=now)
    assert list(table["Bureaus"]) == ["TR, WA", "All", "All", "PK"]
    # D's lockout ended at 08:00 (stored without a zone, as SQLite returns it): active again.
    assert list(table["Status"]) == ["Locked until 09:15 UTC", "Active", "Disabled", "Active"]
    assert list(table["Last sign-in"]) == ["Never", "2026-11-29 17:30 UTC", "Never", "Never"]
