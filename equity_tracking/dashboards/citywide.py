"""The citywide overview: the three goals' progress, the headline counts, who reported on time, the
bureau × goal grid, who has stopped reporting, and one table of every bureau for the equity office.

Pure functions of the public analytics (:class:`~equity_tracking.suppression.PublicView`) and a few
small reads, shaped as the page shows them.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd

from equity_tracking.analytics.reporting import bureau_reporting
from equity_tracking.analytics.states import HEALTH, HEALTH_ORDER, PALETTE, StateStyle
from equity_tracking.dashboards.common import action_counts, health_counts
from equity_tracking.formatting import percent, state_text
from equity_tracking.periods import fiscal_year_containing, fiscal_year_label
from equity_tracking.suppression import PublicView

# How recently a bureau last reported, judged for the fiscal year on screen.
REPORTING = MappingProxyType(
    {
        "on_time": StateStyle(
            "Reported on time", "✓", "check_circle", PALETTE["bluish_green"], "Reported every measure due."
        ),
        "partly": StateStyle(
            "Reported in part", "!", "warning", PALETTE["orange"], "Reported some of the measures due."
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
REPORTING_ORDER = ("on_time", "partly", "missed", "stopped", "never")


def city_row(view: PublicView) -> pd.Series:
    """The whole city's roll-up (one row)."""
    return view.rollups["city"].iloc[0]


# (key, label, help) of the overview's headline tiles, in :func:`headline_counts`.
HEADLINE_TILES = (
    (
        "on_track_or_achieved",
        f"{HEALTH['on_track'].icon} On track or achieved",
        "At least 95 % of the progress expected by now, or at the target.",
    ),
    ("behind", f"{HEALTH['behind'].icon} Behind", HEALTH["behind"].description),
    ("at_risk", f"{HEALTH['at_risk'].icon} At risk", HEALTH["at_risk"].description),
    ("out_of_date", f"{HEALTH['out_of_date'].icon} Out of date", HEALTH["out_of_date"].description),
    ("missed", f"{HEALTH['missed'].icon} Missed target", HEALTH["missed"].description),
    ("no_data", f"{HEALTH['no_data'].icon} Without data", "Measures with no value reported at all."),
)


def headline_counts(city: pd.Series) -> dict[str, int]:
    """The overview's tiles: measures on track or achieved, behind, at risk, missed, out of date,
    and without data (nothing reported), from the city's roll-up."""
    health = health_counts(city)
    return {
        "on_track_or_achieved": health["on_track"] + health["achieved"],
        "behind": health["behind"],
        "at_risk": health["at_risk"],
        "missed": health["missed"],
        "out_of_date": health["out_of_date"],
        "no_data": health["no_data"],
    }


def goal_progress(view: PublicView, citywide_goals: pd.DataFrame) -> pd.DataFrame:
    """One row per citywide goal: number, short_title, text, progress_pct, expected_pct, progress_text
    and the counts of bureau goals, measures and actions under it."""
    rollup = view.rollups["citywide_goal"].set_index("entity_id")
    frame = citywide_goals[["id", "number", "short_title", "text"]].copy()
    frame["progress_pct"] = frame["id"].map(rollup["progress_pct"]).astype(float)
    frame["expected_pct"] = frame["id"].map(rollup["expected_pct"]).astype(float)
    frame["progress_text"] = frame["progress_pct"].map(percent)
    frame["progress_reason"] = frame["id"].map(rollup["progress_reason"]).fillna("No bureau goals yet.")
    for column in ("n_goals", "n_measures", "n_actions"):
        frame[column] = frame["id"].map(rollup[column]).fillna(0).astype("int64")
    return frame


def goal_health(view: PublicView, goal_id: int) -> dict[str, int]:
    """Measures by health under one citywide goal (zeros when nothing maps to it)."""
    rollup = view.rollups["citywide_goal"].set_index("entity_id")
    return health_counts(rollup.loc[goal_id] if goal_id in rollup.index else None)


def actions_by_status(city: pd.Series) -> dict[str, int]:
    return action_counts(city)


# --- the bureau × citywide goal grid -----------------------------------------------------------------


def bureau_goal_grid(
    view: PublicView, *, goals: pd.DataFrame, bureaus: pd.DataFrame, citywide_goals: pd.DataFrame
) -> pd.DataFrame:
    """Progress of each bureau under each citywide goal: the mean progress of that bureau's goals
    mapped to it (as the citywide roll-up averages bureau goals). Long: bureau_id, Bureau, Goal,
    goal_number, progress_pct, text ("62.3 %", "—" where the bureau has no goal under it, "no data"
    where its goals have nothing to judge), goals (how many)."""
    per_goal = view.rollups["goal"][["entity_id", "progress_pct"]].rename(columns={"entity_id": "id"})
    in_force = goals[goals["id"].isin(per_goal["id"])]
    merged = in_force[["id", "bureau_id", "citywide_goal_number"]].merge(per_goal, on="id", how="left")
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
    frame["goal_number"] = frame["citywide_goal_number"].astype("int64")
    frame["Goal"] = "Goal " + frame["goal_number"].astype(str)
    frame["progress_pct"] = frame["mean"].astype(float)
    frame["text"] = np.where(
        frame["size"].isna(),
        "—",
        np.where(frame["progress_pct"].isna(), "no data", frame["progress_pct"].map(percent)),
    )
    frame["goals"] = frame["size"].fillna(0).astype("int64")
    columns = ["bureau_id", "Bureau", "Goal", "goal_number", "progress_pct", "text", "goals"]
    return frame[columns].sort_values(["Bureau", "goal_number"]).reset_index(drop=True)


def grid_table(grid: pd.DataFrame) -> pd.DataFrame:
    """The grid as a table with a column per citywide goal (for the phone, and the chart's data)."""
    table = grid.pivot(index="Bureau", columns="Goal", values="text").reset_index()
    table.columns.name = None
    return table


def grid_data(grid: pd.DataFrame) -> pd.DataFrame:
    """The grid as data: one row per bureau and citywide goal, progress as a number."""
    return grid.rename(columns={"goal_number": "citywide_goal", "goals": "bureau_goals"})[
        ["Bureau", "citywide_goal", "progress_pct", "bureau_goals"]
    ]


# --- who is reporting --------------------------------------------------------------------------------


def bureau_table(view: PublicView, *, bureaus: pd.DataFrame, fiscal_year: int) -> pd.DataFrame:
    """One row per bureau: how it is doing and whether it reports, for the equity office to see who
    is behind. Columns (raw, for sorting and download): bureau_id, code, name, reporting (state key),
    Reporting (icon and label), measures_due, measures_reported, reported_pct, last_report_at,
    last_reported (the fiscal year of its latest value), n_measures, health_<state> for every state,
    actions_overdue, progress_pct, expected_pct, freshness_pct."""
    status = view.measure_status
    reporting = bureau_reporting(status, view.actions, fiscal_year=fiscal_year).set_index("bureau_id")
    rollup = view.rollups["bureau"].set_index("entity_id")
    frame = bureaus[["id", "code", "name"]].rename(columns={"id": "bureau_id"}).copy()
    ids = frame["bureau_id"]
    last_end = status.groupby("bureau_id")["current_period_end"].max()
    last_year = ids.map(last_end).map(_fiscal_year_of)
    frame["last_reported"] = last_year.map(_fiscal_year_text)
    for column in ("measures_due", "measures_reported"):
        frame[column] = ids.map(reporting[column]).fillna(0).astype("int64")
    frame["reported_pct"] = (ids.map(reporting["reported_share"]).astype(float) * 100).round(1)
    frame["last_report_at"] = ids.map(reporting["last_report_at"])
    gap = fiscal_year - last_year.astype(float)
    reported_all = ids.map(reporting["reported_all"]).fillna(False).astype(bool)
    frame["reporting"] = np.select(
        [last_year.isna(), reported_all, gap <= 0, gap == 1],
        ["never", "on_time", "partly", "missed"],
        "stopped",
    )
    frame["Reporting"] = frame["reporting"].map(
        lambda key: state_text(REPORTING[key].icon, REPORTING[key].label)
    )
    frame["n_measures"] = ids.map(rollup["n_measures"]).fillna(0).astype("int64")
    for state in HEALTH_ORDER:
        frame[f"health_{state}"] = ids.map(rollup[f"health_{state}"]).fillna(0).astype("int64")
    frame["actions_overdue"] = ids.map(rollup["actions_overdue"]).fillna(0).astype("int64")
    frame["progress_pct"] = ids.map(rollup["progress_pct"]).astype(float).round(1)
    frame["expected_pct"] = ids.map(rollup["expected_pct"]).astype(float).round(1)
    frame["freshness_pct"] = (ids.map(rollup["freshness"]).astype(float) * 100).round(1)
    order = {key: rank for rank, key in enumerate(REPORTING_ORDER)}
    frame["_order"] = frame["reporting"].map(order)
    frame = frame.sort_values(
        ["_order", "reported_pct", "name"], ascending=[False, True, True], na_position="first"
    )
    return frame.drop(columns="_order").reset_index(drop=True)


def _fiscal_year_of(day: pd.Timestamp) -> float:
    return float(fiscal_year_containing(day.date())) if pd.notna(day) else np.nan


def _fiscal_year_text(year: float) -> str:
    return fiscal_year_label(int(year)) if pd.notna(year) else "never"


def reported_on_time(table: pd.DataFrame) -> dict[str, float | int]:
    """Bureaus that reported every measure due, of the bureaus with measures due; and the share of
    all due measures that were reported."""
    with_due = table[table["measures_due"] > 0]
    due, reported = int(with_due["measures_due"].sum()), int(with_due["measures_reported"].sum())
    return {
        "bureaus_on_time": int((with_due["reporting"] == "on_time").sum()),
        "bureaus_due": len(with_due),
        "measures_due": due,
        "measures_reported": reported,
        "share_pct": round(100 * reported / due, 1) if due else np.nan,
    }


STAFF_HEALTH = ("achieved", "on_track", "behind", "at_risk", "missed", "out_of_date", "no_data")


def staff_table(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`bureau_table` with headings people read, numbers kept as numbers (so it sorts)."""
    columns = {
        "name": "Bureau",
        "code": "Code",
        "Reporting": "Reporting",
        "reported_pct": "Due measures reported (%)",
        "last_report_at": "Last report",
        "last_reported": "Latest value for",
        "n_measures": "Measures",
    }
    shown = table.rename(columns=columns)
    for state in STAFF_HEALTH:
        shown[state_text(HEALTH[state].icon, HEALTH[state].label)] = table[f"health_{state}"]
    shown["Overdue actions"] = table["actions_overdue"]
    shown["Progress (%)"] = table["progress_pct"]
    shown["Expected by now (%)"] = table["expected_pct"]
    shown["Last report"] = pd.to_datetime(table["last_report_at"], utc=True).dt.tz_convert(None).dt.date
    keep = [*columns.values(), *[state_text(HEALTH[s].icon, HEALTH[s].label) for s in STAFF_HEALTH]]
    return shown[[*keep, "Overdue actions", "Progress (%)", "Expected by now (%)"]]


def stopped_names(table: pd.DataFrame) -> list[str]:
    return table.loc[table["reporting"].isin(["stopped", "never"]), "name"].tolist()
