"""The public's judged views on disk, so that a fresh process starts from the city as already
judged instead of reading about a million values and judging every fiscal year again.

Owns where the snapshot files live, what a file is keyed on, writing one atomically, reading one
back, and dropping the ones a newer data version has superseded. :mod:`equity_tracking.publication`
is the only caller: it looks here before it judges, and saves here what it judged.

- **Only the public's views** (published rows, suppressed on demand as in memory): they are what a
  crowd asks for after a release or a restart, and a file then never holds an unpublished figure.
- **The key** is a digest of the database (its URL without the password, and an identity kept in
  its ``app_metadata`` so that a replaced SQLite file or a restored copy is never taken for
  another), its data version, the as-of date, and the code (every module of this package, the
  Python and pandas versions): a deployment that changes how anything is judged never reads the
  judgements of the code before it.
- **Where:** ``EQUITY_SNAPSHOT_DIR``; by default ``data/snapshots`` in the project folder. An empty
  value turns snapshots off. Processes on one machine share the folder; each machine keeps its own.
- **Format:** Python's pickle of the pandas frames (categories, dtypes and indexes come back exactly,
  and a scale-10 view of about 150 MB loads in well under a second). Pickle runs code from the file
  it loads, so a file is only read from a folder that only this user may write (created ``0700``),
  when it belongs to this user and nobody else may write it; files are written ``0600`` and renamed
  into place, so a reader never sees half a file.
- **Pruning:** saving a view deletes this database's files of other data versions; at most one file
  per fiscal year is kept per database.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle  # nosec B403
import platform
import stat
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import SQLAlchemyError

from equity_tracking.models import AppMetadata
from equity_tracking.settings import PROJECT_ROOT
from equity_tracking.suppression import GroupSetup, SuppressedTables

LOG = logging.getLogger(__name__)

FOLDER_VARIABLE = "EQUITY_SNAPSHOT_DIR"
DEFAULT_FOLDER = PROJECT_ROOT / "data" / "snapshots"
IDENTITY_KEY = "database_identity"
SUFFIX = ".view"
_SAVING = "equity-snapshot"  # the name of a thread saving a snapshot
_FORMAT = 1  # bump when the pickled tuple changes shape


@dataclass(frozen=True)
class Judged:
    """What a snapshot holds: the parts a :class:`~equity_tracking.suppression.PublicView` is made
    of, before any of its group tables is suppressed."""

    analytics: object  # equity_tracking.analytics.Analytics
    measures: pd.DataFrame
    setup: GroupSetup
    tables: SuppressedTables | None = None  # every measure suppressed ahead (``prepare-views``)


def folder() -> Path | None:
    """The snapshot folder, or None when ``EQUITY_SNAPSHOT_DIR`` is set empty (snapshots off)."""
    text = os.environ.get(FOLDER_VARIABLE)
    if text is None:
        return DEFAULT_FOLDER
    return Path(text).expanduser() if text.strip() else None


def load(engine: Engine, *, data_version: str, as_of: str) -> Judged | None:
    """The public's view of ``engine`` at ``data_version`` as of ``as_of``, if a snapshot of it was
    saved by this code (None otherwise, or when the file cannot be trusted or read)."""
    path = _path(engine, data_version=data_version, as_of=as_of)
    if path is None or not path.exists():
        return None
    if not _trusted(path):
        LOG.warning("Ignoring the snapshot %s: it is not this user's alone", path.name)
        return None
    try:
        # pickle runs code from what it loads: this file is only this user's (checked just above)
        with path.open("rb") as file:
            judged = pickle.load(file)  # nosec B301
    except Exception as error:  # a truncated or foreign file is a cache miss, never a failed page
        LOG.warning("Ignoring the unreadable snapshot %s: %s", path.name, error)
        return None
    return judged if isinstance(judged, Judged) else None


def save(
    engine: Engine, judged: Judged, *, data_version: str, as_of: str, replace: bool = True
) -> Path | None:
    """Write ``judged`` for the next process to start from, and delete this database's snapshots of
    other data versions. The file written (None when snapshots are off or the folder is unusable:
    a snapshot is an optimisation, never a reason to fail a page). Without ``replace``, a file
    already saved for the same key is kept: it may hold the suppressed tables this one lacks."""
    path = _path(engine, data_version=data_version, as_of=as_of)
    if path is None:
        return None
    if not replace and path.exists():
        return path
    try:
        _private_folder(path.parent)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".writing-", suffix=SUFFIX)
        with os.fdopen(handle, "wb") as file:  # mkstemp makes it 0600
            pickle.dump(judged, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError as error:
        LOG.warning("Could not save the snapshot %s: %s", path.name, error)
        return None
    _prune(path)
    return path


def save_in_background(engine: Engine, judged: Judged, *, data_version: str, as_of: str) -> threading.Thread:
    """:func:`save` in a thread of its own, keeping a file already saved for the key (``prepare-views``
    may have saved it, suppressed tables and all): pickling a scale-10 view takes a quarter of a
    second or more, which the viewer who asked for it should not wait for."""
    thread = threading.Thread(
        target=save,
        args=(engine, judged),
        kwargs={"data_version": data_version, "as_of": as_of, "replace": False},
        name=_SAVING,
        daemon=True,
    )
    thread.start()
    return thread


def wait_for_saves() -> None:
    """Wait until the snapshots being saved in the background are written (a benchmark that times
    the next step, a test that looks at the folder)."""
    for thread in threading.enumerate():
        if thread.name == _SAVING:
            thread.join()


def database_identity(engine: Engine) -> str | None:
    """The identity kept in the database's ``app_metadata``, made on first use (None when it can be
    neither read nor written, e.g. a read-only role on a database that has none yet)."""
    statement = select(AppMetadata.value).where(AppMetadata.key == IDENTITY_KEY)
    try:
        with engine.connect() as connection:
            found = connection.execute(statement).scalar_one_or_none()
        if found is not None:
            return found
        with engine.begin() as connection:
            connection.execute(insert(AppMetadata).values(key=IDENTITY_KEY, value=uuid.uuid4().hex))
    except SQLAlchemyError:
        pass  # another process made it first (then it is read below), or the role may not write
    try:
        with engine.connect() as connection:
            return connection.execute(statement).scalar_one_or_none()
    except SQLAlchemyError:
        return None


def location(engine: Engine, *, data_version: str, as_of: str) -> Path | None:
    """Where the public's view of ``engine`` at ``data_version`` as of ``as_of`` is saved (None when
    snapshots are off)."""
    return _path(engine, data_version=data_version, as_of=as_of)


def _path(engine: Engine, *, data_version: str, as_of: str) -> Path | None:
    place = folder()
    if place is None:
        return None
    identity = database_identity(engine)
    if identity is None:
        return None
    database = _digest(engine.url.render_as_string(hide_password=True), identity)
    version = _digest(data_version, _code_fingerprint())
    return place / f"{database}_{version}_{as_of}{SUFFIX}"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]


_CODE: list[str] = []


def _code_fingerprint() -> str:
    """A digest of every module of this package and the versions pickle and pandas depend on."""
    if not _CODE:
        digest = hashlib.sha256(f"{_FORMAT}|{platform.python_version()}|{pd.__version__}".encode())
        package = Path(__file__).resolve().parent
        for source in sorted(package.rglob("*.py")):
            digest.update(source.relative_to(package).as_posix().encode())
            digest.update(source.read_bytes())
        _CODE.append(digest.hexdigest())
    return _CODE[0]


def _private_folder(place: Path) -> None:
    place.mkdir(mode=0o700, parents=True, exist_ok=True)


def _trusted(path: Path) -> bool:
    """Whether ``path`` and its folder belong to this user and nobody else may write them."""
    for item in (path.parent, path):
        info = item.stat()
        if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return False
    return True


def _prune(kept: Path) -> None:
    """Delete the snapshots of ``kept``'s database at any other data version."""
    database, version = kept.name.split("_")[:2]
    for other in kept.parent.glob(f"{database}_*{SUFFIX}"):
        if other.name.split("_")[1] != version:
            other.unlink(missing_ok=True)
