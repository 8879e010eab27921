"""The Plan structure page's tables, labels and choices, from ``plan_admin.bureau_structure`` and
``plan_admin.history``. Pure pandas: no Streamlit, no database."""

from __future__ import annotations

from typing import Any

import pandas as pd

from equity_tracking.models import ActionStatus, Frequency, PlanStatus, Polarity, RbaCategory, Unit
from equity_tracking.periods import fiscal_year_label
from equity_tracking.plan_admin import NEXT_STATUS

UNITS = [unit.value for unit in Unit]
POLARITIES = {
    Polarity.HIGHER_IS_BETTER: "Higher is better",
    Polarity.LOWER_IS_BETTER: "Lower is better",
    Polarity.NEUTRAL: "Neutral (tracked, not judged)",
}
RBA = {
    RbaCategory.HOW_MUCH: "How much did we do?",
    RbaCategory.HOW_WELL: "How well did we do it?",
    RbaCategory.BETTER_OFF: "Is anyone better off?",
}
FREQUENCIES = [frequency.value for frequency in Frequency]
ACTION_STATUSES = [status.value for status in ActionStatus]
NEW = 0  # the "add a new one" choice of a picker


def words(value: object) -> str:
    """An enum value as a reader reads it: "on_track" → "On track"."""
    return str(value).replace("_", " ").capitalize()


def _state(archived_at: object) -> str:
    return "Active" if archived_at is None or pd.isna(archived_at) else "Archived"


def is_archived(row: pd.Series) -> bool:
    return _state(row.get("archived_at")) == "Archived"


def choices(frame: pd.DataFrame, name: str, *, new: str) -> dict[int, str]:
    """``{id: label}`` of a picker: "Add a new …" first, then each row by key and ``name``, archived
    rows marked."""
    options = {NEW: new}
    for row in frame.itertuples():
        mark = " (archived)" if _state(getattr(row, "archived_at", None)) == "Archived" else ""
        options[int(row.id)] = f"{row.key}: {getattr(row, name)}{mark}"
    return options


def plan_label(plan: pd.Series) -> str:
    first, last = int(plan["first_fiscal_year"]), int(plan["last_fiscal_year"])
    years = f"{fiscal_year_label(first)} to {fiscal_year_label(last)}"
    return f"{plan['title']} ({years}), version {int(plan['version'])}: {words(plan['status'])}"


def next_statuses(status: str) -> list[str]:
    """The statuses a plan may be moved to by hand."""
    return sorted(next_one.value for next_one in NEXT_STATUS.get(PlanStatus(status), ()))


def plans_table(plans: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Title": plans["title"].astype(str),
            "Fiscal years": [
                f"{fiscal_year_label(int(first))} to {fiscal_year_label(int(last))}"
                for first, last in zip(plans["first_fiscal_year"], plans["last_fiscal_year"], strict=True)
            ],
            "Version": plans["version"].astype(int),
            "Status": plans["status"].map(words),
        }
    )


def goals_table(goals: pd.DataFrame, citywide: dict[int, str], focus: dict[int, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Key": goals["key"].astype(str),
            "Title": goals["title"].astype(str),
            "Citywide goal": goals["citywide_goal_id"].map(citywide),
            "Focus area": goals["focus_area_id"].map(focus),
            "State": goals["archived_at"].map(_state),
        }
    )


def actions_table(actions: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Key": actions["key"].astype(str),
            "Title": actions["title"].astype(str),
            "Lead": actions["lead"].fillna("").astype(str),
            "Due": actions["due_date"].map(lambda day: "" if day is None or pd.isna(day) else str(day)),
            "Status": actions["status"].map(words),
            "State": actions["archived_at"].map(_state),
        }
    )


def _figure(value: Any, period_id: Any, periods: dict[int, str]) -> str:
    if value is None or pd.isna(value):
        return ""
    period = "" if period_id is None or pd.isna(period_id) else f" ({periods.get(int(period_id), '')})"
    return f"{float(value):g}{period}"


def measures_table(measures: pd.DataFrame, periods: dict[int, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Key": measures["key"].astype(str),
            "Name": measures["name"].astype(str),
            "Unit": measures["unit"].astype(str),
            "Baseline": [
                _figure(value, period, periods)
                for value, period in zip(
                    measures["baseline_value"], measures["baseline_period_id"], strict=True
                )
            ],
            "Target": [
                _figure(value, period, periods)
                for value, period in zip(measures["target_value"], measures["target_period_id"], strict=True)
            ],
            "State": measures["archived_at"].map(_state),
        }
    )


def interim_table(targets: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {"Period": targets["period"].astype(str), "Interim target": targets["value"].astype(float)}
    )


def number_text(value: Any) -> str:
    """A stored number as a form shows it (blank for none)."""
    return "" if value is None or pd.isna(value) else f"{float(value):g}"


def period_text(period_id: Any, periods: dict[int, str]) -> str:
    return "" if period_id is None or pd.isna(period_id) else periods.get(int(period_id), "")


def history_table(entries: pd.DataFrame) -> pd.DataFrame:
    """A record's history (``plan_admin.history``: its audit entries, newest first, each change in
    words) as an administrator reads it: When (UTC), Who, What, Change."""
    return pd.DataFrame(
        {
            "When (UTC)": entries["at"].dt.strftime("%Y-%m-%d %H:%M"),
            "Who": entries["user"].fillna("").astype(str),
            "What": entries["action"].map(words),
            "Change": entries["change"],
        }
    )
