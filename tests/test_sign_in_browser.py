"""Signing in, in headless Chromium, against real servers (issue #8).

- **Staff pages opened by URL on a fresh server**, as an anonymous visitor: Streamlit serves a page
  by its URL even when the navigation leaves it out, so each staff page is the first request of a
  server of its own. No staff data or control shows; the visitor gets the page guard's sign-in
  prompt and nothing else, and the refusal is audited. The same holds for a browser whose cookie
  opens no session any more (after signing out), and a signed-in editor is refused the Users page.
- **A tracker password**, from the keyboard (desktop and phone): the Sign in page's link to the
  server's own password form (``/auth/password``), email, password, Enter; the sidebar grows "Users"
  and "My account", the session survives a new tab, the Users page lists the users, and signing out
  takes them away again and leaves the cookie opening nothing.
- **Single sign-on** through a mock OpenID provider (``oidc-provider-mock``, in a thread of this
  process), with ``[auth]`` and ``[auth.city]`` in a secrets file of the test's own: the editor's
  verified email maps to their user row, and the role comes from the database even when the ID token
  claims ``roles: ["admin"]``; an email the tracker does not know, or one the provider has not
  verified, is refused; an ID token whose signature no longer matches leaves the visitor signed out.
- After each flow, the audit log holds what happened.

Every expectation is written out here by hand (names, roles, messages, audit actions); none is
computed with the app's code. Screenshots land in ``tests/artifacts/`` (``sign-in-*.png``).
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import threading
import unicodedata
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from browser_support import (
    APP_IDLE,
    DESKTOP,
    DRAWN,
    MAIN,
    PHONE,
    RUN_COUNTER,
    full_page_screenshot,
    goto,
    visible_text,
)
from conftest import _free_port, serve_app
from golden_city import build_golden_city
from playwright.sync_api import Browser, Page, expect
from principals import make_user
from sqlalchemy import Engine, func, select

from equity_tracking.models import AuditEntry, Role
from equity_tracking.navigation import PAGES
from equity_tracking.permissions import Permission

with warnings.catch_warnings():  # Authlib's deprecation notices, raised on import by the mock provider
    warnings.simplefilter("ignore")
    import oidc_provider_mock
import werkzeug.serving
from werkzeug.wrappers import Response

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
ADMIN_EMAIL = "admin@city.example"
ADMIN_NAME = "Avery Admin"
ANALYST_EMAIL = "analyst@city.example"
EDITOR_EMAIL = "alpha.lead@city.example"  # editor of bureau AA, the Bureau of Alpha; no password
EDITOR_NAME = "Ada Alpha"  # the name in the database
TOKEN_NAME = "Name From The Token"  # the name the identity provider claims: never shown
STRANGER_EMAIL = "stranger@city.example"  # verified by the provider, unknown to the tracker
FORGED_EMAIL = "mallory@evil.example"
EVERY_EMAIL = (ADMIN_EMAIL, ANALYST_EMAIL, EDITOR_EMAIL)

# The identity provider's subjects (what a person types into the mock provider's form).
EDITOR_SUB, STRANGER_SUB = "alpha-lead", "stranger"
PROVIDER_USERS = (
    oidc_provider_mock.User(
        sub=EDITOR_SUB,
        claims={
            "email": EDITOR_EMAIL,
            "email_verified": True,
            "name": TOKEN_NAME,
            # A provider (or anyone who could edit its claims) saying the editor is an admin: ignored.
            "roles": ["admin"],
            "groups": ["equity-office-admins"],
        },
    ),
    oidc_provider_mock.User(sub=STRANGER_SUB, claims={"email": STRANGER_EMAIL, "email_verified": True}),
)
COOKIE_SECRET = "sign-in-browser-test-cookie-secret-0123456789"  # Streamlit wants at least 14 bytes
PROVIDER = "city"  # st.login("city") reads [auth.city]; written out, not taken from ui.SSO_PROVIDER

# The staff pages (every page the public may not open), by hand: key → (URL path, its title).
STAFF_PAGES = {
    "my_bureau": ("/my-bureau", "My bureau"),
    "review": ("/review", "Review queue"),
    "users": ("/users", "Users"),
    "reference_data": ("/reference-data", "Groups, benchmarks and cycles"),
    "plan_structure": ("/plan-structure", "Plan structure"),
    "import_data": ("/import", "Import data"),
    "audit": ("/audit-log", "Audit log"),
    "account": ("/account", "My account"),
}
PROMPT = "This page is for City staff. Sign in to open it."
NO_ACCESS = "Your account does not give access to this page."
SIGNED_OUT_NOTICE = "You are signed out."
NOT_REGISTERED = "Your City account is not registered in the tracker. Ask the equity office to add you."
NOT_VERIFIED = "The identity provider has not verified your email address."
EDITOR_ROLE_LINE = "Bureau editor for Bureau of Alpha"
ADMIN_ROLE_LINE = "Equity-office administrator"

SIDEBAR = "[data-testid='stSidebar']"
SIDEBAR_NAV = "[data-testid='stSidebarNav']"
EXPAND_SIDEBAR = "[data-testid='stExpandSidebarButton']"
COLLAPSE_SIDEBAR = "[data-testid='stSidebarCollapseButton'] button"
SSO_BUTTON = "Sign in with your City account"
PASSWORD_LINK = "Sign in with a tracker password"
PASSWORD_FORM = "/auth/password"  # the server's own page, not a Streamlit one
SESSION_COOKIE = "equity_session"
USER_COOKIE = "_streamlit_user"
MAX_TABS = 60


# --- the city: the golden city with accounts -------------------------------------------------------


@dataclass
class City:
    engine: Engine
    ids: dict[str, int] = field(default_factory=dict)


def build_city(database_factory) -> City:
    """The golden city with an admin and an analyst (password) and an editor of AA (single sign-on
    only), created as the command line creates them."""
    engine = database_factory.new_engine()
    build_golden_city(engine)
    city = City(engine)
    city.ids[ADMIN_EMAIL] = make_user(engine, ADMIN_EMAIL, Role.ADMIN, password=PASSWORD, name=ADMIN_NAME)
    city.ids[ANALYST_EMAIL] = make_user(engine, ANALYST_EMAIL, Role.ANALYST, password=PASSWORD)
    city.ids[EDITOR_EMAIL] = make_user(engine, EDITOR_EMAIL, Role.BUREAU_EDITOR, "AA", name=EDITOR_NAME)
    return city


def last_audit_id(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.coalesce(func.max(AuditEntry.id), 0))).scalar_one()


def audit_since(engine: Engine, after: int) -> list[tuple[str, int | None, dict]]:
    """``(action, user id, detail)`` of every audit entry written after entry ``after``."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(AuditEntry.action, AuditEntry.user_id, AuditEntry.detail)
            .where(AuditEntry.id > after)
            .order_by(AuditEntry.id)
        ).all()
    return [(action, user_id, detail or {}) for action, user_id, detail in rows]


# --- the mock OpenID provider ----------------------------------------------------------------------


class IdTokenTamperer:
    """WSGI middleware around the mock provider: while ``enabled``, it rewrites the ``email`` claim in
    the ID token that the token endpoint returns, keeping the original RS256 signature."""

    def __init__(self, app) -> None:
        self.app = app
        self.enabled = False

    def __call__(self, environ, start_response):
        if not self.enabled or environ.get("PATH_INFO") != "/oauth2/token":
            return self.app(environ, start_response)
        response = Response.from_app(self.app, environ)
        body = json.loads(response.get_data())
        if "id_token" in body:
            header, payload, signature = body["id_token"].split(".")
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            claims["email"] = FORGED_EMAIL
            payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
            body["id_token"] = f"{header}.{payload}.{signature}"
            response.set_data(json.dumps(body))
        return response(environ, start_response)


@dataclass
class Provider:
    url: str  # the issuer, http://localhost:PORT (another host than the app's 127.0.0.1)
    tamperer: IdTokenTamperer


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    """The mock provider in a thread (``oidc_provider_mock.run_server_in_thread`` does the same,
    without the tampering middleware). A ``sub`` it does not know gets ``{"email": sub}`` only."""
    tamperer = IdTokenTamperer(oidc_provider_mock.app(user_claims=PROVIDER_USERS))
    server = werkzeug.serving.make_server("localhost", 0, tamperer, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield Provider(url=f"http://localhost:{server.server_port}", tamperer=tamperer)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# --- the app's servers -----------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    log: Path
    city: City


def write_secrets(path: Path, *, port: int | None = None, provider: Provider | None = None) -> Path:
    """A secrets file of the test's own (it replaces Streamlit's search, so a developer's secrets
    never leak in): with ``provider``, the city's identity provider; without, no single sign-on."""
    if provider is None:
        path.write_text("# No single sign-on.\n")
        return path
    path.write_text(
        f"""\
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "{COOKIE_SECRET}"

[auth.{PROVIDER}]
client_id = "equity-plan-tracker"
client_secret = "not-a-secret-in-tests"
server_metadata_url = "{provider.url}/.well-known/openid-configuration"
"""
    )
    return path


@pytest.fixture(scope="module")
def sso_server(database_factory, provider, tmp_path_factory) -> Iterator[Server]:
    """The app on the golden city with accounts, its single sign-on pointed at the mock provider."""
    city = build_city(database_factory)
    folder = tmp_path_factory.mktemp("sign-in-server")
    port = _free_port()
    secrets = write_secrets(folder / "secrets.toml", port=port, provider=provider)
    log = folder / "streamlit.log"
    with contextlib.contextmanager(serve_app)(city.engine, log, port=port, secrets_file=secrets) as url:
        yield Server(url, log, city)


# --- the browser -----------------------------------------------------------------------------------


def phone_options(browser: Browser) -> dict:
    """Playwright's "Pixel 5" (a mobile Chrome user agent, touch, its pixel ratio) at 390 × 844,
    without the browser-specific bits: this Chromium's own version in the user agent."""
    return {
        "viewport": dict(PHONE),
        "user_agent": (
            "Mozilla/5.0 (Linux; Android 11; Pixel 5) AppleWebKit/537.36 (KHTML, like Gecko) "
            f"Chrome/{browser.version} Mobile Safari/537.36"
        ),
        "device_scale_factor": 2.75,
        "is_mobile": True,
        "has_touch": True,
    }


@pytest.fixture
def tab(browser: Browser) -> Iterator[Callable[[str], Page]]:
    """``tab("desktop" | "phone")``: a page in a browser context of its own (its own cookies: a
    single sign-on never carries over between tests); closed after the test."""
    contexts = []

    def _open(width: str = "desktop") -> Page:
        options = {"viewport": dict(DESKTOP)} if width == "desktop" else phone_options(browser)
        context = browser.new_context(**options)
        context.add_init_script(RUN_COUNTER)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


OVERVIEW = "Citywide overview"  # the default page, where signing in and out lands
IDLE_AND_DRAWN = f"() => !!document.querySelector({APP_IDLE!r}) && {DRAWN}"


def wait_for_page(page: Page, title: str) -> None:
    """Wait until the page titled ``title`` is shown, its run has finished, and it is drawn.

    After a click, this waits for the page's own content rather than counting runs: a run that is
    fast, or a page switch made inside a run (signing out), can go by without the browser ever
    drawing the "running" state that ``browser_support.settle`` counts."""
    expect(heading(page, title)).to_be_visible()
    page.wait_for_function(IDLE_AND_DRAWN)


def sidebar_nav(page: Page):
    """The sidebar's page list, opened first on a phone (where it starts folded)."""
    sidebar = page.locator(SIDEBAR)
    if sidebar.get_attribute("data-collapsed") == "true":
        page.locator(EXPAND_SIDEBAR).click()
        expect(sidebar).to_have_attribute("data-collapsed", "false")
    nav = page.locator(SIDEBAR_NAV)
    expect(nav).to_be_visible()
    return nav


def fold_sidebar(page: Page) -> None:
    """On a phone, fold the sidebar if it is open (it covers the page), as a reader would."""
    sidebar = page.locator(SIDEBAR)
    if page.viewport_size["width"] <= PHONE["width"] and sidebar.get_attribute("data-collapsed") == "false":
        page.locator(COLLAPSE_SIDEBAR).click()
        expect(sidebar).to_have_attribute("data-collapsed", "true")


def sidebar_link(page: Page, name: str):
    return sidebar_nav(page).get_by_role("link", name=name, exact=True)


def follow_sidebar(page: Page, name: str) -> None:
    sidebar_link(page, name).click()
    wait_for_page(page, name)
    expect(heading(page, name)).to_be_visible()


def heading(page: Page, name: str):
    return page.locator(MAIN).get_by_role("heading", name=name, exact=True, level=1)


def expect_sidebar(page: Page, *, shows: tuple[str, ...], hides: tuple[str, ...]) -> None:
    nav = sidebar_nav(page)
    for name in shows:
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    for name in hides:
        expect(nav.get_by_role("link", name=name, exact=True)).to_have_count(0)


def landed(base_url: str) -> re.Pattern[str]:
    """The app's own pages (not its /oauth2callback, not the provider's)."""
    return re.compile(re.escape(base_url) + r"/(?:[a-z-]+)?(?:\?.*)?$")


def sso_sign_in(page: Page, server: Server, provider: Provider, sub: str) -> None:
    """From the Sign in page: the City account button → the provider's form, as ``sub`` → back in the
    app, on the page it lands on (a new page load), drawn."""
    page.get_by_role("button", name="Sign in with your City account").click()
    page.wait_for_url(re.compile(re.escape(provider.url) + r"/oauth2/authorize\?"))
    page.locator("input[name='sub']").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(landed(server.url))
    wait_for_page(page, OVERVIEW)


def end_provider_session(page: Page, server: Server, provider: Provider) -> None:
    """Streamlit's sign-out goes through the provider's end-session page: confirm, come back."""
    page.wait_for_url(re.compile(re.escape(provider.url) + r"/oauth2/end_session\?"))
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(landed(server.url))
    wait_for_page(page, OVERVIEW)


def auth_cookies(page: Page) -> set[str]:
    return {cookie["name"] for cookie in page.context.cookies() if cookie["name"].startswith(USER_COOKIE)}


FOCUSED = """() => {
  const element = document.activeElement;
  return {
    id: element?.id || '',
    href: element?.getAttribute('href') || '',
    text: (element?.innerText || '').trim().slice(0, 100),
  };
}"""


def focused_element(page: Page) -> dict:
    return page.evaluate(FOCUSED)


def tab_to(page: Page, wanted: Callable[[dict], bool]) -> dict:
    """Press Tab until the focused element is ``wanted``; returns it."""
    visited = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = focused_element(page)
        if wanted(focused):
            return focused
        visited.append(focused["href"] or focused["text"][:30] or focused["id"])
    raise AssertionError(f"not reached in {MAX_TABS} presses of Tab; focus went: {visited}")


def session_cookie(page: Page) -> dict | None:
    return next((cookie for cookie in page.context.cookies() if cookie["name"] == SESSION_COOKIE), None)


def full_page_screenshot_plain(page: Page, path: Path) -> None:
    """A page of the server's own (not Streamlit's), whole."""
    page.screenshot(path=path, full_page=True)


def plain(text: str) -> str:
    """Text as a reader sees it: without the invisible format characters the app puts inside an
    email address (a word joiner) to keep it from becoming a link."""
    return "".join(character for character in text if unicodedata.category(character) != "Cf")


def body_text(page: Page) -> str:
    """Everything the page shows, sidebar and dialogs included."""
    return plain(page.evaluate("document.body.innerText"))


# --- 1. staff pages by URL, as the first request of a fresh server ---------------------------------


def test_the_staff_pages_here_are_every_page_the_public_may_not_open():
    """A new staff page must join STAFF_PAGES (and so the fresh-server test below)."""
    staff = {spec.key for spec in PAGES if spec.permission is not Permission.VIEW_PUBLISHED}
    assert staff == set(STAFF_PAGES)


def assert_nothing_of_staff(page: Page, title: str) -> None:
    """No user's email or name, no user list, no form, no password field, no account, not the staff
    page's title; the sidebar offers Sign in and no staff page."""
    text = body_text(page)
    for staff_text in (*EVERY_EMAIL, ADMIN_NAME, EDITOR_NAME, "Add a user", "Change a user", "Signed in at"):
        assert staff_text not in text
    expect(page.locator("[data-testid='stForm'], input[type='password']")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(heading(page, title)).to_have_count(0)
    expect_sidebar(page, shows=("Sign in",), hides=("Users", "My account"))


def shows_the_prompt(page: Page, prompt: str = PROMPT) -> bool:
    """The page guard's refusal: its words and a way in, and no field, table or dialog."""
    main = page.locator(MAIN)
    return (
        main.get_by_text(prompt, exact=True).is_visible()
        and (prompt != PROMPT or main.get_by_role("link", name="Sign in", exact=True).is_visible())
        and page.locator(f"{MAIN} input, {MAIN} textarea, {MAIN} table").count() == 0
        and page.get_by_role("dialog").count() == 0
    )


def refusals(engine: Engine, after_id: int) -> list[tuple[int | None, str | None]]:
    """``(user id, page)`` of every refusal audited after entry ``after_id``."""
    return [
        (user_id, detail.get("page"))
        for action, user_id, detail in audit_since(engine, after_id)
        if action == "refused"
    ]


@pytest.mark.parametrize("key", list(STAFF_PAGES))
def test_a_staff_page_opened_by_url_on_a_fresh_server_shows_a_sign_in_prompt_and_nothing_else(
    key, tab, database_factory, tmp_path, artifacts_dir
):
    path, title = STAFF_PAGES[key]
    city = build_city(database_factory)
    secrets = write_secrets(tmp_path / "secrets.toml")
    serve = contextlib.contextmanager(serve_app)
    with serve(city.engine, tmp_path / "streamlit.log", secrets_file=secrets) as base_url:
        # The server's first request: a browser with no cookie asks for the staff page.
        marker = last_audit_id(city.engine)
        page = goto(tab("desktop"), base_url + path)
        full_page_screenshot(page, artifacts_dir / f"sign-in-fresh-{key}-anonymous-desktop.png")
        assert_nothing_of_staff(page, title)
        assert shows_the_prompt(page), "no sign-in prompt (or more than the prompt)"
        assert refusals(city.engine, marker) == [(None, key)]

        # The prompt's link opens the Sign in page.
        page.locator(MAIN).get_by_role("link", name="Sign in", exact=True).click()
        wait_for_page(page, "Sign in")
        if key != "users":
            return

        # The Sign in page by its URL offers the password form (no single sign-on in this server's
        # secrets: no City account button), and the form is there.
        sign_in = goto(tab("desktop"), base_url + "/sign-in")
        expect(heading(sign_in, "Sign in")).to_be_visible()
        expect(sign_in.get_by_role("button", name=SSO_BUTTON)).to_have_count(0)
        password_link = sign_in.locator(MAIN).get_by_role("link", name=PASSWORD_LINK, exact=True)
        expect(password_link).to_have_attribute("href", PASSWORD_FORM)
        full_page_screenshot(sign_in, artifacts_dir / "sign-in-without-sso-desktop.png")
        password_link.click()
        sign_in.wait_for_url(base_url + PASSWORD_FORM)
        expect(sign_in.get_by_role("textbox", name="Email")).to_be_visible()
        expect(sign_in.get_by_label("Password")).to_have_attribute("type", "password")
        expect(sign_in.get_by_role("button", name="Sign in")).to_be_visible()


# --- 2. a local password, from the keyboard --------------------------------------------------------


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_an_admin_signs_in_with_a_password_from_the_keyboard_and_out_again(
    width, tab, sso_server, artifacts_dir
):
    base_url, engine = sso_server.url, sso_server.city.engine
    admin_id = sso_server.city.ids[ADMIN_EMAIL]
    marker = last_audit_id(engine)
    # A visitor opens My account (the prompt page: quick to draw), then Sign in from the sidebar.
    page = goto(tab(width), base_url + "/account")
    expect_sidebar(page, shows=("Sign in",), hides=("Users", "My account"))
    follow_sidebar(page, "Sign in")
    expect(page.get_by_role("button", name=SSO_BUTTON)).to_be_visible()
    full_page_screenshot(page, artifacts_dir / f"sign-in-{width}.png")

    # Keyboard only: Tab to the password link and follow it; the form puts the focus in Email. A
    # phone's keyboard capitalises the first letter; the address still matches.
    focused = tab_to(page, lambda element: element["href"] == PASSWORD_FORM)
    assert focused["text"] == PASSWORD_LINK
    page.keyboard.press("Enter")
    page.wait_for_url(base_url + PASSWORD_FORM)
    expect(page.get_by_role("heading", name="Sign in with a password")).to_be_visible()
    assert focused_element(page)["id"] == "email"
    full_page_screenshot_plain(page, artifacts_dir / f"sign-in-password-form-{width}.png")
    page.keyboard.type("Admin@city.example")
    page.keyboard.press("Tab")
    assert focused_element(page)["id"] == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(landed(base_url))
    wait_for_page(page, OVERVIEW)

    # Where the form sends them: the overview, signed in (the session is an HttpOnly cookie).
    landing_dialogs = page.get_by_role("dialog").all_inner_texts()
    assert session_cookie(page)["httpOnly"] is True
    expect_sidebar(page, shows=("Users", "My account"), hides=("Sign in",))

    follow_sidebar(page, "Users")
    shown = visible_text(page)
    for email in EVERY_EMAIL:
        assert email in shown
    if width == "desktop":
        table = page.locator(f"{MAIN} table").filter(visible=True)
        expect(table).to_have_count(1)
        rows = [plain(row).split("\t") for row in table.get_by_role("row").all_inner_texts()]
        admin_row = [cell.strip() for cell in next(row for row in rows if ADMIN_EMAIL in row[0])]
        assert admin_row[:3] == [ADMIN_EMAIL, ADMIN_NAME, ADMIN_ROLE_LINE]
    else:  # one card per user on a phone
        assert f"{ADMIN_EMAIL}\nName: {ADMIN_NAME}\nRole: {ADMIN_ROLE_LINE}" in shown
    expect(page.get_by_text("Add a user", exact=True)).to_be_visible()
    fold_sidebar(page)
    full_page_screenshot(page, artifacts_dir / f"sign-in-users-{width}.png")

    if width == "desktop":  # the session survives a new tab: the cookie, not the tab, holds it
        other_tab = goto(page.context.new_page(), base_url + "/users")
        expect(heading(other_tab, "Users")).to_be_visible()
        other_tab.close()

    follow_sidebar(page, "My account")
    main = page.locator(MAIN)
    expect(main.get_by_text(ADMIN_NAME, exact=True)).to_be_visible()
    expect(main.get_by_text(ADMIN_ROLE_LINE)).to_be_visible()
    assert f"{ADMIN_NAME}\n{ADMIN_EMAIL}" in visible_text(page)
    fold_sidebar(page)
    full_page_screenshot(page, artifacts_dir / f"sign-in-account-admin-{width}.png")

    page.get_by_role("button", name="Sign out").click()
    wait_for_page(page, OVERVIEW)
    expect(page.get_by_text(SIGNED_OUT_NOTICE, exact=True)).to_be_visible()
    expect_sidebar(page, shows=("Sign in",), hides=("Users", "My account"))

    # The browser still holds the cookie, but its session has ended: it opens nothing any more.
    assert session_cookie(page) is not None
    if width == "desktop":
        stale_marker = last_audit_id(engine)
        stale = goto(page.context.new_page(), base_url + "/users")
        assert_nothing_of_staff(stale, "Users")
        assert shows_the_prompt(stale), "no sign-in prompt on a staff page after signing out"
        assert refusals(engine, stale_marker) == [(None, "users")]

    entries = [
        (action, user_id, detail.get("method"))
        for action, user_id, detail in audit_since(engine, marker)
        if action != "refused"
    ]
    assert entries == [("signed_in", admin_id, "password"), ("signed_out", admin_id, None)]

    assert landing_dialogs == [], f"the page after signing in opened a dialog: {landing_dialogs}"


# --- 3. single sign-on, end to end -----------------------------------------------------------------


def test_single_sign_on_maps_the_verified_email_to_its_user_and_role_from_the_database(
    tab, sso_server, provider, artifacts_dir
):
    engine, editor_id = sso_server.city.engine, sso_server.city.ids[EDITOR_EMAIL]
    marker = last_audit_id(engine)
    page = goto(tab("desktop"), sso_server.url + "/sign-in")
    sso_sign_in(page, sso_server, provider, EDITOR_SUB)

    assert auth_cookies(page) == {USER_COOKIE, f"{USER_COOKIE}_tokens"}
    # The token claims roles ["admin"]: the editor still gets no Users page.
    expect_sidebar(page, shows=("My account",), hides=("Sign in", "Users"))

    follow_sidebar(page, "My account")
    main = page.locator(MAIN)
    expect(main.get_by_text(EDITOR_NAME, exact=True)).to_be_visible()
    expect(main.get_by_text(EDITOR_ROLE_LINE)).to_be_visible()
    shown = visible_text(page)
    assert f"{EDITOR_NAME}\n{EDITOR_EMAIL}" in shown
    assert TOKEN_NAME not in shown
    assert "administrator" not in shown
    full_page_screenshot(page, artifacts_dir / "sign-in-account-sso-editor-desktop.png")

    # The identity cookie signs the editor in again in a new tab; /users still lists no user.
    users_marker = last_audit_id(engine)
    again = goto(page.context.new_page(), sso_server.url + "/users")
    expect_sidebar(again, shows=("My account",), hides=("Sign in", "Users"))
    shown_again = body_text(again)
    for staff_text in (ADMIN_EMAIL, ANALYST_EMAIL, "Add a user", "Change a user"):
        assert staff_text not in shown_again
    expect(heading(again, "Users")).to_have_count(0)
    assert shows_the_prompt(again, NO_ACCESS), "no refusal on /users for a signed-in editor"
    assert refusals(engine, users_marker) == [(editor_id, "users")]
    again.close()

    # Signing out also ends the identity provider's session in this browser.
    page.get_by_role("button", name="Sign out").click()
    end_provider_session(page, sso_server, provider)
    assert auth_cookies(page) == set()
    expect_sidebar(page, shows=("Sign in",), hides=("Users", "My account"))

    entries = audit_since(engine, marker)
    assert {
        (action, user_id, detail.get("method")) for action, user_id, detail in entries if action != "refused"
    } == {
        ("signed_in", editor_id, PROVIDER),  # (a new tab may write it again)
        ("signed_out", editor_id, None),
    }


# --- 4. single sign-on refused ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sub", "email", "message", "reason"),
    [
        (STRANGER_SUB, STRANGER_EMAIL, NOT_REGISTERED, "not_registered"),
        # Not one of the provider's users: it vouches for {"email": sub} only, without
        # email_verified. The address is the admin's, so it must not sign anyone in.
        (ADMIN_EMAIL, ADMIN_EMAIL, NOT_VERIFIED, "unverified_email"),
    ],
    ids=["not-registered", "email-not-verified"],
)
def test_single_sign_on_is_refused_for_an_email_the_tracker_cannot_trust(
    sub, email, message, reason, tab, sso_server, provider, artifacts_dir
):
    engine = sso_server.city.engine
    marker = last_audit_id(engine)
    page = goto(tab("desktop"), sso_server.url + "/sign-in")
    sso_sign_in(page, sso_server, provider, sub)
    landing = visible_text(page)

    expect_sidebar(page, shows=("Sign in",), hides=("Users", "My account"))
    follow_sidebar(page, "Sign in")
    expect(page.locator(MAIN).get_by_text(message, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Sign out of the City account")).to_be_visible()
    full_page_screenshot(page, artifacts_dir / f"sign-in-sso-refused-{reason.replace('_', '-')}-desktop.png")

    entries = audit_since(engine, marker)
    assert [(action, detail.get("actor"), detail.get("reason")) for action, _, detail in entries] == [
        ("sign_in_refused", email, reason)
    ]
    if reason == "not_registered":
        assert entries[0][1] is None  # no user to name

    assert message in landing, "the page the provider sends them back to does not say why"


def test_an_id_token_whose_signature_does_not_match_leaves_the_visitor_signed_out(tab, sso_server, provider):
    engine = sso_server.city.engine
    marker = last_audit_id(engine)
    page = goto(tab("desktop"), sso_server.url + "/sign-in")
    provider.tamperer.enabled = True
    try:
        sso_sign_in(page, sso_server, provider, EDITOR_SUB)
    finally:
        provider.tamperer.enabled = False

    assert auth_cookies(page) == set()
    expect_sidebar(page, shows=("Sign in",), hides=("Users", "My account"))
    text = body_text(page)
    assert FORGED_EMAIL not in text
    assert EDITOR_EMAIL not in text
    entries = [
        (action, user_id, detail.get("reason")) for action, user_id, detail in audit_since(engine, marker)
    ]
    assert entries == [("sign_in_refused", None, "identity_token_rejected")]
