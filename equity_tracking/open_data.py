"""The open data: the datasets the open-data API serves and the "download everything published"
bundle holds, as DataFrames with documented columns and a stable order.

Owns what the public may take away in bulk. Every row comes from published data only: the reads
with the public viewer (no draft plan, no archived goal or measure, no inactive bureau, no value
that is not published) and, for every figure by race/ethnicity, the public view
(:func:`equity_tracking.publication.public_view`), whose ``suppressed`` flags and blanked values are
taken as they are: nothing here decides what to hide.

Two views are used, both ones the pages show:

- measures are judged (current value, health, progress) as the city stood at a fiscal year's
  reporting deadline, the pages' ``?fy=``; by default the year the pages open on;
- values are the newest published version of each figure, as the pages show them for the latest
  fiscal year the plans cover (its reporting deadline is the latest "as of" any page offers); a
  fiscal year given to :func:`measure_values` filters the periods, it does not change the view.

:func:`snapshot` keeps what is built per database and data version, so that the API's answers are
slices of frames built once. Pure pandas and SQLAlchemy (through ``reads``): no Streamlit.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from equity_tracking import due, reads, suppression
from equity_tracking.dashboards.common import default_fiscal_year, fiscal_year_choices, fiscal_year_key
from equity_tracking.dictionary import data_dictionary
from equity_tracking.downloads import source_text
from equity_tracking.formatting import csv_bytes, number
from equity_tracking.models import MeasureValue
from equity_tracking.permissions import PUBLIC
from equity_tracking.publication import public_view
from equity_tracking.rules import CITY_TIMEZONE, reporting_deadline
from equity_tracking.shared_cache import SharedCache
from equity_tracking.suppression import PublicView

T = TypeVar("T")

TERMS = (
    "Terms: published by the City's Office of Equity and Human Rights as open data, free to use, copy, "
    "share and adapt with credit to the Office of Equity and Human Rights; provided as published, "
    "without warranty."
)
TOTAL_GROUP = "All"  # the group name of a measure's total, as the data dictionary writes it
KEPT_SNAPSHOTS = 2  # the current data version, and the one a slow request may still be reading
KEPT_VALUES = 512  # measures whose values a snapshot keeps (a few kB each)
# Measures the view suppresses at a time for the bundle. Its work grows faster than the number of
# measures asked for together: at scale 10, parts of 100 took 2 minutes and 2 GB in all, parts of
# 500 five minutes, and the whole city at once was stopped past 13 GB.
GROUP_CHUNK = 100


# --- the columns of each dataset ---------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a dataset: its name, kind (string, integer, number, boolean, date), whether it
    may be empty, and what it means. The API's OpenAPI document and the bundle's ``columns.csv``
    are written from these."""

    name: str
    kind: str
    meaning: str
    nullable: bool = False


def _columns(*specs: tuple | Column) -> tuple[Column, ...]:
    return tuple(spec if isinstance(spec, Column) else Column(*spec) for spec in specs)


GOAL_COLUMNS = _columns(
    ("number", "integer", "The citywide goal's number (1, 2 or 3)."),
    ("short_title", "string", "The goal in a few words."),
    ("text", "string", "The goal as City Council adopted it."),
    ("adopted_on", "date", "When Council adopted it.", True),
    ("adopted_by", "string", "The resolution that adopted it.", True),
)
PLAN_COLUMNS = _columns(
    ("bureau_code", "string", "The bureau's code (e.g. TR)."),
    ("plan_title", "string", "The plan's title."),
    ("plan_version", "integer", "The plan's version (a revision adopts a new version)."),
    ("plan_status", "string", "active, completed or superseded (a draft is never published)."),
    ("plan_first_fiscal_year", "string", "The first fiscal year the plan covers (2016-17)."),
    ("plan_last_fiscal_year", "string", "The last fiscal year the plan covers."),
    ("plan_span", "string", "The fiscal years the plan covers, as the pages write them."),
    ("plan_adopted_on", "date", "When the plan was adopted.", True),
)
BUREAU_COLUMNS = _columns(
    ("code", "string", "The bureau's code (e.g. TR): the key of /api/v1/bureaus/{code}."),
    ("name", "string", "The bureau's name."),
    ("service_area", "string", "The service area the bureau belongs to.", True),
    ("earlier_names", "string", 'Names the bureau had before ("; " between them; empty when none).'),
    *(
        Column(column.name, column.kind, f"The bureau's current plan: {column.meaning[0].lower()}"
               f"{column.meaning[1:]}", True)
        for column in PLAN_COLUMNS[1:]
    ),
    ("measure_count", "integer", "How many published measures the bureau has (every plan version)."),
)  # fmt: skip
BUREAU_GOAL_COLUMNS = _columns(
    ("bureau_code", "string", "The bureau's code."),
    ("plan_version", "integer", "The version of the plan the goal belongs to."),
    ("goal_key", "string", "The bureau goal's key in its plan (e.g. G1)."),
    ("title", "string", "The bureau goal."),
    ("citywide_goal", "integer", "The citywide goal it serves (1, 2 or 3)."),
    ("focus_area", "string", "The focus area of the goal."),
    ("strategies", "string", 'The GARE strategies the goal names ("; " between them).'),
)
MEASURE_COLUMNS = _columns(
    ("measure_id", "integer", "The measure's number: the key of /api/v1/measures/{measure_id}/values, "
     "and the pages' ?measure= (keys repeat across bureaus and plan versions; this does not)."),
    ("measure_key", "string", "The measure's key in its bureau goal (e.g. G1-A1-M1)."),
    ("bureau_code", "string", "The code of the bureau that reports it."),
    ("plan_version", "integer", "The version of the bureau's plan it belongs to."),
    ("plan_status", "string", "That plan's status: active, completed or superseded."),
    ("goal_key", "string", "The bureau goal it measures."),
    ("citywide_goal", "integer", "The citywide goal of that bureau goal (1, 2 or 3)."),
    ("name", "string", "What the measure measures."),
    ("unit", "string", "percent, count, dollars, rate or days."),
    ("polarity", "string", "higher_is_better, lower_is_better or neutral."),
    ("frequency", "string", "annual, quarterly or monthly: how often a value is due."),
    ("disaggregated", "boolean", "Whether it is reported by race/ethnicity."),
    ("baseline_value", "number", "The value the plan started from.", True),
    ("baseline_period", "string", "The period of the baseline (FY 2016-17).", True),
    ("target_value", "number", "The value the plan aims for.", True),
    ("target_period", "string", "The period the target is for.", True),
    ("as_of", "date", "The reporting deadline the measure is judged at (30 September after the fiscal "
     "year), as the pages show it for that year.", True),
    ("current_value", "number", "The latest published total by then.", True),
    ("current_period", "string", "The period of that value.", True),
    ("progress_pct", "number", "Progress from baseline to target, in percent (0 to 100).", True),
    ("health", "string", "The measure's health by then, as the pages judge it: on_track, behind, at_risk, "
     "achieved, missed_target, out_of_date, final_due, not_started, tracked, no_data or cannot_judge "
     "(empty for a plan version not in force then).", True),
    ("health_label", "string", "The health in words, as the pages write it.", True),
)  # fmt: skip
VALUE_COLUMNS = _columns(
    ("measure_id", "integer", "The measure's number."),
    ("bureau_code", "string", "The code of the bureau that reports it."),
    ("measure_key", "string", "The measure's key in its bureau goal."),
    ("period", "string", "The period the value covers (FY 2018-19, FY 2018-19 Q1, CY 2019)."),
    ("period_kind", "string", "fiscal_year, fiscal_quarter or calendar_year."),
    ("fiscal_year", "string", "The fiscal year the period falls in (2018-19)."),
    ("period_start", "date", "The first day of the period."),
    ("period_end", "date", "The last day of the period."),
    ("group", "string", f'The race/ethnicity group; "{TOTAL_GROUP}" is the measure\'s total.'),
    ("group_key", "string", "The group's key (empty for the total).", True),
    ("unit", "string", "The measure's unit."),
    ("value", "number", "The published value; empty where it is hidden (suppressed) or none was "
     "reported.", True),
    ("suppressed", "boolean", f"Whether the value is hidden to protect privacy: {suppression.NOTE}"),
    ("value_label", "string", f'The value as the pages write it; "{suppression.HIDDEN_LABEL}" where '
     "it is hidden."),
)  # fmt: skip
DATASETS: dict[str, tuple[Column, ...]] = {
    "goals": GOAL_COLUMNS,
    "bureaus": BUREAU_COLUMNS,
    "plans": PLAN_COLUMNS,
    "bureau_goals": BUREAU_GOAL_COLUMNS,
    "measures": MEASURE_COLUMNS,
    "values": VALUE_COLUMNS,
}


class NotFoundError(LookupError):
    """No published bureau or measure answers to what was asked for; the message says which."""


# --- one data version, built once ----------------------------------------------------------------------


@dataclass
class Snapshot:
    """The open data of one database at one data version. Each frame is built the first time it is
    asked for and kept: treat them as read-only (they are shared by every request)."""

    engine: Engine
    data_version: str
    _built: SharedCache = field(default_factory=SharedCache, repr=False)
    _values: OrderedDict[int, pd.DataFrame] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def memo(self, key: Hashable, build: Callable[[], T]) -> T:
        """``build()``, kept for this data version under ``key``: built once, even when two requests
        ask at the same time, while requests for other frames go on (a view takes seconds to build
        for a large city)."""
        return self._built.get(key, build)

    # -- what parameters may be --

    @property
    def plan_years(self) -> tuple[int, ...]:
        """Every fiscal year a published plan covers, oldest first: the years ``fy`` may name."""
        return self.memo("plan_years", lambda: tuple(fiscal_year_choices(self._plans())))

    def default_year(self, today: dt.date | None = None) -> int | None:
        """The fiscal year the pages open on: the latest whose reporting deadline has passed."""
        return default_fiscal_year(list(self.plan_years), today=today or dt.date.today())

    @property
    def source(self) -> str:
        """Who the data come from, as every download says it (the demo's label on the demo)."""
        return self.memo("source", lambda: source_text(reads.demo_marker(self.engine)))

    @property
    def values_year(self) -> int | None:
        """The fiscal year whose view gives the values: the latest the plans cover."""
        return self.plan_years[-1] if self.plan_years else None

    @property
    def bureau_codes(self) -> tuple[str, ...]:
        return tuple(self.bureaus()["code"])

    @property
    def goal_numbers(self) -> tuple[int, ...]:
        return tuple(int(number) for number in self.goals()["number"])

    # -- the datasets --

    def goals(self) -> pd.DataFrame:
        """The citywide goals, by number (:data:`GOAL_COLUMNS`)."""
        return self.memo("goals", lambda: _goals(self.engine))

    def bureaus(self) -> pd.DataFrame:
        """The active bureaus with their current plan, by code (:data:`BUREAU_COLUMNS`)."""
        return self.memo(
            "bureaus", lambda: _bureaus(self._bureau_rows(), self._plan_rows(), self._definitions())
        )

    def plans(self, bureau_code: str | None = None) -> pd.DataFrame:
        """Every published plan version of the active bureaus (:data:`PLAN_COLUMNS`)."""
        plans = self._plan_rows()[[column.name for column in PLAN_COLUMNS]]
        return _only_bureau(plans, bureau_code)

    def bureau_goals(self, bureau_code: str | None = None) -> pd.DataFrame:
        """The goals of those plans (:data:`BUREAU_GOAL_COLUMNS`)."""
        goals = self.memo("bureau_goals", lambda: _bureau_goals(self._goal_rows(), self._plan_rows()))
        return _only_bureau(goals, bureau_code)

    def bureau(self, code: str) -> pd.Series:
        """One bureau's row of :meth:`bureaus` (its code in any case); :class:`NotFoundError` if no
        active bureau has it."""
        wanted = str(code).strip().upper()
        bureaus = self.bureaus()
        found = bureaus[bureaus["code"] == wanted]
        if found.empty:
            raise NotFoundError(f"No bureau with the code {code!r} is published.")
        return found.iloc[0]

    def measures(self, fiscal_year: int | None = None) -> pd.DataFrame:
        """Every published measure, judged as of ``fiscal_year``'s reporting deadline (default: the
        year the pages open on), in plan order by bureau code (:data:`MEASURE_COLUMNS`)."""
        year = self.default_year() if fiscal_year is None else fiscal_year
        return self.memo(("measures", year), lambda: _measures(self.engine, self._definitions(), year))

    def measure(self, measure_id: object) -> pd.Series:
        """One published measure's definition; :class:`NotFoundError` for any other number (or text)."""
        try:
            wanted = int(str(measure_id).strip())
        except ValueError:
            raise NotFoundError(f"No published measure is numbered {measure_id!r}.") from None
        definitions = self._definitions()
        found = definitions[definitions["measure_id"] == wanted]
        if found.empty:
            raise NotFoundError(f"No published measure is numbered {measure_id!r}.")
        return found.iloc[0]

    def measure_values(self, measure_id: object, fiscal_year: int | None = None) -> pd.DataFrame:
        """One measure's values: its total and each race/ethnicity group in every period, suppressed
        as the pages show them (:data:`VALUE_COLUMNS`); only the periods of ``fiscal_year`` if
        given. :class:`NotFoundError` for a measure that is not published."""
        measure = self.measure(measure_id)
        key = int(measure["measure_id"])
        with self._lock:
            values = self._values.get(key)
            if values is not None:
                self._values.move_to_end(key)
        if values is None:
            values = self._value_rows([key])
            with self._lock:
                self._values[key] = values
                while len(self._values) > KEPT_VALUES:
                    self._values.popitem(last=False)
        return _in_year(values, fiscal_year)

    def all_values(self) -> pd.DataFrame:
        """Every published measure's values, all fiscal years (for the bundle; not kept)."""
        return self._value_rows(None)

    # -- the reads behind them (public viewer only) --

    def _plans(self) -> pd.DataFrame:
        return self.memo("plans_read", lambda: reads.plans(self.engine, viewer=PUBLIC))

    def _bureau_rows(self) -> pd.DataFrame:
        return self.memo("bureaus_read", lambda: reads.bureaus(self.engine))

    def _plan_rows(self) -> pd.DataFrame:
        return self.memo("plan_rows", lambda: _plan_rows(self._plans(), self._bureau_rows()))

    def _goal_rows(self) -> pd.DataFrame:
        return self.memo("goals_read", lambda: reads.goals(self.engine, viewer=PUBLIC))

    def _definitions(self) -> pd.DataFrame:
        return self.memo(
            "definitions", lambda: _definitions(self.engine, self._goal_rows(), self._plan_rows())
        )

    def _value_rows(self, measure_ids: list[int] | None) -> pd.DataFrame:
        """The values of these measures (None: of every published measure)."""
        definitions = self._definitions().set_index("measure_id")
        if measure_ids is not None:
            definitions = definitions.loc[measure_ids]
        year = self.values_year
        if year is None or definitions.empty:
            return _empty(VALUE_COLUMNS)
        view = public_view(self.engine, fiscal_year=year)
        totals = _totals(self.engine, measure_ids, as_of=view.as_of)
        return _values(
            totals=totals[totals["measure_id"].isin(definitions.index)],  # no archived measure
            groups=_group_shares(view, list(definitions.index)),
            definitions=definitions,
            periods=self.memo("periods", lambda: reads.period_frame(self.engine)),
            race_groups=self.memo("race_groups", lambda: reads.race_groups(self.engine)),
        )


_snapshots: OrderedDict[tuple[str, str], Snapshot] = OrderedDict()
_snapshots_lock = threading.Lock()


def snapshot(engine: Engine) -> Snapshot:
    """The open data of ``engine``'s database as it is now: kept per data version (one cheap query
    tells whether anything changed), so that repeated requests are slices of the same frames."""
    # The public's version: drafts saved meanwhile change nothing here, so they keep the ETags too.
    key = (engine.url.render_as_string(hide_password=False), reads.data_version(engine, PUBLIC.scope))
    with _snapshots_lock:
        if key not in _snapshots:
            _snapshots[key] = Snapshot(engine=engine, data_version=key[1])
            while len(_snapshots) > KEPT_SNAPSHOTS:
                _snapshots.popitem(last=False)
        _snapshots.move_to_end(key)
        return _snapshots[key]


def forget() -> None:
    """Drop every kept snapshot (tests, and a process that wants its memory back)."""
    with _snapshots_lock:
        _snapshots.clear()


# --- building the frames ---------------------------------------------------------------------------------


def _empty(columns: Sequence[Column]) -> pd.DataFrame:
    return pd.DataFrame({column.name: pd.Series(dtype=object) for column in columns})


def _only_bureau(frame: pd.DataFrame, bureau_code: str | None) -> pd.DataFrame:
    if bureau_code is None:
        return frame
    return frame[frame["bureau_code"] == bureau_code].reset_index(drop=True)


def _goals(engine: Engine) -> pd.DataFrame:
    goals = reads.citywide_goals(engine)
    frame = goals[[column.name for column in GOAL_COLUMNS]].copy()
    frame["number"] = frame["number"].astype("int64")
    return frame.sort_values("number").reset_index(drop=True)


def _plan_rows(plans: pd.DataFrame, bureaus: pd.DataFrame) -> pd.DataFrame:
    """The published plan versions of the active bureaus, with their ids kept for joining."""
    plans = plans[plans["bureau_id"].isin(bureaus["id"])]
    frame = pd.DataFrame(
        {
            "plan_id": plans["id"].astype("int64").to_numpy(),
            "bureau_id": plans["bureau_id"].astype("int64").to_numpy(),
            "bureau_code": plans["bureau_code"].astype(str).to_numpy(),
            "plan_title": plans["title"].astype(str).to_numpy(),
            "plan_version": plans["version"].astype("int64").to_numpy(),
            "plan_status": plans["status"].astype(str).to_numpy(),
            "plan_first_fiscal_year": [fiscal_year_key(int(year)) for year in plans["first_fiscal_year"]],
            "plan_last_fiscal_year": [fiscal_year_key(int(year)) for year in plans["last_fiscal_year"]],
            "plan_span": plans["span"].astype(str).to_numpy(),
            "plan_adopted_on": plans["adopted_on"].to_numpy(),
            "_first": plans["first_fiscal_year"].astype("int64").to_numpy(),
        }
    )
    return frame.sort_values(["bureau_code", "_first", "plan_version"], kind="stable").reset_index(drop=True)


_DUE_NAMES = {"plan_status": "status", "_first": "first_fiscal_year", "plan_version": "version"}


def _bureaus(bureaus: pd.DataFrame, plans: pd.DataFrame, definitions: pd.DataFrame) -> pd.DataFrame:
    """Each active bureau with its current plan (:func:`equity_tracking.due.current_plan`: the
    newest version not superseded) and how many published measures it has."""
    current = {}
    for bureau_id, versions in plans.groupby("bureau_id", sort=False):
        plan = due.current_plan(versions.rename(columns=_DUE_NAMES))
        if plan is not None:
            current[int(bureau_id)] = plan
    counts = definitions.groupby("bureau_code").size()
    rows = []
    for bureau in bureaus.sort_values("code").itertuples():
        plan = current.get(int(bureau.id))
        row: dict[str, object] = {
            "code": str(bureau.code),
            "name": str(bureau.name),
            "service_area": bureau.service_area if isinstance(bureau.service_area, str) else None,
            "earlier_names": str(bureau.earlier_names),
        }
        for column in PLAN_COLUMNS[1:]:
            row[column.name] = None if plan is None else plan[_DUE_NAMES.get(column.name, column.name)]
        row["measure_count"] = int(counts.get(str(bureau.code), 0))
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[column.name for column in BUREAU_COLUMNS])
    frame["plan_version"] = frame["plan_version"].astype("Int64")
    return frame


def _bureau_goals(goals: pd.DataFrame, plans: pd.DataFrame) -> pd.DataFrame:
    joined = goals.merge(plans[["plan_id", "plan_version", "_first"]], on="plan_id")
    frame = pd.DataFrame(
        {
            "bureau_code": joined["bureau_code"].astype(str).to_numpy(),
            "plan_version": joined["plan_version"].astype("int64").to_numpy(),
            "goal_key": joined["key"].astype(str).to_numpy(),
            "title": joined["title"].astype(str).to_numpy(),
            "citywide_goal": joined["citywide_goal_number"].astype("int64").to_numpy(),
            "focus_area": joined["focus_area_name"].astype(str).to_numpy(),
            "strategies": joined["strategies"].astype(str).to_numpy(),
            "_first": joined["_first"].to_numpy(),
        }
    )
    # Stable: within a plan version, the goals keep the plan's own order (reads.goals').
    frame = frame.sort_values(["bureau_code", "_first", "plan_version"], kind="stable")
    return frame.drop(columns="_first").reset_index(drop=True)


def _definitions(engine: Engine, goals: pd.DataFrame, plans: pd.DataFrame) -> pd.DataFrame:
    """The published measures of the active bureaus (every plan version that is not a draft; no
    archived goal or measure), in plan order by bureau code, with their goal and plan."""
    measures = reads.measures(engine, viewer=PUBLIC)
    goal_of = goals.set_index("id")
    plan_of = plans.set_index("plan_id")
    measures = measures[measures["goal_id"].isin(goal_of.index)]
    plan_ids = measures["goal_id"].map(goal_of["plan_id"])
    measures = measures[plan_ids.isin(plan_of.index).to_numpy()]  # an active bureau's plan
    plan_ids = measures["goal_id"].map(goal_of["plan_id"])
    frame = pd.DataFrame(
        {
            "measure_id": measures["id"].astype("int64").to_numpy(),
            "measure_key": measures["key"].astype(str).to_numpy(),
            "bureau_code": measures["bureau_code"].astype(str).to_numpy(),
            "plan_version": plan_ids.map(plan_of["plan_version"]).astype("int64").to_numpy(),
            "plan_status": plan_ids.map(plan_of["plan_status"]).astype(str).to_numpy(),
            "goal_key": measures["goal_id"].map(goal_of["key"]).astype(str).to_numpy(),
            "citywide_goal": measures["goal_id"].map(goal_of["citywide_goal_number"]).to_numpy("int64"),
            "name": measures["name"].astype(str).to_numpy(),
            "unit": measures["unit"].astype(str).to_numpy(),
            "polarity": measures["polarity"].astype(str).to_numpy(),
            "frequency": measures["frequency"].astype(str).to_numpy(),
            "disaggregated": measures["disaggregated"].astype(bool).to_numpy(),
            "baseline_value": measures["baseline_value"].astype(float).to_numpy(),
            "baseline_period": measures["baseline_period"].to_numpy(),
            "target_value": measures["target_value"].astype(float).to_numpy(),
            "target_period": measures["target_period"].to_numpy(),
            "_first": plan_ids.map(plan_of["_first"]).astype("int64").to_numpy(),
        }
    )  # fmt: skip
    # reads.measures lists them in plan order (goal, then measure); by bureau code, then plan.
    frame = frame.sort_values(["bureau_code", "_first", "plan_version"], kind="stable")
    return frame.drop(columns="_first").reset_index(drop=True)


def _measures(engine: Engine, definitions: pd.DataFrame, fiscal_year: int | None) -> pd.DataFrame:
    """The definitions with each measure's judgement as of ``fiscal_year``'s reporting deadline,
    from the same public view the pages use."""
    frame = definitions.copy()
    judged = ("current_value", "current_period", "progress_pct_clamped", "health", "health_label")
    if fiscal_year is None:
        status = pd.DataFrame(columns=["measure_id", *judged])
        as_of = None
    else:
        view = public_view(engine, fiscal_year=fiscal_year)
        status = view.measure_status
        as_of = reporting_deadline(fiscal_year)
    found = status.set_index("measure_id").reindex(frame["measure_id"].to_numpy())
    frame["as_of"] = as_of
    frame["current_value"] = found["current_value"].astype(float).to_numpy()
    frame["current_period"] = _text_or_none(found["current_period"])
    # Rounded as the pages show it (one decimal), so that no float noise (12.50000000000001) is published.
    frame["progress_pct"] = found["progress_pct_clamped"].astype(float).round(1).to_numpy()
    frame["health"] = _text_or_none(found["health"])
    frame["health_label"] = _text_or_none(found["health_label"])
    return frame[[column.name for column in MEASURE_COLUMNS]]


def _text_or_none(column: pd.Series) -> np.ndarray:
    """Text, with every missing or empty value as None."""
    return np.array(
        [None if _missing(value) else str(value) for value in column.astype(object)], dtype=object
    )


def _missing(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and np.isnan(value))


def _totals(engine: Engine, measure_ids: list[int] | None, *, as_of: pd.Timestamp) -> pd.DataFrame:
    """The measures' totals (None: every measure's) as the view sees them: the newest version of
    each that the public could see by the end of ``as_of``, for the periods ended by then (a
    measure's total is always shown). The rows of measures that are not published are left to the
    caller's join."""
    only = None if measure_ids is None else MeasureValue.measure_id.in_(measure_ids)
    values = reads.measure_value_frame(engine, viewer=PUBLIC, as_of=as_of, only=only)
    return values[values["group_id"] == 0]


def _values(
    *,
    totals: pd.DataFrame,
    groups: pd.DataFrame,
    definitions: pd.DataFrame,
    periods: pd.DataFrame,
    race_groups: pd.DataFrame,
) -> pd.DataFrame:
    """Totals and the public view's group rows in one frame (:data:`VALUE_COLUMNS`): the group
    rows' values and ``suppressed`` flags are the view's, untouched."""
    lookup = race_groups.set_index("id")
    parts = [
        pd.DataFrame(
            {
                "measure_id": totals["measure_id"].astype("int64").to_numpy(),
                "period_id": totals["period_id"].astype("int64").to_numpy(),
                "group": TOTAL_GROUP,
                "group_key": None,
                "value": totals["value"].astype(float).to_numpy(),
                "suppressed": False,
                "_order": -1,
            }
        ),
        pd.DataFrame(
            {
                "measure_id": groups["measure_id"].astype("int64").to_numpy(),
                "period_id": groups["period_id"].astype("int64").to_numpy(),
                "group": groups["group_id"].map(lookup["name"]).astype(str).to_numpy(),
                "group_key": groups["group_id"].map(lookup["key"]).astype(str).to_numpy(),
                "value": groups["value"].astype(float).to_numpy(),
                "suppressed": groups["suppressed"].astype(bool).to_numpy(),
                "_order": groups["group_id"].map(lookup["sort_order"]).astype("int64").to_numpy(),
            }
        ),
    ]
    frame = pd.concat([part for part in parts if len(part)] or parts[:1], ignore_index=True)
    period = periods.set_index("period_id").reindex(frame["period_id"].to_numpy())
    measure = definitions.reindex(frame["measure_id"].to_numpy())
    frame["bureau_code"] = measure["bureau_code"].to_numpy()
    frame["measure_key"] = measure["measure_key"].to_numpy()
    frame["unit"] = measure["unit"].to_numpy()
    frame["period"] = period["label"].astype(str).to_numpy()
    frame["period_kind"] = period["kind"].astype(str).to_numpy()
    frame["fiscal_year"] = [fiscal_year_key(int(year)) for year in period["fiscal_year"]]
    frame["period_start"] = period["start_date"].to_numpy()
    frame["period_end"] = period["end_date"].to_numpy()
    frame["suppressed"] = frame["suppressed"].astype(bool)
    hidden = frame["suppressed"].to_numpy()
    frame["value"] = frame["value"].where(~hidden)  # already blank in the view; a total is never hidden
    frame["value_label"] = [
        suppression.HIDDEN_LABEL if secret else number(value, unit=str(unit))
        for secret, value, unit in zip(hidden, frame["value"], frame["unit"], strict=True)
    ]
    # The measure page's order: oldest period first (a year after its quarters), the total, then the
    # groups in their order.
    frame = frame.sort_values(
        ["measure_id", "period_end", "period_start", "_order", "group"],
        ascending=[True, True, False, True, True],
        kind="stable",
    )
    return frame[[column.name for column in VALUE_COLUMNS]].reset_index(drop=True)


def _group_shares(view: PublicView, measure_ids: list[int]) -> pd.DataFrame:
    """The view's suppressed group rows of these measures, asked for :data:`GROUP_CHUNK` at a time:
    the view suppresses what it is asked for at once, and the whole city at once (every measure,
    for the bundle) takes many times the time and memory of the same work in parts."""
    parts = [
        view.group_shares(measure_ids[start : start + GROUP_CHUNK])
        for start in range(0, len(measure_ids), GROUP_CHUNK)
    ]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _in_year(values: pd.DataFrame, fiscal_year: int | None) -> pd.DataFrame:
    if fiscal_year is None:
        return values
    return values[values["fiscal_year"] == fiscal_year_key(fiscal_year)].reset_index(drop=True)


# --- the bundle --------------------------------------------------------------------------------------------

BUNDLE_FILES = {
    "goals.csv": "the citywide goals",
    "bureaus.csv": "the bureaus, with their current plan",
    "plans.csv": "every published plan version",
    "bureau_goals.csv": "the goals of those plans",
    "measures.csv": "every published measure, judged as of the reporting deadline named in as_of",
    "values.csv": "every published value of every measure, all fiscal years: totals and each "
    "race/ethnicity group, suppressed",
    "columns.csv": "what each column of these files means",
    "data-dictionary.csv": "the tracker's data dictionary (the fields the pages show)",
}


def bundle_zip(engine: Engine, *, now: dt.datetime | None = None) -> bytes:
    """Everything published, as a zip: one CSV per dataset (every measure's values, all fiscal
    years, suppressed), what each column means, the data dictionary, and a README.txt that says
    the source, when it was made, the suppression rule and the terms.

    Kept per data version (a large city's takes a while to write): the README's time is when the
    data were last found unchanged and the zip made, unless ``now`` is given (made afresh)."""
    data = snapshot(engine)
    if now is not None:
        return _bundle(engine, data, now)
    return data.memo(("bundle", data.default_year()), lambda: _bundle(engine, data, dt.datetime.now(dt.UTC)))


def _bundle(engine: Engine, data: Snapshot, now: dt.datetime) -> bytes:
    measures = data.measures()
    files = {
        "goals.csv": data.goals(),
        "bureaus.csv": data.bureaus(),
        "plans.csv": data.plans(),
        "bureau_goals.csv": data.bureau_goals(),
        "measures.csv": measures,
        "values.csv": data.all_values(),
        "columns.csv": columns_table(),
        "data-dictionary.csv": data_dictionary(),
    }
    made = now.astimezone(_city_zone())
    judged = measures["as_of"].dropna()
    readme = bundle_readme(
        made=made, judged_as_of=None if judged.empty else judged.iat[0], source=data.source
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("README.txt", readme)
        for name, frame in files.items():
            bundle.writestr(name, csv_bytes(csv_ready(frame)))
    return buffer.getvalue()


def csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` for a CSV file: a hidden value's cell reads "hidden" (as in every other download,
    never blank), beside ``suppressed`` yes and the label; other frames as they are."""
    if "suppressed" not in frame.columns or not frame["suppressed"].any():
        return frame
    hidden = frame["suppressed"].astype(bool)
    return frame.assign(value=frame["value"].astype(object).where(~hidden, suppression.HIDDEN_LABEL))


def bundle_file_name(now: dt.datetime | None = None) -> str:
    day = (now or dt.datetime.now(dt.UTC)).astimezone(_city_zone()).date()
    return f"equity-tracker-open-data-{day.isoformat()}.zip"


def _city_zone() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(CITY_TIMEZONE)


def columns_table() -> pd.DataFrame:
    """Every column of every dataset: file, column, kind, may be empty, meaning."""
    return pd.DataFrame(
        [
            (f"{name}.csv", column.name, column.kind, column.nullable, column.meaning)
            for name, columns in DATASETS.items()
            for column in columns
        ],
        columns=["file", "column", "kind", "may_be_empty", "meaning"],
    )


def bundle_readme(*, made: dt.datetime, judged_as_of: object, source: str) -> str:
    """The bundle's README.txt: source, as-of date and time, the suppression rule and the terms."""
    judged = (
        f"Measures are judged (current value, progress, health) as the pages show them at the "
        f"reporting deadline of {pd.Timestamp(judged_as_of).date().isoformat()}."
        if judged_as_of is not None
        else "No plan is published yet, so no measure is judged."
    )
    lines = [
        "Equity Plan Tracker: everything published",
        "",
        f"Source: {source}.",
        f"As of: {made:%Y-%m-%d %H:%M} ({CITY_TIMEZONE}).",
        "Only published figures are included: no draft, submitted or approved value, no draft plan, no "
        "archived goal or measure, no inactive bureau.",
        judged,
        "Values are the newest published version of each figure.",
        "",
        f"Suppression: {suppression.NOTE} In these files a hidden value's cell reads "
        f'"{suppression.HIDDEN_LABEL}" (never blank or zero), and its row\'s suppressed column says yes.',
        "",
        "Files:",
        *(f"- {name}: {what}" for name, what in BUNDLE_FILES.items()),
        "",
        TERMS,
    ]
    return "\r\n".join(lines) + "\r\n"
