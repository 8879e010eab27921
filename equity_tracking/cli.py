"""The command line: ``python -m equity_tracking <command>``.

Owns argument parsing and how results and errors are printed. Every command builds the Settings
once (``--database-url`` overrides ``EQUITY_DATABASE_URL``), and every failure a person can fix is
one line on stderr starting with ``error:`` and a non-zero exit code; no tracebacks.

Exit codes: 0 success; 1 the command ran and found or hit a problem; 2 the command cannot run
(bad arguments, or a command this version does not have yet).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import getpass
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from equity_tracking.db import (
    DatabaseError,
    check_connection,
    database_error_detail,
    make_engine,
    parse_url,
    sqlite_file,
)
from equity_tracking.permissions import Role
from equity_tracking.settings import Settings, SettingsError, resolve_sqlite_path


class CommandError(Exception):
    """A problem to report as one ``error:`` line; ``exit_code`` says which kind."""

    def __init__(self, message: str, *, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m equity_tracking",
        description="Equity Plan Tracker: set up and look after the plan database.",
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="database to use (default: EQUITY_DATABASE_URL, else sqlite:///data/equity.db)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    init_db = commands.add_parser("init-db", help="create the database, or upgrade it to this version")
    init_db.add_argument(
        "--load-demo-if-empty",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="load the demo city when the database holds no plan data "
        "(default: EQUITY_LOAD_DEMO_WHEN_EMPTY, which is true unless set)",
    )

    demo = commands.add_parser("load-demo", help="load the demo city into an empty database")
    demo.add_argument("--scale", type=_positive_int, default=1, help="size multiplier (10 ≈ 1M values)")
    demo.add_argument("--seed", type=int, default=2016, help="random seed (same seed, same data)")

    commands.add_parser("check", help="verify the database: schema version, orphaned rows, counts")

    create_user = commands.add_parser("create-user", help="create a sign-in account")
    create_user.add_argument("--email", required=True, help="the person's email (their sign-in name)")
    create_user.add_argument("--name", help="how the person is named on pages (default: from the email)")
    create_user.add_argument("--role", required=True, choices=[role.value for role in Role])
    create_user.add_argument(
        "--bureau", action="append", default=[], metavar="CODE", help="a bureau an editor edits (repeatable)"
    )
    _password_options(create_user, sso_only=True)

    reset = commands.add_parser("reset-password", help="set a new password for an account and unlock it")
    reset.add_argument("--email", required=True)
    _password_options(reset, sso_only=False)

    remind = commands.add_parser(
        "reminders", help="list, per bureau lead, what is due soon or late; --send emails it"
    )
    remind.add_argument(
        "--within", type=_positive_int, default=14, metavar="DAYS", help="due within (default 14)"
    )
    remind.add_argument(
        "--send", action="store_true", help="email each lead (needs the EQUITY_SMTP_* settings)"
    )
    remind.add_argument("--today", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                        help="judge as of this day (default: today)")  # fmt: skip
    importer = commands.add_parser(
        "import", help="import an .xlsx workbook or a folder of .csv files (docs/import-format.md)"
    )
    importer.add_argument("path", type=Path, help="the workbook, a .csv file or a folder of .csv files")
    importer.add_argument("--publish", action="store_true", help="publish the figures at once (else drafts)")
    importer.add_argument(
        "--dry-run", action="store_true", help="check and report what would change; save nothing"
    )
    importer.add_argument(
        "--errors", type=Path, metavar="CSV", help="also write the problems to this CSV file"
    )
    exporter = commands.add_parser("export", help="export plans and figures in the import format")
    exporter.add_argument("path", type=Path, help="an .xlsx file, or a folder for .csv files")
    exporter.add_argument("--include-unpublished", action="store_true",
                          help="every figure's newest version (default: published figures only)")  # fmt: skip
    # Annual progress reports (issue #11): equity_tracking.report_render, docs/reports.md.
    report = commands.add_parser(
        "report", help="write a bureau's annual progress report, or the citywide one, as PDF or HTML"
    )
    report.add_argument("--bureau", metavar="CODE", help="the bureau's code (default: the citywide report)")
    report.add_argument("--year", required=True, type=_fiscal_year, metavar="YYYY-YY",
                        help="the fiscal year, e.g. 2018-19")  # fmt: skip
    report.add_argument("--format", dest="file_format", choices=["pdf", "html"], default="pdf")
    report.add_argument("--output", type=Path, metavar="PATH",
                        help="the file, or a folder to write it in (default: this folder)")  # fmt: skip
    report.add_argument("--site-url", metavar="URL",
                        help="where the tracker is served, for the link to its methodology page")  # fmt: skip
    # Everything published as one zip (issue #11): equity_tracking.open_data, docs/api.md.
    bundle = commands.add_parser(
        "open-data", help="write everything published (CSVs, data dictionary, README) to a zip file"
    )
    bundle.add_argument("path", type=Path, help="the .zip file to write")
    # Backups (issue #12): equity_tracking.backups, docs/operations.md.
    backup = commands.add_parser(
        "backup", help="copy the whole database to a file (SQLite's online backup, or pg_dump)"
    )
    backup.add_argument("path", type=Path, help="the backup file to write")
    restore = commands.add_parser("restore", help="put a backup back, replacing the database's contents")
    restore.add_argument("path", type=Path, help="a file written by the backup command")
    restore.add_argument(
        "--replace", action="store_true", help="go ahead although the database holds plan data (all replaced)"
    )
    # Snapshots of the public's views (issue #12): equity_tracking.snapshots, docs/operations.md.
    prepare = commands.add_parser(
        "prepare-views",
        help="judge and suppress every fiscal year for the public ahead of visitors, saved for every process",
    )
    prepare.add_argument(
        "--fiscal-year",
        type=_fiscal_year,
        action="append",
        help="only this fiscal year, written as 2018-19 (repeatable; default: every year a plan covers)",
    )
    return parser


def _password_options(parser: argparse.ArgumentParser, *, sso_only: bool) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input (default: ask for it twice)",
    )
    if sso_only:
        parser.add_argument(
            "--no-password",
            action="store_true",
            help="no local password: the person signs in through the city's identity provider only",
        )


def _fiscal_year(text: str) -> int:
    """A fiscal year as written ("2018-19", "FY 2018-19") → the year it starts in (2018)."""
    from equity_tracking.periods import PeriodKind, PeriodLabelError, parse_label

    try:
        period = parse_label(text)
    except PeriodLabelError as error:
        raise argparse.ArgumentTypeError(f"{error} Write a fiscal year as 2018-19.") from None
    if period.kind is not PeriodKind.FISCAL_YEAR or period.fiscal_year is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a fiscal year: write it as 2018-19.")
    return period.fiscal_year


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = _settings(args)
        return COMMANDS[args.command](settings, args)
    except (CommandError, DatabaseError, SettingsError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return getattr(error, "exit_code", 1)
    except SQLAlchemyError as error:  # a database that failed mid-command: one line, no traceback
        print(f"error: {database_error_detail(error)}", file=sys.stderr)
        return 1


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_environment()
    if args.database_url:
        settings = dataclasses.replace(settings, database_url=resolve_sqlite_path(args.database_url))
    return settings


def _print_progress(step: str, fraction: float) -> None:
    print(f"  [{fraction:4.0%}] {step}", file=sys.stderr, flush=True)


def cmd_init_db(settings: Settings, args: argparse.Namespace) -> int:
    from equity_tracking.startup import prepare_database

    # wait_for_setup_s=0: a second init-db on a database being set up refuses at once, in words.
    startup = prepare_database(
        settings, load_demo_when_empty=args.load_demo_if_empty, progress=_print_progress, wait_for_setup_s=0
    )
    print(f"Database ready: schema revision {startup.schema.database_revision}.")
    if startup.loaded_demo:
        print("The database was empty, so the demo city was loaded (Demo data — not real City figures).")
    startup.engine.dispose()
    return 0


def cmd_load_demo(settings: Settings, args: argparse.Namespace) -> int:
    from equity_tracking.demo import NOT_EMPTY
    from equity_tracking.startup import prepare_database

    started = time.perf_counter()
    startup = prepare_database(
        settings, load_demo_when_empty=True, progress=_print_progress, wait_for_setup_s=0,
        demo_scale=args.scale, demo_seed=args.seed,
    )  # fmt: skip
    startup.engine.dispose()
    if startup.demo_summary is None:
        raise CommandError(NOT_EMPTY)
    seconds = time.perf_counter() - started
    items = _summary_items(startup.demo_summary)
    counts = ", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in items)
    print(f"Loaded the demo city (scale {args.scale}, seed {args.seed}) in {seconds:.1f} s: {counts}.")
    return 0


def _summary_items(summary: Any) -> list[tuple[str, int]]:
    return [(item.name, getattr(summary, item.name)) for item in dataclasses.fields(summary)]


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    from equity_tracking.checks import Level, run_checks

    _refuse_missing_sqlite_file(settings.database_url)
    with _connected(settings) as engine:
        report = run_checks(engine)
    marks = {Level.OK: "ok     ", Level.WARNING: "warning", Level.ERROR: "ERROR  "}
    for finding in report.findings:
        print(f"{marks[finding.level]}  {finding.check}: {finding.message}")
    if report.counts:
        print("counts: " + ", ".join(f"{name} {count:,}" for name, count in report.counts.items()))
    print("check passed" if report.ok else "check FAILED")
    return 0 if report.ok else 1


def _refuse_missing_sqlite_file(database_url: str) -> None:
    """``check`` looks at a database; SQLite would create an empty file at a mistyped path."""
    path = sqlite_file(parse_url(database_url))
    if path is not None and not path.exists():
        raise CommandError(
            f"there is no database at {path}; nothing was created. Check the path, or create it with init-db."
        )


def _read_password(args: argparse.Namespace) -> str | None:
    """The new password: from stdin with ``--password-stdin``, else asked twice at the terminal;
    None with ``--no-password``. Never taken as an argument (it would show in the process list)."""
    if getattr(args, "no_password", False):
        return None
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise CommandError("give the password with --password-stdin, or run this at a terminal", exit_code=2)
    first = getpass.getpass("New password: ")
    if getpass.getpass("Once more: ") != first:
        raise CommandError("the two passwords differ; nothing was changed")
    return first


def cmd_create_user(settings: Settings, args: argparse.Namespace) -> int:
    from equity_tracking import accounts
    from equity_tracking.permissions import OPERATOR
    from equity_tracking.startup import prepare_database

    password = _read_password(args)
    startup = prepare_database(settings, load_demo_when_empty=False)
    try:
        user_id = accounts.create_user(
            startup.engine,
            actor=OPERATOR,
            email=args.email,
            display_name=args.name,
            assignment=accounts.Assignment(Role(args.role), tuple(args.bureau)),
            password=password,
        )
    except accounts.AccountError as error:
        raise CommandError(str(error)) from error
    finally:
        startup.engine.dispose()
    how = "with a password" if password is not None else "through single sign-on only"
    print(f"Created user {user_id} ({accounts.normalize_email(args.email)}, {args.role}), signing in {how}.")
    return 0


def cmd_reset_password(settings: Settings, args: argparse.Namespace) -> int:
    from equity_tracking import accounts
    from equity_tracking.permissions import OPERATOR
    from equity_tracking.startup import prepare_database

    password = _read_password(args)
    assert password is not None
    startup = prepare_database(settings, load_demo_when_empty=False)
    try:
        accounts.reset_password(startup.engine, actor=OPERATOR, email=args.email, password=password)
    except accounts.AccountError as error:
        raise CommandError(str(error)) from error
    finally:
        startup.engine.dispose()
    print(f"New password set for {accounts.normalize_email(args.email)}; any lockout is lifted.")
    return 0


def cmd_reminders(settings: Settings, args: argparse.Namespace) -> int:
    from equity_tracking import reminders
    from equity_tracking.startup import prepare_database

    if args.send and settings.smtp is None:
        raise CommandError(
            "--send needs a mail server: set EQUITY_SMTP_HOST (and _PORT, _USER, _PASSWORD, _FROM)."
        )
    startup = prepare_database(settings, load_demo_when_empty=False)
    try:
        found = reminders.reminders(
            startup.engine, today=args.today or dt.date.today(), within_days=args.within
        )
        if not found:
            print(f"Nothing is late or due within {args.within} days.")
            return 0
        for reminder in found:
            to = (
                ", ".join(f"{name} <{email}>" for email, name in reminder.leads)
                or "no bureau lead is registered"
            )
            print(f"To: {to}\n{reminder.text()}\n")
        if args.send:
            assert settings.smtp is not None
            sent = reminders.send(startup.engine, found, settings.smtp)
            print(f"Sent {sent} reminder(s).")
    finally:
        startup.engine.dispose()
    return 0


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from equity_tracking import importing
    from equity_tracking.permissions import OPERATOR
    from equity_tracking.startup import prepare_database

    startup = prepare_database(settings, load_demo_when_empty=False)
    try:
        result = importing.import_path(
            startup.engine, args.path, actor=OPERATOR, publish=args.publish, dry_run=args.dry_run,
            progress=_print_progress,
        )  # fmt: skip
    except importing.ImportRefusedError as refused:
        report = refused.report()
        for problem in refused.errors[:50]:
            print(f"{problem.where()}: {problem.reason}", file=sys.stderr)
        if len(refused.errors) > 50:
            print(f"… and {len(refused.errors) - 50} more.", file=sys.stderr)
        if args.errors:
            report.to_csv(args.errors, index=False)
        raise CommandError(f"{refused} Nothing was changed.") from None
    finally:
        startup.engine.dispose()
    print(result.summary() + (" (dry run: nothing was saved)" if args.dry_run else ""))
    return 0


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from equity_tracking import exporting
    from equity_tracking.permissions import OPERATOR, Viewer
    from equity_tracking.startup import prepare_database

    startup = prepare_database(settings, load_demo_when_empty=False)
    try:
        viewer = Viewer(principal=OPERATOR, include_unpublished=args.include_unpublished)
        if not args.include_unpublished:
            viewer = Viewer()  # the public's view: published figures only
        counts = exporting.export_path(startup.engine, args.path, viewer=viewer)
    finally:
        startup.engine.dispose()
    print(f"Wrote {args.path}: " + ", ".join(f"{count:,} {sheet}" for sheet, count in counts.items()) + ".")
    return 0


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    from equity_tracking.annual_report import ReportError
    from equity_tracking.report_render import make_report
    from equity_tracking.startup import prepare_database

    startup = prepare_database(settings, load_demo_when_empty=False)
    try:
        rendered = make_report(
            startup.engine, fiscal_year=args.year, bureau_code=args.bureau, file_format=args.file_format,
            site_url=args.site_url, progress=_print_progress,
        )  # fmt: skip
    except ReportError as error:
        raise CommandError(str(error), exit_code=2) from None
    finally:
        startup.engine.dispose()
    path = args.output or Path(rendered.file_name)
    if path.is_dir():
        path = path / rendered.file_name
    try:
        path.write_bytes(rendered.data)
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror or error}") from None
    print(f"Wrote {path} ({len(rendered.data):,} bytes): {rendered.title}.")
    return 0


def cmd_open_data(settings: Settings, args: argparse.Namespace) -> int:
    from equity_tracking.open_data import bundle_zip
    from equity_tracking.startup import prepare_database

    startup = prepare_database(settings, load_demo_when_empty=False)
    try:
        data = bundle_zip(startup.engine)
    finally:
        startup.engine.dispose()
    try:
        args.path.write_bytes(data)
    except OSError as error:
        raise CommandError(f"cannot write {args.path}: {error.strerror or error}") from None
    print(f"Wrote {args.path} ({len(data):,} bytes): everything published, suppressed.")
    return 0


@contextmanager
def _connected(settings: Settings) -> Iterator[Engine]:
    """An engine on the configured database that has answered once (a one-line error otherwise),
    disposed afterwards; no migration or demo, for commands that look at the database as it is."""
    engine = make_engine(settings.database_url)
    try:
        check_connection(engine)
        yield engine
    finally:
        engine.dispose()


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from equity_tracking.backups import backup

    with _connected(settings) as engine:
        size = backup(engine, args.path)
    print(f"Wrote {args.path} ({size:,} bytes): a backup of the whole database.")
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from equity_tracking.backups import restore

    with _connected(settings) as engine:
        result = restore(engine, args.path, replace=args.replace)
    upgraded = " and upgraded it to this version's schema" if result.upgraded else ""
    print(f"Restored {args.path} (schema revision {result.revision}){upgraded}. Run `check` to verify it.")
    return 0


def cmd_prepare_views(settings: Settings, args: argparse.Namespace) -> int:
    import time

    from equity_tracking import publication, reads, snapshots
    from equity_tracking.dashboards.common import fiscal_year_choices
    from equity_tracking.periods import fiscal_year_label
    from equity_tracking.permissions import PUBLIC

    if snapshots.folder() is None:
        raise CommandError(f"Snapshots are off ({snapshots.FOLDER_VARIABLE} is empty): nothing to prepare.")
    with _connected(settings) as engine:
        years = args.fiscal_year or fiscal_year_choices(reads.plans(engine, viewer=PUBLIC))
        for year in years:
            started = time.perf_counter()
            path = publication.prepare_snapshot(engine, fiscal_year=year)
            if path is None:
                raise CommandError(
                    f"The data changed while {fiscal_year_label(year)} was being prepared, or the snapshot "
                    "folder cannot be written: nothing was saved for it. Run the command again."
                )
            print(f"{fiscal_year_label(year)}: {path} ({time.perf_counter() - started:.1f} s)")
    print(f"Prepared {len(years)} fiscal year(s) for the public in {snapshots.folder()}.")
    return 0


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "import": cmd_import,
    "export": cmd_export,
    "init-db": cmd_init_db,
    "load-demo": cmd_load_demo,
    "check": cmd_check,
    "create-user": cmd_create_user,
    "reset-password": cmd_reset_password,
    "reminders": cmd_reminders,
    "report": cmd_report,
    "open-data": cmd_open_data,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "prepare-views": cmd_prepare_views,
}
