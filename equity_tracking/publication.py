"""The city as a viewer may see it, judged and suppressed, for every surface: the process's one store
of public views.

Owns :func:`build_public_view` (one analytics result wrapped by the suppression module, so every
surface judges and suppresses the same way) and :data:`VIEWS`, the store that the pages
(``ui.PageContext.analytics``), the open-data API, the downloads bundle and the annual reports all
take their views from (:func:`public_view`): one view per database, data version, viewer scope and
fiscal year, shared by every session and request of the process.

The store is bounded by memory, not by count. A view of the ``--scale 10`` city holds 150–200 MB,
so a count says little: the views are measured (:func:`~equity_tracking.analytics.frames.held_bytes`)
and the least recently used are dropped once they hold more than ``EQUITY_VIEW_CACHE_MB`` megabytes
(default 250; the view just built is always kept, even alone over the budget, or every page run
would judge again). A view of an older data version is dropped as soon as a view of the current one
is built: after a write, no process keeps paying for the city as it was.

Before it judges the public's view, the store looks for a snapshot of it on disk
(:mod:`equity_tracking.snapshots`), saved by another process or ahead of visitors by
``prepare-views`` (:func:`prepare_snapshot`, which also suppresses every measure); a view it judges
itself is saved there for the next process. The public's views are filed under the public's data
version (``reads.data_version``), which drafts do not move.
"""

from __future__ import annotations

import logging
import os
import subprocess  # nosec B404: prepare-views runs as a child process
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from equity_tracking import reads, snapshots
from equity_tracking.analytics import AnalyticsFrames, run_analytics
from equity_tracking.analytics.frames import FRAME_STORE, budget_bytes, held_bytes, release_freed_memory
from equity_tracking.periods import fiscal_year_label
from equity_tracking.permissions import PUBLIC, Scope, Viewer
from equity_tracking.rules import reporting_deadline
from equity_tracking.suppression import GroupSetup, PublicView

BUDGET_VARIABLE = "EQUITY_VIEW_CACHE_MB"
# 250: one large year and a small one at scale 10. A public view dropped comes back from its
# snapshot in a fraction of a second, so holding more buys little and costs a process's memory.
DEFAULT_BUDGET_MB = 250
LOG = logging.getLogger(__name__)


def build_public_view(frames: AnalyticsFrames, *, as_of: str) -> PublicView:
    """The analytics of ``frames`` as of ``as_of`` (ISO date), as the frames' viewer may see them:
    figures by race/ethnicity pass through the suppression module when asked for."""
    return PublicView(
        analytics=run_analytics(frames, as_of=as_of),
        measures=frames.measures,
        setup=GroupSetup.from_frames(frames.groups, frames.memberships),
    )


@dataclass(frozen=True)
class _Key:
    url: str
    data_version: str
    scope: Scope
    as_of: str


@dataclass
class _Kept:
    view: PublicView
    nbytes: int


class ViewStore:
    """Public views per database, data version, scope and as-of date, bounded by bytes.

    ``budget`` (bytes) is fixed for a test; without it, ``EQUITY_VIEW_CACHE_MB`` is read each time
    a view is stored.
    """

    def __init__(self, *, budget: int | None = None) -> None:
        self._budget = budget
        self._kept: OrderedDict[_Key, _Kept] = OrderedDict()  # least recently used first
        self._lock = threading.Lock()
        self._building: dict[_Key, threading.Lock] = {}  # one build per key at a time: a view takes seconds

    def held(
        self, engine: Engine, *, fiscal_year: int, viewer: Viewer = PUBLIC, data_version: str | None = None
    ) -> PublicView | None:
        """The view if it is already kept (None: asking for it will judge, which takes seconds)."""
        key = _key(engine, fiscal_year, viewer, data_version)
        with self._lock:
            kept = self._kept.get(key)
            if kept is None:
                return None
            self._kept.move_to_end(key)
            return kept.view

    def view(
        self, engine: Engine, *, fiscal_year: int, viewer: Viewer = PUBLIC, data_version: str | None = None
    ) -> PublicView:
        """The city as it stood at ``fiscal_year``'s reporting deadline, as ``viewer`` may see it,
        at ``data_version`` (read from the database when not given; a page passes the version its
        run started with)."""
        key = _key(engine, fiscal_year, viewer, data_version)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key].view
            building = self._building.setdefault(key, threading.Lock())
        with building:  # a second request for the same view waits for the first instead of judging twice
            with self._lock:
                if key in self._kept:
                    return self._kept[key].view
            try:
                view = _from_snapshot(engine, key)
                if view is None:
                    view = self._judge(engine, key, viewer)
                else:
                    self._keep(key, view, current_version=reads.data_version(engine, key.scope))
            finally:
                with self._lock:
                    self._building.pop(key, None)
        return view

    def _judge(self, engine: Engine, key: _Key, viewer: Viewer) -> PublicView:
        """Judge the view from the frames, keep it, and save the public's for the next process."""
        # The process's one frame store: one copy of the frames, caught up on what changed.
        frames = FRAME_STORE.frames(engine, viewer=viewer, key=(key.url, key.scope))
        view = build_public_view(frames, as_of=key.as_of)
        current = reads.data_version(engine, key.scope)
        self._keep(key, view, current_version=current)
        # Only a view of the version it is filed under (a write may have landed while it was judged).
        if key.scope == PUBLIC.scope and key.data_version == current:
            judged = snapshots.Judged(analytics=view.analytics, measures=view.measures, setup=view.setup)
            snapshots.save_in_background(engine, judged, data_version=key.data_version, as_of=key.as_of)
        return view

    def _keep(self, key: _Key, view: PublicView, *, current_version: str) -> None:
        """Drop the database's views of other data versions than its current one, keep ``view`` if
        it is of the current one (a write may have landed while it was judged), and keep within
        budget."""
        with self._lock:
            stale = [
                k
                for k in self._kept
                if k.url == key.url
                and k.scope.published_only == key.scope.published_only  # the same kind of version
                and k.data_version != current_version
            ]
            for other in stale:
                del self._kept[other]
            kept = key.data_version == current_version
            if kept:
                self._kept[key] = _Kept(view, 0)
        trimmed = self._trim(newest=key) if kept else False
        if stale or trimmed:
            release_freed_memory()

    def _trim(self, *, newest: _Key) -> bool:
        """Measure every kept view again (views grow after they are stored, as pages suppress their
        group tables on demand) and drop the least recently used while over budget, never
        ``newest``. Whether any was dropped."""
        with self._lock:
            kept = list(self._kept.items())
        sizes = {key: held_bytes(entry.view) for key, entry in kept}  # outside the lock: ~0.1 s a view
        budget = budget_bytes(BUDGET_VARIABLE, DEFAULT_BUDGET_MB) if self._budget is None else self._budget
        dropped = False
        with self._lock:
            for key, size in sizes.items():
                if key in self._kept:
                    self._kept[key].nbytes = size
            while len(self._kept) > 1 and self._total() > budget:
                oldest = next(iter(self._kept))
                if oldest == newest:  # the view just built is the one being asked for
                    self._kept.move_to_end(newest)
                    continue
                del self._kept[oldest]
                dropped = True
        return dropped

    def _total(self) -> int:
        return sum(kept.nbytes for kept in self._kept.values())

    @property
    def nbytes(self) -> int:
        """The bytes the kept views held when last measured."""
        with self._lock:
            return self._total()

    def contents(self) -> list[tuple[str, str, Scope, str]]:
        """(url, data version, scope, as-of date) of each kept view, least recently used first."""
        with self._lock:
            return [(k.url, k.data_version, k.scope, k.as_of) for k in self._kept]

    def forget(self) -> None:
        with self._lock:
            self._kept.clear()


def prepare_snapshot(engine: Engine, *, fiscal_year: int) -> Path | None:
    """Judge ``fiscal_year`` for the public, suppress every measure's group tables, and save it all
    for every process to start from (the ``prepare-views`` command, a release step). The file
    written, or already there for the public's current data version; None when snapshots are off,
    or when the data changed meanwhile (nothing is saved of a version that is already gone: run it
    again)."""
    version = reads.data_version(engine, PUBLIC.scope)
    as_of = reporting_deadline(fiscal_year).isoformat()
    saved = snapshots.load(engine, data_version=version, as_of=as_of)
    if saved is not None and saved.tables is not None:  # already prepared: a run from cron costs little
        return snapshots.location(engine, data_version=version, as_of=as_of)
    view = VIEWS.view(engine, fiscal_year=fiscal_year, data_version=version)
    judged = snapshots.Judged(
        analytics=view.analytics, measures=view.measures, setup=view.setup, tables=view.suppressed_tables()
    )
    if reads.data_version(engine, PUBLIC.scope) != version:
        return None
    return snapshots.save(engine, judged, data_version=version, as_of=as_of)


_PREPARING = "equity-prepare-views"  # the name of the thread that waits for a preparation
_PENDING: dict[str, tuple[int, ...]] = {}  # database URL → the fiscal years to prepare next
_PENDING_LOCK = threading.Lock()
_PREPARER: list[threading.Thread] = []  # the running preparer, if any
PREPARATION_TIMEOUT_S = 900  # a fiscal year of the --scale 10 city takes about 30 s


def prepare_in_background(engine: Engine, *, fiscal_years: Iterable[int]) -> threading.Thread | None:
    """:func:`prepare_snapshot` for ``fiscal_years`` once something is published, so that the
    public's next visitor, in any process, starts from the snapshot instead of judging the city
    (8–17 s at ``--scale 10``).

    In a process of its own (``python -m equity_tracking prepare-views``), watched by a thread of
    this one: judging and suppressing the city takes half a minute of CPU at scale 10, which would
    otherwise hold this server's Python lock away from every page it serves; the publisher's page
    does not wait either. One preparation per server process at a time; publications meanwhile are
    prepared after it, the newest request per database winning. None when snapshots are off."""
    if snapshots.folder() is None:
        return None
    url = engine.url.render_as_string(hide_password=False)
    with _PENDING_LOCK:
        _PENDING[url] = tuple(fiscal_years)
        if not (_PREPARER and _PREPARER[0].is_alive()):
            _PREPARER[:] = [threading.Thread(target=_prepare_pending, name=_PREPARING, daemon=True)]
            _PREPARER[0].start()
        return _PREPARER[0]


def _prepare_pending() -> None:
    try:
        while True:
            with _PENDING_LOCK:
                if not _PENDING:
                    _PREPARER.clear()  # under the lock: a new request now starts a new thread
                    return
                url, years = _PENDING.popitem()
            _run_prepare_views(url, years)
    finally:
        with _PENDING_LOCK:
            if _PREPARER and _PREPARER[0] is threading.current_thread():
                _PREPARER.clear()


def _run_prepare_views(url: str, years: tuple[int, ...]) -> None:
    """``prepare-views`` for ``years`` of the database at ``url``, in a child process. The URL goes
    in the environment, not on the command line, where every user of the machine could read its
    password."""
    environment = {
        **os.environ,
        "EQUITY_DATABASE_URL": url,
        snapshots.FOLDER_VARIABLE: str(snapshots.folder()),
    }
    years_given = [argument for year in years for argument in ("--fiscal-year", fiscal_year_label(year))]
    command = [sys.executable, "-m", "equity_tracking", "prepare-views", *years_given]
    try:
        # Not a shell: the arguments are this program's own (the interpreter, fiscal years).
        done = subprocess.run(  # nosec B603
            command,
            env=environment,
            capture_output=True,
            text=True,
            timeout=PREPARATION_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        LOG.exception("Preparing the public's views after a publication did not finish.")
        return
    if done.returncode != 0:  # e.g. another publication meanwhile: the next request prepares it
        LOG.warning(
            "Preparing the public's views after a publication stopped: %s", done.stderr.strip()[-500:]
        )


def wait_for_preparations() -> None:
    """Wait until the views being prepared after a publication are saved (tests, benchmarks)."""
    for thread in threading.enumerate():
        if thread.name == _PREPARING:
            thread.join()
    snapshots.wait_for_saves()


def _from_snapshot(engine: Engine, key: _Key) -> PublicView | None:
    """The public's view as a process judged it before, if one saved it (:mod:`snapshots`)."""
    if key.scope != PUBLIC.scope:
        return None
    judged = snapshots.load(engine, data_version=key.data_version, as_of=key.as_of)
    if judged is None:
        return None
    return PublicView.restored(judged.analytics, judged.measures, judged.setup, judged.tables)


def _key(engine: Engine, fiscal_year: int, viewer: Viewer, data_version: str | None) -> _Key:
    return _Key(
        url=engine.url.render_as_string(hide_password=False),
        data_version=reads.data_version(engine, viewer.scope) if data_version is None else data_version,
        scope=viewer.scope,
        as_of=reporting_deadline(fiscal_year).isoformat(),
    )


VIEWS = ViewStore()  # one per process: the pages, the API, the downloads and the reports share it


def public_view(
    engine: Engine, *, fiscal_year: int, viewer: Viewer = PUBLIC, data_version: str | None = None
) -> PublicView:
    """The city as it stood at ``fiscal_year``'s reporting deadline, as ``viewer`` (the public by
    default) may see it, from the process's one store (:data:`VIEWS`). A write elsewhere changes
    the data version, so the next call judges again (reading only the values that changed)."""
    return VIEWS.view(engine, fiscal_year=fiscal_year, viewer=viewer, data_version=data_version)


def forget() -> None:
    """Drop every kept view and frame (tests, and a process that wants its memory back)."""
    VIEWS.forget()
    FRAME_STORE.forget()
    release_freed_memory()
