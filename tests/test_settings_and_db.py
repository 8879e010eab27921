"""Settings from the environment and secrets.toml; engines and their one-line errors."""

import pytest
from sqlalchemy import text

from equity_tracking.db import DatabaseError, check_connection, make_engine, mask_url
from equity_tracking.settings import PROJECT_ROOT, Settings, SettingsError


def test_settings_default_to_sqlite_under_data(tmp_path):
    settings = Settings.from_environment(environ={}, secrets_path=tmp_path / "none.toml")
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'data' / 'equity.db'}"
    assert settings.load_demo_when_empty is True


def test_settings_environment_wins_over_secrets(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        'EQUITY_DATABASE_URL = "sqlite:////from/secrets.db"\nEQUITY_LOAD_DEMO_WHEN_EMPTY = false\n'
    )
    from_secrets = Settings.from_environment(environ={}, secrets_path=secrets)
    assert from_secrets.database_url == "sqlite:////from/secrets.db"
    assert from_secrets.load_demo_when_empty is False
    from_env = Settings.from_environment(
        environ={"EQUITY_DATABASE_URL": "postgresql+psycopg://u@h/db"}, secrets_path=secrets
    )
    assert from_env.database_url == "postgresql+psycopg://u@h/db"


def test_settings_read_database_table_in_secrets(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[database]\nurl = "sqlite:////tmp/table.db"\n')
    assert (
        Settings.from_environment(environ={}, secrets_path=secrets).database_url == "sqlite:////tmp/table.db"
    )


def test_settings_reject_unreadable_values(tmp_path):
    with pytest.raises(SettingsError, match="EQUITY_LOAD_DEMO_WHEN_EMPTY"):
        Settings.from_environment(
            environ={"EQUITY_LOAD_DEMO_WHEN_EMPTY": "maybe"}, secrets_path=tmp_path / "x"
        )
    broken = tmp_path / "secrets.toml"
    broken.write_text("this is = = not toml")
    with pytest.raises(SettingsError, match="not valid TOML"):
        Settings.from_environment(environ={}, secrets_path=broken)


def test_mask_url_hides_password():
    assert (
        mask_url("postgresql+psycopg://app:s3cret@db:5432/equity")
        == "postgresql+psycopg://app:***@db:5432/equity"
    )
    assert "s3cret" not in mask_url("nonsense://app:s3cret@")


def test_make_engine_rejects_malformed_url_in_one_line():
    with pytest.raises(DatabaseError) as caught:
        make_engine("definitely not a url")
    message = str(caught.value)
    assert "\n" not in message
    assert "sqlite:///data/equity.db" in message


def test_make_engine_rejects_unsupported_backend():
    with pytest.raises(DatabaseError, match="unsupported"):
        make_engine("mysql://root:pw@localhost/x")


def test_unreachable_postgresql_names_masked_url():
    engine = make_engine("postgresql+psycopg://app:s3cret@127.0.0.1:1/equity")
    with pytest.raises(DatabaseError) as caught:
        check_connection(engine)
    message = str(caught.value)
    assert "postgresql+psycopg://app:***@127.0.0.1:1/equity" in message
    assert "s3cret" not in message
    assert "EQUITY_DATABASE_URL" in message


def test_sqlite_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(DatabaseError, match="does not exist"):
        make_engine(f"sqlite:///{tmp_path}/missing/equity.db")


def test_sqlite_engine_uses_wal_foreign_keys_and_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/pragmas.db")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10_000


def test_plain_postgresql_url_uses_psycopg3():
    engine = make_engine("postgresql://u@127.0.0.1/x")
    assert engine.url.drivername == "postgresql+psycopg"


def test_smtp_settings_come_from_the_environment_or_the_secrets_table(tmp_path):
    from equity_tracking.settings import Settings, SettingsError

    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        '[smtp]\nhost = "mail.example.org"\nport = 2525\nfrom = "tracker@example.org"\nstarttls = false\n'
    )
    from_file = Settings.from_environment(environ={}, secrets_path=secrets).smtp
    assert from_file is not None
    assert (from_file.host, from_file.port, from_file.sender, from_file.starttls) == (
        "mail.example.org", 2525, "tracker@example.org", False,
    )  # fmt: skip
    overridden = Settings.from_environment(
        environ={"EQUITY_SMTP_HOST": "relay.local"}, secrets_path=secrets
    ).smtp
    assert overridden is not None
    assert (overridden.host, overridden.port) == ("relay.local", 2525)
    assert Settings.from_environment(environ={}, secrets_path=tmp_path / "none.toml").smtp is None
    with pytest.raises(SettingsError, match="EQUITY_SMTP_PORT"):
        Settings.from_environment(
            environ={"EQUITY_SMTP_HOST": "x", "EQUITY_SMTP_PORT": "smtp"}, secrets_path=secrets
        )
