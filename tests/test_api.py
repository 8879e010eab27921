"""The open-data API (equity_tracking.api) on the golden city (tests/golden_city.py), through
Starlette's test client against the real routes (``api.ROUTES``, which serve.py mounts), and once
through a real ``streamlit run serve.py``.

Every expected figure is worked out by hand from the golden city's rows. What the public may see:
measures M1–M5 of bureaus AA, BB and CC (M6 belongs to a draft plan version); M1's FY 2020-21
value (29.0) is only submitted; M2's FY 2016-17 counts Asian 5 (small), White 150 and People of
color 47 (hidden to protect it) are hidden.
"""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request

import pandas as pd
import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.testclient import TestClient

from equity_tracking import api, open_data, suppression
from equity_tracking.reference import CITYWIDE_GOALS

FISCAL_YEARS = ["2016-17", "2017-18", "2018-19", "2019-20", "2020-21"]
MEASURE_IDS = [1, 2, 3, 4, 5]  # M1–M5, in plan order: AA (M1, M2, M3), BB (M4), CC (M5)


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def client(golden_engine: Engine):
    """A client of the API's routes, reading the golden city as the app would: through the
    database URL in the settings."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EQUITY_DATABASE_URL", _url(golden_engine))
        with TestClient(Starlette(routes=api.ROUTES), base_url="http://localhost") as test_client:
            yield test_client


def _json(client: TestClient, path: str, status: int = 200) -> dict:
    response = client.get(path)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def _csv(client: TestClient, path: str) -> pd.DataFrame:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return pd.read_csv(io.BytesIO(response.content), encoding="utf-8-sig", keep_default_na=False)


# --- every endpoint, JSON and CSV ------------------------------------------------------------------------


def test_goals_are_the_three_citywide_goals(client):
    body = _json(client, "/api/v1/goals")
    assert [goal["number"] for goal in body["data"]] == [1, 2, 3]
    assert [goal["short_title"] for goal in body["data"]] == [goal.short_title for goal in CITYWIDE_GOALS]
    assert body["data"][0]["adopted_on"] == "2015-07-08"
    assert body["paging"] == {"total": 3, "limit": 100, "offset": 0, "next": None, "previous": None}
    assert body["meta"]["terms"] == open_data.TERMS
    frame = _csv(client, "/api/v1/goals?format=csv")
    assert list(frame["number"]) == [1, 2, 3]


def test_bureaus_with_their_current_plan(client):
    body = _json(client, "/api/v1/bureaus")
    rows = {row["code"]: row for row in body["data"]}
    assert list(rows) == ["AA", "BB", "CC"]
    assert rows["AA"]["name"] == "Bureau of Alpha"
    # Gamma's version 2 is a draft: its current published plan is version 1, with one measure (M5).
    assert (rows["CC"]["plan_version"], rows["CC"]["plan_status"]) == (1, "active")
    assert rows["CC"]["plan_span"] == "FY 2016-17 to FY 2020-21"
    assert rows["CC"]["plan_first_fiscal_year"] == "2016-17"
    assert rows["CC"]["plan_adopted_on"] == "2016-06-01"
    assert [rows[code]["measure_count"] for code in ("AA", "BB", "CC")] == [3, 1, 1]
    frame = _csv(client, "/api/v1/bureaus?format=csv")
    assert list(frame["code"]) == ["AA", "BB", "CC"]
    assert list(frame["measure_count"]) == [3, 1, 1]


def test_one_bureau_with_its_published_plans_and_goals_only(client):
    body = _json(client, "/api/v1/bureaus/cc")  # a code in any case
    bureau = body["data"]
    assert bureau["code"] == "CC"
    assert [(plan["plan_version"], plan["plan_status"]) for plan in bureau["plans"]] == [(1, "active")]
    assert [goal["goal_key"] for goal in bureau["goals"]] == ["CC-G1"]  # not the draft's CC-G2
    assert bureau["goals"][0]["citywide_goal"] == 3
    assert bureau["links"]["measures"] == "/api/v1/measures?bureau=CC"
    frame = _csv(client, "/api/v1/bureaus/AA?format=csv")
    assert list(frame["code"]) == ["AA"]
    assert list(frame["measure_count"]) == [3]


def test_measures_judged_as_the_pages_judge_fy_2018_19(client):
    body = _json(client, "/api/v1/measures?fy=2018-19")
    assert body["meta"]["fiscal_year"] == "2018-19"
    assert body["meta"]["as_of"] == "2019-09-30"
    rows = body["data"]
    assert [row["measure_id"] for row in rows] == MEASURE_IDS
    assert [row["measure_key"] for row in rows] == ["M1", "M2", "M3", "M4", "M5"]
    assert [row["bureau_code"] for row in rows] == ["AA", "AA", "AA", "BB", "CC"]
    assert [row["citywide_goal"] for row in rows] == [1, 1, 2, 1, 3]
    # current value and period, progress and health, from tests/golden_city.py's sums
    assert [(row["current_value"], row["current_period"]) for row in rows] == [
        (24.5, "FY 2018-19"), (220.0, "FY 2018-19"), (48.0, "FY 2018-19"), (12.0, "FY 2017-18"),
        (160.0, "FY 2018-19"),
    ]  # fmt: skip
    assert [row["progress_pct"] for row in rows] == [45.0, None, 95.0, 20.0, 60.0]
    assert [row["health"] for row in rows] == ["behind", "tracked", "on_track", "out_of_date", "on_track"]
    assert rows[0]["health_label"] == "Behind"
    assert rows[0]["baseline_value"] == 20.0
    assert rows[0]["target_value"] == 30.0
    assert rows[0]["target_period"] == "FY 2020-21"
    assert rows[1]["disaggregated"] is True
    assert rows[0]["disaggregated"] is False
    assert rows[0]["as_of"] == "2019-09-30"


def test_measures_default_to_the_year_the_pages_open_on(client):
    # The plans end with FY 2020-21, whose reports were due on 30 September 2021: the pages open on
    # it, where M1 last reported 28.0 for FY 2019-20 and is out of date.
    body = _json(client, "/api/v1/measures?bureau=AA")
    assert body["meta"]["fiscal_year"] == "2020-21"
    first = body["data"][0]
    assert (first["current_value"], first["current_period"]) == (28.0, "FY 2019-20")
    assert first["health"] == "out_of_date"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bureau=TR", None),
        ("bureau=AA&goal=1", [1, 2]),
        ("bureau=aa", [1, 2, 3]),
        ("goal=1", [1, 2, 4]),
        ("goal=2", [3]),
        ("goal=3", [5]),  # not M6: its plan version is a draft
        ("bureau=BB&goal=2", []),
    ],
)
def test_measures_filtered_by_bureau_and_citywide_goal(client, query, expected):
    if expected is None:  # TR is not in the golden city: a bad value, not an empty list
        assert _json(client, f"/api/v1/measures?{query}", status=400)["error"]["parameter"] == "bureau"
        return
    body = _json(client, f"/api/v1/measures?{query}&fy=2018-19")
    assert [row["measure_id"] for row in body["data"]] == expected
    assert body["paging"]["total"] == len(expected)
    frame = _csv(client, f"/api/v1/measures?{query}&fy=2018-19&format=csv")
    assert list(frame["measure_id"]) == expected


def test_measures_as_csv(client):
    frame = _csv(client, "/api/v1/measures?fy=2018-19&format=csv")
    assert list(frame.columns) == [column.name for column in open_data.MEASURE_COLUMNS]
    assert list(frame["current_value"]) == [24.5, 220.0, 48.0, 12.0, 160.0]
    assert list(frame["health"]) == ["behind", "tracked", "on_track", "out_of_date", "on_track"]
    assert list(frame["disaggregated"]) == ["no", "yes", "no", "no", "no"]


def test_a_measures_values_every_period_newest_published_version(client):
    body = _json(client, "/api/v1/measures/1/values")
    rows = body["data"]
    # FY 2017-18's fourth quarter comes before the year (same end, later start); FY 2018-19 is its
    # correction (25.0, published 1 Nov 2019); FY 2020-21 (29.0) is only submitted.
    assert [(row["period"], row["value"]) for row in rows] == [
        ("FY 2016-17", 20.0), ("FY 2017-18 Q4", 21.0), ("FY 2017-18", 22.0), ("FY 2018-19", 25.0),
        ("FY 2019-20", 28.0),
    ]  # fmt: skip
    assert all(row["group"] == "All" and row["group_key"] is None for row in rows)
    assert [row["value_label"] for row in rows][3] == "25.0 %"
    assert body["meta"]["measure_id"] == 1
    assert body["meta"]["suppression_note"] == suppression.NOTE
    assert body["meta"]["any_suppressed"] is False


def test_hidden_group_values_come_back_flagged_null_and_labelled(client):
    body = _json(client, "/api/v1/measures/2/values?fy=2016-17")
    rows = {row["group"]: row for row in body["data"]}
    assert list(rows) == [
        "All", "Asian", "Black or African American", "Hispanic or Latino", "White", "Unknown or declined",
        "People of color",
    ]  # fmt: skip
    for hidden in ("Asian", "White", "People of color"):
        assert rows[hidden]["suppressed"] is True
        assert rows[hidden]["value"] is None
        assert rows[hidden]["value_label"] == suppression.HIDDEN_LABEL
    shown = {
        group: rows[group]["value"]
        for group in ("All", "Black or African American", "Hispanic or Latino", "Unknown or declined")
    }
    assert shown == {"All": 200.0, "Black or African American": 12.0, "Hispanic or Latino": 30.0,
                     "Unknown or declined": 3.0}  # fmt: skip
    assert not any(rows[group]["suppressed"] for group in shown)
    assert body["meta"]["any_suppressed"] is True
    assert body["meta"]["suppression_note"] == suppression.NOTE
    assert body["meta"]["fiscal_year"] == "2016-17"


def test_nothing_hidden_in_fy_2018_19(client):
    rows = _json(client, "/api/v1/measures/2/values?fy=2018-19")["data"]
    assert [(row["group"], row["value"]) for row in rows] == [
        ("All", 220.0), ("Asian", 15.0), ("Black or African American", 14.0), ("Hispanic or Latino", 33.0),
        ("White", 150.0), ("Unknown or declined", 8.0), ("People of color", 62.0),
    ]  # fmt: skip
    assert not any(row["suppressed"] for row in rows)


def test_values_as_csv_say_hidden(client):
    frame = _csv(client, "/api/v1/measures/2/values?fy=2016-17&format=csv")
    hidden = frame[frame["suppressed"] == "yes"]
    assert list(hidden["group"]) == ["Asian", "White", "People of color"]
    assert list(hidden["value"]) == ["hidden", "hidden", "hidden"]  # never blank, as every download
    assert set(hidden["value_label"]) == {"hidden"}
    assert list(frame.loc[frame["suppressed"] == "no", "value"].astype(float)) == [200.0, 12.0, 30.0, 3.0]


# --- paging -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/measures?fy=2018-19", "/api/v1/measures/2/values", "/api/v1/goals"]
)
def test_two_pages_make_the_whole_in_a_stable_order(client, path):
    whole = _json(client, path)
    total = whole["paging"]["total"]
    limit = total // 2 + 1
    first = _json(client, f"{path}&limit={limit}" if "?" in path else f"{path}?limit={limit}")
    assert first["paging"]["total"] == total
    assert first["paging"]["next"] is not None
    second = _json(client, first["paging"]["next"])
    assert second["paging"]["next"] is None
    assert second["paging"]["previous"] is not None
    assert first["data"] + second["data"] == whole["data"]
    assert _json(client, path)["data"] == whole["data"]  # asked again: the same order


def test_csv_pages_carry_the_total_and_the_next_link(client):
    response = client.get("/api/v1/measures?fy=2018-19&format=csv&limit=2&offset=2")
    assert response.headers["x-total-count"] == "5"
    assert response.headers["link"] == (
        '</api/v1/measures?fy=2018-19&format=csv&limit=2&offset=4>; rel="next", '
        '</api/v1/measures?fy=2018-19&format=csv&limit=2>; rel="prev"'
    )
    frame = pd.read_csv(io.BytesIO(response.content), encoding="utf-8-sig")
    assert list(frame["measure_id"]) == [3, 4]


def test_an_offset_past_the_end_is_an_empty_page(client):
    body = _json(client, "/api/v1/measures?offset=50")
    assert body["data"] == []
    assert body["paging"]["total"] == 5
    assert body["paging"]["next"] is None


# --- caching ----------------------------------------------------------------------------------------------


def test_etag_and_not_modified(client):
    response = client.get("/api/v1/measures?fy=2018-19")
    etag = response.headers["etag"]
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["access-control-allow-origin"] == "*"
    again = client.get("/api/v1/measures?fy=2018-19", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    for sent, status in (('"other"', 200), (f"W/{etag}", 304), (f'"other", {etag}', 304), ("*", 304)):
        assert (
            client.get("/api/v1/measures?fy=2018-19", headers={"If-None-Match": sent}).status_code == status
        )
    # Another request, another tag (the format, the page and the filters count).
    others = {client.get(path).headers["etag"] for path in (
        "/api/v1/measures?fy=2018-19&format=csv", "/api/v1/measures?fy=2018-19&limit=2",
        "/api/v1/measures?fy=2019-20", "/api/v1/goals",
    )}  # fmt: skip
    assert etag not in others
    assert len(others) == 4


def test_head_answers_headers_only(client):
    get = client.get("/api/v1/bureaus")
    head = client.head("/api/v1/bureaus")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == get.headers["etag"]


# --- errors -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "parameter", "allowed"),
    [
        ("fy=2018", "fy", FISCAL_YEARS),
        ("fy=2018-20", "fy", FISCAL_YEARS),
        ("fy=2030-31", "fy", FISCAL_YEARS),
        ("limit=0", "limit", ["1–1000"]),
        ("limit=1001", "limit", ["1–1000"]),
        ("limit=ten", "limit", ["1–1000"]),
        ("offset=-1", "offset", ["0–1000000000"]),
        ("format=xml", "format", ["json", "csv"]),
        ("bureau=ZZ", "bureau", ["AA", "BB", "CC"]),
        ("bureau=A%27%20OR%201=1", "bureau", ["AA", "BB", "CC"]),
        ("goal=4", "goal", [1, 2, 3]),
        ("goal=one", "goal", [1, 2, 3]),
        ("measure=1", "measure", ["bureau", "format", "fy", "goal", "limit", "offset"]),
        ("limit=1&limit=2", "limit", []),
    ],
)
def test_bad_parameters_are_answered_400_saying_what_is_allowed(client, query, parameter, allowed):
    body = _json(client, f"/api/v1/measures?{query}", status=400)
    error = body["error"]
    assert error["status"] == 400
    assert error["code"] == "invalid_parameter"
    assert error["parameter"] == parameter
    assert error["allowed"] == allowed
    assert error["message"]


def test_parameters_an_endpoint_does_not_take_are_refused(client):
    for path in ("/api/v1/goals?fy=2018-19", "/api/v1/bureaus/AA?limit=5", "/api/v1/openapi.json?x=1"):
        assert _json(client, path, status=400)["error"]["code"] == "invalid_parameter", path


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/bureaus/ZZ",
        "/api/v1/measures/6/values",  # M6: its plan version is a draft
        "/api/v1/measures/999/values",
        "/api/v1/measures/M1/values",
        "/api/v1/nothing",
        "/api/v2/goals",
    ],
)
def test_unknown_bureaus_measures_and_paths_are_answered_404(client, path):
    body = _json(client, path, status=404)
    assert body["error"]["code"] == "not_found"
    assert body["error"]["message"]


def test_the_api_is_read_only(client):
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = client.request(method, "/api/v1/measures")
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, HEAD"
        assert response.json()["error"]["code"] == "method_not_allowed"


# --- published only ---------------------------------------------------------------------------------------


def test_a_draft_plans_measure_is_never_listed(client):
    everything = json.dumps([_json(client, path) for path in (
        "/api/v1/measures?fy=2020-21", "/api/v1/bureaus", "/api/v1/bureaus/CC", "/api/v1/measures?goal=3",
    )])  # fmt: skip
    assert "A measure of the draft revision" not in everything
    assert "CC-G2" not in everything
    assert "revised" not in everything  # the draft version's title


def test_drafts_saved_later_never_show(engine):
    """A bureau editor saves draft figures (a new total and groups for a published period, and a
    new period): the API answers with the published figures only, under the same ETag."""
    from golden_city import build_golden_city
    from principals import editor_of, make_user

    from equity_tracking import writes
    from equity_tracking.permissions import Role
    from equity_tracking.validation import Entry

    build_golden_city(engine)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EQUITY_DATABASE_URL", _url(engine))
        client = TestClient(Starlette(routes=api.ROUTES), base_url="http://localhost")
        before = client.get("/api/v1/measures/2/values")
        editor = editor_of(1, user_id=make_user(engine, "aa@city.example", Role.BUREAU_EDITOR, "AA"))
        groups = {1: Entry(25.0), 2: Entry(14.0), 3: Entry(33.0), 4: Entry(150.0), 5: Entry(8.0)}
        writes.save_period_values(engine, actor=editor, measure_id=2, period_id=3, total=Entry(230.0),
                                  groups=groups, base_version=0)  # fmt: skip
        writes.save_period_values(engine, actor=editor, measure_id=3, period_id=4, total=Entry(77.0),
                                  base_version=0)  # fmt: skip
        after = client.get("/api/v1/measures/2/values")
        # Nothing published changed: the same figures under the same ETag (the public's data
        # version moves only with a publication), so caches and conditional requests stay valid.
        assert after.headers["etag"] == before.headers["etag"]
        assert after.json()["data"] == before.json()["data"]
        values = [row["value"] for row in after.json()["data"]]
        assert 230.0 not in values
        assert 25.0 not in values
        m3 = client.get("/api/v1/measures/3/values").json()["data"]
        assert [row["period"] for row in m3] == ["FY 2016-17", "FY 2017-18", "FY 2018-19"]
        assert 77.0 not in [row["value"] for row in m3]
        measures = client.get("/api/v1/measures?fy=2019-20").json()["data"]
        assert measures[2]["current_value"] == 48.0  # M3: still FY 2018-19's


# --- the real server ---------------------------------------------------------------------------------------


def test_the_server_started_as_make_run_starts_it_serves_the_api(golden_server):
    # serve.py mounts the routes in its st.App; its middleware adds the security headers, and a
    # request for localhost (what curl sends) passes its host check.
    base = "http://localhost:" + golden_server.rsplit(":", 1)[1]
    with urllib.request.urlopen(f"{base}/api/v1/measures?bureau=AA&goal=1&fy=2018-19", timeout=60) as answer:
        headers, body = answer.headers, json.load(answer)
    assert [row["measure_id"] for row in body["data"]] == [1, 2]
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "public, max-age=60"
    refused = urllib.request.Request(f"{base}/api/v1/goals", method="POST")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(refused, timeout=30)
    assert error.value.code == 405
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(f"{base}/api/v1/no-such-thing", timeout=30)
    assert error.value.code == 404
    assert json.load(error.value)["error"]["code"] == "not_found"  # the API's, not Streamlit's page
