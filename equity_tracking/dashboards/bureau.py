"""One bureau's plan: its summary, goals, actions, results scorecard and disparities panel.

Pure functions of the analytics frames and a few small reads, shaped as the bureau page shows them:
numbers already written for people (never NaN), states as icon + label. Also owns the public
small-count rule (:func:`suppress_small_counts`), which the measure page shares.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from equity_tracking import rules
from equity_tracking.analytics.pipeline import Analytics
from equity_tracking.analytics.states import (
    ACTION_STATUS_ORDER,
    CANNOT_JUDGE,
    HEALTH,
    HEALTH_ORDER,
)
from equity_tracking.formatting import number, percent, state_text

SMALL_COUNT = 10  # public pages never show a count of people below this
SUPPRESSED_TEXT = "fewer than 10"
SUPPRESSED_NOTE = (
    "To protect privacy, counts below 10 people are not shown on public pages, and neither are the "
    "shares, rates or indices that would reveal them; where a hidden count could be worked out by "
    "subtraction from the figures shown, another figure is hidden too."
)
DISPARITY_FOCUS_AREAS = ("workforce", "contracting")
# How the analytics begin the reason of a ratio left unscored because a group's value is zero; the
# reason names that group, which on a public page would reveal a count below 10.
UNUSABLE_REASONS = ("Nobody counted in", "A value of zero (or none) for")
SCORE_CAVEAT = (
    "An equity score (1 to 100) compares the best- and worst-off groups: 100 means no gap. A high "
    "score can also mean that every group is doing badly, so read it with the values themselves."
)
WHO_ENTERS_VALUES = (
    "The bureau's equity lead enters values and action updates in the tracker; the Office of Equity "
    "and Human Rights reviews and publishes them."
)
PLAN_STATUS_LABELS = {
    "draft": "Draft",
    "active": "Active",
    "completed": "Completed",
    "superseded": "Superseded",
}


# --- small text helpers -----------------------------------------------------------------------


def date_text(day: object) -> str:
    """``2020-11-30`` → ``"30 Nov 2020"``; missing → ``"—"``."""
    if day is None or pd.isna(day):
        return "—"
    stamp = pd.Timestamp(day)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("America/Los_Angeles")
    return f"{stamp.day} {stamp:%b %Y}"


def measure_value(value: float | None, *, unit: str) -> str:
    """A measure's value for people, as :func:`~equity_tracking.formatting.number` writes it."""
    return number(value, unit=unit)


def signed(text: str, value: float | None) -> str:
    """A formatted number with an explicit "+" when it is above zero."""
    if value is None or pd.isna(value) or value <= 0:
        return text
    return "+" + text


def signed_percent(value: float | None) -> str:
    return signed(percent(value), value)


def ratio_text(value: float | None) -> str:
    """A representation index or disparity ratio with two decimals; missing → ``"—"``."""
    if value is None or pd.isna(value):
        return "—"
    return f"{value:,.2f}"


def truncate(text: str, length: int) -> str:
    text = str(text)
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


# --- the bureau picker and URL links -------------------------------------------------------------


def bureau_options(bureaus: pd.DataFrame) -> dict[str, str]:
    """``{code: name}`` for the bureau picker, sorted by name."""
    ordered = bureaus.sort_values("name", kind="stable")
    return dict(zip(ordered["code"].astype(str), ordered["name"].astype(str), strict=True))


def bureau_row(bureaus: pd.DataFrame, code: str | None) -> pd.Series | None:
    match = bureaus[bureaus["code"] == code]
    return None if match.empty else match.iloc[0]


def measure_link(measure_id: int, fiscal_year_key: str) -> str:
    return f"measure?measure={int(measure_id)}&fy={fiscal_year_key}"


def bureau_link(code: str, fiscal_year_key: str) -> str:
    return f"bureau?bureau={code}&fy={fiscal_year_key}"


# --- the plan summary ---------------------------------------------------------------------------


def health_counts(row: pd.Series | None) -> dict[str, int]:
    return {state: int(row.get(f"health_{state}", 0)) if row is not None else 0 for state in HEALTH_ORDER}


def action_counts(row: pd.Series | None) -> dict[str, int]:
    return {
        status: int(row.get(f"actions_{status}", 0)) if row is not None else 0
        for status in ACTION_STATUS_ORDER
    }


def plan_summary(analytics: Analytics, plan: pd.Series) -> dict[str, object]:
    """Everything the summary tiles say about one plan, as text ready to show."""
    rollup = analytics.rollups["plan"]
    match = rollup[rollup["entity_id"] == plan["id"]]
    row = match.iloc[0] if not match.empty else None
    progress = float(row["progress_pct"]) if row is not None else np.nan
    freshness = float(row["freshness"]) * 100 if row is not None and pd.notna(row["freshness"]) else np.nan
    status = str(plan["status"])
    return {
        "title": str(plan["title"]),
        "span": str(plan["span"]),
        "version": int(plan["version"]),
        "status": status,
        "status_text": PLAN_STATUS_LABELS.get(status, status.replace("_", " ").capitalize()),
        "adopted_text": date_text(plan.get("adopted_on")),
        "progress_pct": progress,
        "progress_text": percent(progress),
        "progress_reason": str(row["progress_reason"]) if row is not None else "There are no measures here.",
        "freshness_pct": freshness,
        "freshness_text": percent(freshness),
        "measures_current": int(row["measures_current"]) if row is not None else 0,
        "measures_expected": int(row["measures_expected"]) if row is not None else 0,
        "actions_current": int(row["actions_current"]) if row is not None else 0,
        "n_goals": int(row["n_goals"]) if row is not None else 0,
        "n_measures": int(row["n_measures"]) if row is not None else 0,
        "n_actions": int(row["n_actions"]) if row is not None else 0,
        "actions_overdue": int(row["actions_overdue"]) if row is not None else 0,
        "health": health_counts(row),
        "actions": action_counts(row),
    }


def count_tiles(counts: dict[str, int], styles: Mapping, *, always: Iterable[str]) -> list[tuple[str, str]]:
    """(label with icon, count) for the states to show: those in ``always`` and any other above 0."""
    keep = set(always)
    return [
        (state_text(styles[key].icon, styles[key].label), f"{count:,}")
        for key, count in counts.items()
        if key in keep or count > 0
    ]


# --- goals --------------------------------------------------------------------------------------


def plan_goals(goals: pd.DataFrame, plan_id: int) -> pd.DataFrame:
    return goals[goals["plan_id"] == plan_id].reset_index(drop=True)


def goal_label(goals: pd.DataFrame, *, length: int = 60) -> pd.Series:
    return goals["key"].astype(str) + " · " + goals["title"].map(lambda title: truncate(title, length))


def _health_summary(row: pd.Series) -> str:
    parts = [
        f"{HEALTH[state].icon} {int(row.get(f'health_{state}', 0))} {HEALTH[state].label.lower()}"
        for state in HEALTH_ORDER
        if int(row.get(f"health_{state}", 0)) > 0
    ]
    return ", ".join(parts) if parts else "no measures"


def goal_table(analytics: Analytics, goals: pd.DataFrame) -> pd.DataFrame:
    """One row per bureau goal with its progress (0–100, for a progress bar), why, its citywide
    goal and focus area, and its measures by health."""
    rollup = analytics.rollups["goal"].set_index("entity_id")
    rows = rollup.reindex(goals["id"].to_numpy())
    frame = pd.DataFrame(
        {
            "Goal": (goals["key"].astype(str) + " · " + goals["title"].astype(str)).to_numpy(),
            "Progress": rows["progress_pct"].astype(float).to_numpy(),
            "Progress to target": rows["progress_pct"].astype(float).map(percent).to_numpy(),
            "How it is judged": rows["progress_reason"].fillna("There are no measures here.").to_numpy(),
            "Citywide goal": (
                "Goal "
                + goals["citywide_goal_number"].astype(str)
                + " · "
                + goals["citywide_goal_title"].astype(str)
            ).to_numpy(),
            "Focus area": goals["focus_area_name"].astype(str).to_numpy(),
            "Measures": rows["n_measures"].fillna(0).astype("int64").to_numpy(),
            "Measures by health": [_health_summary(row) for _, row in rows.fillna(0).iterrows()],
            "Actions": rows["n_actions"].fillna(0).astype("int64").to_numpy(),
        }
    )
    return frame


def goal_health(analytics: Analytics, goals: pd.DataFrame) -> pd.DataFrame:
    """Measures by health for each goal, long: goal (label), state, Health (icon + label), Measures."""
    rollup = analytics.rollups["goal"].set_index("entity_id")
    labels = goal_label(goals, length=200)  # in full: the chart shortens its own labels
    rows = []
    for goal_id, label in zip(goals["id"], labels, strict=True):
        counts = health_counts(rollup.loc[goal_id] if goal_id in rollup.index else None)
        for state, count in counts.items():
            rows.append(
                {
                    "Goal": label,
                    "state": state,
                    "Health": state_text(HEALTH[state].icon, HEALTH[state].label),
                    "Measures": count,
                }
            )
    return pd.DataFrame(rows, columns=["Goal", "state", "Health", "Measures"])


# --- actions ------------------------------------------------------------------------------------


def updates_as_of(updates: pd.DataFrame, as_of: object) -> pd.DataFrame:
    """The updates made by the end of the as-of date (in the city's time zone), oldest first."""
    if updates.empty:
        return updates
    return updates[rules.visible_as_of(None, updates["reported_at"], as_of)]


def latest_narratives(updates: pd.DataFrame, as_of: object) -> pd.DataFrame:
    """Per action, the newest update made by the as-of date: narrative and reported_at."""
    visible = updates_as_of(updates, as_of)
    latest = visible.sort_values(["action_id", "reported_at", "update_id"], kind="stable")
    latest = latest.drop_duplicates("action_id", keep="last")
    return latest.set_index("action_id")[["narrative", "reported_at"]]


ACTION_COLUMNS = ["Action", "Status", "Complete", "Lead", "Due", "Overdue", "Latest update", "Updated"]


def actions_table(analytics: Analytics, goals: pd.DataFrame, updates: pd.DataFrame) -> pd.DataFrame:
    """The plan's actions as they stood at the analytics' date: status, % complete, lead, due date,
    overdue and the latest narrative by then."""
    actions = analytics.actions
    frame = actions[actions["goal_id"].isin(goals["id"])].copy()
    order = {goal_id: rank for rank, goal_id in enumerate(goals["id"])}
    frame["_order"] = frame["goal_id"].map(order)
    frame = frame.sort_values("_order", kind="stable")  # plan order within each goal is kept
    if frame.empty:
        return pd.DataFrame(columns=ACTION_COLUMNS)
    latest = latest_narratives(updates, analytics.as_of)
    has_update = frame["action_id"].isin(latest.index).to_numpy()
    narrative = frame["action_id"].map(latest["narrative"]).astype(object)
    narrative = np.where(
        has_update,
        narrative.where(
            narrative.notna() & (narrative.astype(str).str.strip() != ""), "Updated without a narrative."
        ),
        "No update reported yet.",
    )
    status = [
        state_text(icon, label)
        for icon, label in zip(frame["status_icon"], frame["status_label"], strict=True)
    ]
    return pd.DataFrame(
        {
            "Action": (frame["key"].astype(str) + " · " + frame["title"].astype(str)).to_numpy(),
            "Status": status,
            "Complete": frame["percent_complete"].map(lambda value: percent(value, decimals=0)).to_numpy(),
            "Lead": frame["lead"].fillna("—").astype(str).to_numpy(),
            "Due": frame["due_date"].map(date_text).to_numpy(),
            "Overdue": np.where(frame["overdue"].to_numpy(bool), "⚠ Overdue", "No"),
            "Latest update": narrative,
            "Updated": frame["action_id"].map(latest["reported_at"]).map(date_text).to_numpy(),
        }
    )


# --- the results scorecard ----------------------------------------------------------------------


def trend_text(icon: str, label: str, periods: int, state: str) -> str:
    """``"▲ Improving · 3 periods"``; a trend that cannot be judged says so."""
    if state == CANNOT_JUDGE or periods <= 0:
        return state_text(icon, "Not enough values")
    return f"{icon} {label} · {periods} period{'s' if periods != 1 else ''}"


def scorecard(
    analytics: Analytics, measures: pd.DataFrame, goals: pd.DataFrame, *, fiscal_year_key: str
) -> pd.DataFrame:
    """The Clear Impact results scorecard of the plan's measures, as text, with a link per measure.

    ``measures`` is ``reads.measures(bureau_id=…)`` (names and units); the judgements come from the
    analytics. Columns: Open, Measure, Goal, Current, Period, Prior, Target, Variance, % of target,
    Trend, Baseline % change, Forecast, Health, Updated.
    """
    mine = measures[measures["goal_id"].isin(goals["id"])]
    status = analytics.measures.set_index("measure_id")
    rows = status.reindex(mine["id"].to_numpy())
    units = mine["unit"].astype(str).to_numpy()
    goal_keys = mine["goal_id"].map(goals.set_index("id")["key"]).astype(str).to_numpy()

    def values(column: str) -> list[str]:
        return [measure_value(value, unit=unit) for value, unit in zip(rows[column], units, strict=True)]

    variance = [
        signed(measure_value(value, unit=unit), value)
        for value, unit in zip(rows["variance_from_target"], units, strict=True)
    ]
    target = [
        f"{measure_value(value, unit=unit)} by {period}" if period else measure_value(value, unit=unit)
        for value, unit, period in zip(
            rows["target_value"], units, rows["target_period"].fillna(""), strict=True
        )
    ]
    trend = [
        trend_text(str(icon), str(label), int(periods), str(state))
        for icon, label, periods, state in zip(
            rows["trend_icon"].astype(object).fillna("?"),
            rows["trend_label"].astype(object).fillna(""),
            rows["trend_periods"].fillna(0),
            rows["trend"].astype(object).fillna(CANNOT_JUDGE),
            strict=True,
        )
    ]

    def styled(column: str) -> list[str]:
        return [
            state_text(str(icon), str(label))
            for icon, label in zip(
                rows[f"{column}_icon"].astype(object).fillna(""),
                rows[f"{column}_label"].astype(object).fillna("No data"),
                strict=True,
            )
        ]

    return pd.DataFrame(
        {
            "Open": [measure_link(measure_id, fiscal_year_key) for measure_id in mine["id"]],
            "Measure": mine["name"].astype(str).to_numpy(),
            "Goal": goal_keys,
            "Current": values("current_value"),
            "Period": rows["current_period"].astype(object).fillna("").replace("", "—").to_numpy(),
            "Prior": values("prior_value"),
            "Target": target,
            "Variance": variance,
            "% of target": rows["percent_of_target"].map(percent).to_numpy(),
            "Trend": trend,
            "Baseline % change": rows["baseline_change_pct"].map(signed_percent).to_numpy(),
            "Forecast": values("forecast_value"),
            "Health": styled("health"),
            "Updated": styled("freshness"),
            "measure_id": mine["id"].astype("int64").to_numpy(),
        }
    )


def values_reported(analytics: Analytics, measure_ids: Iterable[int]) -> int:
    """How many of these measures had any value by the analytics' date."""
    status = analytics.measures
    return int((status[status["measure_id"].isin(list(measure_ids))]["n_values"] > 0).sum())


def reported_in_year(analytics: Analytics, measure_ids: Iterable[int], year: int) -> int:
    """How many of these measures have a value for a period ending within fiscal year ``year``."""
    status = analytics.measures
    mine = status[status["measure_id"].isin(list(measure_ids))]
    start, end = pd.Timestamp(year, 7, 1), pd.Timestamp(year + 1, 6, 30)
    return int(mine["current_period_end"].between(start, end).sum())


# --- small counts -------------------------------------------------------------------------------


SHOWN, SMALL, PROTECTS = 0, 1, 2  # why a row is hidden (or not): suppression codes
HIDDEN_TEXT = {SMALL: SUPPRESSED_TEXT, PROTECTS: "hidden (would reveal a small count)"}


def suppress_small_counts(
    frame: pd.DataFrame,
    *,
    by: list[str],
    memberships: pd.DataFrame,
    complementary: bool = True,
    threshold: int = SMALL_COUNT,
) -> pd.Series:
    """Which rows a public page must hide, and why: :data:`SMALL` where ``count`` (people) is below
    ``threshold``, :data:`PROTECTS` where showing the row would let a reader subtract back to a
    small one, else :data:`SHOWN` (an int8 Series aligned with ``frame``).

    ``frame`` has ``group_id``, ``count`` (NaN where the row counts no people, e.g. dollars) and
    ``is_rollup``; ``memberships`` maps roll-up groups to their members (``rollup_id``,
    ``member_id``). With ``complementary`` (additive counts, whose groups add up to a published
    total), within each ``by`` cell (e.g. a measure's period): all groups add up to the total, so one
    hidden group alone is not allowed and the next smallest is hidden with it; a roll-up such as
    "People of color" adds up its members, so when exactly one of its members, or exactly one of the
    groups outside it, is hidden, the roll-up is hidden too.
    """
    if frame.empty:
        return pd.Series(dtype="int8", index=frame.index)
    count = frame["count"].astype(float).to_numpy()
    codes = np.where(np.isfinite(count) & (count < threshold), SMALL, SHOWN).astype("int8")
    if complementary:
        members = memberships.groupby("rollup_id")["member_id"].apply(set).to_dict()
        position = pd.Series(np.arange(len(frame)), index=frame.index)
        for _, cell in frame.groupby(by, sort=False):
            _protect(cell, position[cell.index].to_numpy(), count, codes, members)
    return pd.Series(codes, index=frame.index)


def _protect(
    cell: pd.DataFrame, rows: np.ndarray, count: np.ndarray, codes: np.ndarray, members: dict
) -> None:
    """Complementary hiding within one cell (a measure's period); updates ``codes`` in place."""
    rollup = cell["is_rollup"].astype(bool).to_numpy()
    group_of = dict(zip(rows, cell["group_id"].astype(int), strict=True))
    base = [row for row, is_rollup in zip(rows, rollup, strict=True) if not is_rollup]
    # (rows that add up to something shown, the roll-up row that shows their sum or None for the total)
    sets: list[tuple[list[int], int | None]] = [(base, None)]
    for row in rows[rollup]:
        member_ids = members.get(group_of[row], set())
        sets.append(([other for other in base if group_of[other] in member_ids], row))
        sets.append(([other for other in base if group_of[other] not in member_ids], row))
    changed = True
    while changed:
        changed = False
        for rows_in_set, rollup_row in sets:
            if rollup_row is not None and codes[rollup_row] != SHOWN:
                continue  # the sum is hidden: nothing to subtract from
            if sum(codes[row] != SHOWN for row in rows_in_set) != 1:
                continue
            if rollup_row is not None:
                codes[rollup_row] = PROTECTS
            else:
                shown = [row for row in rows_in_set if codes[row] == SHOWN and np.isfinite(count[row])]
                if not shown:
                    continue
                codes[min(shown, key=lambda row: count[row])] = PROTECTS
            changed = True


def hidden_text(code: int) -> str:
    return HIDDEN_TEXT.get(int(code), "")


# --- the disparities panel ----------------------------------------------------------------------


def disparity_measures(measures: pd.DataFrame, goals: pd.DataFrame) -> pd.DataFrame:
    """The plan's disaggregated workforce and contracting measures, in plan order."""
    focus = goals.set_index("id")["focus_area_key"]
    mine = measures[measures["goal_id"].isin(goals["id"])]
    keep = mine["goal_id"].map(focus).isin(DISPARITY_FOCUS_AREAS) & mine["disaggregated"].astype(bool)
    frame = mine[keep].copy()
    frame["focus_area"] = frame["goal_id"].map(goals.set_index("id")["focus_area_name"])
    return frame.reset_index(drop=True)


def equity_score_card(analytics: Analytics, measure_id: int) -> dict[str, object]:
    """The measure's latest equity score as text: score, change, period, groups and reason."""
    summary = analytics.disparity_summary
    match = summary[summary["measure_id"] == measure_id]
    if match.empty:
        return {
            "text": "No values by race/ethnicity had been published by then.",
            "score": None,
            "score_text": "—",
            "change": None,
            "change_text": None,
            "period": "",
            "ratio_text": "—",
            "basis": "none",
            "advantaged": "",
            "disadvantaged": "",
            "change_reason": "",
            "reason": "No values by race/ethnicity had been published by then.",
        }
    row = match.iloc[0]
    reason = str(row["disparity_reason"])
    if row["disparity_state"] == CANNOT_JUDGE and reason.startswith(UNUSABLE_REASONS):
        # The analytics name the groups with nobody counted: on a public page that would reveal a
        # count below 10, so say why without naming them.
        reason = (
            "Not scored: at least one group had nobody counted (or a value of zero) in this period, "
            "and no ratio can be formed with a zero."
        )
    score = None if pd.isna(row["equity_score"]) else int(row["equity_score"])
    change = None if pd.isna(row["change_score"]) else int(row["change_score"])
    period = str(row["period_label"])
    if score is not None:
        compared = "representation indices" if row["basis"] == "representation" else "values"
        text = f"{period}: {reason} The ratio of their {compared} is {ratio_text(row['disparity_ratio'])}."
    else:
        text = f"{period}: {reason}"
    return {
        "text": text,
        "score": score,
        "score_text": f"{score} of 100" if score is not None else "Not scored",
        "change": change,
        "change_text": (f"{change:+d} since the baseline year" if change is not None else None),
        "change_reason": str(row["change_reason"]),
        "period": str(row["period_label"]),
        "ratio_text": ratio_text(row["disparity_ratio"]),
        "basis": str(row["basis"]),
        "advantaged": str(row["advantaged_group"]),
        "disadvantaged": str(row["disadvantaged_group"]),
        "reason": reason,
    }


def _reading(index: float) -> str:
    if index is None or pd.isna(index):
        return "—"
    if round(index, 2) == 1.0:
        return f"{index:.2f}: at parity"
    side = "above" if index > 1 else "below"
    return f"{index:.2f}: {side} parity ({percent(index * 100, decimals=0)} of the benchmark share)"


def _latest_rows(analytics: Analytics, measure_id: int) -> pd.DataFrame:
    """The measure's group rows in its latest period (a fiscal year over its fourth quarter)."""
    shares = analytics.group_shares
    rows = shares[shares["measure_id"] == measure_id]
    if rows.empty:
        return rows
    latest = rows[rows["period_end"] == rows["period_end"].max()]
    return latest[latest["period_start"] == latest["period_start"].min()].copy()


def _hide(
    frame: pd.DataFrame, groups: pd.DataFrame, memberships: pd.DataFrame, *, complementary: bool
) -> pd.DataFrame:
    codes = suppress_small_counts(
        frame, by=["period_id"], memberships=memberships, complementary=complementary
    )
    frame["suppressed"] = codes.to_numpy() != SHOWN
    frame["hidden"] = [hidden_text(code) for code in codes]
    frame["_order"] = frame["group_id"].map(groups.set_index("id")["sort_order"])
    frame["Group"] = frame["group_id"].map(groups.set_index("id")["name"]).astype(str)
    return frame.sort_values("_order", kind="stable")


def representation_table(
    analytics: Analytics,
    measure_id: int,
    *,
    unit: str,
    groups: pd.DataFrame,
    memberships: pd.DataFrame,
) -> pd.DataFrame:
    """Each group's share (of people or dollars) against the benchmark population in the measure's
    latest period with group values, with small counts hidden. Columns: Group, Count, Share,
    Benchmark share, Representation index, Reading; and share_pct, benchmark_pct, index,
    suppressed, hidden (why, in words), period for charts and tests."""
    columns = [
        "Group", "Count", "Share", "Benchmark share", "Representation index", "Reading",
        "share_pct", "benchmark_pct", "index", "suppressed", "hidden", "period",
    ]  # fmt: skip
    frame = _latest_rows(analytics, measure_id)
    if frame.empty:
        return pd.DataFrame(columns=columns)
    if unit == "dollars":  # dollars count no people: nothing to hide
        frame["count"] = np.nan
    frame = _hide(frame, groups, memberships, complementary=unit == "count")
    shown = ~frame["suppressed"]
    share_pct = (frame["share"] * 100).where(shown)
    index = frame["representation_index"].where(shown)
    frame["Count"] = [
        hidden or measure_value(value, unit=unit)
        for hidden, value in zip(frame["hidden"], frame["value"], strict=True)
    ]
    frame["Share"] = [
        hidden or percent(value) for hidden, value in zip(frame["hidden"], share_pct, strict=True)
    ]
    frame["Benchmark share"] = (frame["benchmark_share"] * 100).map(percent)
    frame["Representation index"] = [
        "hidden" if hidden else ratio_text(value)
        for hidden, value in zip(frame["hidden"], index, strict=True)
    ]
    frame["Reading"] = [
        f"Hidden: {hidden}" if hidden else _reading(value)
        for hidden, value in zip(frame["hidden"], index, strict=True)
    ]
    frame["share_pct"], frame["index"] = share_pct, index
    frame["benchmark_pct"] = frame["benchmark_share"] * 100
    frame["period"] = frame["period_label"].astype(str)
    return frame[columns].reset_index(drop=True)


def group_values_table(
    analytics: Analytics, measure_id: int, *, unit: str, groups: pd.DataFrame, memberships: pd.DataFrame
) -> pd.DataFrame:
    """For measures compared on their own values (rates): each group's value in the latest period,
    hidden where it rests on fewer than 10 people. Columns: Group, Value, value, suppressed, hidden,
    period."""
    columns = ["Group", "Value", "value", "suppressed", "hidden", "period"]
    frame = _latest_rows(analytics, measure_id)
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = _hide(frame, groups, memberships, complementary=False)
    frame["value"] = frame["value"].where(~frame["suppressed"])
    frame["Value"] = [
        f"{hidden} people" if hidden else number(value, unit=unit)
        for hidden, value in zip(frame["hidden"], frame["value"], strict=True)
    ]
    frame["period"] = frame["period_label"].astype(str)
    return frame[columns].reset_index(drop=True)


def benchmark_name(definitions: pd.DataFrame, benchmarks: pd.DataFrame, measure_id: int) -> str | None:
    """The name of the population a measure is compared with (``definitions`` indexed by
    measure_id, from ``reads.measure_definitions``), or None when it has none."""
    if measure_id not in definitions.index:
        return None
    benchmark_id = definitions.at[measure_id, "benchmark_id"]
    if pd.isna(benchmark_id):
        return None
    match = benchmarks[benchmarks["benchmark_id"] == int(benchmark_id)]
    return None if match.empty else str(match["benchmark_name"].iat[0])


def shares_alt(table: pd.DataFrame, *, measure_name: str, benchmark_name: str | None) -> str:
    """The text alternative of a shares chart: every shown group's share (and benchmark share)."""
    period = table["period"].iat[0] if len(table) else ""
    parts = []
    for row in table.to_dict("records"):
        if row["suppressed"]:
            parts.append(f"{row['Group']}: {row['hidden']}")
        elif benchmark_name is not None and pd.notna(row["benchmark_pct"]):
            parts.append(
                f"{row['Group']}: {row['Share']} against {row['Benchmark share']} "
                f"(index {row['Representation index']})"
            )
        else:
            parts.append(f"{row['Group']}: {row['Share']}")
    against = f" against their share of {benchmark_name}" if benchmark_name else ""
    return (
        f"Bar chart: each group's share of {measure_name.lower()} in {period}{against}. "
        + "; ".join(parts)
        + "."
    )


def goals_alt(table: pd.DataFrame, *, fiscal_year_label: str) -> str:
    """The text alternative of the goal health chart: each goal's progress and measures by health."""
    parts = [
        f"{goal.split(' · ')[0]}: {progress} progress, {health}"
        for goal, progress, health in zip(
            table["Goal"], table["Progress to target"], table["Measures by health"], strict=True
        )
    ]
    return (
        f"Stacked bar chart: the measures under each of the plan's {len(table)} goals by health in "
        f"{fiscal_year_label}. " + "; ".join(parts) + "."
    )


# --- the whole page, computed once per bureau, year and data version ----------------------------


@dataclass(frozen=True)
class DisparityPanel:
    measure_id: int
    key: str
    name: str
    unit: str
    focus_area: str
    link: str
    card: dict
    kind: str  # "shares" (counts and dollars, against a benchmark if any) or "values" (rates)
    table: pd.DataFrame
    benchmark_name: str | None
    alt: str


@dataclass(frozen=True)
class BureauPage:
    summary: dict
    goals: pd.DataFrame  # goal_table
    goal_health: pd.DataFrame
    goals_alt: str
    actions: pd.DataFrame
    scorecard: pd.DataFrame
    measures_with_values: int  # by the as-of date
    measures_reported_in_year: int
    disparities: list[DisparityPanel] = field(default_factory=list)


def bureau_page(
    analytics: Analytics,
    *,
    plan: pd.Series,
    goals: pd.DataFrame,
    measures: pd.DataFrame,
    updates: pd.DataFrame,
    definitions: pd.DataFrame,
    benchmarks: pd.DataFrame,
    groups: pd.DataFrame,
    memberships: pd.DataFrame,
    year: int,
    fiscal_year_key: str,
    fiscal_year_label: str,
) -> BureauPage:
    """Every table the bureau page shows for one plan and fiscal year.

    ``goals`` are the plan's goals (:func:`plan_goals`), ``measures`` the bureau's
    (``reads.measures``), ``updates`` its action updates (``reads.action_updates``),
    ``definitions`` ``reads.measure_definitions`` indexed by measure_id.
    """
    goal_frame = goal_table(analytics, goals)
    card = scorecard(analytics, measures, goals, fiscal_year_key=fiscal_year_key)
    panels = []
    for measure in disparity_measures(measures, goals).to_dict("records"):
        measure_id, unit = int(measure["id"]), str(measure["unit"])
        if unit in ("count", "dollars"):
            kind = "shares"
            table = representation_table(
                analytics, measure_id, unit=unit, groups=groups, memberships=memberships
            )
            name = benchmark_name(definitions, benchmarks, measure_id)
            alt = (
                shares_alt(table, measure_name=str(measure["name"]), benchmark_name=name)
                if len(table)
                else ""
            )
        else:
            kind, name, alt = "values", None, ""
            table = group_values_table(
                analytics, measure_id, unit=unit, groups=groups, memberships=memberships
            )
        panels.append(
            DisparityPanel(
                measure_id=measure_id,
                key=str(measure["key"]),
                name=str(measure["name"]),
                unit=unit,
                focus_area=str(measure["focus_area"]),
                link=measure_link(measure_id, fiscal_year_key),
                card=equity_score_card(analytics, measure_id),
                kind=kind,
                table=table,
                benchmark_name=name,
                alt=alt,
            )
        )
    return BureauPage(
        summary=plan_summary(analytics, plan),
        goals=goal_frame,
        goal_health=goal_health(analytics, goals),
        goals_alt=goals_alt(goal_frame, fiscal_year_label=fiscal_year_label),
        actions=actions_table(analytics, goals, updates),
        scorecard=card,
        measures_with_values=values_reported(analytics, card["measure_id"]),
        measures_reported_in_year=reported_in_year(analytics, card["measure_id"], year),
        disparities=panels,
    )
