"""Faults (issue #12): a database that is down, gone, replaced, silent or half-written to, and what
the command line and the pages say about each. Every case here happened to a real deployment
somewhere; each test makes it happen for real (a closed port, a killed process, a moved file)."""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager, redirect_stderr, redirect_stdout, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
import streamlit as st
from apptest_support import PROJECT_ROOT, open_app, texts
from golden_city import build_golden_city
from import_files import snapshot
from sqlalchemy import make_url, text
from tiny_city import build_plan_without_values

from equity_tracking import reads
from equity_tracking.cli import main
from equity_tracking.db import PUBLIC_DATABASE_ERROR, make_engine, mask_url
from equity_tracking.startup import SETUP_BUSY, exclusive_setup

GOAL_SHOWN = "End disparities"  # the tiny city's citywide goal, on the overview


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def _cli(*arguments: str, env: dict[str, str] | None = None) -> Ran:
    """The command line, run in this process with its output captured (a traceback would escape as
    an exception and fail the test); ``env`` is set for the run only."""
    out, err = io.StringIO(), io.StringIO()
    saved = {name: os.environ.get(name) for name in env or {}}
    os.environ.update(env or {})
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(arguments))
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return Ran(code, out.getvalue(), err.getvalue())


# --- URLs and drivers: one line, no traceback, no password -------------------------------------------


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql://app:p@ss-w0rd@127.0.0.1/equity", "has an @ in its user name or password"),
        (
            "postgresql+psycopg2://app:pw-secret@127.0.0.1/equity",
            "driver (postgresql+psycopg2) is not installed",
        ),
        ("postgresql+psycopg://app:pw-secret@127.0.0.1:port/equity", "is not a database URL"),
    ],
)
def test_a_bad_database_url_is_one_masked_line_on_the_command_line(url, says):
    result = _cli("--database-url", url, "check")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("error: ")
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    for secret_part in ("p@ss", "ss-w0rd", "pw-secret"):
        assert secret_part not in result.stderr


def test_mask_url_hides_every_part_of_a_password_with_an_unencoded_at():
    assert (
        mask_url("postgresql://app:p@ss@db.example.org/equity")
        == "postgresql://app:***@db.example.org/equity"
    )
    assert mask_url("postgresql://app@db.example.org/equity") == "postgresql://app@db.example.org/equity"


@pytest.mark.parametrize(
    "url", ["postgresql+psycopg2://app:pw@127.0.0.1/equity", "postgresql+psycopg://app:pw@127.0.0.1:port/e"]
)
def test_a_bad_database_url_shows_visitors_the_plain_message(url, monkeypatch, caplog):
    app = open_app("app.py", url, monkeypatch)
    app.run()
    assert not app.exception
    assert PUBLIC_DATABASE_ERROR in texts(app)
    assert "pw@" not in caplog.text


def test_check_on_a_missing_path_creates_nothing(tmp_path):
    missing = tmp_path / "no-such.db"
    result = _cli("--database-url", f"sqlite:///{missing}", "check")
    assert result.returncode == 1
    assert f"there is no database at {missing}" in result.stderr
    assert not missing.exists()


# --- a server that never answers ------------------------------------------------------------------


@contextmanager
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word (a hung database host)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


def test_a_server_that_never_answers_times_out_on_the_command_line():
    with silent_server() as port:
        result = _cli(
            "--database-url", f"postgresql+psycopg://app:pw@127.0.0.1:{port}/equity", "check",
            env={"EQUITY_DB_CONNECT_TIMEOUT": "1"},
        )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith("error: Cannot connect to the database at postgresql+psycopg://app:***@")
    assert "timeout" in result.stderr.lower()


def test_a_server_that_never_answers_gives_the_page_the_plain_message(monkeypatch):
    monkeypatch.setenv("EQUITY_DB_CONNECT_TIMEOUT", "1")
    with silent_server() as port:
        app = open_app("app.py", f"postgresql+psycopg://app:pw@127.0.0.1:{port}/equity", monkeypatch)
        app.run(timeout=60)
    assert not app.exception
    assert PUBLIC_DATABASE_ERROR in texts(app)


def test_a_statement_that_runs_too_long_is_stopped(database_factory, monkeypatch):
    if not database_factory.is_postgresql:
        pytest.skip("a statement timeout is PostgreSQL's; SQLite has only its busy timeout")
    monkeypatch.setenv("EQUITY_DB_STATEMENT_TIMEOUT", "0.5")
    engine = make_engine(database_factory.new_url())
    try:
        with pytest.raises(Exception, match="statement timeout"), engine.connect() as connection:
            connection.execute(text("SELECT pg_sleep(5)"))
    finally:
        engine.dispose()


# --- two setups at once ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["init-db", "load-demo"])
def test_a_setup_while_another_runs_refuses_in_words_and_changes_nothing(empty_engine, command, capsys):
    with exclusive_setup(empty_engine, wait_s=0):  # another process's init-db, half-way through
        assert main(["--database-url", _url(empty_engine), command]) == 1
    err = capsys.readouterr().err
    assert err == f"error: {SETUP_BUSY}\n"
    with empty_engine.connect() as connection:
        tables = connection.execute(
            text("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
            if empty_engine.dialect.name == "postgresql"
            else text("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
        ).scalar_one()
    assert tables == 0  # the loser created nothing
    assert main(["--database-url", _url(empty_engine), "init-db", "--no-load-demo-if-empty"]) == 0


def test_two_init_db_runs_at_once_leave_one_whole_database(empty_engine):
    url = _url(empty_engine)
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "equity_tracking",
                "--database-url",
                url,
                "init-db",
                "--no-load-demo-if-empty",
            ],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = [(run.wait(timeout=300), run.stderr.read() if run.stderr else "") for run in runs]
    codes = sorted(code for code, _ in outcomes)
    # Either the second found the first at work and refused in words, or it started after the
    # first had finished and found nothing to do; never a traceback.
    assert codes in ([0, 1], [0, 0])
    for code, err in outcomes:
        assert "Traceback" not in err
        if code == 1:
            assert SETUP_BUSY in err
    check = _cli("--database-url", url, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "schema revision" in check.stdout


# --- a process killed in the middle of an import ---------------------------------------------------


GROUPS = ("Asian", "Black", "Hispanic or Latino", "White")
BLANK = {"numerator": "", "denominator": "", "note": ""}
ACTION = {"title": "Act", "lead": "", "start_date": "", "due_date": "", "status": "not_started"}


def _big_workbook_folder(folder: Path, *, bureaus: int = 4, measures: int = 20) -> Path:
    """Sheets of ``bureaus`` × ``measures`` quarterly measures over five years, a total and four
    groups each: 4 × 20 × 20 × 5 = 8,000 value rows, two write chunks of the importer."""
    import pandas as pd

    from equity_tracking.workbook import write_csv_folder

    rows: dict[str, list[dict]] = {"bureaus": [], "goals": [], "actions": [], "measures": [], "values": []}
    for b in range(bureaus):
        code = f"K{b}"
        rows["bureaus"].append({"code": code, "name": f"Bureau {code}"})
        rows["goals"].append({"bureau_code": code, "goal_key": "G1", "title": "Goal", "citywide_goal": "2",
                              "focus_area": "workforce"})  # fmt: skip
        rows["actions"].append({"bureau_code": code, "goal_key": "G1", "action_key": "A1", **ACTION})
        for m in range(measures):
            key = f"m{m}"
            rows["measures"].append({
                "bureau_code": code, "goal_key": "G1", "measure_key": key, "name": f"Measure {m}",
                "unit": "count", "polarity": "higher", "frequency": "quarterly", "baseline_value": "100",
                "baseline_period": "FY 2016-17 Q1", "target_value": "200", "target_period": "FY 2020-21 Q4",
                "disaggregated": "yes",
            })  # fmt: skip
            for year in range(2016, 2021):
                for quarter in range(1, 5):
                    period = f"FY {year}-{(year + 1) % 100:02d} Q{quarter}"
                    parts = [11 + m, 12 + b, 13 + quarter, 14 + year - 2016]
                    rows["values"].append({"bureau_code": code, "measure_key": key, "period": period,
                                           "group": "", "value": str(sum(parts)), **BLANK})  # fmt: skip
                    for group, part in zip(
                        ("Asian", "Black", "Hispanic or Latino", "White"), parts, strict=True
                    ):
                        rows["values"].append({"bureau_code": code, "measure_key": key, "period": period,
                                               "group": group, "value": str(part), **BLANK})  # fmt: skip
    write_csv_folder(folder, {name: pd.DataFrame(table) for name, table in rows.items()})
    return folder


def test_a_process_killed_during_an_import_leaves_the_database_exactly_as_it_was(engine, tmp_path):
    # An empty database: the import also writes the reference data (groups, citywide goals) first.
    before = snapshot(engine)
    folder = _big_workbook_folder(tmp_path / "big")
    run = subprocess.Popen(
        [sys.executable, "-m", "equity_tracking", "--database-url", _url(engine), "import", str(folder)],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert run.stderr is not None
    seen = []
    for line in run.stderr:  # the progress lines: kill it once the first chunk of figures is written
        seen.append(line)
        if "Writing the figures" in line and "70%" not in line:
            run.send_signal(signal.SIGKILL)
            break
    assert run.wait(timeout=120) == -signal.SIGKILL, "".join(seen)
    assert snapshot(engine) == before
    check = _cli("--database-url", _url(engine), "check")
    assert check.returncode == 0, check.stdout
    assert main(["--database-url", _url(engine), "import", str(folder)]) == 0  # and it still takes it


# --- backup and restore ---------------------------------------------------------------------------


def _every_value(engine) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text("SELECT * FROM measure_values ORDER BY id"))]


def test_a_restored_backup_passes_check_and_shows_the_same_numbers(demo_engine, database_factory, tmp_path):
    archive = tmp_path / "equity.backup"
    assert main(["--database-url", _url(demo_engine), "backup", str(archive)]) == 0
    target = make_engine(database_factory.new_url())
    try:
        assert main(["--database-url", _url(target), "restore", str(archive)]) == 0
        check = _cli("--database-url", _url(target), "check")
        assert check.returncode == 0, check.stdout
        assert _every_value(target) == _every_value(demo_engine)
        restored, original = snapshot(target), snapshot(demo_engine)
        # The restore counts as one more change of the data, so running servers read it afresh.
        assert restored.pop("app_metadata values") != original.pop("app_metadata values")
        restored.pop("app_metadata"), original.pop("app_metadata")  # the counters, started if new
        assert restored == original
    finally:
        target.dispose()


def test_a_restored_copy_never_repeats_a_data_version_seen_before(engine, tmp_path):
    """A backup's counters, restored, plus one may equal the counters the database had before the
    restore: a new restore mark in every data version tells the two apart."""
    from equity_tracking.permissions import PUBLISHED_ONLY
    from equity_tracking.writes import bump_data_version

    build_golden_city(engine)
    archive = tmp_path / "equity.backup"
    assert main(["--database-url", _url(engine), "backup", str(archive)]) == 0
    with engine.begin() as connection:  # one structural change after the backup …
        bump_data_version(connection, structural=True)
    before = reads.data_version(engine), reads.data_version(engine, PUBLISHED_ONLY)
    assert main(["--database-url", _url(engine), "restore", "--replace", str(archive)]) == 0
    # … which the restore undoes, counting one change itself: the counters are back where they were
    after = reads.data_version(engine), reads.data_version(engine, PUBLISHED_ONLY)
    assert after[0] != before[0]
    assert after[1] != before[1]


def test_a_restore_refuses_what_it_cannot_use_and_changes_nothing(engine, database_factory, tmp_path, capsys):
    build_plan_without_values(engine)
    before = snapshot(engine)
    archive = tmp_path / "equity.backup"
    assert main(["--database-url", _url(engine), "backup", str(archive)]) == 0
    assert main(["--database-url", _url(engine), "restore", str(archive)]) == 1
    assert "holds plan data; a restore replaces all of it. Say --replace" in capsys.readouterr().err
    garbage = tmp_path / "garbage.backup"
    garbage.write_bytes(b"not a backup at all\n" * 100)
    assert main(["--database-url", _url(engine), "restore", "--replace", str(garbage)]) == 1
    assert "nothing was changed" in capsys.readouterr().err.lower()
    assert main(["--database-url", _url(engine), "restore", "--replace", str(tmp_path / "none")]) == 1
    assert "there is no backup at" in capsys.readouterr().err
    assert snapshot(engine) == before


def test_a_backup_from_a_newer_version_is_refused(engine, tmp_path, capsys):
    if engine.dialect.name == "postgresql":
        pytest.skip("the same revision check reads a pg_dump archive; the SQLite copy is simpler to age")
    newer = tmp_path / "newer.db"
    assert main(["--database-url", _url(engine), "backup", str(newer)]) == 0
    aged = make_engine(f"sqlite:///{newer}")
    with aged.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    aged.dispose()
    target = tmp_path / "target.db"
    assert main(["--database-url", f"sqlite:///{target}", "restore", str(newer)]) == 1
    assert "made by a newer version of the tracker" in capsys.readouterr().err


# --- the pages: a database that fails mid-page, vanishes, or is replaced ---------------------------


def _clear_caches() -> None:
    from equity_tracking import ui
    from equity_tracking.analytics.frames import FRAME_STORE

    st.cache_data.clear()
    st.cache_resource.clear()
    ui.clear_caches()
    FRAME_STORE.forget()


def test_a_database_error_mid_page_is_the_plain_message_and_the_page_recovers(engine, monkeypatch):
    build_plan_without_values(engine)
    app = open_app("app.py", engine, monkeypatch)
    app.run()
    assert GOAL_SHOWN in texts(app)
    with engine.begin() as connection:  # a table the guard does not read, only the page
        connection.execute(text("ALTER TABLE citywide_goals RENAME TO citywide_goals_away"))
    try:
        _clear_caches()
        app.run()
        assert not app.exception
        assert PUBLIC_DATABASE_ERROR in texts(app)
        assert "citywide_goals" not in texts(app)
    finally:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE citywide_goals_away RENAME TO citywide_goals"))
    app.run()
    assert not app.exception
    assert GOAL_SHOWN in texts(app)
    assert PUBLIC_DATABASE_ERROR not in texts(app)


def test_a_deleted_then_replaced_sqlite_file_is_noticed_without_a_restart(engine, monkeypatch, tmp_path):
    if engine.dialect.name == "postgresql":
        pytest.skip("a file of its own is SQLite's; PostgreSQL's outage is the closed-port test")
    build_plan_without_values(engine)
    path = Path(str(engine.url.database))
    app = open_app("app.py", engine, monkeypatch)
    app.run()
    assert GOAL_SHOWN in texts(app)
    engine.dispose()
    moved = tmp_path / "moved-away.db"
    for suffix in ("", "-wal", "-shm"):  # SQLite's file and, in WAL mode, its two companions
        if Path(f"{path}{suffix}").exists():
            shutil.move(f"{path}{suffix}", f"{moved}{suffix}")
    app.run()
    assert not app.exception
    assert PUBLIC_DATABASE_ERROR in texts(app)
    assert GOAL_SHOWN not in texts(app)
    assert not path.exists()  # nothing was created in its place
    # Another file comes back in its place, with other data but the same data version (the caches'
    # key): copied with SQLite's backup API, as a restore would.
    other = make_engine(f"sqlite:///{moved}")
    with other.begin() as connection:
        connection.execute(text("UPDATE citywide_goals SET short_title = 'Restored goal'"))
    other.dispose()
    with closing(sqlite3.connect(moved)) as source, closing(sqlite3.connect(path)) as target:
        source.backup(target)
    app.run()
    assert not app.exception
    assert "Restored goal" in texts(app), texts(app)
    assert PUBLIC_DATABASE_ERROR not in texts(app)


class _Relay:
    """A TCP relay in front of PostgreSQL that can be shut (the port closes, and every connection
    through it is cut, as when the database host goes down) and opened again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def shut(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        for sock in self._sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self._sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with suppress(OSError):
                sink.shutdown(socket.SHUT_WR)


def test_postgresql_down_at_start_and_mid_session_recovers_by_itself(engine, monkeypatch):
    if engine.dialect.name != "postgresql":
        pytest.skip("a closed port is a server's; SQLite's outage is the moved-file test")
    build_plan_without_values(engine)
    real = make_url(_url(engine))
    relay = _Relay((real.host or "127.0.0.1", real.port or 5432))
    through_relay = real.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    monkeypatch.setenv("EQUITY_DB_CONNECT_TIMEOUT", "2")
    app = open_app("app.py", through_relay, monkeypatch)
    try:
        app.run()  # the database is down when the server starts
        assert not app.exception
        assert PUBLIC_DATABASE_ERROR in texts(app)
        relay.open()  # back: the next run works, no restart
        app.run()
        assert not app.exception
        assert GOAL_SHOWN in texts(app)
        relay.shut()  # down mid-session, with the pool's connections cut
        _clear_caches_but_keep_startup()
        app.run()
        assert not app.exception
        assert PUBLIC_DATABASE_ERROR in texts(app)
        relay.open()
        app.run()
        assert not app.exception
        assert GOAL_SHOWN in texts(app)
        assert PUBLIC_DATABASE_ERROR not in texts(app)
    finally:
        relay.shut()


def _clear_caches_but_keep_startup() -> None:
    """Drop the cached reads (so the next run asks the database) but not the process's startup: a
    running server that has started once."""
    from equity_tracking import ui
    from equity_tracking.analytics.frames import FRAME_STORE

    st.cache_data.clear()
    ui.clear_caches()
    FRAME_STORE.forget()


# --- a corrupt file, an unreadable path, a newer schema: one plain message, then recovery ----------


def _corrupt(path: Path) -> None:
    path.write_bytes(b"this is not a SQLite database, whatever its name says\n" * 200)


def _unreadable(path: Path) -> None:
    path.mkdir()  # a folder where the file should be: SQLite cannot open it (even as root)


def _newer(path: Path) -> None:
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("spoil", "command_says"),
    [
        (_corrupt, "file is not a database"),
        (_unreadable, "unable to open database file"),
        (_newer, "newer than this version of the app knows"),
    ],
)
def test_a_spoilt_sqlite_database_is_one_plain_message_and_recovers_once_mended(
    spoil, command_says, engine, monkeypatch, tmp_path
):
    if engine.dialect.name == "postgresql":
        pytest.skip("files of SQLite's; PostgreSQL's faults are the closed port and the missing table")
    build_plan_without_values(engine)
    good = tmp_path / "good.db"
    with closing(sqlite3.connect(str(engine.url.database))) as source, closing(sqlite3.connect(good)) as copy:
        source.backup(copy)
    path = tmp_path / "equity.db"
    if spoil is _newer:
        shutil.copyfile(good, path)
    spoil(path)
    url = f"sqlite:///{path}"

    result = _cli("--database-url", url, "init-db", "--no-load-demo-if-empty")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert command_says in result.stderr
    app = open_app("app.py", url, monkeypatch)
    app.run()
    assert not app.exception
    assert PUBLIC_DATABASE_ERROR in texts(app)
    assert command_says not in texts(app)  # visitors learn nothing about the server

    if path.is_dir():
        path.rmdir()
    shutil.copyfile(good, path)  # mended (a restore): the next run shows the page, no restart
    app.run()
    assert not app.exception
    assert GOAL_SHOWN in texts(app)


@pytest.mark.browser
def test_in_the_browser_a_vanished_database_is_the_plain_message_until_it_is_back(
    engine, browser, tmp_path, artifacts_dir
):
    if engine.dialect.name == "postgresql":
        pytest.skip("a file of its own is SQLite's; the closed-port test covers PostgreSQL")
    from browser_support import DESKTOP, RUN_COUNTER, goto, visible_text
    from conftest import serve_app

    build_plan_without_values(engine)
    path = Path(str(engine.url.database))
    server = serve_app(engine, tmp_path / "server.log")
    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(RUN_COUNTER)
    try:
        base = next(server)
        page = goto(context.new_page(), f"{base}/")
        assert GOAL_SHOWN in visible_text(page)
        engine.dispose()
        moved = tmp_path / "moved-away.db"
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{path}{suffix}").exists():
                shutil.move(f"{path}{suffix}", f"{moved}{suffix}")
        goto(page, f"{base}/")
        shown = visible_text(page)
        page.screenshot(path=str(artifacts_dir / "fault-database-gone-1400.png"))
        assert PUBLIC_DATABASE_ERROR in shown
        assert GOAL_SHOWN not in shown
        assert str(tmp_path) not in shown
        with closing(sqlite3.connect(moved)) as source, closing(sqlite3.connect(path)) as target:
            source.backup(target)  # back, as a restore puts it
        goto(page, f"{base}/")
        shown = visible_text(page)
        assert GOAL_SHOWN in shown
        assert PUBLIC_DATABASE_ERROR not in shown
    finally:
        context.close()
        server.close()
