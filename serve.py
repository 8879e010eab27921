"""The server: Streamlit's ASGI app around ``app.py``, with the tracker's own routes.

``streamlit run serve.py`` (what ``make run`` does) finds the ``st.App`` below and serves ``app.py``
through it. The routes answer before Streamlit does:

- ``/bureau/TR``, ``/measure/87``, ``/goal/2`` and any other path below a page redirect to the
  page's own URL (``/bureau?bureau=TR``): Streamlit would serve its page shell there, which loads its
  scripts from the wrong folder and shows a blank page.
"""

from pathlib import Path

import streamlit as st
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from streamlit.runtime.pages_manager import PagesManager

from equity_tracking.navigation import PAGES, short_link_target

# The app routes with st.navigation alone. Until app.py has run once, Streamlit otherwise treats
# pages/ as an old-style pages folder: /bureau runs pages/bureau.py by itself (its guard then
# reroutes), and /goal, which no file is named after, opens a "Page not found" dialog.
PagesManager.uses_pages_directory = False


async def short_link(request: Request) -> Response:
    target = short_link_target(request.url.path, request.url.query)
    if target is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    return RedirectResponse(target, status_code=307)


app = st.App(
    Path(__file__).with_name("app.py"),
    routes=[Route(f"/{spec.url_path}/{{rest:path}}", short_link) for spec in PAGES],
)
