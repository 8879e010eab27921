"""What a bureau owes for a reporting cycle, and when: the rule the "My bureau" page and the
reminders share.

A bureau reports against its current plan (the newest version not superseded), for the reporting
cycles inside that plan. The cycle being reported now is the latest that has opened. Due are: a
total for each period of the cycle that has ended, for every measure of the plan (quarters for a
quarterly measure, the year otherwise); a status update written for the cycle for every action
still under way (not completed or deferred); and the year's annual narrative. Past the cycle's due
date, whatever is still owed is late.

Pure pandas over frames from :mod:`equity_tracking.reads`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from equity_tracking.formatting import date_text
from equity_tracking.periods import kind_reported

FINISHED_ACTION_STATES = frozenset({"completed", "deferred"})


def current_plan(plans: pd.DataFrame) -> pd.Series | None:
    """The bureau's plan version that work is entered against: the newest that is not superseded."""
    candidates = plans[plans["status"] != "superseded"]
    if candidates.empty:
        return None
    return candidates.sort_values(["first_fiscal_year", "version"]).iloc[-1]


def plan_cycles(cycles: pd.DataFrame, plan: pd.Series) -> pd.DataFrame:
    """The reporting cycles that fall inside the plan."""
    inside = cycles["fiscal_year"].between(int(plan["first_fiscal_year"]), int(plan["last_fiscal_year"]))
    return cycles[inside]


def current_cycle(cycles: pd.DataFrame, today: dt.date) -> int | None:
    """The cycle being reported now: the latest one that has opened (else the earliest)."""
    if cycles.empty:
        return None
    opened = cycles[cycles["opens_on"].dt.date <= today]
    chosen = opened.iloc[-1] if not opened.empty else cycles.iloc[0]
    return int(chosen["fiscal_year"])


def due_values(
    measures: pd.DataFrame,
    periods: pd.DataFrame,
    entries: pd.DataFrame,
    *,
    fiscal_year: int,
    due_on: dt.date,
    today: dt.date,
) -> pd.DataFrame:
    """Measures without a total for a period of the cycle that has ended: measure_id, measure,
    period_id, period, due, late (past the cycle's due date)."""
    cycle_periods = periods[(periods["fiscal_year"] == fiscal_year) & (periods["end_date"].dt.date < today)]
    have = set(
        zip(
            entries.loc[entries["group_id"] == 0, "measure_id"],
            entries.loc[entries["group_id"] == 0, "period_id"],
            strict=True,
        )
    )
    rows = []
    for measure in measures.itertuples():
        kind = kind_reported(str(measure.frequency)).value
        for period in cycle_periods[cycle_periods["kind"] == kind].itertuples():
            if (measure.id, period.period_id) not in have:
                rows.append((measure.id, measure.name, period.period_id, period.label))
    frame = pd.DataFrame(rows, columns=["measure_id", "measure", "period_id", "period"])
    frame["due"] = date_text(due_on)
    frame["late"] = today > due_on
    return frame


def due_actions(actions: pd.DataFrame, updates: pd.DataFrame, *, fiscal_year: int) -> pd.DataFrame:
    """Actions still under way with no status update written for the cycle: action_id, action,
    last status."""
    written = set(updates.loc[updates["fiscal_year"] == fiscal_year, "action_id"])
    latest = updates.sort_values(["reported_at", "update_id"]).groupby("action_id").last()
    rows = []
    for action in actions.itertuples():
        last = latest["status"].get(action.id, "not_started")
        if action.id in written or last in FINISHED_ACTION_STATES:
            continue
        rows.append((action.id, action.title, str(last).replace("_", " ")))
    return pd.DataFrame(rows, columns=["action_id", "action", "last status"])
