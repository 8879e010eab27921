"""No request from a visitor's browser to any third party (issue #8): the home page, opened in
Chromium, asks only the server for anything, its favicon included, and the Content-Security-Policy
that ``serve.py`` sends blocks nothing the page needs."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from browser_support import DESKTOP, RUN_COUNTER, goto

# Built by the browser itself, from the page: no request leaves it.
LOCAL_SCHEMES = ("data:", "blob:", "about:")


@pytest.mark.browser
def test_the_home_page_asks_no_other_host_for_anything(browser, app_server):
    server = urlsplit(app_server).netloc
    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(RUN_COUNTER)
    asked: list[str] = []
    blocked: list[str] = []
    context.on("request", lambda request: asked.append(request.url))
    try:
        page = context.new_page()
        page.on("websocket", lambda websocket: asked.append(websocket.url))
        page.on(
            "console",
            lambda message: "Content Security Policy" in message.text and blocked.append(message.text),
        )
        goto(page, f"{app_server}/")
        # What the page points the browser at, whether or not the browser has fetched it yet
        # (headless Chromium may never fetch a favicon).
        icons = page.evaluate("[...document.querySelectorAll('link[rel~=icon]')].map((link) => link.href)")
        loaded = page.evaluate("performance.getEntriesByType('resource').map((entry) => entry.name)")
    finally:
        context.close()
    assert icons, "the page has no favicon"
    elsewhere = sorted(
        {
            url
            for url in [*asked, *loaded, *icons]
            if not url.startswith(LOCAL_SCHEMES) and urlsplit(url).netloc != server
        }
    )
    assert not elsewhere, f"the browser was sent to other hosts: {elsewhere}"
    assert not blocked, f"the Content-Security-Policy blocked: {blocked}"
