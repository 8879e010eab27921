"""One bureau's plan for a fiscal year: its summary, annual narrative, goals, actions, results
scorecard and disparities by race/ethnicity.

Pure functions of the public analytics (:class:`~equity_tracking.suppression.PublicView`, in which
figures by race/ethnicity are already suppressed) and a few small reads, shaped as the bureau page
shows them. Tables come in two forms: for people (text, Markdown-safe, with links) and as data
(raw numbers and codes, for downloads).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from equity_tracking import rules
from equity_tracking.analytics.states import ACTION_STATUS, CANNOT_JUDGE, HEALTH, HEALTH_ORDER
from equity_tracking.dashboards.common import (
    action_counts,
    health_counts,
    health_texts,
    next_due_text,
    trend_text,
)
from equity_tracking.formatting import (
    MISSING,
    date_text,
    difference,
    index,
    number,
    percent,
    ratio,
    signed_percent,
    state_text,
)
from equity_tracking.navigation import href
from equity_tracking.suppression import HIDDEN_LABEL, PublicView

DISPARITY_FOCUS_AREAS = ("workforce", "contracting")
SCORE_CAVEAT = (
    "An equity score (1 to 100) compares the best- and worst-off groups: 100 means no gap. A high "
    "score can also mean that every group is doing badly, so read it with the values themselves."
)
PLAN_STATUS_LABELS = {
    "draft": "Draft",
    "active": "Active",
    "completed": "Completed",
    "superseded": "Superseded",
}
NARRATIVE_PARTS = (
    ("highlights", "Highlights"),
    ("challenges", "Challenges and lessons"),
    ("priorities", "Priorities for next year"),
)


# --- the plan summary ------------------------------------------------------------------------------


def plan_goals(goals: pd.DataFrame, plan_id: int) -> pd.DataFrame:
    return goals[goals["plan_id"] == plan_id].reset_index(drop=True)


def plan_summary(view: PublicView, plan: pd.Series) -> dict[str, object]:
    """Everything the summary tiles say about one plan, as text ready to show."""
    rollup = view.rollups["plan"]
    match = rollup[rollup["entity_id"] == plan["id"]]
    row = match.iloc[0] if not match.empty else None

    def figure(column: str, scale: float = 1.0) -> float:
        return float(row[column]) * scale if row is not None and pd.notna(row[column]) else np.nan

    status = str(plan["status"])
    return {
        "title": str(plan["title"]),
        "span": str(plan["span"]),
        "version": int(plan["version"]),
        "status_text": PLAN_STATUS_LABELS.get(status, status.replace("_", " ").capitalize()),
        "adopted_text": date_text(plan.get("adopted_on")),
        "progress_text": percent(figure("progress_pct")),
        "expected_text": percent(figure("expected_pct")),
        "progress_reason": str(row["progress_reason"]) if row is not None else "There are no measures here.",
        "freshness_text": percent(figure("freshness", 100)),
        "measures_current": int(figure("measures_current")) if row is not None else 0,
        "measures_expected": int(figure("measures_expected")) if row is not None else 0,
        "actions_current": int(figure("actions_current")) if row is not None else 0,
        "n_measures": int(figure("n_measures")) if row is not None else 0,
        "n_actions": int(figure("n_actions")) if row is not None else 0,
        "actions_overdue": int(figure("actions_overdue")) if row is not None else 0,
        "health": health_counts(row),
        "actions": action_counts(row),
    }


# --- goals -------------------------------------------------------------------------------------------


def _goal_rows(view: PublicView, goals: pd.DataFrame) -> pd.DataFrame:
    rollup = view.rollups["goal"].set_index("entity_id")
    return rollup.reindex(goals["id"].to_numpy())


def _health_summary(row: pd.Series) -> str:
    parts = [
        f"{HEALTH[state].icon} {int(row.get(f'health_{state}', 0))} {HEALTH[state].label.lower()}"
        for state in HEALTH_ORDER
        if int(row.get(f"health_{state}", 0) or 0) > 0
    ]
    return ", ".join(parts) if parts else "no measures"


def goal_table(view: PublicView, goals: pd.DataFrame, *, baseline: bool) -> pd.DataFrame:
    """One row per bureau goal, for people: its title in full, its citywide goal and
    focus area, progress against what was expected by now, and its measures by health."""
    rows = _goal_rows(view, goals)
    progress = rows["progress_pct"].astype(float)
    expected = rows["expected_pct"].astype(float)
    return pd.DataFrame(
        {
            "Goal": [f"{key} · {title}" for key, title in zip(goals["key"], goals["title"], strict=True)],
            "Citywide goal": [
                f"Goal {number} · {title}"
                for number, title in zip(
                    goals["citywide_goal_number"], goals["citywide_goal_title"], strict=True
                )
            ],
            "Focus area": goals["focus_area_name"].astype(str).to_numpy(),
            "Progress": ["baseline year" if baseline else percent(value) for value in progress],
            "Expected by now": ["—" if baseline else percent(value) for value in expected],
            "Measures by health": [_health_summary(row) for _, row in rows.fillna(0).iterrows()],
        }
    )


def goal_data(view: PublicView, goals: pd.DataFrame) -> pd.DataFrame:
    """The goals as data: keys, codes and numbers."""
    rows = _goal_rows(view, goals)
    frame = pd.DataFrame(
        {
            "goal_key": goals["key"].to_numpy(),
            "goal": goals["title"].to_numpy(),
            "citywide_goal": goals["citywide_goal_number"].to_numpy(),
            "focus_area": goals["focus_area_key"].to_numpy(),
            "progress_pct": rows["progress_pct"].astype(float).round(1).to_numpy(),
            "expected_pct": rows["expected_pct"].astype(float).round(1).to_numpy(),
            "measures": rows["n_measures"].fillna(0).astype("int64").to_numpy(),
        }
    )
    for state in HEALTH_ORDER:
        frame[f"health_{state}"] = rows[f"health_{state}"].fillna(0).astype("int64").to_numpy()
    return frame


def goal_health(view: PublicView, goals: pd.DataFrame) -> pd.DataFrame:
    """Measures by health for each goal, long (states with none left out): goal (key · title),
    state, Health (icon + label), Measures."""
    rows = _goal_rows(view, goals)
    records = []
    for (_, goal), (_, row) in zip(goals.iterrows(), rows.fillna(0).iterrows(), strict=True):
        for state in HEALTH_ORDER:
            count = int(row[f"health_{state}"])
            if count:
                style = HEALTH[state]
                records.append(
                    {
                        "Goal": f"{goal['key']} · {goal['title']}",
                        "state": state,
                        "Health": state_text(style.icon, style.label),
                        "Measures": count,
                    }
                )
    return pd.DataFrame(records, columns=["Goal", "state", "Health", "Measures"])


# --- actions -----------------------------------------------------------------------------------------


def _plan_actions(view: PublicView, goals: pd.DataFrame) -> pd.DataFrame:
    actions = view.actions
    frame = actions[actions["goal_id"].isin(goals["id"])].copy()
    order = {goal_id: rank for rank, goal_id in enumerate(goals["id"])}
    frame["_order"] = frame["goal_id"].map(order)
    return frame.sort_values("_order", kind="stable").drop(columns="_order")  # plan order within goals


def latest_narratives(updates: pd.DataFrame, as_of: object) -> pd.DataFrame:
    """Per action, the newest update made by the as-of date: narrative and reported_at."""
    return rules.newest_action_updates(updates, as_of=as_of)[["narrative", "reported_at"]]


def actions_table(view: PublicView, goals: pd.DataFrame, updates: pd.DataFrame) -> pd.DataFrame:
    """The plan's actions as they stood at the as-of date, for people: status (an
    action past due and not completed reads "Overdue", with what the bureau last reported), %
    complete, lead, due date and the latest narrative by then."""
    frame = _plan_actions(view, goals)
    columns = ["Action", "Status", "Complete", "Lead", "Due", "Latest update", "Updated"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    latest = latest_narratives(updates, view.as_of)
    narrative = frame["action_id"].map(latest["narrative"]).astype(object)
    has_update = frame["action_id"].isin(latest.index).to_numpy()
    written = narrative.notna() & (narrative.astype(str).str.strip() != "")
    status = []
    for state, reported in zip(frame["status"], frame["reported_status"], strict=True):
        text = state_text(ACTION_STATUS[state].icon, ACTION_STATUS[state].label)
        if state == "overdue":
            text += f" (last reported: {ACTION_STATUS[reported].label.lower()})"
        status.append(text)
    return pd.DataFrame(
        {
            "Action": [f"{key} · {title}" for key, title in zip(frame["key"], frame["title"], strict=True)],
            "Status": status,
            "Complete": frame["percent_complete"].map(lambda value: percent(value, decimals=0)).to_numpy(),
            "Lead": frame["lead"].astype(object).fillna(MISSING).replace("", MISSING).to_numpy(),
            "Due": frame["due_date"].map(date_text).to_numpy(),
            "Latest update": np.where(
                has_update,
                np.where(written, narrative, "Updated without a narrative."),
                "No update reported yet.",
            ),
            "Updated": frame["action_id"].map(latest["reported_at"]).map(date_text).to_numpy(),
        }
    )


def actions_data(view: PublicView, goals: pd.DataFrame) -> pd.DataFrame:
    frame = _plan_actions(view, goals)
    return pd.DataFrame(
        {
            "action_key": frame["key"].to_numpy(),
            "action": frame["title"].to_numpy(),
            "status": frame["status"].to_numpy(),
            "reported_status": frame["reported_status"].to_numpy(),
            "percent_complete": frame["percent_complete"].to_numpy(),
            "lead": frame["lead"].to_numpy(),
            "start_date": pd.to_datetime(frame["start_date"]).to_numpy(),
            "due_date": pd.to_datetime(frame["due_date"]).to_numpy(),
            "overdue": frame["overdue"].astype(bool).to_numpy(),
            "last_update_at": pd.to_datetime(frame["last_update_at"], utc=True),
        }
    )


# --- the results scorecard -----------------------------------------------------------------------------


def _scorecard_rows(
    view: PublicView, measures: pd.DataFrame, goals: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    mine = measures[measures["goal_id"].isin(goals["id"])].reset_index(drop=True)
    status = view.measure_status.set_index("measure_id").reindex(mine["id"].to_numpy()).reset_index()
    return mine, status


def scorecard(
    view: PublicView, measures: pd.DataFrame, goals: pd.DataFrame, *, fiscal_year_key: str
) -> pd.DataFrame:
    """The Clear Impact results scorecard of the plan's measures, for people (each measure's name
    with the address of its page, ``measure_url``, for ``ui.table`` to link): health and when the
    next value is due first, then current, prior and target values, variance (in points for a
    percentage), % of target, trend, baseline % change and forecast."""
    mine, status = _scorecard_rows(view, measures, goals)
    units = mine["unit"].astype(str).to_numpy()

    def values(column: str) -> list[str]:
        return [number(value, unit=unit) for value, unit in zip(status[column], units, strict=True)]

    return pd.DataFrame(
        {
            "Measure": mine["name"].astype(str).to_numpy(),
            "measure_url": [
                href("measure", measure=int(measure_id), fy=fiscal_year_key) for measure_id in mine["id"]
            ],
            "Health": health_texts(status.assign(health=status["health"].astype(object).fillna("no_data"))),
            "Next value due": [next_due_text(row) for _, row in status.iterrows()],
            "Current": values("current_value"),
            "Period": status["current_period"].astype(object).fillna("").replace("", MISSING).to_numpy(),
            "Prior": values("prior_value"),
            "Target": [
                f"{number(value, unit=unit)} by {period}" if period else number(value, unit=unit)
                for value, unit, period in zip(
                    mine["target_value"], units, mine["target_period"].fillna(""), strict=True
                )
            ],
            "Variance": [
                difference(value, unit=unit)
                for value, unit in zip(status["variance_from_target"], units, strict=True)
            ],
            "% of target": status["percent_of_target"].map(percent).to_numpy(),
            "Trend": [
                trend_text(str(icon), str(label), int(periods), str(state))
                for icon, label, periods, state in zip(
                    status["trend_icon"].astype(object).fillna("?"),
                    status["trend_label"].astype(object).fillna(""),
                    status["trend_periods"].fillna(0),
                    status["trend"].astype(object).fillna(CANNOT_JUDGE),
                    strict=True,
                )
            ],
            "Baseline % change": status["baseline_change_pct"].map(signed_percent).to_numpy(),
            "Forecast": values("forecast_value"),
        }
    )


def scorecard_data(view: PublicView, measures: pd.DataFrame, goals: pd.DataFrame) -> pd.DataFrame:
    """The scorecard as data: ids, codes and raw numbers."""
    mine, status = _scorecard_rows(view, measures, goals)
    return pd.DataFrame(
        {
            "measure_id": mine["id"].to_numpy(),
            "measure_key": mine["key"].to_numpy(),
            "measure": mine["name"].to_numpy(),
            "unit": mine["unit"].to_numpy(),
            "polarity": mine["polarity"].to_numpy(),
            "health": status["health"].astype(object).to_numpy(),
            "next_due": pd.to_datetime(status["next_due"]).to_numpy(),
            "current_value": status["current_value"].to_numpy(float),
            "current_period": status["current_period"].astype(object).to_numpy(),
            "prior_value": status["prior_value"].to_numpy(float),
            "target_value": mine["target_value"].to_numpy(float),
            "target_period": mine["target_period"].to_numpy(),
            "variance_from_target": status["variance_from_target"].to_numpy(float),
            "percent_of_target": status["percent_of_target"].to_numpy(float),
            "progress_pct": status["progress_pct"].to_numpy(float),
            "trend": status["trend"].astype(object).to_numpy(),
            "trend_periods": status["trend_periods"].to_numpy(),
            "baseline_change_pct": status["baseline_change_pct"].to_numpy(float),
            "forecast_value": status["forecast_value"].to_numpy(float),
        }
    )


def reported_in_year(view: PublicView, measure_ids: pd.Series, year: int) -> int:
    """How many of these measures have a value for a period ending within fiscal year ``year``."""
    status = view.measure_status
    mine = status[status["measure_id"].isin(list(measure_ids))]
    start, end = pd.Timestamp(year, 7, 1), pd.Timestamp(year + 1, 6, 30)
    return int(pd.to_datetime(mine["current_period_end"]).between(start, end).sum())


# --- disparities by race/ethnicity ------------------------------------------------------------------


@dataclass(frozen=True)
class DisparityPanel:
    measure_id: int
    name: str
    unit: str
    focus_area: str
    period: str
    score_text: str  # "58 of 100", "Not scored", "Hidden"
    change_text: str | None
    sentence: str  # plain text: names only groups that are shown
    kind: str  # "shares" (counts and dollars, against a benchmark) or "values" (rates)
    table: pd.DataFrame  # for people
    data: pd.DataFrame  # as data
    unknown_note: str  # plain text: how many did not state their race/ethnicity
    benchmark_name: str | None
    any_hidden: bool
    chart_rows: pd.DataFrame = field(default_factory=pd.DataFrame)  # group, share_pct, benchmark_pct, text


def disparity_measures(measures: pd.DataFrame, goals: pd.DataFrame) -> pd.DataFrame:
    """The plan's disaggregated workforce and contracting measures, in plan order."""
    focus = goals.set_index("id")
    mine = measures[measures["goal_id"].isin(goals["id"])]
    keep = mine["goal_id"].map(focus["focus_area_key"]).isin(DISPARITY_FOCUS_AREAS) & mine[
        "disaggregated"
    ].astype(bool)
    frame = mine[keep].copy()
    frame["focus_area"] = frame["goal_id"].map(focus["focus_area_name"])
    return frame.reset_index(drop=True)


def _latest_period(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of the latest period (a fiscal year over its fourth quarter)."""
    if rows.empty:
        return rows
    last = rules.latest_period_last(rows).iloc[-1]
    return rows[rows["period_id"] == last["period_id"]]


def score_texts(summary: pd.DataFrame) -> tuple[str, str | None, str]:
    """(score, change since the baseline year or None, sentence) of a measure's row of
    ``PublicView.disparity_summary``: "49 of 100", "Hidden" or "Not scored", and plain text that
    names only groups that are shown (the bureau page's panels and the annual reports say the same)."""
    if summary.empty:
        return "Not scored", None, "No values by race/ethnicity had been published by then."
    row = summary.iloc[0]
    code = str(row["disparity_reason_code"])
    period = str(row["period_label"])
    if code == "suppressed":
        return "Hidden", None, f"{period}: {row['disparity_reason']}"
    score = None if pd.isna(row["equity_score"]) else int(row["equity_score"])
    change = None if pd.isna(row["change_score"]) else int(row["change_score"])
    change_text = f"{change:+d} since the baseline year" if change is not None else None
    if score is None:
        return "Not scored", change_text, f"{period}: {row['disparity_reason']}"
    compared = "representation indices" if row["basis"] == "representation" else "values"
    figure = ratio(row["disparity_ratio"])
    sentence = f"{period}: {row['disparity_reason']} The ratio of their {compared} is {figure}."
    return f"{score} of 100", change_text, sentence


def _reading(value: float) -> str:
    if pd.isna(value):
        return MISSING
    if round(value, 2) == 1.0:
        return f"{index(value)}: at parity"
    side = "above" if value > 1 else "below"
    return f"{index(value)}: {side} parity ({percent(value * 100, decimals=0)} of the benchmark share)"


def _group_names(frame: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    lookup = groups.set_index("id")
    frame = frame.assign(
        group=frame["group_id"].map(lookup["name"]).astype(str),
        _order=frame["group_id"].map(lookup["sort_order"]),
        is_unknown=frame["group_id"].map(lookup["is_unknown"]).fillna(False).astype(bool),
    )
    return frame.sort_values("_order", kind="stable")


def _unknown_note(rows: pd.DataFrame, unit: str) -> str:
    unknown = rows[rows["is_unknown"]]
    if unknown.empty or unit != "count":
        return ""
    count = float(unknown["value"].iloc[0])
    everyone = (
        count + float(rows.loc[~rows["is_unknown"], "known_total"].iloc[0])
        if (~rows["is_unknown"]).any()
        else count
    )
    share = percent(100 * count / everyone) if everyone else MISSING
    return (
        f"{number(count, unit='count')} of {number(everyone, unit='count')} people ({share}) did not state "
        "their race/ethnicity; the shares above are of everyone else."
    )


def shares_panel_rows(rows: pd.DataFrame, *, unit: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(table for people, data) of a count or dollar measure's groups in one period: share against the
    benchmark population, the representation index and what it means; hidden figures say so."""
    known = rows[~rows["is_unknown"]]
    hidden = known["suppressed"].astype(bool).to_numpy()
    table = pd.DataFrame(
        {
            "Group": known["group"].to_numpy(),
            "Count": np.where(hidden, HIDDEN_LABEL, [number(value, unit=unit) for value in known["value"]]),
            "Share": np.where(hidden, HIDDEN_LABEL, [percent(value * 100) for value in known["share"]]),
            "Benchmark share": [percent(value * 100) for value in known["benchmark_share"]],
            "Representation index": np.where(
                hidden, HIDDEN_LABEL, [index(value) for value in known["representation_index"]]
            ),
            "Reading": np.where(
                hidden, HIDDEN_LABEL, [_reading(value) for value in known["representation_index"]]
            ),
        }
    )
    data = pd.DataFrame(
        {
            "group": known["group"].to_numpy(),
            "period": known["period_label"].astype(str).to_numpy(),
            "count": known["value"].to_numpy(float),
            "share_pct": (known["share"] * 100).round(1).to_numpy(),
            "benchmark_share_pct": (known["benchmark_share"] * 100).round(1).to_numpy(),
            "representation_index": known["representation_index"].round(3).to_numpy(),
            "hidden": hidden,
        }
    )
    return table, data


def values_panel_rows(rows: pd.DataFrame, *, unit: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(table for people, data) of a rate measure's groups in one period."""
    hidden = rows["suppressed"].astype(bool).to_numpy()
    table = pd.DataFrame(
        {
            "Group": rows["group"].to_numpy(),
            "Value": np.where(hidden, HIDDEN_LABEL, [number(value, unit=unit) for value in rows["value"]]),
        }
    )
    data = pd.DataFrame(
        {
            "group": rows["group"].to_numpy(),
            "period": rows["period_label"].astype(str).to_numpy(),
            "value": rows["value"].to_numpy(float),
            "hidden": hidden,
        }
    )
    return table, data


def disparity_panels(
    view: PublicView,
    *,
    measures: pd.DataFrame,
    goals: pd.DataFrame,
    groups: pd.DataFrame,
    benchmark_names: dict[int, str],
) -> list[DisparityPanel]:
    """A panel per disaggregated workforce or contracting measure: its latest equity score (or why
    there is none), and its groups' figures in that period, all from the suppressed public view."""
    chosen = disparity_measures(measures, goals)
    ids = chosen["id"].astype(int).tolist()
    shares = view.group_shares(ids)
    summary = view.disparity_summary(ids)
    panels = []
    for measure in chosen.to_dict("records"):
        measure_id, unit = int(measure["id"]), str(measure["unit"])
        rows = _group_names(_latest_period(shares[shares["measure_id"] == measure_id]), groups)
        kind = "shares" if unit in ("count", "dollars") else "values"
        table, data = (shares_panel_rows if kind == "shares" else values_panel_rows)(rows, unit=unit)
        score_text, change_text, sentence = score_texts(summary[summary["measure_id"] == measure_id])
        benchmark_id = measure.get("benchmark_id")
        chart_rows = pd.DataFrame()
        if kind == "shares" and not rows.empty:
            known = rows[~rows["is_unknown"]]
            chart_rows = pd.DataFrame(
                {
                    "group": known["group"].to_numpy(),
                    "share_pct": (known["share"] * 100).to_numpy(float),
                    "benchmark_pct": (known["benchmark_share"] * 100).to_numpy(float),
                    "hidden": known["suppressed"].astype(bool).to_numpy(),
                }
            )
        panels.append(
            DisparityPanel(
                measure_id=measure_id,
                name=str(measure["name"]),
                unit=unit,
                focus_area=str(measure["focus_area"]),
                period=str(rows["period_label"].iloc[0]) if len(rows) else "",
                score_text=score_text,
                change_text=change_text,
                sentence=sentence,
                kind=kind,
                table=table,
                data=data,
                unknown_note=_unknown_note(rows, unit) if len(rows) else "",
                benchmark_name=benchmark_names.get(int(benchmark_id)) if pd.notna(benchmark_id) else None,
                any_hidden=bool(rows["suppressed"].any()) if len(rows) else False,
                chart_rows=chart_rows,
            )
        )
    return panels
