"""Which reported values count "as of" a date, and the per-measure series built from them.

Owns the as-of rule every analytic obeys: on a date D, a reader could only have seen values for
periods that had *ended* by D, in versions *entered* by the end of D (in the city's time zone), and of
those the newest version of each (measure, period, group). Everything downstream works on what
:func:`values_as_of` returns, so no later value can leak into a judgement of an earlier date.

The values frame (see ``reads.measure_value_frame``) has one row per version: ``version_id``,
``measure_id``, ``period_id``, ``group_id`` (:data:`TOTAL_GROUP_ID` for the total), ``value``,
``numerator``, ``denominator``, ``period_start``, ``period_end`` and optionally ``entered_at`` (UTC).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

TOTAL_GROUP_ID = 0  # group_id of a measure's total (all groups together); race group ids start at 1
CITY_TIMEZONE = "America/Los_Angeles"  # "the end of D" means midnight in Portland, not in UTC
KEY = ("measure_id", "period_id", "group_id")


def as_of_day(as_of: dt.date | str | pd.Timestamp) -> pd.Timestamp:
    """The as-of date as a midnight timestamp without time zone (how period dates are held)."""
    stamp = pd.Timestamp(as_of)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(CITY_TIMEZONE).tz_localize(None)
    return stamp.normalize()


def entry_cutoff(as_of: dt.date | str | pd.Timestamp) -> pd.Timestamp:
    """The first instant (UTC) after the as-of date ends in the city: versions entered before it count."""
    next_day = as_of_day(as_of) + pd.Timedelta(days=1)
    return next_day.tz_localize(CITY_TIMEZONE).tz_convert("UTC")


def values_as_of(values: pd.DataFrame, *, as_of: dt.date | str | pd.Timestamp) -> pd.DataFrame:
    """The values a reader could have seen at the end of ``as_of``: one row per (measure, period,
    group), the newest version entered by then, for periods that had ended by then."""
    values = _with_dtypes(values)
    keep = (values["period_end"] <= as_of_day(as_of)).to_numpy()
    if "entered_at" in values.columns:
        keep = keep & (values["entered_at"] < entry_cutoff(as_of)).to_numpy()
    return _newest_version(values[keep])


def _with_dtypes(values: pd.DataFrame) -> pd.DataFrame:
    """The frame with the dtypes the analytics rely on; untouched (no copy) when it has them already,
    as frames from ``reads.measure_value_frame`` do. Hand-made or empty frames get converted."""
    wanted = dict.fromkeys((*KEY, "version_id"), "int64") | {"value": "float64"}
    changes = {
        name: dtype
        for name, dtype in wanted.items()
        if name in values.columns and values[name].dtype != dtype
    }
    dates = [
        name
        for name in ("period_start", "period_end")
        if name in values.columns and not pd.api.types.is_datetime64_dtype(values[name])
    ]
    stamps = "entered_at" in values.columns and not isinstance(values["entered_at"].dtype, pd.DatetimeTZDtype)
    if not (changes or dates or stamps):
        return values
    values = values.astype(changes)
    for name in dates:
        values[name] = pd.to_datetime(values[name])
    if stamps:
        values["entered_at"] = pd.to_datetime(values["entered_at"], utc=True)
    return values


def _newest_version(values: pd.DataFrame) -> pd.DataFrame:
    """Keep the highest ``version_id`` per key, in key order.

    Done with numpy on one packed int64 key: the frame can hold a million rows, and a multi-column
    drop_duplicates costs several times as much. A frame that is already one row per key, in key
    order (what this function returns), is recognised in one pass and returned as it is.
    """
    if values.empty:
        return values.reset_index(drop=True)
    packed = _packed_key(values)
    if packed is not None and bool(np.all(packed[1:] > packed[:-1])):
        return values.reset_index(drop=True)
    version = values["version_id"].to_numpy(np.int64) if "version_id" in values else np.arange(len(values))
    if packed is None:  # ids too large to pack: sort on the columns themselves
        columns = [values[name].to_numpy(np.int64) for name in reversed(KEY)]
        order = np.lexsort((version, *columns))
        keys = np.stack([column[order] for column in columns])
        last_of_key = np.ones(len(order), dtype=bool)
        last_of_key[:-1] = (keys[:, 1:] != keys[:, :-1]).any(axis=0)
    else:
        # Rows usually arrive in version order, and a stable sort then keeps the newest last.
        in_version_order = bool(np.all(version[1:] >= version[:-1]))
        order = np.argsort(packed, kind="stable") if in_version_order else np.lexsort((version, packed))
        ordered = packed[order]
        last_of_key = np.ones(len(order), dtype=bool)
        last_of_key[:-1] = ordered[1:] != ordered[:-1]
    return values.iloc[order[last_of_key]].reset_index(drop=True)


def _packed_key(values: pd.DataFrame) -> np.ndarray | None:
    """(measure, period, group) as one int64 that sorts the same way, or None if it would overflow."""
    measure, period, group = (values[name].to_numpy(np.int64) for name in KEY)
    periods, groups = int(period.max()) + 1, int(group.max()) + 1
    if (int(measure.max()) + 1) * periods * groups >= 2**62 or min(
        measure.min(), period.min(), group.min()
    ) < 0:
        return None
    return (measure * periods + period) * groups + group


def total_series(values: pd.DataFrame) -> pd.DataFrame:
    """Each measure's totals in period order, one row per period end.

    A fiscal year and its fourth quarter end on the same day; the series keeps the fiscal year,
    because baselines and targets are set for fiscal years and the year is the official figure.
    """
    totals = values[values["group_id"].to_numpy() == TOTAL_GROUP_ID]
    totals = totals[np.isfinite(totals["value"].to_numpy(float))]
    totals = totals.sort_values(["measure_id", "period_end", "period_start"], kind="stable")
    totals = totals.drop_duplicates(["measure_id", "period_end"], keep="first").reset_index(drop=True)
    if "period_label" not in totals.columns:  # hand-made frames: name the period by its end date
        totals["period_label"] = totals["period_end"].dt.strftime("%Y-%m-%d")
    return totals


def position_in_series(series: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(position from the start, position from the end) of each row within its measure's series;
    the series must be sorted by measure."""
    grouped = series.groupby("measure_id", sort=False)
    return grouped.cumcount().to_numpy(), grouped.cumcount(ascending=False).to_numpy()
