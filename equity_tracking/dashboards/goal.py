"""One citywide goal: its headline numbers, the bureaus' contributions ranked, the health of its
measures, and breakdowns by focus area and by strategy. Pure functions of the public analytics and a few
small reads (``goals``, ``bureaus``, ``focus_areas``, ``strategies``, ``goal_strategy_links``).

Every progress figure here is the plain mean of bureau goals' progress, as the analytics roll up a
citywide goal: a bureau's contribution is the mean over its bureau goals mapped to the citywide goal,
and a focus area's or strategy's the mean over the bureau goals under both. Goals without progress
to report (no measure with data) are counted but not averaged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from equity_tracking.analytics.states import ACTION_STATUS, ACTION_STATUS_ORDER, HEALTH, HEALTH_ORDER
from equity_tracking.dashboards.common import (
    COUNT_COLUMNS,
    bureau_progress,
    goal_rows,
    goals_text,
    health_headings,
)
from equity_tracking.formatting import percent, state_text
from equity_tracking.suppression import PublicView


@dataclass(frozen=True)
class GoalHeadline:
    """The headline figures of one citywide goal (zeros and "—" when nothing maps to it)."""

    progress_pct: float
    progress_text: str
    progress_reason: str
    n_goals: int
    n_bureaus: int
    n_measures: int
    n_actions: int
    health: dict[str, int]
    actions: dict[str, int]

    @property
    def measures_on_track(self) -> int:
        """Measures achieved or on track."""
        return self.health["achieved"] + self.health["on_track"]

    @property
    def measures_off_track(self) -> int:
        """Measures behind or at risk."""
        return self.health["behind"] + self.health["at_risk"]


# --- choosing the goal ------------------------------------------------------------------------------


def goal_options(citywide_goals: pd.DataFrame) -> dict[str, str]:
    """``{"1": "Goal 1 · End disparities in City government", …}`` for the URL-bound picker."""
    return {
        str(goal.number): f"Goal {goal.number} · {goal.short_title}" for goal in citywide_goals.itertuples()
    }


def chosen_goal(citywide_goals: pd.DataFrame, number: str | int | None) -> pd.Series | None:
    """The citywide goal with this number (as in the URL), or None."""
    if number is None:
        return None
    match = citywide_goals[citywide_goals["number"].astype(str) == str(number)]
    return match.iloc[0] if len(match) else None


def adoption_text(goal: pd.Series) -> str:
    """ "Adopted 8 July 2015 by City Council, Resolution 37144." (whatever parts are known)."""
    parts = []
    adopted_on = goal.get("adopted_on")
    if adopted_on is not None and pd.notna(adopted_on):
        day = pd.Timestamp(adopted_on)
        parts.append(f"{day.day} {day:%B %Y}")
    adopted_by = goal.get("adopted_by")
    if isinstance(adopted_by, str) and adopted_by:
        parts.append(f"by {adopted_by}")
    return ("Adopted " + " ".join(parts) + ".") if parts else ""


# --- headline ---------------------------------------------------------------------------------------


def goal_headline(analytics: PublicView, *, goals: pd.DataFrame, citywide_goal_id: int) -> GoalHeadline:
    """Progress, counts, measures by health and actions by status of one citywide goal, from the
    analytics' citywide-goal roll-up."""
    rollup = analytics.rollups["citywide_goal"].set_index("entity_id")
    in_force = goals[goals["id"].isin(analytics.rollups["goal"]["entity_id"])]
    n_bureaus = int(in_force.loc[in_force["citywide_goal_id"] == citywide_goal_id, "bureau_id"].nunique())
    if citywide_goal_id not in rollup.index:
        return GoalHeadline(
            progress_pct=np.nan,
            progress_text=percent(None),
            progress_reason="No bureau goal maps to this citywide goal yet.",
            n_goals=0,
            n_bureaus=n_bureaus,
            n_measures=0,
            n_actions=0,
            health=dict.fromkeys(HEALTH_ORDER, 0),
            actions=dict.fromkeys(ACTION_STATUS_ORDER, 0),
        )
    row = rollup.loc[citywide_goal_id]
    return GoalHeadline(
        progress_pct=float(row["progress_pct"]),
        progress_text=percent(row["progress_pct"]),
        progress_reason=str(row["progress_reason"]),
        n_goals=int(row["n_goals"]),
        n_bureaus=n_bureaus,
        n_measures=int(row["n_measures"]),
        n_actions=int(row["n_actions"]),
        health={state: int(row[f"health_{state}"]) for state in HEALTH_ORDER},
        actions={status: int(row[f"actions_{status}"]) for status in ACTION_STATUS_ORDER},
    )


def health_line(health: dict[str, int]) -> str:
    """ "★ Achieved **49** · ✓ On track **182** · …" (states with none are left out)."""
    return _counts_line(health, HEALTH) or "No measures."


def actions_line(actions: dict[str, int]) -> str:
    """ "★ Completed **85** · ✓ On track **98** · …" (statuses with none are left out)."""
    return _counts_line(actions, ACTION_STATUS) or "No actions."


def _counts_line(counts: dict[str, int], styles) -> str:
    return " · ".join(
        f"{state_text(styles[key].icon, styles[key].label)} **{count:,}**"
        for key, count in counts.items()
        if count
    )


# --- the bureaus' contributions ---------------------------------------------------------------------


def bureau_contributions(
    analytics: PublicView,
    *,
    goals: pd.DataFrame,
    bureaus: pd.DataFrame,
    citywide_goal_id: int,
) -> pd.DataFrame:
    """:func:`~equity_tracking.dashboards.common.bureau_progress` over the bureau goals mapped to one
    citywide goal."""
    under = goals[goals["citywide_goal_id"] == citywide_goal_id]
    return bureau_progress(analytics, goals=under, bureaus=bureaus)


def contributions_alt(contributions: pd.DataFrame, *, goal_number: int, fiscal_year_label: str) -> str:
    """The chart's text alternative: how many bureaus, the top and the bottom."""
    judged = contributions[contributions["progress_pct"].notna()]
    text = (
        f"Bar chart: {len(contributions)} bureaus ranked by the mean progress to target of their goals "
        f"under citywide goal {goal_number}, {fiscal_year_label}."
    )
    if len(judged):
        top, bottom = judged.iloc[0], judged.iloc[-1]
        text += f" Highest: {top['name']}, {top['progress_text']}."
        if len(judged) > 1:
            text += f" Lowest: {bottom['name']}, {bottom['progress_text']}."
    missing = len(contributions) - len(judged)
    if missing:
        text += f" {missing} bureau(s) have no progress to report yet."
    return text


# --- the health of its measures ---------------------------------------------------------------------


def health_alt(health: dict[str, int], *, subject: str, fiscal_year_label: str) -> str:
    """ "Bar chart: the 567 measures under goal 1 by health in FY 2018-19. Achieved: 49; …" (states
    with no measure are left out; the table lists every state)."""
    total = sum(health.values())
    parts = "; ".join(f"{HEALTH[state].label}: {count:,}" for state, count in health.items() if count)
    parts = parts or "There are no measures yet"
    return f"Bar chart: the {total:,} measures {subject} by health in {fiscal_year_label}. {parts}."


# --- breakdowns by focus area and by strategy -------------------------------------------------------


def breakdown(
    analytics: PublicView, *, goals: pd.DataFrame, categories: pd.DataFrame, category_of: pd.DataFrame
) -> pd.DataFrame:
    """Progress and counts of the bureau goals ``goals`` by category (focus area or strategy).

    ``categories``: id, name (every category, in display order: those without goals stay, with
    zeros); ``category_of``: goal_id, category_id (a goal under several strategies counts under
    each). Columns: category_id, name, n_goals, n_judged, n_bureaus, progress_pct, progress_text,
    progress_reason and the count columns.
    """
    rows = goal_rows(analytics, goals).merge(category_of[["goal_id", "category_id"]], on="goal_id")
    grouped = rows.groupby("category_id")
    summary = grouped[COUNT_COLUMNS].sum()
    summary["n_goals"] = grouped.size()
    summary["n_judged"] = grouped["progress_pct"].count()
    summary["n_bureaus"] = grouped["bureau_id"].nunique()
    summary["progress_pct"] = grouped["progress_pct"].mean()
    summary = summary.reindex(categories["id"].to_numpy())
    counts = [column for column in summary.columns if column != "progress_pct"]
    frame = pd.DataFrame({"category_id": categories["id"].to_numpy(), "name": categories["name"].to_numpy()})
    frame[counts] = summary[counts].fillna(0).to_numpy(dtype="int64")
    frame["progress_pct"] = summary["progress_pct"].to_numpy(dtype=float)
    frame["progress_text"] = [percent(value) for value in frame["progress_pct"]]
    frame["progress_reason"] = [
        _breakdown_reason(goals_, judged)
        for goals_, judged in zip(frame["n_goals"], frame["n_judged"], strict=True)
    ]
    columns = ["category_id", "name", "n_goals", "n_judged", "n_bureaus", "progress_pct", "progress_text"]
    return frame[[*columns, "progress_reason", *COUNT_COLUMNS]]


def _breakdown_reason(n_goals: int, n_judged: int) -> str:
    if n_goals == 0:
        return "No bureau goal here."
    if n_judged == 0:
        return "No goal here has progress to report yet."
    return f"Mean progress of {n_judged} goal{'' if n_judged == 1 else 's'}."


def focus_area_breakdown(
    analytics: PublicView, *, goals: pd.DataFrame, focus_areas: pd.DataFrame, citywide_goal_id: int
) -> pd.DataFrame:
    """:func:`breakdown` of a citywide goal's bureau goals by focus area."""
    under = goals[goals["citywide_goal_id"] == citywide_goal_id]
    category_of = pd.DataFrame({"goal_id": under["id"], "category_id": under["focus_area_id"]})
    return breakdown(analytics, goals=under, categories=focus_areas, category_of=category_of)


def strategy_breakdown(
    analytics: PublicView,
    *,
    goals: pd.DataFrame,
    strategies: pd.DataFrame,
    links: pd.DataFrame,
    citywide_goal_id: int,
) -> pd.DataFrame:
    """:func:`breakdown` of a citywide goal's bureau goals by the strategies they name
    (``links``: goal_id, strategy_id)."""
    under = goals[goals["citywide_goal_id"] == citywide_goal_id]
    category_of = links.rename(columns={"strategy_id": "category_id"})
    return breakdown(analytics, goals=under, categories=strategies, category_of=category_of)


def breakdown_table(frame: pd.DataFrame, *, heading: str) -> pd.DataFrame:
    """A breakdown as people read it: the category, progress, counts and measures by health."""
    table = pd.DataFrame(
        {
            heading: frame["name"],
            "Progress (%)": frame["progress_pct"].round(1),
            "Bureau goals": frame["n_goals"],
            "Bureaus": frame["n_bureaus"],
            "Measures": frame["n_measures"],
        }
    )
    for column, label in health_headings(frame).items():
        table[label] = frame[column].to_numpy()
    table["Actions"] = frame["n_actions"].to_numpy()
    table["★ Actions completed"] = frame["actions_completed"].to_numpy()
    return table


def breakdown_alt(frame: pd.DataFrame, *, by: str, goal_number: int, fiscal_year_label: str) -> str:
    """ "Bar chart: progress of goal 1's bureau goals by focus area, FY 2018-19. Workforce: 36.0 % (19
    goals); …"."""
    parts = "; ".join(_breakdown_part(row) for row in frame.itertuples())
    return (
        f"Bar chart: the mean progress to target of the bureau goals under citywide goal {goal_number}, "
        f"by {by}, {fiscal_year_label}. {parts}."
    )


def _breakdown_part(row) -> str:
    if row.n_goals == 0:
        return f"{row.name}: no bureau goals"
    progress = row.progress_text if row.n_judged else "no progress yet"
    return f"{row.name}: {progress} ({goals_text(row.n_goals)})"
