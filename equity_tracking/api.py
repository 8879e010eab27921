"""The open-data API: published, suppressed data as JSON or CSV over HTTP, read-only, served by the
app's own server (``serve.py`` mounts :data:`ROUTES` in its ``st.App``).

Owns how the datasets of :mod:`equity_tracking.open_data` are asked for and answered: the
endpoints and their parameters, paging, the JSON and CSV formats, caching headers, error bodies and
the OpenAPI document (:func:`openapi_document`, written here as data). What a dataset holds, and
that it holds published and suppressed data only, is :mod:`open_data`'s: every request reads as the
public, whatever cookie or parameter it carries.

- ``GET`` and ``HEAD`` only; anything else is answered 405.
- Every parameter is checked: an unknown one, a repeated one or a value that is not allowed is
  answered 400 with a JSON body that names the parameter, says what was wrong and what is allowed;
  an unknown bureau or measure in the path is answered 404.
- Lists are paged (``limit``, default 100, at most 1000; ``offset``) in a stable order; the JSON
  says the total and links the next page, a CSV answer has ``X-Total-Count`` and a ``Link`` header.
- Each answer carries an ``ETag`` (a hash of the data version and the request) and
  ``Cache-Control: public, max-age=60``; a request whose ``If-None-Match`` holds it is answered 304.
- ``Access-Control-Allow-Origin: *``: the data are open and the API reads no cookie, so any web
  page may fetch it (a browser never sends credentials to a ``*`` origin).

Everything is built once per data version (:func:`equity_tracking.open_data.snapshot`), so that an
answer is a slice of frames already built.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import numpy as np
import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from equity_tracking import open_data, suppression
from equity_tracking.dashboards.common import fiscal_year_key
from equity_tracking.db import DatabaseError, shared_engine
from equity_tracking.formatting import csv_bytes
from equity_tracking.open_data import Column, NotFoundError, Snapshot
from equity_tracking.periods import fiscal_year_from_text
from equity_tracking.rules import reporting_deadline
from equity_tracking.settings import Settings

LOGGER = logging.getLogger("equity_tracking.api")

PREFIX = "/api/v1"
API_VERSION = "1.0.0"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000_000  # far past any dataset: a bigger number is a mistake, not a page
FORMATS = ("json", "csv")
CACHE_CONTROL = "public, max-age=60"
READ_METHODS = ("GET", "HEAD")
# Every other method is routed here too, so that it gets the API's JSON 405 and not Starlette's text.
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
JSON_TYPE = "application/json"
CSV_TYPE = "text/csv; charset=utf-8"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Link, X-Total-Count",
}
FISCAL_YEAR_PATTERN = re.compile(r"([0-9]{4})-([0-9]{2})")
BUREAU_CODE_PATTERN = re.compile(r"[A-Za-z0-9]{1,8}")
NUMBER_PATTERN = re.compile(r"[0-9]{1,12}")  # ASCII digits only: \d also takes other scripts' digits
PAGING = ("limit", "offset")


class ApiError(Exception):
    """An answer other than 200: ``status``, a short ``code``, a ``message`` for people, and the
    ``parameter`` at fault with what is ``allowed`` for it (400)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        parameter: str | None = None,
        value: str | None = None,
        allowed: Sequence[object] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, object] = {"status": status, "code": code, "message": message}
        if parameter is not None:
            self.body["parameter"] = parameter
            self.body["value"] = value
        if allowed is not None:
            self.body["allowed"] = list(allowed)
        self.headers = dict(headers or {})


def _bad(parameter: str, value: str | None, message: str, allowed: Sequence[object]) -> ApiError:
    return ApiError(400, "invalid_parameter", message, parameter=parameter, value=value, allowed=allowed)


# --- what a request asks for ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Asked:
    """A request's checked parameters: the endpoint's own (``params``, as given) and the common ones."""

    path: str
    path_params: Mapping[str, str]
    params: Mapping[str, str]
    format: str = "json"
    limit: int = DEFAULT_LIMIT
    offset: int = 0


def _asked(request: Request, endpoint: Endpoint) -> Asked:
    """The request's query parameters, checked: each known, given once, and well formed."""
    allowed = [*endpoint.parameters, "format", *(PAGING if endpoint.paged else ())]
    given: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name not in allowed:
            raise _bad(
                name, value, f"{name!r} is not a parameter of {endpoint.path}.", allowed=sorted(allowed)
            )
        if name in given:
            raise _bad(name, value, f"{name!r} is given more than once; give it once.", allowed=[])
        given[name] = value
    fmt = given.pop("format", "json")
    if fmt not in FORMATS:
        raise _bad("format", fmt, "format must be json (the default) or csv.", allowed=FORMATS)
    limit = _whole(given.pop("limit", None), "limit", DEFAULT_LIMIT, low=1, high=MAX_LIMIT)
    offset = _whole(given.pop("offset", None), "offset", 0, low=0, high=MAX_OFFSET)
    return Asked(
        path=request.url.path,
        path_params=dict(request.path_params),
        params=given,
        format=fmt,
        limit=limit,
        offset=offset,
    )


def _whole(text: str | None, name: str, default: int, *, low: int, high: int) -> int:
    if text is None:
        return default
    if not NUMBER_PATTERN.fullmatch(text) or not low <= int(text) <= high:
        raise _bad(
            name, text, f"{name} must be a whole number from {low} to {high:,}.", allowed=[f"{low}–{high}"]
        )
    return int(text)


def _fiscal_year(asked: Asked, data: Snapshot) -> int | None:
    """``fy`` ("2018-19") as the fiscal year's first year; None when not given."""
    text = asked.params.get("fy")
    if text is None:
        return None
    allowed = [fiscal_year_key(year) for year in data.plan_years]
    # The API takes the one written form only; which years follow on is the periods module's rule.
    year = fiscal_year_from_text(text) if FISCAL_YEAR_PATTERN.fullmatch(text) else None
    if year is None:
        raise _bad(
            "fy", text, "fy must be a fiscal year written like 2018-19 (July 2018 to June 2019).", allowed
        )
    if year not in data.plan_years:
        raise _bad("fy", text, f"No published plan covers the fiscal year {text}.", allowed)
    return year


# --- answers ------------------------------------------------------------------------------------------------


@dataclass
class Answer:
    """What an endpoint found: a list to page (``rows``, with its ``columns``; only the rows at
    ``positions`` when given), or one ``item``; ``meta`` goes beside it in JSON. ``records`` gives
    every row of ``rows`` as JSON when that is kept with the snapshot (a long list)."""

    columns: Sequence[Column]
    rows: pd.DataFrame | None = None
    positions: np.ndarray | None = None
    item: dict[str, object] | None = None
    meta: dict[str, object] = field(default_factory=dict)
    records: Callable[[], list[dict[str, object]]] | None = None


def _json_value(kind: str, value: object) -> object:
    """A cell as JSON: None for anything missing (never NaN), ISO dates, plain numbers."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if kind == "integer":
        return int(value)  # type: ignore[call-overload]
    if kind == "number":
        return float(value)  # type: ignore[arg-type]
    if kind == "boolean":
        return bool(value)
    if kind == "date":
        return pd.Timestamp(value).date().isoformat()
    return str(value)


def json_records(frame: pd.DataFrame, columns: Sequence[Column]) -> list[dict[str, object]]:
    """The rows as JSON objects, with the columns' kinds."""
    cells = [
        [_json_value(column.kind, value) for value in frame[column.name].astype(object)] for column in columns
    ]
    names = [column.name for column in columns]
    return [dict(zip(names, row, strict=True)) for row in zip(*cells, strict=True)] if len(frame) else []


def _page_link(asked: Asked, offset: int) -> str:
    query = {**asked.params}
    if asked.format != "json":
        query["format"] = asked.format
    if asked.limit != DEFAULT_LIMIT:
        query["limit"] = str(asked.limit)
    if offset:
        query["offset"] = str(offset)
    return asked.path + (f"?{urlencode(query)}" if query else "")


def _etag(data_version: str, asked: Asked, resolved: Mapping[str, object]) -> str:
    """A hash of the data version and the request (with defaults that depend on the day resolved,
    e.g. the fiscal year measures are judged in). The data version itself is not shown."""
    parts = [
        API_VERSION,
        data_version,
        asked.path,
        asked.format,
        str(asked.limit),
        str(asked.offset),
        json.dumps(sorted(asked.params.items())),
        json.dumps(sorted((key, str(value)) for key, value in resolved.items())),
    ]
    return '"' + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32] + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


def _headers(etag: str | None = None) -> dict[str, str]:
    headers = {**CORS_HEADERS, "Cache-Control": CACHE_CONTROL}
    if etag:
        headers["ETag"] = etag
    return headers


def _dump(body: object) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _respond(answer: Answer, asked: Asked, etag: str, dataset: str) -> Response:
    headers = _headers(etag)
    if answer.item is not None:
        if asked.format == "csv":
            row = pd.DataFrame([{column.name: answer.item.get(column.name) for column in answer.columns}])
            return _csv(row, headers, dataset)
        return Response(
            _dump({"data": answer.item, "meta": answer.meta}), media_type=JSON_TYPE, headers=headers
        )
    rows = answer.rows if answer.rows is not None else pd.DataFrame()
    selected = answer.positions if answer.positions is not None else np.arange(len(rows))
    total = len(selected)
    start, end = min(asked.offset, total), min(asked.offset + asked.limit, total)
    page = selected[start:end]
    following = _page_link(asked, end) if end < total else None
    earlier = _page_link(asked, max(0, start - asked.limit)) if start > 0 else None
    if asked.format == "csv":
        headers["X-Total-Count"] = str(total)
        links = [f'<{link}>; rel="{rel}"' for link, rel in ((following, "next"), (earlier, "prev")) if link]
        if links:
            headers["Link"] = ", ".join(links)
        return _csv(rows.iloc[page], headers, dataset)
    if answer.records is not None:
        every = answer.records()
        records = [every[position] for position in page]
    else:
        records = json_records(rows.iloc[page], answer.columns)
    body = {
        "data": records,
        "paging": {"total": total, "limit": asked.limit, "offset": asked.offset, "next": following,
                   "previous": earlier},
        "meta": answer.meta,
    }  # fmt: skip
    return Response(_dump(body), media_type=JSON_TYPE, headers=headers)


def _csv(frame: pd.DataFrame, headers: dict[str, str], dataset: str) -> Response:
    headers = {**headers, "Content-Disposition": f'attachment; filename="{dataset}.csv"'}
    return Response(csv_bytes(open_data.csv_ready(frame)), media_type=CSV_TYPE, headers=headers)


def _error(error: ApiError) -> Response:
    headers = {**CORS_HEADERS, "Cache-Control": "no-store", **error.headers}
    return Response(
        _dump({"error": error.body}), status_code=error.status, media_type=JSON_TYPE, headers=headers
    )


# --- the endpoints ------------------------------------------------------------------------------------------


def _meta(data: Snapshot, dataset: str, **more: object) -> dict[str, object]:
    return {
        "dataset": dataset,
        **more,
        "source": data.source,
        "terms": open_data.TERMS,
        "documentation": f"{PREFIX}/openapi.json",
    }


def _kept_records(data: Snapshot, key: tuple, frame: pd.DataFrame, columns: Sequence[Column]):
    """The whole frame as JSON, kept with the snapshot: a page of a long list is then a slice."""
    return lambda: data.memo(("json", *key), lambda: json_records(frame, columns))


def _goals(data: Snapshot, asked: Asked) -> tuple[Answer, dict[str, object]]:
    frame = data.goals()
    answer = Answer(open_data.GOAL_COLUMNS, rows=frame, meta=_meta(data, "goals"))
    return answer, {}


def _bureaus(data: Snapshot, asked: Asked) -> tuple[Answer, dict[str, object]]:
    frame = data.bureaus()
    return Answer(open_data.BUREAU_COLUMNS, rows=frame, meta=_meta(data, "bureaus")), {}


def _bureau(data: Snapshot, asked: Asked) -> tuple[Answer, dict[str, object]]:
    bureau = data.bureau(asked.path_params["code"])
    code = str(bureau["code"])
    item = json_records(bureau.to_frame().T, open_data.BUREAU_COLUMNS)[0]
    item["plans"] = json_records(data.plans(code), open_data.PLAN_COLUMNS)
    item["goals"] = json_records(data.bureau_goals(code), open_data.BUREAU_GOAL_COLUMNS)
    item["links"] = {"measures": f"{PREFIX}/measures?{urlencode({'bureau': code})}"}
    return Answer(open_data.BUREAU_COLUMNS, item=item, meta=_meta(data, "bureau")), {}


def _measures(data: Snapshot, asked: Asked) -> tuple[Answer, dict[str, object]]:
    year = _fiscal_year(asked, data)
    bureau = asked.params.get("bureau")
    goal = asked.params.get("goal")
    if bureau is not None:
        code = bureau.strip().upper()
        if not BUREAU_CODE_PATTERN.fullmatch(code) or code not in data.bureau_codes:
            raise _bad("bureau", bureau, f"No published bureau has the code {bureau!r}.", data.bureau_codes)
        bureau = code
    if goal is not None and (not NUMBER_PATTERN.fullmatch(goal) or int(goal) not in data.goal_numbers):
        raise _bad("goal", goal, "goal must be the number of a citywide goal.", data.goal_numbers)
    judged = year if year is not None else data.default_year()
    frame = data.measures(judged)
    positions: np.ndarray | None = None
    for column, wanted in (("bureau_code", bureau), ("citywide_goal", None if goal is None else int(goal))):
        if wanted is not None:
            found = _rows_where(data, frame, column, judged).get(wanted, np.array([], dtype=np.int64))
            positions = found if positions is None else np.intersect1d(positions, found)
    meta = _meta(
        data,
        "measures",
        fiscal_year=None if judged is None else fiscal_year_key(judged),
        as_of=None if judged is None else reporting_deadline(judged).isoformat(),
    )
    answer = Answer(open_data.MEASURE_COLUMNS, rows=frame, positions=positions, meta=meta)
    answer.records = _kept_records(data, ("measures", judged), frame, open_data.MEASURE_COLUMNS)
    return answer, {"judged": judged}


def _rows_where(data: Snapshot, frame: pd.DataFrame, column: str, judged: int | None) -> dict:
    """Where each value of ``column`` is in ``frame`` (row positions, in order), worked out once per
    data version and fiscal year: a filtered page is then a slice too."""
    return data.memo(("where", column, judged), lambda: dict(frame.groupby(column).indices))


def _values(data: Snapshot, asked: Asked) -> tuple[Answer, dict[str, object]]:
    number = asked.path_params["measure_id"]
    if not NUMBER_PATTERN.fullmatch(number):
        raise NotFoundError(f"No published measure is numbered {number!r}.")
    measure = data.measure(number)  # 404 before any 400: the path names the resource
    year = _fiscal_year(asked, data)
    frame = data.measure_values(measure["measure_id"], year)
    shown = data.values_year
    meta = _meta(
        data,
        "values",
        measure_id=int(measure["measure_id"]),
        measure=str(measure["name"]),
        fiscal_year=None if year is None else fiscal_year_key(year),
        as_of=None if shown is None else reporting_deadline(shown).isoformat(),
        any_suppressed=bool(frame["suppressed"].any()),
        suppression_note=suppression.NOTE,
    )
    return Answer(open_data.VALUE_COLUMNS, rows=frame, meta=meta), {}


@dataclass(frozen=True)
class Endpoint:
    """One endpoint: its path, what it is, its own query parameters, whether it pages, and the
    function that answers it (from the open data and the checked request)."""

    path: str
    operation: str
    summary: str
    dataset: str
    parameters: tuple[str, ...]
    answer: Callable[[Snapshot, Asked], tuple[Answer, dict[str, object]]]
    paged: bool = True


ENDPOINTS = (
    Endpoint(f"{PREFIX}/goals", "listGoals", "The citywide racial equity goals", "goals", (), _goals),
    Endpoint(f"{PREFIX}/bureaus", "listBureaus", "Bureaus, with their current plan", "bureaus", (), _bureaus),
    Endpoint(f"{PREFIX}/bureaus/{{code}}", "getBureau", "One bureau, with its plans and goals", "bureau", (),
             _bureau, paged=False),
    Endpoint(f"{PREFIX}/measures", "listMeasures", "Published performance measures and how they stand",
             "measures", ("bureau", "goal", "fy"), _measures),
    Endpoint(f"{PREFIX}/measures/{{measure_id}}/values", "listMeasureValues",
             "One measure's values: its total and each race/ethnicity group, suppressed", "values", ("fy",),
             _values),
)  # fmt: skip


def database_engine() -> Engine:
    """The app's database (the same settings and shared engine as the pages and serve.py)."""
    return shared_engine(Settings.from_environment().database_url)


def _answer(endpoint: Endpoint, asked: Asked, if_none_match: str | None) -> Response:
    """Runs off the event loop: reads the data version, answers 304 when the client holds this
    answer already, else builds it (from frames kept per data version)."""
    data = open_data.snapshot(database_engine())
    answer, resolved = endpoint.answer(data, asked)
    etag = _etag(data.data_version, asked, resolved)
    if _matches(if_none_match, etag):
        return Response(status_code=304, headers=_headers(etag))
    return _respond(answer, asked, etag, endpoint.dataset)


def _handler(endpoint: Endpoint) -> Callable[[Request], Any]:
    async def handle(request: Request) -> Response:
        try:
            _allow_read_only(request)
            asked = _asked(request, endpoint)
            return await run_in_threadpool(_answer, endpoint, asked, request.headers.get("if-none-match"))
        except ApiError as error:
            return _error(error)
        except NotFoundError as error:
            return _error(ApiError(404, "not_found", str(error)))
        except (SQLAlchemyError, DatabaseError):
            LOGGER.exception("The open-data API could not read the database (%s).", request.url.path)
            return _error(ApiError(503, "unavailable", "The data cannot be read just now; try again later."))
        except Exception:
            LOGGER.exception("The open-data API failed on %s.", request.url.path)
            return _error(ApiError(500, "server_error", "Something went wrong on our side; it is logged."))

    handle.__name__ = endpoint.operation
    return handle


def _allow_read_only(request: Request) -> None:
    if request.method not in READ_METHODS:
        raise ApiError(
            405,
            "method_not_allowed",
            f"The open-data API is read-only: {request.method} is not allowed, only GET and HEAD.",
            headers={"Allow": ", ".join(READ_METHODS)},
        )


async def _openapi(request: Request) -> Response:
    try:
        _allow_read_only(request)
        if request.query_params:
            name = next(iter(request.query_params))
            raise _bad(name, request.query_params[name], "The OpenAPI document takes no parameters.", [])
    except ApiError as error:
        return _error(error)
    body = _dump(openapi_document())
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=_headers(etag))
    return Response(body, media_type=JSON_TYPE, headers=_headers(etag))


async def _not_found(request: Request) -> Response:
    return _error(
        ApiError(404, "not_found", f"No such endpoint: {request.url.path}. The endpoints are listed in "
                 f"{PREFIX}/openapi.json.")
    )  # fmt: skip


ROUTES = [
    *(Route(endpoint.path, _handler(endpoint), methods=ALL_METHODS) for endpoint in ENDPOINTS),
    Route(f"{PREFIX}/openapi.json", _openapi, methods=ALL_METHODS),
    # Anything else under /api is the API's to refuse, in JSON (not Streamlit's page shell).
    Route("/api", _not_found, methods=ALL_METHODS),
    Route("/api/{rest:path}", _not_found, methods=ALL_METHODS),
]


# --- the OpenAPI document -----------------------------------------------------------------------------------

_KINDS = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
}


def _object(columns: Sequence[Column], **extra: dict) -> dict[str, object]:
    properties: dict[str, object] = {}
    for column in columns:
        schema: dict[str, object] = dict(_KINDS[column.kind])
        if column.nullable:
            schema["type"] = [schema["type"], "null"]
        properties[column.name] = {**schema, "description": column.meaning}
    properties.update(extra)
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _list_of(name: str) -> dict[str, object]:
    return {
        "type": "object",
        "properties": {"data": {"type": "array", "items": _ref(name)}, "paging": _ref("Paging"),
                       "meta": _ref("Meta")},
        "required": ["data", "paging", "meta"],
        "additionalProperties": False,
    }  # fmt: skip


_PARAMETERS: dict[str, dict[str, object]] = {
    "format": {"name": "format", "in": "query", "description": "json (the default) or csv.",
               "schema": {"type": "string", "enum": list(FORMATS), "default": "json"}},
    "limit": {"name": "limit", "in": "query", "description": f"Rows per page (default {DEFAULT_LIMIT}).",
              "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}},
    "offset": {"name": "offset", "in": "query", "description": "Rows to skip: the next page starts here.",
               "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}},
    "bureau": {"name": "bureau", "in": "query", "description": "Only this bureau's measures (its code).",
               "schema": {"type": "string", "pattern": "^[A-Za-z0-9]{1,8}$"}},
    "goal": {"name": "goal", "in": "query", "description": "Only the measures of this citywide goal.",
             "schema": {"type": "integer", "minimum": 1}},
    "fy": {"name": "fy", "in": "query",
           "description": "A fiscal year the plans cover, written 2018-19. For measures: judge them as the "
           "pages do for that year (default: the year the pages open on). For values: only that year's "
           "periods.",
           "schema": {"type": "string", "pattern": r"^\d{4}-\d{2}$"}},
    "code": {"name": "code", "in": "path", "required": True, "description": "A bureau's code (e.g. TR).",
             "schema": {"type": "string"}},
    "measure_id": {"name": "measure_id", "in": "path", "required": True,
                   "description": "A measure's number (measure_id in /api/v1/measures).",
                   "schema": {"type": "integer", "minimum": 1}},
}  # fmt: skip

_HEADERS = {
    "ETag": {"description": "A hash of the data version and the request; send it back in If-None-Match.",
             "schema": {"type": "string"}},
    "Cache-Control": {"description": CACHE_CONTROL, "schema": {"type": "string"}},
    "Access-Control-Allow-Origin": {"description": "*: any web page may read the open data.",
                                    "schema": {"type": "string"}},
}  # fmt: skip


def _error_response(description: str) -> dict[str, object]:
    return {"description": description, "content": {JSON_TYPE: {"schema": _ref("Error")}}}


def _operation(endpoint: Endpoint, schema: dict[str, object]) -> dict[str, object]:
    names: list[str] = re.findall(r"{(\w+)}", endpoint.path)
    names += [*endpoint.parameters, "format", *(PAGING if endpoint.paged else ())]
    csv_headers = {"X-Total-Count": {"description": "How many rows the whole list has.",
                                     "schema": {"type": "string"}},
                   "Link": {"description": 'The next and previous pages: <url>; rel="next".',
                            "schema": {"type": "string"}}} if endpoint.paged else {}  # fmt: skip
    responses: dict[str, object] = {
        "200": {
            "description": "The data (JSON, or CSV with format=csv).",
            "headers": {**_HEADERS, **csv_headers},
            "content": {JSON_TYPE: {"schema": schema}, "text/csv": {"schema": {"type": "string"}}},
        },
        "304": {"description": "Not modified: the ETag sent in If-None-Match is still current.",
                "headers": _HEADERS},
        "400": _error_response("A parameter is unknown, given twice, or has a value that is not allowed; "
                               "the body names it and says what is allowed."),
        "503": _error_response("The database cannot be read just now."),
        "500": _error_response("A fault on the server (logged)."),
    }  # fmt: skip
    if "{" in endpoint.path:
        responses["404"] = _error_response("No published bureau or measure answers to the path.")
    return {
        "operationId": endpoint.operation,
        "summary": endpoint.summary,
        "parameters": [_PARAMETERS[name] for name in names],
        "responses": responses,
    }


def openapi_document() -> dict[str, object]:
    """The API described as OpenAPI 3.1: every endpoint, parameter, response schema and error."""
    schemas = {
        "Goal": _object(open_data.GOAL_COLUMNS),
        "Bureau": _object(open_data.BUREAU_COLUMNS),
        "Plan": _object(open_data.PLAN_COLUMNS),
        "BureauGoal": _object(open_data.BUREAU_GOAL_COLUMNS),
        "BureauDetail": _object(
            open_data.BUREAU_COLUMNS,
            plans={"type": "array", "items": _ref("Plan")},
            goals={"type": "array", "items": _ref("BureauGoal")},
            links={
                "type": "object",
                "properties": {"measures": {"type": "string"}},
                "required": ["measures"],
            },
        ),
        "Measure": _object(open_data.MEASURE_COLUMNS),
        "Value": _object(open_data.VALUE_COLUMNS),
        "Paging": {
            "type": "object",
            "properties": {
                "total": {"type": "integer", "description": "Rows in the whole list."},
                "limit": {"type": "integer"},
                "offset": {"type": "integer"},
                "next": {"type": ["string", "null"], "description": "The next page's URL; null on the last."},
                "previous": {"type": ["string", "null"], "description": "The previous page's URL."},
            },
            "required": ["total", "limit", "offset", "next", "previous"],
            "additionalProperties": False,
        },
        "Meta": {
            "type": "object",
            "description": "What the data are: the dataset, when they are judged or shown as of, the source "
            "and terms; for values, the suppression note and whether anything is hidden.",
            "properties": {
                "dataset": {"type": "string"},
                "fiscal_year": {"type": ["string", "null"]},
                "as_of": {"type": ["string", "null"], "format": "date"},
                "measure_id": {"type": "integer"},
                "measure": {"type": "string"},
                "any_suppressed": {"type": "boolean"},
                "suppression_note": {"type": "string"},
                "source": {"type": "string"},
                "terms": {"type": "string"},
                "documentation": {"type": "string"},
            },
            "required": ["dataset", "source", "terms", "documentation"],
            "additionalProperties": False,
        },
        "Error": {
            "type": "object",
            "properties": {
                "error": {
                    "type": "object",
                    "properties": {
                        "status": {"type": "integer"},
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "parameter": {"type": "string"},
                        "value": {"type": ["string", "null"]},
                        "allowed": {"type": "array", "items": {"type": ["string", "integer"]}},
                    },
                    "required": ["status", "code", "message"],
                    "additionalProperties": False,
                }
            },
            "required": ["error"],
            "additionalProperties": False,
        },
    }
    item_schemas = {
        "goals": _list_of("Goal"),
        "bureaus": _list_of("Bureau"),
        "bureau": {
            "type": "object",
            "properties": {"data": _ref("BureauDetail"), "meta": _ref("Meta")},
            "required": ["data", "meta"],
            "additionalProperties": False,
        },
        "measures": _list_of("Measure"),
        "values": _list_of("Value"),
    }
    paths: dict[str, object] = {
        endpoint.path: {"get": _operation(endpoint, item_schemas[endpoint.dataset])} for endpoint in ENDPOINTS
    }
    paths[f"{PREFIX}/openapi.json"] = {
        "get": {
            "operationId": "getOpenApi",
            "summary": "This document",
            "responses": {
                "200": {"description": "The OpenAPI document.", "headers": _HEADERS,
                        "content": {JSON_TYPE: {"schema": {"type": "object"}}}},
                "304": {"description": "Not modified.", "headers": _HEADERS},
                "400": _error_response("The document takes no parameters."),
            },
        }
    }  # fmt: skip
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Equity Plan Tracker: open data",
            "version": API_VERSION,
            "summary": "The City's racial equity plans, measures and values, as published.",
            "description": (
                "Read-only, published data only: no draft, no archived goal or measure, no inactive "
                "bureau. Every figure by race/ethnicity is suppressed as the pages suppress it: a hidden "
                'value comes back with suppressed true, value null and value_label "hidden". '
                f"{suppression.NOTE} Lists are paged (limit, offset) in a stable order; answers carry an "
                "ETag (send it back in If-None-Match for a 304) and Cache-Control: public, max-age=60. "
                f"{open_data.TERMS}"
            ),
            "license": {
                "name": "Open data: free to reuse with credit to the Office of Equity and Human Rights"
            },
        },
        "paths": paths,
        "components": {"schemas": schemas},
    }
