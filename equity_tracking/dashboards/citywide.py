"""The citywide overview: headline tiles, per-goal health, the bureau × goal heatmap, and which
bureaus have stopped reporting. Pure functions of the analytics and a few small reads."""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd

from equity_tracking.analytics.pipeline import Analytics
from equity_tracking.analytics.states import (
    ACTION_STATUS_ORDER,
    HEALTH,
    HEALTH_ORDER,
    PALETTE,
    StateStyle,
)
from equity_tracking.formatting import percent, state_text
from equity_tracking.periods import fiscal_year_containing, fiscal_year_label

# How recently a bureau last reported, judged for the fiscal year on screen.
REPORTING = MappingProxyType(
    {
        "on_time": StateStyle(
            "Reported on time", "✓", "check_circle", PALETTE["bluish_green"], "Reported for this fiscal year."
        ),
        "missed": StateStyle(
            "Missed this year", "!", "warning", PALETTE["orange"], "Last reported for the year before."
        ),
        "stopped": StateStyle(
            "Stopped reporting",
            "✕",
            "cancel",
            PALETTE["vermillion"],
            "Nothing reported for two fiscal years or more.",
        ),
        "never": StateStyle("Never reported", "–", "remove", PALETTE["grey"], "No values reported at all."),
    }
)
REPORTING_ORDER = ("on_time", "missed", "stopped", "never")


def city_row(analytics: Analytics) -> pd.Series:
    """The whole city's roll-up (one row)."""
    return analytics.rollups["city"].iloc[0]


def health_counts(row: pd.Series) -> dict[str, int]:
    """Measures by health from a roll-up row (``health_<state>`` columns)."""
    return {state: int(row.get(f"health_{state}", 0)) for state in HEALTH_ORDER}


def action_counts(row: pd.Series) -> dict[str, int]:
    """Actions by status from a roll-up row (``actions_<status>`` columns)."""
    return {status: int(row.get(f"actions_{status}", 0)) for status in ACTION_STATUS_ORDER}


def goal_progress(analytics: Analytics, citywide_goals: pd.DataFrame) -> pd.DataFrame:
    """One row per citywide goal: number, short_title, text, progress_pct, progress_text and counts."""
    rollup = analytics.rollups["citywide_goal"].set_index("entity_id")
    frame = citywide_goals[["id", "number", "short_title", "text"]].copy()
    frame["progress_pct"] = frame["id"].map(rollup["progress_pct"]).astype(float)
    frame["progress_text"] = frame["progress_pct"].map(percent)
    frame["progress_reason"] = frame["id"].map(rollup["progress_reason"]).fillna("No bureau goals yet.")
    for column in ("n_goals", "n_measures", "n_actions"):
        frame[column] = frame["id"].map(rollup[column]).fillna(0).astype("int64")
    return frame


def goal_health(analytics: Analytics, citywide_goals: pd.DataFrame) -> pd.DataFrame:
    """Measures by health for each citywide goal, long: number, state, label, count."""
    rollup = analytics.rollups["citywide_goal"].set_index("entity_id")
    rows = []
    for goal in citywide_goals.itertuples():
        counts = (
            health_counts(rollup.loc[goal.id]) if goal.id in rollup.index else dict.fromkeys(HEALTH_ORDER, 0)
        )
        for state, count in counts.items():
            style = HEALTH[state]
            rows.append(
                {
                    "Goal": f"Goal {goal.number}",
                    "number": goal.number,
                    "state": state,
                    "Health": state_text(style.icon, style.label),
                    "Measures": count,
                }
            )
    return pd.DataFrame(rows)


def bureau_goal_heatmap(
    analytics: Analytics, *, goals: pd.DataFrame, bureaus: pd.DataFrame, citywide_goals: pd.DataFrame
) -> pd.DataFrame:
    """Progress of each bureau under each citywide goal: the mean progress of that bureau's goals
    mapped to it (as the citywide roll-up averages bureau goals). Long: Bureau, Goal, progress_pct,
    text ("62.3 %", or "—" where the bureau has no goal under it, or "no data")."""
    per_goal = analytics.rollups["goal"][["entity_id", "progress_pct"]].rename(columns={"entity_id": "id"})
    merged = goals[["id", "bureau_id", "citywide_goal_number"]].merge(per_goal, on="id", how="left")
    cells = (
        merged.groupby(["bureau_id", "citywide_goal_number"])["progress_pct"]
        .agg(["mean", "size"])
        .reset_index()
    )
    grid = pd.MultiIndex.from_product(
        [bureaus["id"], citywide_goals["number"]], names=["bureau_id", "citywide_goal_number"]
    ).to_frame(index=False)
    frame = grid.merge(cells, on=["bureau_id", "citywide_goal_number"], how="left")
    frame["Bureau"] = frame["bureau_id"].map(bureaus.set_index("id")["name"])
    frame["Goal"] = "Goal " + frame["citywide_goal_number"].astype(str)
    frame["progress_pct"] = frame["mean"].astype(float)
    frame["text"] = np.where(
        frame["size"].isna(),
        "—",
        np.where(frame["progress_pct"].isna(), "no data", frame["progress_pct"].map(percent)),
    )
    frame["goals"] = frame["size"].fillna(0).astype("int64")
    return frame[["Bureau", "Goal", "progress_pct", "text", "goals"]].sort_values(["Bureau", "Goal"])


def bureau_reporting(analytics: Analytics, *, bureaus: pd.DataFrame, fiscal_year_shown: int) -> pd.DataFrame:
    """Per bureau: when it last reported, how fresh its measures and actions are, and whether it
    reported on time for the fiscal year shown, missed it, or has stopped reporting."""
    measures = analytics.measures
    last_end = measures.groupby("bureau_id")["current_period_end"].max()
    rollup = analytics.rollups["bureau"].set_index("entity_id")
    frame = bureaus[["id", "code", "name"]].copy()
    frame["last_period_end"] = frame["id"].map(last_end)
    last_year = frame["last_period_end"].map(_fiscal_year_of)
    frame["last_reported"] = last_year.map(_fiscal_year_text)
    gap = fiscal_year_shown - last_year.astype(float)
    frame["reporting"] = np.select(
        [last_year.isna(), gap <= 0, gap == 1], ["never", "on_time", "missed"], default="stopped"
    )
    frame["Reporting"] = frame["reporting"].map(_reporting_text)
    frame["freshness_pct"] = (frame["id"].map(rollup["freshness"]).astype(float) * 100).round(1)
    frame["measures_current"] = frame["id"].map(rollup["measures_current"]).fillna(0).astype("int64")
    frame["measures_expected"] = frame["id"].map(rollup["measures_expected"]).fillna(0).astype("int64")
    frame["progress_pct"] = frame["id"].map(rollup["progress_pct"]).astype(float)
    order = {key: rank for rank, key in enumerate(REPORTING_ORDER)}
    frame["_order"] = frame["reporting"].map(order)
    return frame.sort_values(["_order", "freshness_pct", "name"], ascending=[False, True, True]).drop(
        columns="_order"
    )


def _fiscal_year_of(day: pd.Timestamp) -> float:
    return float(fiscal_year_containing(day.date())) if pd.notna(day) else np.nan


def _fiscal_year_text(year: float) -> str:
    return fiscal_year_label(int(year)) if pd.notna(year) else "never"


def _reporting_text(key: str) -> str:
    return state_text(REPORTING[key].icon, REPORTING[key].label)


def reporting_table(reporting: pd.DataFrame) -> pd.DataFrame:
    """The reporting view as people read it."""
    columns = {
        "name": "Bureau",
        "Reporting": "Reporting",
        "last_reported": "Last reported",
        "freshness_pct": "Updated on time (%)",
        "measures_current": "Measures current",
        "measures_expected": "Measures expected",
    }
    return reporting.rename(columns=columns)[list(columns.values())]


def reported_on_time(reporting: pd.DataFrame) -> tuple[int, int]:
    """(bureaus that reported on time, bureaus with a plan)."""
    return int((reporting["reporting"] == "on_time").sum()), len(reporting)
