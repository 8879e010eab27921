"""Reporting for a fiscal year: which measures were due, which were reported, and when each bureau
last reported anything.

Owns "reported on time": a measure is **due** for fiscal year Y when it belongs to a plan in force,
had started (its baseline period ended by the end of Y), was not over (its target period ends in Y
or later) and had not ended before Y did; it is **reported** when its latest value by Y's
reporting deadline is for the last period of Y (the year itself, its fourth quarter, its last
month) or later. A bureau reported on time when it reported every measure due.
"""

from __future__ import annotations

import pandas as pd

from equity_tracking.periods import fiscal_year_end


def measures_due(measure_status: pd.DataFrame, *, fiscal_year: int) -> pd.DataFrame:
    """Per measure: measure_id, bureau_id, due, reported (both bool)."""
    year_end = pd.Timestamp(fiscal_year_end(fiscal_year))
    frame = measure_status
    target_end = pd.to_datetime(frame["target_period_end"])
    ended = pd.to_datetime(frame["ended_on"])
    due = (
        (pd.to_datetime(frame["baseline_period_end"]) <= year_end)
        & (target_end.isna() | (target_end >= year_end))
        & (ended.isna() | (ended > year_end))
    )
    # The year's last period (the year itself, its fourth quarter, June) ends on the year's last day.
    reported = pd.to_datetime(frame["current_period_end"]) >= year_end
    return pd.DataFrame(
        {
            "measure_id": frame["measure_id"].to_numpy(),
            "bureau_id": frame["bureau_id"].to_numpy(),
            "due": due.to_numpy(bool),
            "reported": (due & reported).to_numpy(bool),
        }
    )


def bureau_reporting(
    measure_status: pd.DataFrame, actions: pd.DataFrame, *, fiscal_year: int
) -> pd.DataFrame:
    """Per bureau with measures or actions: measures_due, measures_reported, reported_share (0–1,
    NaN with none due), reported_all (every due measure reported, and at least one was due), and
    last_report_at (UTC: the newest value or action update it had entered by the as-of date)."""
    due = measures_due(measure_status, fiscal_year=fiscal_year)
    frame = due.groupby("bureau_id").agg(measures_due=("due", "sum"), measures_reported=("reported", "sum"))
    frame["reported_share"] = frame["measures_reported"] / frame["measures_due"].where(
        frame["measures_due"] > 0
    )
    frame["reported_all"] = (frame["measures_due"] > 0) & (
        frame["measures_reported"] == frame["measures_due"]
    )
    entered = pd.Series(dtype="datetime64[ns, UTC]")
    if "last_entered_at" in measure_status:
        entered = (
            pd.to_datetime(measure_status["last_entered_at"], utc=True)
            .groupby(measure_status["bureau_id"])
            .max()
        )
    updated = pd.Series(dtype="datetime64[ns, UTC]")
    if len(actions) and "bureau_id" in actions:
        updated = pd.to_datetime(actions["last_update_at"], utc=True).groupby(actions["bureau_id"]).max()
    latest = pd.concat([entered, updated], axis=1).max(axis=1)
    frame = frame.join(latest.rename("last_report_at"), how="outer")
    frame[["measures_due", "measures_reported"]] = (
        frame[["measures_due", "measures_reported"]].fillna(0).astype("int64")
    )
    frame["reported_all"] = frame["reported_all"].fillna(False).astype(bool)
    return frame.reset_index().rename(columns={"index": "bureau_id"})
