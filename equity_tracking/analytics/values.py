"""Which reported values count "as of" a date, and the per-measure series built from them.

Applies the as-of rule (its one home is :mod:`equity_tracking.rules`): on a date D, a reader could
only have seen values for periods that had *ended* by D, in versions *entered* by the end of D (in
the city's time zone), and of those the newest version of each (measure, period, group). Everything
downstream works on what :func:`values_as_of` returns, so no later value can leak into a judgement
of an earlier date.

The values frame (see ``reads.measure_value_frame``) has one row per version: ``version_id``,
``measure_id``, ``period_id``, ``group_id`` (:data:`TOTAL_GROUP_ID` for the total), ``value``,
``numerator``, ``denominator``, ``period_start``, ``period_end`` and optionally ``entered_at`` (UTC).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from equity_tracking import rules

TOTAL_GROUP_ID = 0  # group_id of a measure's total (all groups together); race group ids start at 1
KEY = rules.VALUE_KEY


def values_as_of(values: pd.DataFrame, *, as_of: dt.date | str | pd.Timestamp) -> pd.DataFrame:
    """The values a reader could have seen at the end of ``as_of``: one row per (measure, period,
    group), the newest version entered by then, for periods that had ended by then
    (:func:`equity_tracking.rules.visible_as_of`, :func:`equity_tracking.rules.newest_versions`)."""
    values = _with_dtypes(values)
    entered = values["entered_at"] if "entered_at" in values.columns else None
    keep = rules.visible_as_of(values["period_end"], entered, as_of)
    if "version_id" not in values.columns:  # hand-made frames: later rows are newer versions
        values = values.assign(version_id=np.arange(len(values)))
    return rules.newest_versions(values[keep])


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


def total_series(values: pd.DataFrame) -> pd.DataFrame:
    """Each measure's totals in period order, one row per period end (a fiscal year over its fourth
    quarter: :func:`equity_tracking.rules.one_per_period_end`)."""
    totals = values[values["group_id"].to_numpy() == TOTAL_GROUP_ID]
    totals = totals[np.isfinite(totals["value"].to_numpy(float))]
    totals = rules.one_per_period_end(totals, by=["measure_id"])
    if "period_label" not in totals.columns:  # hand-made frames: name the period by its end date
        totals["period_label"] = totals["period_end"].dt.strftime("%Y-%m-%d")
    return totals


def position_in_series(series: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(position from the start, position from the end) of each row within its measure's series;
    the series must be sorted by measure."""
    grouped = series.groupby("measure_id", sort=False)
    return grouped.cumcount().to_numpy(), grouped.cumcount(ascending=False).to_numpy()
