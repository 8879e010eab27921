"""Configuration: the one ``Settings`` object, read from the environment and secrets.toml.

Nothing here runs at import time: callers build ``Settings.from_environment()`` when they start (the
CLI once per command, the app once per process through the UI adapter), so tests can pass their own
environment. The environment wins over ``.streamlit/secrets.toml``.

- ``database_url``: ``EQUITY_DATABASE_URL`` (environment, or secrets.toml as that key or as
  ``[database] url``); default ``sqlite:///data/equity.db``, anchored at the project folder.
- ``load_demo_when_empty``: ``EQUITY_LOAD_DEMO_WHEN_EMPTY``; default true.
- PostgreSQL's timeouts (:func:`database_timeouts`, environment only): ``EQUITY_DB_CONNECT_TIMEOUT``
  (seconds to wait for a server to answer, default 10) and ``EQUITY_DB_STATEMENT_TIMEOUT`` (seconds
  one statement may run, default 300).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite:///data/equity.db"
DEFAULT_SECRETS_PATH = PROJECT_ROOT / ".streamlit" / "secrets.toml"


class SettingsError(ValueError):
    """A setting that cannot be used; the message names it and says how to fix it."""


@dataclass(frozen=True, kw_only=True)
class SmtpSettings:
    """The mail server reminders go through (``EQUITY_SMTP_*`` or the ``[smtp]`` table of secrets)."""

    host: str
    port: int = 587
    user: str | None = None
    password: str | None = None
    sender: str = "equity-tracker@localhost"
    starttls: bool = True


@dataclass(frozen=True, kw_only=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    load_demo_when_empty: bool = True
    smtp: SmtpSettings | None = None

    @classmethod
    def from_environment(
        cls,
        *,
        environ: Mapping[str, str] | None = None,
        secrets_path: Path | None = None,
    ) -> Settings:
        environ = os.environ if environ is None else environ
        secrets = _read_secrets(DEFAULT_SECRETS_PATH if secrets_path is None else secrets_path)
        database = secrets.get("database", {}) if isinstance(secrets.get("database"), dict) else {}

        def pick(name: str, default: object) -> object:
            if environ.get(name):
                return environ[name]
            return secrets.get(name, default)

        database_url = str(pick("EQUITY_DATABASE_URL", database.get("url", DEFAULT_DATABASE_URL)))
        demo = _as_bool("EQUITY_LOAD_DEMO_WHEN_EMPTY", pick("EQUITY_LOAD_DEMO_WHEN_EMPTY", True))
        return cls(
            database_url=resolve_sqlite_path(database_url.strip()),
            load_demo_when_empty=demo,
            smtp=_smtp(environ, secrets.get("smtp", {}) if isinstance(secrets.get("smtp"), dict) else {}),
        )


def _smtp(environ: Mapping[str, str], table: Mapping[str, object]) -> SmtpSettings | None:
    """The mail server, from ``EQUITY_SMTP_HOST`` (and ``_PORT``, ``_USER``, ``_PASSWORD``, ``_FROM``,
    ``_STARTTLS``) or the secrets' ``[smtp]`` table (host, port, user, password, from, starttls)."""

    def pick(name: str) -> object:
        return environ.get(f"EQUITY_SMTP_{name.upper()}") or table.get(name)

    host = pick("host")
    if not host:
        return None
    try:
        port = int(str(pick("port") or 587))
    except ValueError as error:
        raise SettingsError(f"EQUITY_SMTP_PORT must be a port number, not {pick('port')!r}.") from error
    starttls = pick("starttls")
    return SmtpSettings(
        host=str(host),
        port=port,
        user=str(pick("user")) if pick("user") else None,
        password=str(pick("password")) if pick("password") else None,
        sender=str(pick("from") or "equity-tracker@localhost"),
        starttls=True if starttls is None else _as_bool("EQUITY_SMTP_STARTTLS", starttls),
    )


DEFAULT_CONNECT_TIMEOUT_S = 10.0
DEFAULT_STATEMENT_TIMEOUT_S = 300.0  # above the longest statement of a scale-10 demo load


def database_timeouts(environ: Mapping[str, str] | None = None) -> tuple[float, float]:
    """(connect, statement) timeouts in seconds, from ``EQUITY_DB_CONNECT_TIMEOUT`` and
    ``EQUITY_DB_STATEMENT_TIMEOUT``: how long to wait for a database server that does not answer,
    and how long one statement may run before the server stops it."""
    environ = os.environ if environ is None else environ
    return (
        _seconds(environ, "EQUITY_DB_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT_S),
        _seconds(environ, "EQUITY_DB_STATEMENT_TIMEOUT", DEFAULT_STATEMENT_TIMEOUT_S),
    )


def _seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 86_400:
        raise SettingsError(f"{name}={text!r} must be a number of seconds between 0 and 86400.")
    return seconds


def resolve_sqlite_path(url: str) -> str:
    """Anchor a relative SQLite path at the project root, so the app and CLI agree from any cwd."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix or url.startswith("sqlite:////"):
        return url
    path = url[len(prefix) :]
    if path.startswith(":memory:") or Path(path).is_absolute():
        return url
    return prefix + str(PROJECT_ROOT / path)


def _read_secrets(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path} is not valid TOML ({error}); fix or remove it.") from error


def _as_bool(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name}={value!r} is not a yes/no value; use true or false.")
