"""The rules every layer shares, each written once, in pandas and in SQL where both need it.

Owns:
- **the city's calendar**: its time zone and the reporting deadline of a fiscal year (bureaus report
  on a fiscal year within three months of its end, so FY 2018-19 is judged as of 30 September 2019);
- **when the next value is due**: one period after the latest, plus that period's reporting grace
  (for a fiscal year, its reporting deadline);
- **the as-of cutoff**: on a date D, a reader could only have seen values for periods that had
  *ended* by D, in versions *entered* by the end of D in the city's time zone (for the public:
  *published* by then; the read layer gives each row the time this reader could first see it);
- **the newest version wins**: values are append-only, and of the versions of one (measure, period,
  group) a reader may see, the one with the highest id is the value;
- **the newest action update wins**: what a bureau last said about an action, as of a date, is the
  update with the latest report time by then (the later entry breaks a tie);
- **a fiscal year beats its fourth quarter**: both end on the same day; the year is the official
  figure (baselines and targets are set for fiscal years), so it counts as the later period;
- **the plan version in force**: of a bureau's plan versions, the newest one adopted by the date
  (drafts never count, and neither does a version adopted later).

It sits below the read layer and the analytics and imports neither, so that ``reads`` (SQL) and
``analytics``/``dashboards`` (pandas) call the same function for the same rule. Fiscal-year dates
themselves live one floor lower, in :mod:`equity_tracking.periods`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, func
from sqlalchemy.orm import QueryableAttribute

from equity_tracking.periods import fiscal_year, fiscal_year_end

CITY_TIMEZONE = "America/Los_Angeles"  # "the end of D" means midnight in Portland, not in UTC
REPORTING_WINDOW = dt.timedelta(days=92)  # 30 June + 92 days = 30 September

AsOf: TypeAlias = dt.date | str | pd.Timestamp
# A column in a SQLAlchemy expression: a Core column or an ORM attribute (Model.column).
Column: TypeAlias = ColumnElement[Any] | QueryableAttribute[Any]


# --- the city's calendar ------------------------------------------------------------------------


def reporting_deadline(fiscal_year: int) -> dt.date:
    """The date a fiscal year is judged as of: three months after it ends (its reporting deadline)."""
    return fiscal_year_end(fiscal_year) + REPORTING_WINDOW


# How long after a period ends its value may still come in before it is late: for a fiscal year, the
# reporting window (values due by 30 September); for shorter periods, time to collect and enter them.
REPORTING_GRACE = {
    "annual": REPORTING_WINDOW,
    "quarterly": dt.timedelta(days=45),
    "monthly": dt.timedelta(days=30),
}
PERIOD_MONTHS = {"annual": 12, "quarterly": 3, "monthly": 1}


def next_value_due(period_end: pd.Series, frequency: pd.Series) -> pd.Series:
    """The day the value after a period is due: the next period (one ``frequency`` later) ends, and
    its grace passes. After an annual value for FY 2019-20, the next is due on FY 2020-21's reporting
    deadline, 30 September 2021. An unknown frequency counts as annual."""
    ends = pd.to_datetime(period_end)
    known = frequency.where(frequency.isin(list(PERIOD_MONTHS)), "annual")
    due = pd.Series(pd.NaT, index=ends.index, dtype="datetime64[ns]")
    for name, months in PERIOD_MONTHS.items():
        rows = (known == name).to_numpy()
        # Periods end on a month's last day; the next one ends on the last day of its month too.
        following = ends[rows] + pd.offsets.MonthEnd(months)
        due[rows] = following + pd.Timedelta(REPORTING_GRACE[name])
    return due


def as_of_day(as_of: AsOf) -> pd.Timestamp:
    """The as-of date as a midnight timestamp without time zone (how period dates are held)."""
    stamp = pd.Timestamp(as_of)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(CITY_TIMEZONE).tz_localize(None)
    return stamp.normalize()


def entry_cutoff(as_of: AsOf) -> pd.Timestamp:
    """The first instant (UTC) after the as-of date ends in the city: versions entered before it count."""
    next_day = as_of_day(as_of) + pd.Timedelta(days=1)
    return next_day.tz_localize(CITY_TIMEZONE).tz_convert("UTC")


def city_day(instants: pd.Series) -> pd.Series:
    """UTC instants as the calendar day they fell on in the city (midnight, no time zone)."""
    local = pd.to_datetime(instants, utc=True).dt.tz_convert(CITY_TIMEZONE)
    return local.dt.tz_localize(None).dt.normalize()


# --- the as-of cutoff ---------------------------------------------------------------------------


def visible_as_of(period_end: pd.Series | None, entered_at: pd.Series | None, as_of: AsOf) -> np.ndarray:
    """Which rows a reader could have seen at the end of ``as_of``: the period had ended by then
    and the version had been entered by then (either check is skipped when its column is None)."""
    length = len(period_end) if period_end is not None else len(entered_at)  # type: ignore[arg-type]
    keep = np.ones(length, dtype=bool)
    if period_end is not None:
        keep &= (pd.to_datetime(period_end) <= as_of_day(as_of)).to_numpy()
    if entered_at is not None:
        keep &= (pd.to_datetime(entered_at, utc=True) < entry_cutoff(as_of)).to_numpy()
    return keep


def sql_visible_as_of(
    period_end: Column | None, entered_at: Column | None, as_of: AsOf
) -> list[ColumnElement[bool]]:
    """:func:`visible_as_of` as SQL conditions, for a ``select(...).where(*conditions)``."""
    conditions: list[ColumnElement[bool]] = []
    if period_end is not None:
        conditions.append(period_end <= as_of_day(as_of).date())
    if entered_at is not None:
        conditions.append(entered_at < entry_cutoff(as_of).to_pydatetime())
    return conditions


# --- the newest version wins --------------------------------------------------------------------

VALUE_KEY = ("measure_id", "period_id", "group_id")


def newest_versions(
    frame: pd.DataFrame, *, key: Sequence[str] = VALUE_KEY, version: str = "version_id"
) -> pd.DataFrame:
    """One row per ``key``, the one with the highest ``version``, in key order.

    Done with numpy on one packed int64 key where the key columns are small non-negative integers:
    the values frame can hold a million rows, and a multi-column drop_duplicates costs several times
    as much. A frame that is already one row per key, in key order (what this returns), is
    recognised in one pass and returned as it is.
    """
    if frame.empty:
        return frame.reset_index(drop=True)
    packed = _packed_key(frame, key)
    if packed is None:
        ordered = frame.sort_values([*key, version], kind="stable")
        return ordered.drop_duplicates(list(key), keep="last").reset_index(drop=True)
    if bool(np.all(packed[1:] > packed[:-1])):
        return frame.reset_index(drop=True)
    versions = frame[version].to_numpy(np.int64)
    # Rows usually arrive in version order, and a stable sort then keeps the newest last.
    in_version_order = bool(np.all(versions[1:] >= versions[:-1]))
    order = np.argsort(packed, kind="stable") if in_version_order else np.lexsort((versions, packed))
    ordered = packed[order]
    last_of_key = np.ones(len(order), dtype=bool)
    last_of_key[:-1] = ordered[1:] != ordered[:-1]
    return frame.iloc[order[last_of_key]].reset_index(drop=True)


def _packed_key(frame: pd.DataFrame, key: Sequence[str]) -> np.ndarray | None:
    """The key columns as one int64 that sorts the same way, or None if that is not possible."""
    try:
        columns = [frame[name].to_numpy(np.int64) for name in key]
    except (TypeError, ValueError):
        return None
    sizes = [int(column.max()) + 1 for column in columns]
    if any(int(column.min()) < 0 for column in columns) or float(np.prod(sizes, dtype=float)) >= 2**62:
        return None
    packed = np.zeros(len(frame), dtype=np.int64)
    for column, size in zip(columns, sizes, strict=True):
        packed = packed * size + column
    return packed


def sql_version_rank(key: Sequence[Column], version: Column) -> ColumnElement[int]:
    """1 for the newest version of each key (highest ``version``), 2 for the one before, …"""
    return func.row_number().over(partition_by=tuple(key), order_by=version.desc())


# --- the newest action update wins ------------------------------------------------------------------


def newest_action_updates(updates: pd.DataFrame, *, as_of: AsOf | None = None) -> pd.DataFrame:
    """Per action, the newest update the reader could see by the end of ``as_of`` (its
    ``visible_at`` where the frame has it, else ``reported_at``; all of them when None), indexed by
    ``action_id``: the latest ``reported_at``; of two reported at the same instant, the later
    entry (higher ``update_id``, where the frame has it)."""
    # An update counts from when the reader could first see it (its publication, for the public).
    seen = updates["visible_at"] if "visible_at" in updates else updates["reported_at"]
    visible = updates if as_of is None else updates[visible_as_of(None, seen, as_of)]
    order = ["action_id", "reported_at", *(["update_id"] if "update_id" in visible else [])]
    newest = visible.sort_values(order, kind="stable").drop_duplicates("action_id", keep="last")
    return newest.set_index("action_id")


def sql_action_update_rank(action_id: Column, reported_at: Column, update_id: Column) -> ColumnElement[int]:
    """1 for each action's newest update (as :func:`newest_action_updates` picks it), 2 for the one
    before, …"""
    return func.row_number().over(partition_by=action_id, order_by=(reported_at.desc(), update_id.desc()))


# --- a fiscal year beats its fourth quarter -----------------------------------------------------


def latest_period_last(
    frame: pd.DataFrame, *, by: Sequence[str] = (), end: str = "period_end", start: str = "period_start"
) -> pd.DataFrame:
    """``frame`` in period order, oldest first; of two periods ending on the same day, the longer one
    (a fiscal year, over its fourth quarter) comes last, as the later of the two."""
    columns, ascending = [*by, end, start], [True] * len(by) + [True, False]
    return frame.sort_values(columns, ascending=ascending, kind="stable")


def one_per_period_end(
    frame: pd.DataFrame, *, by: Sequence[str] = (), end: str = "period_end", start: str = "period_start"
) -> pd.DataFrame:
    """One row per period end (per ``by``), in period order: where a fiscal year and its fourth
    quarter both have a row, the fiscal year's."""
    ordered = frame.sort_values([*by, end, start], kind="stable")
    return ordered.drop_duplicates([*by, end], keep="first").reset_index(drop=True)


def sql_period_order(end: Column, start: Column) -> tuple[ColumnElement[Any], ...]:
    """ORDER BY terms for :func:`latest_period_last`: oldest first, a fiscal year after its fourth
    quarter."""
    return (end.asc(), start.desc())


# --- the plan version in force ------------------------------------------------------------------


def is_adopted(plans: pd.DataFrame) -> pd.Series:
    """Which plan versions are adopted: every status but draft (a draft is never public, and never
    counts)."""
    return plans["status"] != "draft"


def plans_in_force(plans: pd.DataFrame, *, as_of: AsOf) -> pd.DataFrame:
    """The plan versions in force at the end of ``as_of``: for each bureau and plan (its first fiscal
    year), the newest version that is not a draft and was adopted by then (a version with no
    adoption date counts from the start of its first fiscal year). Later plans (whose first fiscal
    year has not begun) are left out.

    ``plans`` as from ``reads.plans``: id, bureau_id, first_fiscal_year, version, status, adopted_on.
    """
    if plans.empty:
        return plans.copy()
    day = as_of_day(as_of)
    begins = pd.Series(
        pd.to_datetime([fiscal_year(int(year)).start_date for year in plans["first_fiscal_year"]]),
        index=plans.index,
    )
    adopted = pd.to_datetime(plans["adopted_on"]).fillna(begins)
    eligible = plans[(is_adopted(plans) & (adopted <= day) & (begins <= day)).to_numpy()]
    ordered = eligible.sort_values(["bureau_id", "first_fiscal_year", "version"], kind="stable")
    return ordered.drop_duplicates(["bureau_id", "first_fiscal_year"], keep="last").reset_index(drop=True)


def plan_for_fiscal_year(plans: pd.DataFrame, year: int) -> pd.Series | None:
    """A bureau's plan for a fiscal year, as the city stood at that year's reporting deadline: the
    version in force then of the plan covering the year, else of its most recent earlier plan."""
    in_force = plans_in_force(plans, as_of=reporting_deadline(year))
    if in_force.empty:
        return None
    covering = in_force[(in_force["first_fiscal_year"] <= year) & (in_force["last_fiscal_year"] >= year)]
    pool = covering if not covering.empty else in_force[in_force["first_fiscal_year"] <= year]
    if pool.empty:
        return None
    return pool.sort_values(["first_fiscal_year", "version"], kind="stable").iloc[-1]


# --- how a number is rounded where people see it --------------------------------------------------

# Decimals a value of each unit is shown with: people and dollars are whole, the rest keep one.
UNIT_DECIMALS = {"count": 0, "dollars": 0, "percent": 1, "rate": 1, "days": 1}


def display_decimals(unit: str) -> int:
    """How many decimals a value of ``unit`` is shown with (one for an unknown unit)."""
    return UNIT_DECIMALS.get(str(unit), 1)


def as_displayed(values: pd.Series, units: pd.Series) -> pd.Series:
    """Each value rounded exactly as it is printed (Python's own formatting of the binary value), so
    that a judgement made on it can never disagree with the figure beside it; missing stays NaN."""
    rounded = [
        float(f"{value:.{display_decimals(unit)}f}") if pd.notna(value) else np.nan
        for value, unit in zip(values.to_numpy(float), units.to_numpy(object), strict=True)
    ]
    return pd.Series(rounded, index=values.index, dtype=float)
