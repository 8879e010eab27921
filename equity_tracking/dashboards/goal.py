"""One citywide goal: its headline numbers, the bureaus' contributions ranked, the health of its
measures, and breakdowns by focus area and by strategy. Pure functions of the analytics and a few
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

from equity_tracking.analytics.pipeline import Analytics
from equity_tracking.analytics.states import ACTION_STATUS, ACTION_STATUS_ORDER, HEALTH, HEALTH_ORDER
from equity_tracking.formatting import percent, state_text

HEALTH_COLUMNS = [f"health_{state}" for state in HEALTH_ORDER]
ACTION_COLUMNS = [f"actions_{status}" for status in ACTION_STATUS_ORDER]
COUNT_COLUMNS = ["n_measures", *HEALTH_COLUMNS, "n_actions", *ACTION_COLUMNS]
NO_RANK = "—"


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


def goal_headline(analytics: Analytics, *, goals: pd.DataFrame, citywide_goal_id: int) -> GoalHeadline:
    """Progress, counts, measures by health and actions by status of one citywide goal, from the
    analytics' citywide-goal roll-up."""
    rollup = analytics.rollups["citywide_goal"].set_index("entity_id")
    n_bureaus = int(goals.loc[goals["citywide_goal_id"] == citywide_goal_id, "bureau_id"].nunique())
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


def goal_rows(analytics: Analytics, goals: pd.DataFrame) -> pd.DataFrame:
    """The analytics' per-goal roll-up for these bureau goals: goal_id, bureau_id, progress_pct and
    the counts (measures, health, actions). A new frame: the analytics frames are shared."""
    per_goal = analytics.rollups["goal"].set_index("entity_id")[["progress_pct", *COUNT_COLUMNS]]
    found = per_goal.reindex(goals["id"].to_numpy())
    frame = pd.DataFrame(
        {
            "goal_id": goals["id"].to_numpy(),
            "bureau_id": goals["bureau_id"].to_numpy(),
            "progress_pct": found["progress_pct"].to_numpy(dtype=float),
        }
    )
    counts = found[COUNT_COLUMNS].fillna(0).to_numpy(dtype="int64")
    return pd.concat([frame, pd.DataFrame(counts, columns=COUNT_COLUMNS)], axis=1)


def bureau_progress(
    analytics: Analytics, *, goals: pd.DataFrame, bureaus: pd.DataFrame, fiscal_year_key: str
) -> pd.DataFrame:
    """Each bureau's mean progress over the given bureau goals, ranked (best first; bureaus without
    progress to report last, by name).

    Columns: bureau_id, code, name, n_goals, n_judged (goals with progress), progress_pct,
    progress_text, rank ("1", "2", … or "—"), the count columns summed over its goals, and link
    (``bureau?bureau=<code>&fy=<fy>``).
    """
    rows = goal_rows(analytics, goals)
    grouped = rows.groupby("bureau_id")
    frame = grouped[COUNT_COLUMNS].sum()
    frame.insert(0, "n_goals", grouped.size())
    frame.insert(1, "n_judged", grouped["progress_pct"].count())
    frame.insert(2, "progress_pct", grouped["progress_pct"].mean())
    frame = frame.reset_index()
    known = bureaus.set_index("id")
    frame["code"] = frame["bureau_id"].map(known["code"]).fillna("")
    frame["name"] = frame["bureau_id"].map(known["name"])
    frame["name"] = frame["name"].fillna("Bureau " + frame["bureau_id"].astype(str))
    frame["progress_pct"] = frame["progress_pct"].astype(float)
    frame["progress_text"] = frame["progress_pct"].map(percent)
    frame = frame.sort_values(["progress_pct", "name"], ascending=[False, True], na_position="last")
    # Ranked as shown (one decimal), so that two bureaus showing the same figure share a rank.
    ranks = frame["progress_pct"].round(1).rank(method="min", ascending=False)
    frame["rank"] = [str(int(rank)) if pd.notna(rank) else NO_RANK for rank in ranks]
    frame["link"] = [f"bureau?bureau={code}&fy={fiscal_year_key}" for code in frame["code"]]
    columns = ["bureau_id", "code", "name", "n_goals", "n_judged", "progress_pct", "progress_text", "rank"]
    return frame[[*columns, *COUNT_COLUMNS, "link"]].reset_index(drop=True)


def bureau_contributions(
    analytics: Analytics,
    *,
    goals: pd.DataFrame,
    bureaus: pd.DataFrame,
    citywide_goal_id: int,
    fiscal_year_key: str,
) -> pd.DataFrame:
    """:func:`bureau_progress` over the bureau goals mapped to one citywide goal."""
    under = goals[goals["citywide_goal_id"] == citywide_goal_id]
    return bureau_progress(analytics, goals=under, bureaus=bureaus, fiscal_year_key=fiscal_year_key)


def bureau_chart_table(contributions: pd.DataFrame) -> pd.DataFrame:
    """The data behind a ranked bar chart of :func:`bureau_progress`, as people read it."""
    return pd.DataFrame(
        {
            "Rank": contributions["rank"],
            "Bureau": contributions["name"],
            "Code": contributions["code"],
            "Progress": contributions["progress_text"],
            "Bureau goals": contributions["n_goals"],
            "Goals with progress": contributions["n_judged"],
        }
    )


def bureau_detail_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A bureau list with a link to each bureau's page, progress and its measures by health."""
    table = pd.DataFrame(
        {
            "Open": frame["link"],
            "Rank": frame["rank"],
            "Bureau": frame["name"],
            "Progress": frame["progress_text"],
            "Bureau goals": frame["n_goals"],
            "Measures": frame["n_measures"],
        }
    )
    for column, heading in health_headings(frame).items():
        table[heading] = frame[column].to_numpy()
    table["Actions"] = frame["n_actions"].to_numpy()
    return table


def health_headings(frame: pd.DataFrame) -> dict[str, str]:
    """``{"health_on_track": "✓ On track", …}`` for the health states that occur (always the four
    judged ones, so that a reader sees a zero rather than a missing column)."""
    always = {"achieved", "on_track", "behind", "at_risk"}
    return {
        f"health_{state}": state_text(HEALTH[state].icon, HEALTH[state].label)
        for state in HEALTH_ORDER
        if state in always or frame[f"health_{state}"].sum() > 0
    }


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


def health_table(health: dict[str, int]) -> pd.DataFrame:
    """Measures by health: Health ("✓ On track"), Measures, Share ("32.1 %")."""
    total = sum(health.values())
    return pd.DataFrame(
        {
            "Health": [state_text(HEALTH[state].icon, HEALTH[state].label) for state in health],
            "Measures": list(health.values()),
            "Share": [percent(100 * count / total if total else None) for count in health.values()],
        }
    )


def health_alt(health: dict[str, int], *, subject: str, fiscal_year_label: str) -> str:
    """ "Bar chart: the 567 measures under goal 1 by health in FY 2018-19. Achieved: 49; …" (states
    with no measure are left out; the table lists every state)."""
    total = sum(health.values())
    parts = "; ".join(f"{HEALTH[state].label}: {count:,}" for state, count in health.items() if count)
    parts = parts or "There are no measures yet"
    return f"Bar chart: the {total:,} measures {subject} by health in {fiscal_year_label}. {parts}."


# --- breakdowns by focus area and by strategy -------------------------------------------------------


def breakdown(
    analytics: Analytics, *, goals: pd.DataFrame, categories: pd.DataFrame, category_of: pd.DataFrame
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
    analytics: Analytics, *, goals: pd.DataFrame, focus_areas: pd.DataFrame, citywide_goal_id: int
) -> pd.DataFrame:
    """:func:`breakdown` of a citywide goal's bureau goals by focus area."""
    under = goals[goals["citywide_goal_id"] == citywide_goal_id]
    category_of = pd.DataFrame({"goal_id": under["id"], "category_id": under["focus_area_id"]})
    return breakdown(analytics, goals=under, categories=focus_areas, category_of=category_of)


def strategy_breakdown(
    analytics: Analytics,
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
            "Progress": frame["progress_text"],
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


def ranked_labels(frame: pd.DataFrame) -> list[str]:
    """The line above each bar of a :func:`bureau_progress` chart: "1. Portland Water Bureau · 3 goals"
    (no rank for a bureau without progress)."""
    return [
        bar_label(name if rank == NO_RANK else f"{rank}. {name}", goals_text(n_goals))
        for rank, name, n_goals in zip(frame["rank"], frame["name"], frame["n_goals"], strict=True)
    ]


def _breakdown_part(row) -> str:
    if row.n_goals == 0:
        return f"{row.name}: no bureau goals"
    progress = row.progress_text if row.n_judged else "no progress yet"
    return f"{row.name}: {progress} ({goals_text(row.n_goals)})"


def bar_label(name: str, detail: str) -> str:
    """The line written above a bar: "Portland Water Bureau · 3 goals"."""
    return f"{name} · {detail}" if detail else name


def goals_text(count: int) -> str:
    return f"{count:,} goal" + ("" if count == 1 else "s")
