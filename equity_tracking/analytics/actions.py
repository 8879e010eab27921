"""Action judgements as of a date: status from the latest update, overdue, expected % complete.

Owns, for every action at once: its status and % complete from the latest dated status update made
by the end of the as-of date; whether it is overdue (due date passed, not completed); the % complete
expected by then if work went evenly from start date to due date; and whether its updates are
current (a plan is reported on every year, so an update older than a year and a grace period is
overdue unless the action is completed or deferred).

Inputs: ``actions`` (``action_id``, ``goal_id``, ``start_date``, ``due_date``, …, as from
``reads.actions`` with ``id`` renamed; its ``status`` and ``percent_complete`` are replaced) and ``updates``
(``action_id``, ``status``, ``percent_complete``, ``reported_at`` in UTC, and optionally
``update_id`` to order updates made at the same instant).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from equity_tracking.analytics import _text
from equity_tracking.analytics.states import ACTION_STATUS, CANNOT_JUDGE, FRESHNESS
from equity_tracking.rules import as_of_day, city_day, newest_action_updates

# Plans are reported on once a year (ADM-18.31); a quarter's grace covers the annual report cycle.
ACTION_UPDATE_DAYS = 365 + 90
CLOSED_STATUSES = frozenset({"completed", "deferred"})  # no further updates are expected


def action_status(
    actions: pd.DataFrame, updates: pd.DataFrame, *, as_of: dt.date | str | pd.Timestamp
) -> pd.DataFrame:
    """One row per action as it stood at the end of ``as_of``.

    Keeps the input columns (action_id, goal_id, key, title, lead, start_date, due_date, …) and
    sets or adds: reported_status (from the latest update by then), status (the reported status, or
    "overdue" when the due date has passed and the action is neither completed nor deferred; +
    ``status_label``/``status_icon``),
    percent_complete, last_update_at (UTC; NaT if none), has_update, overdue (bool),
    expected_percent_complete (0–100; NaN if it cannot be judged), schedule_gap (actual − expected,
    percentage points), expected_state ("judged"/"cannot_judge"), expected_reason,
    days_since_update (Int64), freshness ("current"/"update_overdue"; + ``_label``/``_icon``/
    ``_reason``).
    """
    day = as_of_day(as_of)
    frame = actions.reset_index(drop=True).copy()
    frame = _with_latest_update(frame, updates, as_of=as_of)
    frame["overdue"] = (frame["due_date"] < day).to_numpy() & (frame["status"] != "completed").to_numpy()
    # Past due and not done is overdue, whatever the bureau last reported ("on track" included);
    # a deferral is a decision, so it keeps its own status (and still counts as overdue).
    frame["reported_status"] = frame["status"]
    frame["status"] = frame["status"].where(
        ~frame["overdue"] | frame["status"].isin(CLOSED_STATUSES), "overdue"
    )
    frame = _add_expected(frame, day)
    frame = _add_freshness(frame, day)
    return _text.add_style_columns(frame, "status", ACTION_STATUS)


def _with_latest_update(frame: pd.DataFrame, updates: pd.DataFrame, *, as_of) -> pd.DataFrame:
    """Status and % complete from the newest update made by the end of the as-of date.

    An action with no update by then counts as not started, 0 % complete. The status stored on the
    action itself is not used: it mirrors the latest update of all, which may be later than the
    as-of date, and an action created with a status but never updated has no date to hold it to.
    """
    latest = newest_action_updates(updates, as_of=as_of)
    found = latest.reindex(frame["action_id"].to_numpy()).set_axis(frame.index)
    frame["has_update"] = frame["action_id"].isin(latest.index).to_numpy()
    frame["status"] = found["status"].astype(object).where(frame["has_update"], "not_started")
    frame["percent_complete"] = found["percent_complete"].astype(float).where(frame["has_update"], 0.0)
    frame["last_update_at"] = pd.to_datetime(found["reported_at"], utc=True)
    return frame


def _add_expected(frame: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """% complete expected by ``day`` if work went evenly from start to due date."""
    start, due = pd.to_datetime(frame["start_date"]), pd.to_datetime(frame["due_date"])
    span = (due - start).dt.days
    elapsed = (day - start).dt.days
    fraction = (elapsed / span.where(span > 0)).clip(0, 1)
    frame["expected_percent_complete"] = fraction * 100
    frame["schedule_gap"] = frame["percent_complete"] - frame["expected_percent_complete"]
    conditions = [start.isna().to_numpy(), due.isna().to_numpy(), (span <= 0).to_numpy()]
    frame["expected_state"] = _text.choose(conditions, [CANNOT_JUDGE] * 3, "judged")
    frame["expected_reason"] = _text.choose(
        conditions,
        [
            "No start date has been set.",
            "No due date has been set.",
            "The due date is not after the start date.",
        ],
        _text.percent_text(fraction)
        + " of the time from start to due date had passed; "
        + frame["percent_complete"].round().astype("Int64").astype(str)
        + " % complete.",
    )
    return frame


def _add_freshness(frame: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    # The day of the last update in the city, comparable with the (city) as-of day.
    last_update = city_day(frame["last_update_at"])
    frame["days_since_update"] = (day - last_update).dt.days.astype("Int64")
    start = pd.to_datetime(frame["start_date"])
    closed = frame["status"].isin(CLOSED_STATUSES).to_numpy()
    not_begun = (start > day).to_numpy()
    # Dated from the last update, or from the start date when nothing has been reported yet.
    reference = last_update.fillna(start)
    stale = ~closed & ~not_begun & ~((day - reference).dt.days <= ACTION_UPDATE_DAYS).to_numpy()
    frame["freshness"] = np.where(stale, "update_overdue", "current")
    since = np.where(frame["has_update"], "last update ", "no update since the start on ") + _text.date_text(
        reference
    )
    frame["freshness_reason"] = _text.choose(
        [closed, not_begun, reference.isna().to_numpy(), stale],
        [
            "Closed: no further updates are expected.",
            "Not due to start yet.",
            "No update and no start date to date it from.",
            "No status update for more than a year (" + since + ").",
        ],
        "Updated within the last year (" + since + ").",
    )
    return _text.add_style_columns(frame, "freshness", FRESHNESS)
