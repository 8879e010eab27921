"""The password sign-in form, served by the tracker's own server route (``/auth/password``), not by a
Streamlit script.

A Streamlit script cannot set a cookie, so a sign-in made inside the app would last only as long as
the browser tab's connection: a reload, a new tab or a typed link would sign the person out. This
is a plain HTML form that POSTs; on success the response sets the session token in an HttpOnly,
SameSite=Lax cookie (``accounts.SESSION_COOKIE``) and sends the browser to the overview, and every
page run then resumes the session from the database (``accounts.resume_session``), where its
timeouts are decided.

The form carries its own cross-site request token (a random value in a cookie and in a hidden
field, which must match), it is a single page with no script and no third-party request, and every
try is audited by ``accounts.sign_in``.
"""

from __future__ import annotations

import html
import os
import secrets

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from equity_tracking import accounts
from equity_tracking.db import shared_engine
from equity_tracking.settings import Settings

PATH = "/auth/password"
CSRF_COOKIE = "equity_csrf"
CSRF_FIELD = "csrf"
AFTER_SIGN_IN = "/"  # the overview: the default page lives at the root, not at /overview
MAX_FIELD = 1024  # characters: longer input is refused before any work is done


def _page(*, csrf: str, email: str = "", message: str = "") -> str:
    alert = f'<p class="alert" role="alert">{html.escape(message)}</p>' if message else ""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in with a password · Equity Plan Tracker</title>
<style>
  body {{ font-family: system-ui, sans-serif; color: #0b0d10; background: #f2f5f9; margin: 0; }}
  main {{ max-width: 28rem; margin: 3rem auto; background: #fff; padding: 2rem; border-radius: .5rem;
         border: 1px solid #d0d7e2; }}
  h1 {{ font-size: 1.6rem; margin-top: 0; }}
  label {{ display: block; font-weight: 600; margin-top: 1rem; }}
  input {{ width: 100%; box-sizing: border-box; font-size: 1rem; padding: .6rem; margin-top: .3rem;
          border: 1px solid #5f6b7a; border-radius: .3rem; }}
  button {{ margin-top: 1.5rem; font-size: 1rem; padding: .6rem 1.2rem; color: #fff; background: #0b5394;
           border: 0; border-radius: .3rem; cursor: pointer; }}
  :focus-visible {{ outline: 3px solid #e69f00; outline-offset: 2px; }}
  .alert {{ background: #fdecea; color: #7a1212; padding: .8rem; border-radius: .3rem; }}
  .note {{ font-size: .9rem; color: #3d4653; }}
</style>
</head>
<body>
<main>
<h1>Sign in with a password</h1>
<p>For bureau equity leads and equity-office staff whose account has a tracker password.</p>
{alert}
<form method="post" action="{PATH}">
<input type="hidden" name="{CSRF_FIELD}" value="{html.escape(csrf)}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="320"
       value="{html.escape(email)}" autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required
       maxlength="{MAX_FIELD}">
<button type="submit">Sign in</button>
</form>
<p class="note">Forgotten your password, or locked out? Ask the equity office: an administrator can
set a new one. {html.escape(accounts.LOCKOUT_POLICY)}</p>
<p><a href="/sign-in">Other ways to sign in</a> · <a href="{AFTER_SIGN_IN}">Back to the dashboards</a></p>
</main>
</body>
</html>"""


def _secure(request: Request) -> bool:
    """Whether cookies must travel over HTTPS only: the request came over HTTPS, or through a
    TLS-terminating proxy that says so, or ``EQUITY_SECURE_COOKIES=true`` (set it in production
    behind a proxy that sends neither)."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    forced = os.environ.get("EQUITY_SECURE_COOKIES", "").strip().lower() in {"1", "true", "yes"}
    return request.url.scheme == "https" or forwarded == "https" or forced


def _form_response(request: Request, *, email: str = "", message: str = "", status: int = 200) -> Response:
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = HTMLResponse(_page(csrf=csrf, email=email, message=message), status_code=status)
    response.headers["Cache-Control"] = "no-store"
    response.set_cookie(
        CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=_secure(request), path=PATH
    )
    return response


def _refused(engine: Engine, email: str, reason: str) -> None:
    """A post refused before any password was checked (no account's failures are counted)."""
    accounts.record_refused_sign_in(engine, who=email, method="password", reason=reason)


async def password_sign_in(request: Request) -> Response:
    """GET: the form. POST: check the cross-site token, then the password; on success a session
    cookie and a redirect to the overview, otherwise the form again with the reason."""
    if request.method != "POST":
        return _form_response(request)
    form = await request.form(max_files=0, max_fields=8)
    email, password, csrf = (str(form.get(name) or "") for name in ("email", "password", CSRF_FIELD))
    expected = request.cookies.get(CSRF_COOKIE) or ""
    engine = shared_engine(Settings.from_environment().database_url)
    if not expected or not secrets.compare_digest(csrf, expected):
        await run_in_threadpool(_refused, engine, email, "cross_site_token")
        return _form_response(request, message="The form had expired. Please sign in again.", status=400)
    if len(email) > MAX_FIELD or len(password) > MAX_FIELD:
        await run_in_threadpool(_refused, engine, email, "too_long")
        return _form_response(request, message=accounts.Refusal.WRONG_CREDENTIALS.message, status=401)
    try:
        principal = await run_in_threadpool(accounts.sign_in, engine, email=email, password=password)
    except accounts.SignInError as error:
        return _form_response(request, email=email, message=str(error), status=401)
    token = await run_in_threadpool(accounts.open_session, engine, principal, method="password")
    response = RedirectResponse(AFTER_SIGN_IN, status_code=303)
    response.set_cookie(
        accounts.SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(CSRF_COOKIE, path=PATH)
    return response


ROUTES = [Route(PATH, password_sign_in, methods=["GET", "POST"])]
