"""The open-data API against its own OpenAPI document (schemathesis), and crafted requests
(hypothesis) that must never bring back an unpublished value or a value the public view hides.

Both run in-process (ASGI) on the golden city (tests/golden_city.py), with a bounded number of
examples: ``EQUITY_FUZZ_EXAMPLES`` raises it for a deeper run.

What must never come back, worked out by hand from the golden city: M1's FY 2020-21 value 29.0
(only submitted), anything of the draft plan version (measure M6, goal CC-G2, the revised plan's
title), and M2's FY 2016-17 counts for Asian (5, small), White (150) and People of color (47),
which the public view hides.
"""

from __future__ import annotations

import io
import json
import os

import pandas as pd
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.testclient import TestClient

EXAMPLES = int(os.environ.get("EQUITY_FUZZ_EXAMPLES", "12"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
HIDDEN = {("FY 2016-17", "asian"), ("FY 2016-17", "white"), ("FY 2016-17", "people_of_color")}
DRAFT_TEXTS = ("A measure of the draft revision", "CC-G2", "Racial Equity Plan, revised")


def _app() -> Starlette:
    """The API's routes behind the server's own middleware (security headers, host check), as
    serve.py mounts them; the test clients' host is allowed."""
    from equity_tracking.api import ROUTES

    # serve.py itself is not imported here: importing it builds the st.App and patches Streamlit's
    # sessions for the whole process (tests/test_hardening.py imports it in a process of its own).
    return Starlette(routes=ROUTES, middleware=[Middleware(_SecurityHeaders)])


class _SecurityHeaders:
    """A stand-in for serve.HardeningMiddleware's header part: the schema check sees every header
    a real answer carries."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-content-type-options", b"nosniff")]
            await send(message)

        await self.app(scope, receive, with_headers)


APP = _app()
# The document is read from the API's own route (it needs no database); the requests it drives go
# to the golden city (the fixture below points the settings at it).
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@pytest.fixture(scope="module")
def golden_api(golden_engine: Engine):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EQUITY_DATABASE_URL", golden_engine.url.render_as_string(hide_password=False))
        yield APP


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_every_answer_matches_the_openapi_document(case, golden_api):
    # No server error; every status, content type, header and body as the document says.
    case.call_and_validate(checks=CHECKS)


def test_the_document_is_openapi_3_1_and_describes_every_endpoint(golden_api):
    document = TestClient(golden_api).get("/api/v1/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {
        "/api/v1/goals",
        "/api/v1/bureaus",
        "/api/v1/bureaus/{code}",
        "/api/v1/measures",
        "/api/v1/measures/{measure_id}/values",
        "/api/v1/openapi.json",
    }
    measures = document["paths"]["/api/v1/measures"]["get"]
    assert [parameter["name"] for parameter in measures["parameters"]] == [
        "bureau", "goal", "fy", "format", "limit", "offset",
    ]  # fmt: skip
    assert {"200", "304", "400", "500", "503"} <= set(measures["responses"])
    assert "404" in document["paths"]["/api/v1/measures/{measure_id}/values"]["get"]["responses"]
    value = document["components"]["schemas"]["Value"]["properties"]
    assert value["value"]["type"] == ["number", "null"]
    assert value["suppressed"]["type"] == "boolean"


# --- crafted requests ---------------------------------------------------------------------------------------

JUNK = st.one_of(
    st.sampled_from(["", " ", "0", "-1", "6", "M6", "29", "2020-21", "2016-17", "CC", "cc", "AA", "TR", "1e3",
                     "' OR 1=1 --", "%00", "../", "draft", "published", "true", "*", "999999999999"]),
    st.text(max_size=12),
    st.integers(min_value=-5, max_value=2_000).map(str),
)  # fmt: skip
PARAMETERS = st.dictionaries(
    st.sampled_from(["bureau", "goal", "fy", "format", "limit", "offset", "viewer", "include_unpublished",
                     "status", "measure", "review_status", "as_of"]),
    JUNK,
    max_size=4,
)  # fmt: skip
PATHS = st.one_of(
    st.sampled_from(["/api/v1/goals", "/api/v1/bureaus", "/api/v1/measures"]),
    st.sampled_from(["AA", "BB", "CC", "cc", "ZZ", "6"]).map(lambda code: f"/api/v1/bureaus/{code}"),
    st.sampled_from(["1", "2", "3", "5", "6", "7", "0", "-1", "02"]).map(
        lambda measure: f"/api/v1/measures/{measure}/values"
    ),
)  # fmt: skip


def _rows(response) -> list[dict]:
    """The value rows of an answer, JSON or CSV (empty for anything else)."""
    if response.status_code != 200:
        return []
    if response.headers["content-type"].startswith("text/csv"):
        frame = pd.read_csv(io.BytesIO(response.content), encoding="utf-8-sig", keep_default_na=False)
        return frame.to_dict("records")
    data = response.json()["data"]
    return data if isinstance(data, list) else [data]


@given(path=PATHS, params=PARAMETERS, head=st.booleans(), cookie=st.booleans())
@settings(max_examples=EXAMPLES * 5, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_crafted_requests_never_return_unpublished_or_hidden_values(golden_api, path, params, head, cookie):
    # A session cookie and a signed-in look change nothing: the API always reads as the public.
    cookies = {"equity_session": "staff", "_streamlit_user": "x"} if cookie else None
    client = TestClient(golden_api, base_url="http://localhost", cookies=cookies)
    response = client.request("HEAD" if head else "GET", path, params=params)
    assert response.status_code in (200, 304, 400, 404), response.text
    if head:
        assert response.content == b""
        return
    text = response.content.decode("utf-8-sig")
    for draft in DRAFT_TEXTS:
        assert draft not in text
    if response.status_code != 200:
        assert json.loads(text)["error"]["message"]
        return
    for row in _rows(response):
        if "group" in row:  # a value row
            assert not (row["measure_id"] == 1 and row["period"] == "FY 2020-21"), row  # only submitted
            assert row["measure_id"] != 6
            if row["measure_id"] == 2 and (row["period"], row["group_key"]) in HIDDEN:
                assert row["suppressed"] in (True, "yes"), row
                assert row["value"] in (None, "hidden"), row  # JSON null, CSV "hidden"
                assert row["value_label"] == "hidden", row
        if "measure_id" in row:
            assert row["measure_id"] in (1, 2, 3, 4, 5), row
        if "goal_key" in row:
            assert row["goal_key"] != "CC-G2", row
