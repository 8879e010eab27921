"""The command line, run in-process on real throw-away databases."""

import subprocess
import sys

import pytest
from sqlalchemy import text

from equity_tracking.cli import main
from equity_tracking.schema import code_revision

PROJECT_ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_help_lists_every_command():
    result = subprocess.run(
        [sys.executable, "-m", "equity_tracking", "--help"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0
    for command in (
        "init-db",
        "load-demo",
        "import",
        "export",
        "create-user",
        "check",
        "report",
        "open-data",
    ):
        assert command in result.stdout


def test_import_of_a_bad_file_names_each_bad_cell_and_changes_nothing(engine, tmp_path, capsys):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "bureaus.csv").write_text("code,name\nTR,Transportation\n")
    (folder / "goals.csv").write_text(
        "bureau_code,goal_key,title,citywide_goal,focus_area\nTR,G1,Hire,4,workforce\n"
    )
    (folder / "actions.csv").write_text(
        "bureau_code,goal_key,action_key,title,lead,start_date,due_date,status\n"
    )
    (folder / "measures.csv").write_text(
        "bureau_code,goal_key,measure_key,name,unit,polarity,frequency,baseline_value,baseline_period,"
        "target_value,target_period,disaggregated\n"
    )
    (folder / "values.csv").write_text("measure_key,period,group,value,numerator,denominator,note\n")
    problems = tmp_path / "problems.csv"
    assert main(["--database-url", _url(engine), "import", str(folder), "--errors", str(problems)]) == 1
    err = capsys.readouterr().err
    assert "goals, row 2, column citywide_goal: Write 1, 2 or 3." in err
    assert "Nothing was changed." in err
    assert problems.read_text().splitlines()[1] == 'goals,2,citywide_goal,"Write 1, 2 or 3."'
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM bureaus")).scalar() == 0


def test_init_db_follows_the_demo_setting(empty_engine, monkeypatch, capsys):
    monkeypatch.setenv("EQUITY_LOAD_DEMO_WHEN_EMPTY", "false")
    assert main(["--database-url", _url(empty_engine), "init-db"]) == 0
    assert "demo city was loaded" not in capsys.readouterr().out
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM bureaus")).scalar() == 0


def test_init_db_creates_then_is_idempotent(empty_engine, capsys):
    url = _url(empty_engine)
    assert main(["--database-url", url, "init-db", "--no-load-demo-if-empty"]) == 0
    assert main(["--database-url", url, "init-db", "--no-load-demo-if-empty"]) == 0
    out = capsys.readouterr().out
    assert out.count(f"Database ready: schema revision {code_revision()}") == 2
    assert "demo city was loaded" not in out


def test_init_db_loads_demo_into_empty_database_then_check_passes(empty_engine, capsys):
    url = _url(empty_engine)
    assert main(["--database-url", url, "init-db", "--load-demo-if-empty"]) == 0
    assert "demo city was loaded" in capsys.readouterr().out
    assert main(["--database-url", url, "check"]) == 0
    out = capsys.readouterr().out
    assert "check passed" in out
    assert f"schema revision {code_revision()} (current)" in out
    with empty_engine.connect() as connection:
        bureaus = connection.execute(text("SELECT COUNT(*) FROM bureaus")).scalar()
    assert f"bureaus {bureaus:,}" in out
    assert main(["--database-url", url, "load-demo"]) == 1
    assert "Nothing was changed" in capsys.readouterr().err


def test_check_reports_orphaned_rows(engine, capsys):
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET session_replication_role = replica"))  # skip FK triggers
        else:  # outside a transaction, where SQLite lets it change
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        connection.execute(
            text("INSERT INTO bureau_names (id, bureau_id, name) VALUES (1, 999, 'Nobody''s bureau')")
        )
        connection.commit()
        if engine.dialect.name == "sqlite":
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
    assert main(["--database-url", _url(engine), "check"]) == 1
    out = capsys.readouterr().out
    assert "1 row(s) in bureau_names.bureau_id point at missing bureaus.id" in out
    assert "check FAILED" in out


def test_check_refuses_an_unmigrated_database(empty_engine, capsys):
    with empty_engine.connect():  # the database exists, with no tables (SQLite: an empty file)
        pass
    assert main(["--database-url", _url(empty_engine), "check"]) == 1
    assert "run `python -m equity_tracking init-db`" in capsys.readouterr().out


def test_unreachable_database_is_one_masked_line(capsys):
    assert main(["--database-url", "postgresql+psycopg://app:s3cret@127.0.0.1:1/x", "check"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(
        "error: Cannot connect to the database at postgresql+psycopg://app:***@127.0.0.1:1/x"
    )
    assert "s3cret" not in err


def test_malformed_url_from_environment_is_one_line(monkeypatch, capsys):
    monkeypatch.setenv("EQUITY_DATABASE_URL", "::not-a-url::")
    assert main(["init-db"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "is not a database URL" in err


def test_load_demo_rejects_scale_below_one(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["load-demo", "--scale", "0"])
    assert caught.value.code == 2
    assert "must be 1 or more" in capsys.readouterr().err


def _users(engine) -> list[tuple]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                text(
                    "SELECT u.username, r.role, b.code FROM users u JOIN user_roles r ON r.user_id = u.id "
                    "LEFT JOIN bureaus b ON b.id = r.bureau_id ORDER BY u.username, b.code"
                )
            )
        )


def test_create_user_then_sign_in_then_reset_password(engine, monkeypatch, capsys):
    from equity_tracking import accounts

    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO bureaus (code, name, active) VALUES ('TR', 'Transportation', TRUE)")
        )
    url = _url(engine)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("first password 123\n"))
    args = ["--database-url", url, "create-user", "--email", "Lead@City.example", "--role", "bureau_editor"]
    assert main([*args, "--bureau", "tr", "--password-stdin"]) == 0
    assert "Created user" in capsys.readouterr().out
    assert _users(engine) == [("lead@city.example", "bureau_editor", "TR")]
    assert accounts.sign_in(engine, email="lead@city.example", password="first password 123").user_id

    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("second password 456\n"))
    assert (
        main(["--database-url", url, "reset-password", "--email", "lead@city.example", "--password-stdin"])
        == 0
    )
    with pytest.raises(accounts.SignInError):
        accounts.sign_in(engine, email="lead@city.example", password="first password 123")
    assert accounts.sign_in(engine, email="lead@city.example", password="second password 456").user_id
    with engine.connect() as connection:
        actions = [row[0] for row in connection.execute(text("SELECT action FROM audit_log ORDER BY id"))]
    assert actions[:2] == ["created", "signed_in"]
    assert "password_reset" in actions


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--role", "bureau_editor", "--no-password"], "A bureau editor needs at least one bureau."),
        (["--role", "analyst", "--bureau", "TR", "--no-password"], "Only a bureau editor is given bureaus"),
        (["--role", "bureau_editor", "--bureau", "ZZ", "--no-password"], "No bureau has the code ZZ."),
        (["--role", "analyst", "--password-stdin"], "A password needs at least 12 characters."),
    ],
)
def test_create_user_refuses_bad_input_and_changes_nothing(engine, monkeypatch, capsys, extra, message):
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO bureaus (code, name, active) VALUES ('TR', 'Transportation', TRUE)")
        )
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("short\n"))
    assert main(["--database-url", _url(engine), "create-user", "--email", "x@city.example", *extra]) == 1
    assert message in capsys.readouterr().err
    assert _users(engine) == []


def test_reset_password_of_an_unknown_email_says_so(engine, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("a long enough password\n"))
    args = [
        "--database-url",
        _url(engine),
        "reset-password",
        "--email",
        "who@city.example",
        "--password-stdin",
    ]
    assert main(args) == 1
    assert "No user has the email who@city.example." in capsys.readouterr().err
