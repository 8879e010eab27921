"""The thin loading layer: every frame the analytics need, read once through ``equity_tracking.reads``.

Owns :class:`AnalyticsFrames` (the inputs, all plain DataFrames) and :func:`load_frames`, the only
place in the analytics package that touches a database. The calculations never do: they take these
frames and an as-of date, so they can be tested on hand-made frames and cached by data version.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from equity_tracking import reads
from equity_tracking.permissions import Viewer


@dataclass(frozen=True)
class AnalyticsFrames:
    """Inputs of :func:`equity_tracking.analytics.run_analytics`; column lists are in ``reads``."""

    measures: pd.DataFrame  # reads.measure_definitions
    values: pd.DataFrame  # reads.measure_value_frame
    interim_targets: pd.DataFrame  # reads.interim_target_frame
    actions: pd.DataFrame  # reads.actions, with id → action_id, plan_id added, today's latest update left out
    action_updates: pd.DataFrame  # reads.action_update_frame
    hierarchy: pd.DataFrame  # reads.goals, with id → goal_id
    goal_strategies: pd.DataFrame  # reads.goal_strategy_links
    groups: pd.DataFrame  # reads.race_groups
    memberships: pd.DataFrame  # reads.race_group_membership_frame
    benchmark_shares: pd.DataFrame  # reads.benchmark_share_frame
    plans: pd.DataFrame | None = None  # reads.plans; None: every plan version counts (hand-made frames)


def load_frames(
    engine: Engine,
    *,
    viewer: Viewer,
    as_of: dt.date | None = None,
    include_superseded: bool = True,
) -> AnalyticsFrames:
    """Read everything the analytics need, as ``viewer`` may see it.

    ``as_of`` leaves out, already in the database, what could not have been seen by then (the
    calculations apply the same rule again, so a frame loaded for a later date is also safe).
    ``include_superseded`` (the default) keeps older versions of corrected values, so that one load
    can be judged as of any date and a value corrected later shows as it stood at the time; without
    it only today's versions are read, which is right for today alone (a period corrected after the
    as-of date would have no value at all).
    """
    hierarchy = reads.goals(engine, viewer=viewer).rename(columns={"id": "goal_id"})
    # The latest narrative and update time in reads.actions are today's, not as of a date: left out
    # (status and % complete are recomputed as of the date from the dated updates).
    actions = reads.actions(engine, viewer=viewer).rename(columns={"id": "action_id"})
    actions = actions.drop(columns=["latest_narrative", "latest_update_at"], errors="ignore")
    actions = actions.merge(hierarchy[["goal_id", "plan_id"]], on="goal_id", how="left")
    return AnalyticsFrames(
        measures=reads.measure_definitions(engine, viewer=viewer),
        values=reads.measure_value_frame(
            engine, viewer=viewer, as_of=as_of, include_superseded=include_superseded
        ),
        interim_targets=reads.interim_target_frame(engine),
        actions=actions,
        action_updates=reads.action_update_frame(engine, viewer=viewer, as_of=as_of),
        hierarchy=hierarchy,
        goal_strategies=reads.goal_strategy_links(engine),
        groups=reads.race_groups(engine),
        memberships=reads.race_group_membership_frame(engine),
        benchmark_shares=reads.benchmark_share_frame(engine),
        plans=reads.plans(engine, viewer=viewer),
    )
