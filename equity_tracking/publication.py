"""What the public may take away, outside a page run: the suppressed view of the city as of a fiscal
year's reporting deadline, for the open-data API, the downloads bundle and the annual reports.

Owns :func:`build_public_view` (one analytics result wrapped by the suppression module: the pages'
cache in ``ui`` calls it too, so every surface judges and suppresses the same way) and
:func:`public_view`, which keeps a few recent views per database, data version and viewer scope for
processes without Streamlit's caches (the API's routes, the command line).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from sqlalchemy import Engine

from equity_tracking import reads
from equity_tracking.analytics import AnalyticsFrames, run_analytics
from equity_tracking.analytics.frames import FRAME_STORE
from equity_tracking.permissions import PUBLIC, Viewer
from equity_tracking.rules import reporting_deadline
from equity_tracking.suppression import GroupSetup, PublicView

KEPT_VIEWS = 4  # each view of a large city holds ~100 MB: keep only the few fiscal years in demand

_views: OrderedDict[Hashable, PublicView] = OrderedDict()
_lock = threading.Lock()
_building: dict[Hashable, threading.Lock] = {}  # one build per key at a time: a view takes seconds


def build_public_view(frames: AnalyticsFrames, *, as_of: str) -> PublicView:
    """The analytics of ``frames`` as of ``as_of`` (ISO date), as the frames' viewer may see them:
    figures by race/ethnicity pass through the suppression module when asked for."""
    return PublicView(
        analytics=run_analytics(frames, as_of=as_of),
        measures=frames.measures,
        setup=GroupSetup.from_frames(frames.groups, frames.memberships),
    )


def public_view(engine: Engine, *, fiscal_year: int, viewer: Viewer = PUBLIC) -> PublicView:
    """The city as it stood at ``fiscal_year``'s reporting deadline, as ``viewer`` (the public by
    default) may see it. Kept per database, data version, scope and year: a write elsewhere makes
    the next call judge again (reading only the values that changed)."""
    url = engine.url.render_as_string(hide_password=False)
    as_of = reporting_deadline(fiscal_year).isoformat()
    key = (url, reads.data_version(engine), viewer.scope, as_of)
    with _lock:
        if key in _views:
            _views.move_to_end(key)
            return _views[key]
        building = _building.setdefault(key, threading.Lock())
    with building:  # a second request for the same view waits for the first instead of judging twice
        with _lock:
            if key in _views:
                return _views[key]
        # The process's one frame store (the pages' cache reads the same): one copy of the frames.
        frames = FRAME_STORE.frames(engine, viewer=viewer, key=(url, viewer.scope))
        view = build_public_view(frames, as_of=as_of)
        with _lock:
            _views[key] = view
            _building.pop(key, None)
            while len(_views) > KEPT_VIEWS:
                _views.popitem(last=False)
    return view


def forget() -> None:
    """Drop every kept view and frame (tests, and a process that wants its memory back)."""
    with _lock:
        _views.clear()
    FRAME_STORE.forget()
