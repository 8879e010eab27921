"""Roll-ups: how goals, plans, bureaus, citywide goals, focus areas and strategies are doing.

Owns the aggregation of measure, action and equity judgements up the plan hierarchy:
- progress: a bureau goal's progress is the mean of its measures' progress (clamped to 0–100 %, so
  one measure far past its target cannot hide another that went backwards), weighted by the
  measures' weights (1 unless a plan says otherwise); every higher level is the plain mean of the
  progress of the bureau goals under it (a citywide goal, focus area or strategy: every bureau goal
  mapped to it). The progress *expected* by then is averaged the same way, over the same measures,
  so the two can be read side by side;
- counts: measures by health, actions by status, overdue actions;
- freshness: the share of measures (not ended) and actions whose updates are current;
- equity: the plain mean of the latest equity scores and change scores of its measures, as the
  Equity Indicators method averages indicators into topics and themes.

Measures and actions are first summed per bureau goal (:func:`goal_table`); every level is then one
vectorised group-by over that small table, reached through each goal (``hierarchy``: ``goal_id``,
``plan_id``, ``bureau_id``, ``citywide_goal_id``, ``focus_area_id``; ``goal_strategies``:
``goal_id``, ``strategy_id``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from equity_tracking.analytics import _text
from equity_tracking.analytics.states import ACTION_STATUS_ORDER, CANNOT_JUDGE, HEALTH_ORDER

# Level name → the hierarchy column that identifies an entity at that level ("city": everything).
LEVELS = {
    "goal": "goal_id",
    "plan": "plan_id",
    "bureau": "bureau_id",
    "citywide_goal": "citywide_goal_id",
    "focus_area": "focus_area_id",
    "strategy": "strategy_id",
    "city": "city_id",
}


def goal_progress(measure_status: pd.DataFrame) -> pd.DataFrame:
    """Per bureau goal: the weighted mean clamped progress (a fraction) of its measures that have
    one, and the weighted mean progress expected of those same measures by their latest values.

    Columns: goal_id, progress, expected, n_progress (measures averaged). Measures with no progress
    (no data, not judged by direction, or cannot be judged) are left out rather than counted as zero.
    """
    progress = measure_status["progress_pct_clamped"] / 100
    weight = measure_status["weight"] if "weight" in measure_status else pd.Series(1.0, index=progress.index)
    weight = weight.astype(float).where(progress.notna(), 0.0)
    expected = measure_status["expected_progress"].astype(float).fillna(0.0)
    parts = pd.DataFrame(
        {
            "goal_id": measure_status["goal_id"],
            "weighted": (progress * weight).fillna(0.0),
            "weighted_expected": expected * weight,
            "weight": weight,
        }
    )
    sums = parts.groupby("goal_id").sum()
    total = sums["weight"].where(sums["weight"] > 0)
    result = pd.DataFrame(
        {"progress": sums["weighted"] / total, "expected": sums["weighted_expected"] / total}
    )
    result["n_progress"] = progress.notna().groupby(measure_status["goal_id"]).sum().astype("int64")
    return result.reset_index()


def goal_table(
    *,
    measure_status: pd.DataFrame,
    action_status: pd.DataFrame,
    disparity_summary: pd.DataFrame,
    hierarchy: pd.DataFrame,
) -> pd.DataFrame:
    """Per bureau goal, everything the levels above add up: counts, sums and goal progress.

    Rolling up from this table (one row per goal) instead of from every measure and action makes
    each level a group-by over a few thousand rows.
    """
    goals = pd.DataFrame(index=pd.Index(hierarchy["goal_id"].to_numpy(), name="goal_id"))
    measures = measure_status.groupby("goal_id")
    goals["n_measures"] = measures.size()
    goals = goals.join(_counts(measure_status, "goal_id", "health", HEALTH_ORDER, "health_"))
    goals["n_actions"] = action_status.groupby("goal_id").size()
    goals = goals.join(_counts(action_status, "goal_id", "status", ACTION_STATUS_ORDER, "actions_"))
    goals["actions_overdue"] = action_status.groupby("goal_id")["overdue"].sum()
    expected = ~measure_status["ended"].astype(bool)
    goals["measures_current"] = (
        (expected & (measure_status["freshness"] == "current")).groupby(measure_status["goal_id"]).sum()
    )
    goals["measures_expected"] = expected.groupby(measure_status["goal_id"]).sum()
    goals["actions_current"] = (
        (action_status["freshness"] == "current").groupby(action_status["goal_id"]).sum()
    )
    goals = goals.join(_score_sums(measure_status, disparity_summary))
    counts = [name for name in goals.columns if not name.endswith("_sum")]
    goals = goals.fillna(0)
    goals[counts] = goals[counts].astype("int64")
    progress = goal_progress(measure_status).set_index("goal_id")
    goals["progress"] = progress["progress"]
    goals["expected"] = progress["expected"]
    goals["n_progress"] = progress["n_progress"].reindex(goals.index).fillna(0).astype("int64")
    return goals.reset_index()


def _counts(rows: pd.DataFrame, by: str, column: str, states: tuple[str, ...], prefix: str) -> pd.DataFrame:
    table = rows.groupby([by, column], observed=True).size().unstack(fill_value=0)
    return table.reindex(columns=list(states), fill_value=0).add_prefix(prefix)


def _score_sums(measure_status: pd.DataFrame, disparity_summary: pd.DataFrame) -> pd.DataFrame:
    """Sum and count of latest equity scores and change scores per goal (means are taken later)."""
    scores = disparity_summary[["measure_id", "equity_score", "change_score"]].merge(
        measure_status[["measure_id", "goal_id"]], on="measure_id"
    )
    sums = pd.DataFrame(index=pd.Index([], name="goal_id"))
    for name, column in (("equity", "equity_score"), ("change", "change_score")):
        score = scores[column].astype("Float64").astype(float)
        sums[f"{name}_sum"] = score.groupby(scores["goal_id"]).sum()
        sums[f"{name}_count"] = score.notna().groupby(scores["goal_id"]).sum()
    return sums


def _goal_entities(goals: pd.DataFrame, hierarchy: pd.DataFrame, links: pd.DataFrame, column: str) -> tuple:
    """(row of the goal table, entity id) for every goal at one level; a goal under several
    strategies counts under each of them, a goal with no entity at this level under none."""
    rows = np.arange(len(goals))
    goal_ids = goals["goal_id"].to_numpy(np.int64)
    if column == "goal_id":
        return rows, goal_ids
    if column == "city_id":
        return rows, np.zeros(len(goals), dtype=np.int64)
    if column == "strategy_id":
        position = pd.Index(goal_ids).get_indexer(links["goal_id"].to_numpy(np.int64))
        known = position >= 0
        return position[known], links["strategy_id"].to_numpy(np.int64)[known]
    entity = hierarchy.set_index("goal_id")[column].reindex(goal_ids).to_numpy(float)
    known = np.isfinite(entity)
    return rows[known], entity[known].astype(np.int64)


def rollup_goals(
    goals: pd.DataFrame, *, level: str, hierarchy: pd.DataFrame, goal_strategies: pd.DataFrame
) -> pd.DataFrame:
    """One row per entity of ``level`` (see :data:`LEVELS`) from :func:`goal_table`.

    Columns: level, entity_id, n_goals, n_measures, progress (fraction 0–1), progress_pct, expected
    and expected_pct (the progress expected by then, averaged over the same measures and goals),
    n_progress (measures averaged for a goal; goals averaged above), progress_state
    ("judged"/"cannot_judge"), progress_reason, health_<state> for every health state, n_actions,
    actions_<status> for every action status, actions_overdue, measures_current, measures_expected
    (measures not ended), actions_current, measure_freshness, action_freshness, freshness (shares
    0–1), equity_score_mean, change_score_mean, n_scored, n_change_scored.

    Sums are numpy reductions over the goals sorted by entity: the table is small, and pandas'
    per-call overhead, not arithmetic, would otherwise be most of the time.
    """
    rows, entity = _goal_entities(goals, hierarchy, goal_strategies, LEVELS[level])
    order = np.argsort(entity, kind="stable")
    rows, entity = rows[order], entity[order]
    starts = np.flatnonzero(np.r_[True, entity[1:] != entity[:-1]]) if len(entity) else np.zeros(0, int)
    summed = [name for name in goals.columns if name not in ("goal_id", "progress", "expected", "n_progress")]
    matrix = goals[summed].to_numpy(float)[rows]
    totals = np.add.reduceat(matrix, starts, axis=0) if len(starts) else np.zeros((0, len(summed)))
    frame = pd.DataFrame(totals, columns=summed, index=pd.Index(entity[starts], name="entity_id"))
    frame.insert(0, "n_goals", np.diff(np.r_[starts, len(entity)]))
    progress = goals["progress"].to_numpy(float)[rows]
    expected = goals["expected"].to_numpy(float)[rows]
    if level == "goal":
        frame["progress"] = progress[starts]
        frame["expected"] = expected[starts]
        frame["n_progress"] = goals["n_progress"].to_numpy(np.int64)[rows][starts]
    else:
        # A plain mean over the goals that have progress, for what was made and what was expected.
        counted = _sum_runs(np.isfinite(progress).astype(float), starts)
        with np.errstate(invalid="ignore", divide="ignore"):
            per_goal = np.where(counted > 0, counted, np.nan)
            frame["progress"] = _sum_runs(np.nan_to_num(progress), starts) / per_goal
            frame["expected"] = _sum_runs(np.where(np.isfinite(progress), expected, 0.0), starts) / per_goal
        frame["n_progress"] = counted.astype(np.int64)
    return _finish(_shares(frame), level)


def _sum_runs(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    return np.add.reduceat(values, starts) if len(starts) else np.zeros(0)


def _shares(frame: pd.DataFrame) -> pd.DataFrame:
    def ratio(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(whole > 0, part / np.where(whole > 0, whole, 1), np.nan)

    column = {name: frame[name].to_numpy(float) for name in frame.columns}
    frame["measure_freshness"] = ratio(column["measures_current"], column["measures_expected"])
    frame["action_freshness"] = ratio(column["actions_current"], column["n_actions"])
    frame["freshness"] = ratio(
        column["measures_current"] + column["actions_current"],
        column["measures_expected"] + column["n_actions"],
    )
    frame["equity_score_mean"] = ratio(column["equity_sum"], column["equity_count"])
    frame["change_score_mean"] = ratio(column["change_sum"], column["change_count"])
    frame = frame.drop(columns=["equity_sum", "change_sum"])
    return frame.rename(columns={"equity_count": "n_scored", "change_count": "n_change_scored"})


def _finish(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    counts = [name for name in frame.columns if name.startswith(("n_", "health_", "actions_", "measures_"))]
    frame[counts] = frame[counts].astype("int64")
    frame["progress_pct"] = frame["progress"] * 100
    frame["expected_pct"] = frame["expected"] * 100
    judged = frame["progress"].notna().to_numpy()
    frame["progress_state"] = _text.choose([judged], ["judged"], CANNOT_JUDGE)
    n_progress = frame["n_progress"].to_numpy()
    averaged = _text.concat_unique(
        "Mean progress of ",
        n_progress,
        " ",
        "measure" if level == "goal" else "goal",
        np.where(n_progress == 1, ".", "s."),
    )
    frame["progress_reason"] = _text.choose(
        [(frame["n_measures"] == 0).to_numpy(), ~judged],
        ["There are no measures here.", "No measure here has progress to report yet."],
        averaged,
    )
    frame.insert(0, "level", level)
    return frame.reset_index()


def all_rollups(
    *,
    measure_status: pd.DataFrame,
    action_status: pd.DataFrame,
    disparity_summary: pd.DataFrame,
    hierarchy: pd.DataFrame,
    goal_strategies: pd.DataFrame,
) -> dict[str, pd.DataFrame]:
    """Every level in :data:`LEVELS`, by level name."""
    goals = goal_table(
        measure_status=measure_status,
        action_status=action_status,
        disparity_summary=disparity_summary,
        hierarchy=hierarchy,
    )
    return {
        level: rollup_goals(goals, level=level, hierarchy=hierarchy, goal_strategies=goal_strategies)
        for level in LEVELS
    }
