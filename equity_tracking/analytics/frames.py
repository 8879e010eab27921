"""The thin loading layer: every frame the analytics need, read once through ``equity_tracking.reads``.

Owns :class:`AnalyticsFrames` (the inputs, all plain DataFrames), :func:`load_frames`, the only
place in the analytics package that touches a database, and the process's :data:`FRAME_STORE`. The
calculations never do: they take these frames and an as-of date, so they can be tested on
hand-made frames and cached by data version.

Also owns how the process's stores of frames and views account for memory: :func:`held_bytes` (what
a held object's DataFrames take) and :func:`release_freed_memory`. The frame store holds at most
``EQUITY_FRAME_CACHE_MB`` megabytes (default 300: the public's and the staff's frames of the
``--scale 10`` city take about 90 MB each), dropping the scopes least recently read first.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import dataclasses
import datetime as dt
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
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
    nbytes: int


class FrameStore:
    """The frames this process last read, per database and viewer scope, caught up on the next read
    by reading only what changed since.

    Values are append-only and a review step moves only its bureau's cycle, so a frame of every
    version read at a watermark becomes current by dropping and re-reading those rows
    (:func:`equity_tracking.reads.measure_value_changes`). The other frames are small and read
    whole. After a structural change (see ``writes.bump_data_version``) everything is read again.
    A saved value therefore costs each process a few rows, not the whole city.

    Only the newest frames of each key are held, and at most ``budget`` bytes in all (default:
    ``EQUITY_FRAME_CACHE_MB``), the keys least recently read dropped first: every bureau editor who
    includes unpublished work has a scope of their own, and each scope's frames are the whole city.
    """

    def __init__(self, *, budget: int | None = None) -> None:
        self._budget = budget
        self._held: OrderedDict[Hashable, _Held] = OrderedDict()  # least recently read first
        self._lock = threading.Lock()
        self._reading: dict[Hashable, threading.Lock] = {}

    def frames(self, engine: Engine, *, viewer: Viewer, key: Hashable) -> AnalyticsFrames:
        with self._lock:
            reading = self._reading.setdefault(key, threading.Lock())
        # One read per key at a time: requests for several fiscal years of a cold process would
        # each read the whole city at once (and hold it twice); the second catches up instead.
        with reading:
            watermark = reads.value_watermark(engine)  # before the rows: what lands meanwhile is read again
            with self._lock:
                held = self._held.get(key)
            if held is None or held.watermark.structure != watermark.structure or watermark < held.watermark:
                frames = load_frames(engine, viewer=viewer)
            else:
                frames = load_frames(engine, viewer=viewer, values=_caught_up(engine, viewer, held))
            self._hold(key, _Held(watermark, frames, held_bytes(frames)))
        return frames

    def _hold(self, key: Hashable, held: _Held) -> None:
        budget = budget_bytes(FRAME_BUDGET_VARIABLE, 300) if self._budget is None else self._budget
        dropped = False
        with self._lock:
            self._held[key] = held
            self._held.move_to_end(key)
            while len(self._held) > 1 and sum(entry.nbytes for entry in self._held.values()) > budget:
                self._held.popitem(last=False)  # never ``key``: it was just moved last
                dropped = True
        if dropped:
            release_freed_memory()

    @property
    def nbytes(self) -> int:
        with self._lock:
            return sum(entry.nbytes for entry in self._held.values())

    def contents(self) -> list[Hashable]:
        with self._lock:
            return list(self._held)

    def forget(self) -> None:
        with self._lock:
            self._held.clear()


def _caught_up(engine: Engine, viewer: Viewer, held: _Held) -> pd.DataFrame:
    added, dropped = reads.measure_value_changes(engine, viewer=viewer, since=held.watermark)
    kept = held.frames.values[~held.frames.values["version_id"].isin(dropped)]
    if added.empty:
        return kept.reset_index(drop=True)
    return pd.concat([kept, added], ignore_index=True).sort_values("version_id", ignore_index=True)


# --- memory -----------------------------------------------------------------------------------------

FRAME_BUDGET_VARIABLE = "EQUITY_FRAME_CACHE_MB"


def budget_bytes(variable: str, default_mb: float) -> int:
    """A store's budget: the environment ``variable`` in megabytes, else ``default_mb``. A value
    that is not a number counts as the default rather than stopping the app."""
    text = os.environ.get(variable, "").strip()
    try:
        megabytes = float(text) if text else default_mb
    except ValueError:
        megabytes = default_mb
    return int(max(megabytes, 0.0) * 2**20)


def held_bytes(*objects: object) -> int:
    """The bytes taken by the DataFrames and Series in ``objects``, found through dataclass fields
    (and what a dataclass caches on itself), mappings, lists and tuples; each counted once.

    ``memory_usage(deep=True)``: strings in object columns count with their characters, which a
    shallow count leaves out (a tenth of a view). Shared frames are counted in each store that
    holds them, so the figure is an upper bound."""
    seen: set[int] = set()
    total = 0
    pending = list(objects)
    while pending:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, pd.DataFrame):
            total += int(item.memory_usage(deep=True, index=True).sum())
        elif isinstance(item, pd.Series):
            total += int(item.memory_usage(deep=True, index=True))
        elif isinstance(item, Mapping):
            pending.extend(tuple(item.values()))  # a snapshot: another thread may be adding to it
        elif isinstance(item, list | tuple):
            pending.extend(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            pending.extend(tuple(getattr(item, "__dict__", {}).values()))
    return total


def _malloc_trim() -> Callable[[int], int] | None:
    with contextlib.suppress(OSError, AttributeError, TypeError):
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    return None


_MALLOC_TRIM = _malloc_trim()


def release_freed_memory() -> None:
    """Hand memory freed by dropped frames back to the operating system where the C library keeps
    it (glibc's ``malloc_trim``): pandas' large blocks come from the heap once a few have been
    freed, and without this the process's memory never shrinks after a store drops a view."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


FRAME_STORE = FrameStore()  # one per process, shared by its sessions (the frames are read-only)
