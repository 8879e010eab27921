"""Embeds (issue #11): a public page inside a city web page, with ``?embed=true``.

- the server (serve.py's middleware) lets the sites of ``EQUITY_EMBED_ORIGINS`` frame a public
  page asked for as an embed, and nothing else: without the setting, without ``embed=true``, or for
  a staff page, every response still says that only the app itself may frame it;
- the setting refuses anything that is not an https origin (plain http only for loopback names);
- in an embed, the page shows a small "Demo data" label instead of the demo banner, a link that
  opens the same page in the tracker, and the public's view even to signed-in staff (no sidebar,
  no "include unpublished" switch).

serve.py is imported in a process of its own (see tests/test_hardening.py): importing it installs
the clear-cache guard and builds the ``st.App``, which this test process (AppTest's) must not get.
The browser check, with a page of another origin framing the app, is tests/test_embed_browser.py.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from apptest_support import open_app, texts
from conftest import PROJECT_ROOT
from golden_city import build_golden_city
from principals import make_user
from sqlalchemy.orm import Session

from equity_tracking import accounts
from equity_tracking.models import DEMO_DATA_KEY, AppMetadata
from equity_tracking.permissions import Role

CITY_SITES = "https://www.portland.gov, https://*.portland.gov"
FRAMED_BY_CITY = "frame-ancestors 'self' https://www.portland.gov https://*.portland.gov"
PUBLIC_EMBEDS = (
    "/bureau?bureau=TR&fy=2018-19&embed=true",
    "/?embed=true",
    "/overview?fy=2018-19&embed=true",
    "/goal?goal=1&embed=true",
    "/measure?measure=87&embed=true",
    "/compare?embed=true",
    "/workforce?fy=2018-19&EMBED=True",  # Streamlit's frontend reads the flag in any case
    "/reports?embed=true",
    "/methodology?embed=true",
)
NEVER_FRAMED = (
    # Staff pages, the sign-in page and the account page: never, even as an embed.
    "/my-bureau?embed=true",
    "/review?embed=true",
    "/users?embed=true",
    "/reference-data?embed=true",
    "/plan-structure?embed=true",
    "/import?embed=true",
    "/audit-log?embed=true",
    "/sign-in?embed=true",
    "/account?embed=true",
    # Public pages that are not asked for as an embed.
    "/bureau?bureau=TR&fy=2018-19",
    "/bureau?embed=false",
    "/",
    "/no-such-page?embed=true",
)

PROBE = """
import json, sys
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient
import serve

async def shell(request):
    return PlainTextResponse("page shell")

inner = Starlette(routes=[Route("/{path:path}", shell)])
urls, settings, refused = json.loads(sys.argv[1])
headers = {}
for name, setting in settings.items():
    origins = serve.embed_origins({"EQUITY_EMBED_ORIGINS": setting})
    client = TestClient(serve.HardeningMiddleware(inner, hosts=("testserver",), embed_origins=origins))
    for url in urls:
        response = client.get(url)
        headers[name + " " + url] = [
            response.status_code,
            response.headers.get("x-frame-options"),
            response.headers.get("content-security-policy"),
        ]
    refused_host = client.get("/bureau?embed=true", headers={"host": "evil.example"})
    headers[name + " unknown host"] = [refused_host.status_code]
errors = {}
for setting in refused:
    try:
        serve.embed_origins({"EQUITY_EMBED_ORIGINS": setting})
        errors[setting] = None
    except serve.ConfigurationError as error:
        errors[setting] = str(error)
print(json.dumps({"headers": headers, "errors": errors}))
"""
REFUSED_SETTINGS = (
    "http://www.portland.gov",  # not https
    "http://localhost.evil.example",  # not a loopback name
    "https://www.portland.gov/embeds",  # a path, not an origin
    "https://www.portland.gov 'unsafe-inline'",  # a CSP keyword smuggled in
    "javascript:alert(1)",
    "*",
)


@pytest.fixture(scope="module")
def probe() -> dict:
    settings = {"none": "", "city": CITY_SITES, "local": "http://localhost:8765 http://127.0.0.1:8765"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE,
            json.dumps([[*PUBLIC_EMBEDS, *NEVER_FRAMED], settings, REFUSED_SETTINGS]),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _frame_ancestors(policy: str) -> str:
    return next(part.strip() for part in policy.split(";") if part.strip().startswith("frame-ancestors"))


def test_without_the_setting_no_page_may_be_framed_by_another_site(probe):
    for url in (*PUBLIC_EMBEDS, *NEVER_FRAMED):
        status, frame_options, policy = probe["headers"][f"none {url}"]
        assert status == 200, url
        assert frame_options == "SAMEORIGIN", url
        assert _frame_ancestors(policy) == "frame-ancestors 'self'", url


def test_the_listed_sites_may_frame_a_public_page_asked_for_as_an_embed(probe):
    for url in PUBLIC_EMBEDS:
        _status, frame_options, policy = probe["headers"][f"city {url}"]
        assert frame_options is None, url  # X-Frame-Options cannot name another site
        assert _frame_ancestors(policy) == FRAMED_BY_CITY, url
        assert "img-src 'self' data: blob:" in policy  # the rest of the policy is unchanged
        assert "connect-src 'self'" in policy
    _status, frame_options, policy = probe["headers"]["local /bureau?bureau=TR&fy=2018-19&embed=true"]
    assert _frame_ancestors(policy) == "frame-ancestors 'self' http://localhost:8765 http://127.0.0.1:8765"


def test_staff_pages_and_pages_not_asked_for_as_an_embed_are_never_framed(probe):
    for url in NEVER_FRAMED:
        _status, frame_options, policy = probe["headers"][f"city {url}"]
        assert frame_options == "SAMEORIGIN", url
        assert _frame_ancestors(policy) == "frame-ancestors 'self'", url


def test_the_host_check_still_holds_for_embeds(probe):
    assert probe["headers"]["city unknown host"] == [400]


def test_the_setting_takes_https_origins_only(probe):
    for setting in REFUSED_SETTINGS:
        message = probe["errors"][setting]
        assert message is not None, f"{setting!r} was accepted"
        assert "EQUITY_EMBED_ORIGINS" in message


# --- the page in embed mode -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_marked(database_factory):
    """The golden city, marked as the demo (so that the page shows the demo banner)."""
    engine = database_factory.new_engine()
    build_golden_city(engine)
    with Session(engine) as session, session.begin():
        session.add(
            AppMetadata(key=DEMO_DATA_KEY, value=json.dumps({"seed": 7, "scale": 1, "label": "demo"}))
        )
    return engine


def _bureau(engine, monkeypatch, *, embedded: bool, state: dict | None = None):
    app = open_app(
        "pages/bureau.py", engine, monkeypatch, query={"bureau": "AA", "fy": "2018-19"}, state=state
    )
    if embedded:
        app.context = {"is_embedded": True}
    app.run()
    assert not app.exception, app.exception
    return app


def _link_buttons(app) -> list[tuple[str, str]]:
    return [(button.proto.label, button.proto.url) for button in app.get("link_button")]


def test_an_embed_shows_a_small_demo_label_instead_of_the_banner(demo_marked, monkeypatch):
    page = _bureau(demo_marked, monkeypatch, embedded=False)
    assert any("Demo data — not real City figures" in warning.value for warning in page.warning)
    assert _link_buttons(page) == []

    embed = _bureau(demo_marked, monkeypatch, embedded=True)
    assert "Demo data — not real City figures" not in texts(embed)
    assert "generated for demonstration" not in texts(embed)
    assert any(caption.value.endswith("Demo data") for caption in embed.caption)
    assert _link_buttons(embed) == [("Open in the Equity Plan Tracker", "/bureau?bureau=AA&fy=2018-19")]
    assert "Bureau of Alpha" in texts(embed)  # the page itself is all there


def test_an_embed_shows_the_public_view_even_to_staff(demo_marked, monkeypatch):
    user = make_user(demo_marked, "analyst@embed.example", Role.ANALYST)
    principal = accounts.current_principal(demo_marked, user)
    assert principal is not None
    state = {
        "_equity_session_token": accounts.open_session(demo_marked, principal, method="password"),
        "_equity_include_unpublished": True,
    }
    page = _bureau(demo_marked, monkeypatch, embedded=False, state=state)
    assert "Include unpublished work" in [toggle.label for toggle in page.toggle]
    assert "Including unpublished work." in texts(page)

    embed = _bureau(demo_marked, monkeypatch, embedded=True, state=state)
    assert [toggle.label for toggle in embed.toggle] == []
    assert "Including unpublished work." not in texts(embed)
    assert not [button.label for button in embed.get("download_button") if "unpublished" in button.label]
