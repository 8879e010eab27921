"""The thin loading layer: every frame the analytics need, read once through ``equity_tracking.reads``.

Owns :class:`AnalyticsFrames` (the inputs, all plain DataFrames) and :func:`load_frames`, the only
place in the analytics package that touches a database. The calculations never do: they take these
frames and an as-of date, so they can be tested on hand-made frames and cached by data version.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Hashable
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
    values: pd.DataFrame | None = None,
) -> AnalyticsFrames:
    """Read everything the analytics need, as ``viewer`` may see it.

    ``as_of`` leaves out, already in the database, what could not have been seen by then (the
    calculations apply the same rule again, so a frame loaded for a later date is also safe).
    ``include_superseded`` (the default) keeps older versions of corrected values, so that one load
    can be judged as of any date and a value corrected later shows as it stood at the time; without
    it only today's versions are read, which is right for today alone (a period corrected after the
    as-of date would have no value at all). ``values`` given (already caught up, see
    :class:`FrameStore`) are used instead of reading them.
    """
    hierarchy = reads.goals(engine, viewer=viewer).rename(columns={"id": "goal_id"})
    # The latest narrative and update time in reads.actions are today's, not as of a date: left out
    # (status and % complete are recomputed as of the date from the dated updates).
    actions = reads.actions(engine, viewer=viewer).rename(columns={"id": "action_id"})
    actions = actions.drop(columns=["latest_narrative", "latest_update_at"], errors="ignore")
    actions = actions.merge(hierarchy[["goal_id", "plan_id"]], on="goal_id", how="left")
    return AnalyticsFrames(
        measures=reads.measure_definitions(engine, viewer=viewer),
        values=values
        if values is not None
        else reads.measure_value_frame(
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


@dataclass(frozen=True)
class _Held:
    watermark: reads.ValueWatermark
    frames: AnalyticsFrames


class FrameStore:
    """The frames this process last read, per database and viewer scope, caught up on the next read
    by reading only what changed since.

    Values are append-only and a review step moves only its bureau's cycle, so a frame of every
    version read at a watermark becomes current by dropping and re-reading those rows
    (:func:`equity_tracking.reads.measure_value_changes`). The other frames are small and read
    whole. After a structural change (see ``writes.bump_data_version``) everything is read again.
    A saved value therefore costs each process a few rows, not the whole city.
    """

    def __init__(self) -> None:
        self._held: dict[Hashable, _Held] = {}
        self._lock = threading.Lock()

    def frames(self, engine: Engine, *, viewer: Viewer, key: Hashable) -> AnalyticsFrames:
        watermark = reads.value_watermark(engine)  # before the rows: what lands meanwhile is read again
        with self._lock:
            held = self._held.get(key)
        if held is None or held.watermark.structure != watermark.structure or watermark < held.watermark:
            frames = load_frames(engine, viewer=viewer)
        else:
            frames = load_frames(engine, viewer=viewer, values=_caught_up(engine, viewer, held))
        with self._lock:
            self._held[key] = _Held(watermark, frames)
        return frames

    def forget(self) -> None:
        with self._lock:
            self._held.clear()


def _caught_up(engine: Engine, viewer: Viewer, held: _Held) -> pd.DataFrame:
    added, dropped = reads.measure_value_changes(engine, viewer=viewer, since=held.watermark)
    kept = held.frames.values[~held.frames.values["version_id"].isin(dropped)]
    if added.empty:
        return kept.reset_index(drop=True)
    return pd.concat([kept, added], ignore_index=True).sort_values("version_id", ignore_index=True)


FRAME_STORE = FrameStore()  # one per process, shared by its sessions (the frames are read-only)
