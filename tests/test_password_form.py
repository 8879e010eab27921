"""The password sign-in form (``/auth/password``), through Starlette's test client on the route
itself, against a real database: the cross-site token, the session cookie, refusals and escaping."""

from __future__ import annotations

import re

import pytest
from principals import make_user
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.testclient import TestClient

from equity_tracking import accounts, password_form
from equity_tracking.permissions import Role

PASSWORD = "a long and correct password"


@pytest.fixture
def client(engine, monkeypatch):
    monkeypatch.setenv("EQUITY_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    make_user(engine, "lead@city.example", Role.ANALYST, password=PASSWORD)
    with TestClient(Starlette(routes=password_form.ROUTES), base_url="http://localhost") as test_client:
        test_client.engine = engine  # type: ignore[attr-defined]
        yield test_client


def _csrf(client) -> str:
    page = client.get(password_form.PATH)
    assert page.status_code == 200
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def _audit(engine, action: str) -> int:
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT COUNT(*) FROM audit_log WHERE action = :a"), {"a": action}
        ).scalar()


def test_the_form_is_a_plain_page_with_labels_and_no_third_party_request(client):
    page = client.get(password_form.PATH)
    assert page.headers["cache-control"] == "no-store"
    assert '<html lang="en">' in page.text
    assert '<label for="email">Email</label>' in page.text
    assert 'autocomplete="current-password"' in page.text
    assert "<script" not in page.text
    assert not re.search(r'(src|href)="https?://', page.text)  # nothing from another host
    assert "httponly" in page.headers["set-cookie"].lower()


def test_the_right_password_opens_a_session_in_an_httponly_cookie(client):
    from equity_tracking import reads

    before = reads.data_version(client.engine)
    response = client.post(
        password_form.PATH,
        data={"email": " Lead@City.example", "password": PASSWORD, "csrf": _csrf(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = next(
        value for value in response.headers.get_list("set-cookie") if value.startswith("equity_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    state = accounts.resume_session(client.engine, token)
    assert state.principal.username == "lead@city.example"
    assert state.method == "password"
    assert _audit(client.engine, "signed_in") == 1
    assert reads.data_version(client.engine) == before  # a sign-in empties no one's caches


def test_a_wrong_password_shows_the_form_again_with_the_reason_and_no_session(client):
    response = client.post(
        password_form.PATH,
        data={"email": "lead@city.example", "password": "not the password", "csrf": _csrf(client)},
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert "That email and password do not match an account." in response.text
    assert 'role="alert"' in response.text
    assert "equity_session=" not in response.headers.get("set-cookie", "")
    assert _audit(client.engine, "sign_in_refused") == 1


def test_a_post_without_the_forms_own_token_is_refused_before_any_password_is_checked(client):
    client.get(password_form.PATH)  # the cookie is there, but the field is forged
    response = client.post(
        password_form.PATH,
        data={"email": "lead@city.example", "password": PASSWORD, "csrf": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "The form had expired" in response.text
    assert _audit(client.engine, "signed_in") == 0
    with client.engine.connect() as connection:
        [detail] = connection.execute(
            text("SELECT detail FROM audit_log WHERE action = 'sign_in_refused'")
        ).scalars()
    assert "cross_site_token" in str(detail)
    with client.engine.connect() as connection:  # no failure was counted against the account
        assert connection.execute(text("SELECT failed_sign_ins FROM users")).scalar() == 0


def test_what_was_typed_is_written_back_as_text(client):
    planted = '"><script>alert(1)</script>'
    response = client.post(
        password_form.PATH,
        data={"email": planted, "password": "x", "csrf": _csrf(client)},
        follow_redirects=False,
    )
    assert "<script>alert(1)" not in response.text
    assert "&quot;&gt;&lt;script&gt;" in response.text
