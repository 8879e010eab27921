"""The whole analysis in one call: every judgement of every measure, action and level, as of a date.

Owns :class:`Analytics` (the results) and :func:`run_analytics`, which chains the pure functions of
the other modules in the order they depend on each other. The dashboards call this once per data
version and as-of date and cache the result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from equity_tracking.analytics.actions import action_status
from equity_tracking.analytics.disparities import (
    disparities_by_period,
    disparity_summary,
    group_shares,
    group_values,
)
from equity_tracking.analytics.frames import AnalyticsFrames
from equity_tracking.analytics.measures import measure_status
from equity_tracking.analytics.rollups import all_rollups
from equity_tracking.rules import as_of_day, plans_in_force


@dataclass(frozen=True)
class Analytics:
    """Everything judged as of one date. Frames and their columns are documented where they are made."""

    as_of: pd.Timestamp
    measures: pd.DataFrame  # measures.measure_status
    group_shares: pd.DataFrame  # disparities.group_shares (roll-up groups included)
    disparities: pd.DataFrame  # disparities.disparities_by_period
    disparity_summary: pd.DataFrame  # disparities.disparity_summary
    actions: pd.DataFrame  # actions.action_status
    rollups: dict[str, pd.DataFrame] = field(default_factory=dict)  # rollups.all_rollups, by level


def run_analytics(frames: AnalyticsFrames, *, as_of: dt.date | str | pd.Timestamp) -> Analytics:
    """Judge everything as it stood at the end of ``as_of``, using nothing reported later.

    Only the plan versions in force on that date count (:func:`equity_tracking.rules.plans_in_force`):
    the goals, measures and actions of a draft, or of a version adopted later, are left out of every
    frame and roll-up.
    """
    day = as_of_day(as_of)
    frames = in_force(frames, as_of=day)
    values = frames.values  # each function below picks what was visible by ``day`` itself
    measures = measure_status(frames.measures, values, as_of=day, interim_targets=frames.interim_targets)
    shares = group_shares(
        group_values(
            values, as_of=day, groups=frames.groups, memberships=frames.memberships, measures=frames.measures
        ),
        measures=frames.measures,
        groups=frames.groups,
        memberships=frames.memberships,
        benchmark_shares=frames.benchmark_shares,
    )
    by_period = disparities_by_period(shares, measures=frames.measures, groups=frames.groups)
    summary = disparity_summary(by_period, measures=frames.measures)
    actions = action_status(frames.actions, frames.action_updates, as_of=day)
    levels = all_rollups(
        measure_status=measures,
        action_status=actions,
        disparity_summary=summary,
        hierarchy=frames.hierarchy,
        goal_strategies=frames.goal_strategies,
    )
    return Analytics(day, measures, shares, by_period, summary, actions, levels)


def in_force(frames: AnalyticsFrames, *, as_of: pd.Timestamp) -> AnalyticsFrames:
    """The frames restricted to the plan versions in force at ``as_of`` (unchanged without plans)."""
    if frames.plans is None:
        return frames
    plan_ids = set(plans_in_force(frames.plans, as_of=as_of)["id"].astype("int64"))
    hierarchy = frames.hierarchy[frames.hierarchy["plan_id"].isin(plan_ids)]
    if len(hierarchy) == len(frames.hierarchy):
        return frames
    goal_ids = hierarchy["goal_id"]
    measures = frames.measures[frames.measures["goal_id"].isin(goal_ids)]
    kept = measures["measure_id"].to_numpy()
    values = frames.values[np.isin(frames.values["measure_id"].to_numpy(), kept)]
    actions = frames.actions[frames.actions["goal_id"].isin(goal_ids)]
    return replace(
        frames,
        hierarchy=hierarchy,
        measures=measures,
        values=values,
        actions=actions,
        action_updates=frames.action_updates[frames.action_updates["action_id"].isin(actions["action_id"])],
        goal_strategies=frames.goal_strategies[frames.goal_strategies["goal_id"].isin(goal_ids)],
        interim_targets=frames.interim_targets[frames.interim_targets["measure_id"].isin(kept)],
    )
