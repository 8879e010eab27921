"""The administrators' workspace for reference data: race/ethnicity groups and their roll-ups,
benchmark populations (each group's share of the city's residents, by year and source) and the
yearly reporting cycles with their due dates.

Owns the rules of that data and the reads its page lists: a group's key and name are unique and
never ambiguous for an import (no name, key or alias of another group, as ``group_names`` matches
them); a roll-up adds up at least two known base groups, never a roll-up; a benchmark's shares lie
within 0–1 and add up to at most the whole population; a reporting cycle opens before it is due,
once per fiscal year. No record is deleted: groups and benchmark populations are archived. Only
figures and links are removed, each with an audit entry that keeps what it held: a share left blank
(not known), and a group taken out of a roll-up.

Every write is keyword-only, takes the engine and the acting principal, and runs in one transaction
(:func:`equity_tracking.structure.structural_write`: the permission is asked first, and a change
bumps the data version once, as structural); rows are created and changed through
``structure.save_row`` (which writes each row's history), the fields are read by
:mod:`equity_tracking.field_checks`, and a form's every bad field is named at once
(:class:`~equity_tracking.validation.ValidationError`). A save that changes nothing writes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select

from equity_tracking import audit, structure, validation, writes
from equity_tracking import field_checks as checks
from equity_tracking.group_names import normalized
from equity_tracking.models import (
    BenchmarkPopulation,
    BenchmarkShare,
    RaceGroup,
    RaceGroupMembership,
    ReportingCycle,
    table_of,
)
from equity_tracking.periods import fiscal_year_label
from equity_tracking.permissions import Permission, Principal
from equity_tracking.reference import GROUP_ALIASES
from equity_tracking.validation import FieldError, ValidationError

KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")  # a group's or a benchmark's key, e.g. acs_2021
KEY_RULE = (
    "Use lower-case letters, digits and underscores only, starting with a letter "
    "(at most 40 characters), e.g. acs_2021."
)
NAME_LIMIT = {"group": 120, "benchmark": 200}
SOURCE_LIMIT = 300
LARGEST_SORT_ORDER = 10_000
# Published shares are rounded (to a tenth of a percent, say): nine groups can then add up to a
# little over 100 %. Half a percentage point covers that and still catches a typing slip.
SHARE_TOLERANCE = 0.005
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100
MANAGE = Permission.MANAGE_PLAN_STRUCTURE
# The audit log's names for these records (a record's history is its entries).
GROUP_ENTITY = structure.entity_name(RaceGroup)
BENCHMARK_ENTITY = structure.entity_name(BenchmarkPopulation)
SHARE_ENTITY = structure.entity_name(BenchmarkShare)
CYCLE_ENTITY = structure.entity_name(ReportingCycle)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _key(raw: object, errors: list[FieldError], *, example: str) -> str | None:
    return checks.key(raw, "key", errors, pattern=KEY_PATTERN, rule=KEY_RULE, example=example)


def _name(raw: object, limit: int, errors: list[FieldError]) -> str | None:
    return checks.text(raw, "name", limit, errors, required="Enter a name.")


def _position(raw: object, errors: list[FieldError]) -> int | None:
    return checks.whole(
        raw, "sort_order", errors, low=0, high=LARGEST_SORT_ORDER, required=True, what="a position"
    )


# --- race/ethnicity groups --------------------------------------------------------------------------


def _groups(connection: Connection) -> list[Any]:
    table = table_of(RaceGroup)
    return list(connection.execute(select(table).order_by(table.c.sort_order, table.c.id)).all())


def _spellings(key: str, name: str) -> set[str]:
    """Every way an import may name a group: its name, its key and its aliases, as matched."""
    return {normalized(text) for text in (name, key, *GROUP_ALIASES.get(key, ()))}


def _check_unambiguous(
    connection: Connection,
    *,
    key: str | None,
    name: str | None,
    group_id: int | None,
    errors: list[FieldError],
) -> None:
    """A group's name and key must not be how an import names another group (its name, key or an
    alias), or a spreadsheet's column could mean either."""
    others = [row for row in _groups(connection) if row.id != group_id]
    taken = {spelling: row.name for row in others for spelling in _spellings(row.key, row.name)}
    if key is not None and any(row.key.casefold() == key.casefold() for row in others):
        errors.append(FieldError("key", f"Another group already has the key {key}."))
    elif key is not None and normalized(key) in taken:
        errors.append(FieldError("key", f"An import would read this key as {taken[normalized(key)]}."))
    if name is not None and normalized(name) in taken:
        errors.append(
            FieldError(
                "name",
                f"“{name}” is already how imports name {taken[normalized(name)]}; choose a name no "
                "other group goes by.",
            )
        )
    elif name is not None and not normalized(name):
        errors.append(FieldError("name", "Enter a name with letters or digits in it."))


def _group(connection: Connection, group_id: int) -> Any:
    return structure.existing_row(connection, RaceGroup, group_id, "race/ethnicity group")


def create_group(
    engine: Engine,
    *,
    actor: Principal,
    key: object,
    name: object,
    sort_order: object,
    is_unknown: bool = False,
) -> int:
    """A new base group (e.g. Somali); ``is_unknown`` marks a group of people whose race is not
    known (never one side of a comparison). Returns its id."""

    def work(connection: Connection) -> int:
        errors: list[FieldError] = []
        checked_key = _key(key, errors, example="somali")
        checked_name = _name(name, NAME_LIMIT["group"], errors)
        order = _position(sort_order, errors)
        _check_unambiguous(connection, key=checked_key, name=checked_name, group_id=None, errors=errors)
        checks.raise_if(errors)
        fields = {"key": checked_key, "name": checked_name, "sort_order": order, "is_rollup": False,
                  "is_unknown": bool(is_unknown), "active": True}  # fmt: skip
        return structure.save_row(connection, actor=actor, model=RaceGroup, row_id=None, fields=fields).id

    return structure.structural_write(
        engine, work, actor=actor, what=f"create the race/ethnicity group {str(key)[:40]}"
    )


def rename_group(engine: Engine, *, actor: Principal, group_id: int, name: object) -> bool:
    """Give a group a new name (its key, which imports and links use, stays). Returns whether
    anything changed."""

    def work(connection: Connection) -> bool:
        _group(connection, group_id)
        errors: list[FieldError] = []
        checked = _name(name, NAME_LIMIT["group"], errors)
        _check_unambiguous(connection, key=None, name=checked, group_id=group_id, errors=errors)
        checks.raise_if(errors)
        return structure.save_row(
            connection, actor=actor, model=RaceGroup, row_id=group_id, fields={"name": checked}
        ).changed

    return structure.structural_write(
        engine, work, actor=actor, what=f"rename the race/ethnicity group {group_id}"
    )


def reorder_groups(engine: Engine, *, actor: Principal, group_ids: Sequence[int]) -> bool:
    """Put the groups in this order (every group named once, archived ones too): the order of the
    forms, tables and charts. Returns whether anything changed."""

    def work(connection: Connection) -> bool:
        known = [row.id for row in _groups(connection)]
        wanted = [int(group_id) for group_id in group_ids]
        if sorted(wanted) != sorted(known):
            raise ValidationError([FieldError("order", "Name every group once to put them in order.")])
        changed = False
        for position, group_id in enumerate(wanted, start=1):
            changed |= structure.save_row(
                connection, actor=actor, model=RaceGroup, row_id=group_id, fields={"sort_order": position}
            ).changed
        return changed

    return structure.structural_write(engine, work, actor=actor, what="reorder the race/ethnicity groups")


def set_group_active(engine: Engine, *, actor: Principal, group_id: int, active: bool) -> bool:
    """Archive a group (``active`` False: its values and history stay, it leaves the lists people
    choose from) or restore it. Returns whether anything changed."""

    def work(connection: Connection) -> bool:
        _group(connection, group_id)
        return structure.save_row(
            connection, actor=actor, model=RaceGroup, row_id=group_id, fields={"active": bool(active)}
        ).changed

    verb = "restore" if active else "archive"
    return structure.structural_write(
        engine, work, actor=actor, what=f"{verb} the race/ethnicity group {group_id}"
    )


def _check_members(
    connection: Connection, member_ids: Iterable[object], errors: list[FieldError]
) -> list[int]:
    """At least two distinct active base groups whose race is known: a roll-up of roll-ups would
    count people twice, and "unknown" is never one side of a comparison."""
    groups = {row.id: row for row in _groups(connection)}
    problems: list[str] = []
    read = {_group_id(member, problems) for member in member_ids}
    chosen = sorted(member for member in read if member is not None)
    for member in chosen:
        row = groups.get(member)
        if row is None:
            problems.append(f"there is no group {member}")
        elif row.is_rollup:
            problems.append(f"{row.name} is a roll-up itself (a roll-up adds up base groups only)")
        elif row.is_unknown:
            problems.append(f"{row.name} records that race is not known")
        elif not row.active:
            problems.append(f"{row.name} is archived")
    if problems:
        errors.append(FieldError("members", "These cannot be members: " + "; ".join(problems) + "."))
    elif len(chosen) < 2:
        errors.append(FieldError("members", "Choose at least two groups for a roll-up to add up."))
    return chosen


def _group_id(raw: object, problems: list[str]) -> int | None:
    try:
        return int(raw)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        problems.append(f"“{str(raw)[:40]}” is not a group")
        return None


def _members(connection: Connection, rollup_id: int) -> list[int]:
    return sorted(
        connection.execute(
            select(RaceGroupMembership.member_id).where(RaceGroupMembership.rollup_id == rollup_id)
        ).scalars()
    )


def _replace_members(connection: Connection, actor: Principal, rollup_id: int, members: list[int]) -> bool:
    """Make the roll-up's members exactly ``members``, with the list before and after in its
    history (membership rows have no history of their own: the roll-up's entry is it)."""
    before = _members(connection, rollup_id)
    if before == members:
        return False
    connection.execute(
        delete(RaceGroupMembership).where(
            RaceGroupMembership.rollup_id == rollup_id, RaceGroupMembership.member_id.not_in(members)
        )
    )
    added = [member for member in members if member not in before]
    if added:
        connection.execute(
            insert(RaceGroupMembership), [{"rollup_id": rollup_id, "member_id": member} for member in added]
        )
    audit.record(
        connection, actor=actor, action="rollup_members_changed", entity=GROUP_ENTITY,
        entity_id=rollup_id, detail={"before": {"members": before}, "after": {"members": members}},
    )  # fmt: skip
    structure.note_change(connection)
    return True


def create_rollup(
    engine: Engine,
    *,
    actor: Principal,
    key: object,
    name: object,
    sort_order: object,
    member_ids: Iterable[object],
) -> int:
    """A new roll-up (e.g. "Black, Indigenous and people of color") adding up ``member_ids``.
    Returns its id."""

    def work(connection: Connection) -> int:
        errors: list[FieldError] = []
        checked_key = _key(key, errors, example="somali")
        checked_name = _name(name, NAME_LIMIT["group"], errors)
        order = _position(sort_order, errors)
        _check_unambiguous(connection, key=checked_key, name=checked_name, group_id=None, errors=errors)
        members = _check_members(connection, member_ids, errors)
        checks.raise_if(errors)
        fields = {"key": checked_key, "name": checked_name, "sort_order": order, "is_rollup": True,
                  "is_unknown": False, "active": True}  # fmt: skip
        saved = structure.save_row(connection, actor=actor, model=RaceGroup, row_id=None, fields=fields)
        _replace_members(connection, actor, saved.id, members)
        return saved.id

    return structure.structural_write(engine, work, actor=actor, what=f"create the roll-up {str(key)[:40]}")


def set_rollup_members(
    engine: Engine, *, actor: Principal, rollup_id: int, member_ids: Iterable[object]
) -> bool:
    """Change which base groups a roll-up adds up. Returns whether anything changed."""

    def work(connection: Connection) -> bool:
        if not _group(connection, rollup_id).is_rollup:
            raise writes.WriteError("Only a roll-up has members; this is a base group.")
        errors: list[FieldError] = []
        members = _check_members(connection, member_ids, errors)
        checks.raise_if(errors)
        return _replace_members(connection, actor, rollup_id, members)

    return structure.structural_write(
        engine, work, actor=actor, what=f"change the members of roll-up {rollup_id}"
    )


def groups(engine: Engine) -> pd.DataFrame:
    """Every group, archived ones too, in order: id, key, name, sort_order, is_rollup, is_unknown,
    active, members (a roll-up's member names, in order, joined by ", "), member_ids."""
    with engine.connect() as connection:
        rows = _groups(connection)
        links = connection.execute(select(RaceGroupMembership.rollup_id, RaceGroupMembership.member_id)).all()
    columns = ["id", "key", "name", "sort_order", "is_rollup", "is_unknown", "active"]
    frame = pd.DataFrame([[getattr(row, column) for column in columns] for row in rows], columns=columns)
    names, position = (
        dict(zip(frame["id"], frame["name"], strict=True)),
        {row.id: i for i, row in enumerate(rows)},
    )
    member_ids = {
        group_id: sorted((member for rollup, member in links if rollup == group_id), key=position.__getitem__)
        for group_id in frame["id"]
    }
    frame["member_ids"] = frame["id"].map(member_ids)
    frame["members"] = frame["member_ids"].map(lambda ids: ", ".join(names[member] for member in ids))
    for column in ("is_rollup", "is_unknown", "active"):
        frame[column] = frame[column].astype(bool)
    return frame


# --- benchmark populations and their shares ---------------------------------------------------------


def _benchmark(connection: Connection, benchmark_id: int) -> Any:
    return structure.existing_row(connection, BenchmarkPopulation, benchmark_id, "benchmark population")


def _check_benchmark_fields(
    name: object, source: object, year: object, errors: list[FieldError]
) -> dict[str, object]:
    fields: dict[str, object] = {
        "name": _name(name, NAME_LIMIT["benchmark"], errors),
        "source": checks.text(
            source,
            "source",
            SOURCE_LIMIT,
            errors,
            required="Say where the figures come from, e.g. American Community Survey.",
        ),
        "year": checks.whole(
            year,
            "year",
            errors,
            low=EARLIEST_YEAR,
            high=LATEST_YEAR,
            required=True,
            what="the year of the figures",
        ),
    }
    return fields


def create_benchmark(
    engine: Engine, *, actor: Principal, key: object, name: object, source: object, year: object
) -> int:
    """A new benchmark population, e.g. the city's residents in the ACS of 2021. Returns its id."""

    def work(connection: Connection) -> int:
        errors: list[FieldError] = []
        checked_key = _key(key, errors, example="acs_2021")
        fields = _check_benchmark_fields(name, source, year, errors)
        table = table_of(BenchmarkPopulation)
        if checked_key and connection.execute(select(table.c.id).where(table.c.key == checked_key)).first():
            errors.append(
                FieldError("key", f"Another benchmark population already has the key {checked_key}.")
            )
        checks.raise_if(errors)
        saved = structure.save_row(
            connection,
            actor=actor,
            model=BenchmarkPopulation,
            row_id=None,
            fields={"key": checked_key, **fields},
        )
        return saved.id

    return structure.structural_write(
        engine, work, actor=actor, what=f"create the benchmark population {str(key)[:40]}"
    )


def edit_benchmark(
    engine: Engine, *, actor: Principal, benchmark_id: int, name: object, source: object, year: object
) -> bool:
    """Change a benchmark population's name, source or year (its key stays). Returns whether
    anything changed."""

    def work(connection: Connection) -> bool:
        _benchmark(connection, benchmark_id)
        errors: list[FieldError] = []
        fields = _check_benchmark_fields(name, source, year, errors)
        checks.raise_if(errors)
        return structure.save_row(
            connection, actor=actor, model=BenchmarkPopulation, row_id=benchmark_id, fields=fields
        ).changed

    return structure.structural_write(
        engine, work, actor=actor, what=f"change the benchmark population {benchmark_id}"
    )


def set_benchmark_archived(engine: Engine, *, actor: Principal, benchmark_id: int, archived: bool) -> bool:
    """Archive a benchmark population (kept, with its shares and history, out of the lists people
    choose from) or restore it. Returns whether anything changed."""

    def work(connection: Connection) -> bool:
        row = _benchmark(connection, benchmark_id)
        if (row.archived_at is not None) == archived:
            return False  # already so: keep the first archiving's date
        return structure.save_row(
            connection, actor=actor, model=BenchmarkPopulation, row_id=benchmark_id,
            fields={"archived_at": _now() if archived else None},
        ).changed  # fmt: skip

    verb = "archive" if archived else "restore"
    return structure.structural_write(
        engine, work, actor=actor, what=f"{verb} the benchmark population {benchmark_id}"
    )


def _check_shares(
    connection: Connection, benchmark_id: int, shares: Mapping[int, object], errors: list[FieldError]
) -> dict[int, float | None]:
    """Each share typed (blank: not known) within 0–1, of a base group; and all the population's
    base-group shares after the change adding up to at most the whole, give or take rounding."""
    base = {row.id: row.name for row in _groups(connection) if not row.is_rollup}
    checked: dict[int, float | None] = {}
    for group_id, raw in shares.items():
        field = f"share.{group_id}"
        if int(group_id) not in base:
            errors.append(
                FieldError(field, "A share is given for base groups only (a roll-up adds them up).")
            )
            continue
        share = validation.read_number(raw, field, errors, required=False)
        if share is not None and not 0 <= share <= 1:
            errors.append(FieldError(field, "A share is a fraction from 0 to 1 (e.g. 0.082 for 8.2 %)."))
            continue
        checked[int(group_id)] = share
    existing = dict(
        connection.execute(
            select(BenchmarkShare.group_id, BenchmarkShare.share).where(
                BenchmarkShare.benchmark_id == benchmark_id
            )
        ).all()
    )
    after = {**existing, **checked}
    total = sum(float(share) for group_id, share in after.items() if share is not None and group_id in base)
    if not errors and total > 1 + SHARE_TOLERANCE:
        errors.append(
            FieldError(
                "shares",
                f"The shares add up to {total:.3f} ({100 * total:.1f} %), more than the whole population "
                f"(1.000). Correct them so that they add up to at most 1.",
            )
        )
    return checked


def set_benchmark_shares(
    engine: Engine, *, actor: Principal, benchmark_id: int, shares: Mapping[int, object]
) -> bool:
    """Set each named base group's share (0–1) of the population, ``{group id: share}``; a blank
    share removes the group's figure (it is not known). Groups not named keep theirs. Returns
    whether anything changed."""

    def work(connection: Connection) -> bool:
        _benchmark(connection, benchmark_id)
        errors: list[FieldError] = []
        checked = _check_shares(connection, benchmark_id, shares, errors)
        checks.raise_if(errors)
        changed = False
        for group_id, share in checked.items():
            changed |= _save_share(connection, actor, benchmark_id, group_id, share)
        return changed

    return structure.structural_write(
        engine, work, actor=actor, what=f"change the shares of benchmark population {benchmark_id}"
    )


def _save_share(
    connection: Connection, actor: Principal, benchmark_id: int, group_id: int, share: float | None
) -> bool:
    key = {"benchmark_id": benchmark_id, "group_id": group_id}
    if share is not None:
        return structure.save_keyed_row(
            connection, actor=actor, model=BenchmarkShare, key=key, fields={"share": share}
        )
    where = (BenchmarkShare.benchmark_id == benchmark_id, BenchmarkShare.group_id == group_id)
    before = connection.execute(select(BenchmarkShare.share).where(*where)).scalar_one_or_none()
    if before is None:
        return False
    # structure has no removal (nothing structural is deleted); a share is a figure, not a record,
    # and its history keeps the value it had.
    connection.execute(delete(BenchmarkShare).where(*where))
    audit.record(
        connection, actor=actor, action="benchmark_share_removed", entity=SHARE_ENTITY,
        entity_id=f"{benchmark_id}:{group_id}", detail={"before": {"share": before}},
    )  # fmt: skip
    structure.note_change(connection)
    return True


def benchmarks(engine: Engine, *, actor: Principal, include_archived: bool = False) -> pd.DataFrame:
    """The benchmark populations, newest year first: id, key, name, source, year, archived_at,
    archived, share_total (of base groups), groups_given. Archived ones only for those who manage
    reference data (the refusal is audited)."""
    if include_archived:
        audit.require(engine, actor, MANAGE, what="list archived benchmark populations")
    table = table_of(BenchmarkPopulation)
    statement = select(table).order_by(table.c.year.desc(), table.c.name, table.c.id)
    if not include_archived:
        statement = statement.where(table.c.archived_at.is_(None))
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    columns = ["id", "key", "name", "source", "year", "archived_at"]
    frame = pd.DataFrame([[getattr(row, column) for column in columns] for row in rows], columns=columns)
    frame["archived"] = frame["archived_at"].notna()
    shares = benchmark_shares(engine, actor=actor, include_archived=include_archived)
    totals = shares.groupby("benchmark_id")["share"].agg(["sum", "count"])
    frame["share_total"] = frame["id"].map(totals["sum"]).fillna(0.0).astype(float)
    frame["groups_given"] = frame["id"].map(totals["count"]).fillna(0).astype(int)
    return frame


def benchmark_shares(engine: Engine, *, actor: Principal, include_archived: bool = False) -> pd.DataFrame:
    """Each base group's share of each benchmark population, by year and source, in the groups'
    order: benchmark_id, benchmark, source, year, group_id, group, share (0–1)."""
    if include_archived:
        audit.require(engine, actor, MANAGE, what="list archived benchmark populations")
    statement = (
        select(
            BenchmarkShare.benchmark_id, BenchmarkPopulation.name.label("benchmark"),
            BenchmarkPopulation.source, BenchmarkPopulation.year, BenchmarkShare.group_id,
            RaceGroup.name.label("group"), BenchmarkShare.share,
        )
        .join(BenchmarkPopulation, BenchmarkPopulation.id == BenchmarkShare.benchmark_id)
        .join(RaceGroup, RaceGroup.id == BenchmarkShare.group_id)
        .where(RaceGroup.is_rollup.is_(False))
        .order_by(
            BenchmarkPopulation.year.desc(), BenchmarkShare.benchmark_id, RaceGroup.sort_order, RaceGroup.id
        )
    )  # fmt: skip
    if not include_archived:
        statement = statement.where(BenchmarkPopulation.archived_at.is_(None))
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    columns = ["benchmark_id", "benchmark", "source", "year", "group_id", "group", "share"]
    frame = pd.DataFrame([tuple(row) for row in rows], columns=columns)
    frame["share"] = frame["share"].astype(float)
    return frame


# --- reporting cycles -------------------------------------------------------------------------------


def _check_cycle_dates(
    opens_on: object, due_on: object, errors: list[FieldError]
) -> dict[str, dt.date | None]:
    opens = checks.date(opens_on, "opens_on", errors, required=True)
    due = checks.date(due_on, "due_on", errors, required=True)
    if opens is not None and due is not None and due < opens:
        errors.append(
            FieldError(
                "due_on", f"The due date must be on or after the day the cycle opens ({opens:%-d %B %Y})."
            )
        )
    return {"opens_on": opens, "due_on": due}


def _cycle_exists(connection: Connection, fiscal_year: int) -> bool:
    found = connection.execute(
        select(ReportingCycle.fiscal_year).where(ReportingCycle.fiscal_year == fiscal_year)
    )
    return found.first() is not None


def create_cycle(
    engine: Engine, *, actor: Principal, fiscal_year: object, opens_on: object, due_on: object
) -> int:
    """The reporting cycle of a fiscal year (by the year it starts in: 2021 is FY 2021-22), open
    for reports from ``opens_on`` and due by ``due_on``. Returns the fiscal year."""

    def work(connection: Connection) -> int:
        errors: list[FieldError] = []
        year = checks.whole(
            fiscal_year,
            "fiscal_year",
            errors,
            low=EARLIEST_YEAR,
            high=LATEST_YEAR,
            required=True,
            what="the year the fiscal year starts",
        )
        dates = _check_cycle_dates(opens_on, due_on, errors)
        if year is not None and _cycle_exists(connection, year):
            errors.append(
                FieldError(
                    "fiscal_year",
                    f"{fiscal_year_label(year)} has a reporting cycle already; change its dates.",
                )
            )
        checks.raise_if(errors)
        assert year is not None
        structure.save_keyed_row(
            connection, actor=actor, model=ReportingCycle, key={"fiscal_year": year}, fields=dates
        )
        return year

    return structure.structural_write(
        engine, work, actor=actor, what=f"create the reporting cycle {str(fiscal_year)[:10]}"
    )


def change_cycle_dates(
    engine: Engine, *, actor: Principal, fiscal_year: int, opens_on: object, due_on: object
) -> bool:
    """Move a cycle's opening or due date. Returns whether anything changed."""

    def work(connection: Connection) -> bool:
        if not _cycle_exists(connection, fiscal_year):
            raise writes.WriteError(f"There is no reporting cycle for {fiscal_year_label(fiscal_year)}.")
        errors: list[FieldError] = []
        dates = _check_cycle_dates(opens_on, due_on, errors)
        checks.raise_if(errors)
        return structure.save_keyed_row(
            connection, actor=actor, model=ReportingCycle, key={"fiscal_year": fiscal_year}, fields=dates
        )

    return structure.structural_write(
        engine, work, actor=actor, what=f"change the dates of the reporting cycle {fiscal_year}"
    )


def cycles(engine: Engine) -> pd.DataFrame:
    """Every reporting cycle, newest first: fiscal_year, label ("FY 2020-21"), opens_on, due_on
    (dates)."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(ReportingCycle.fiscal_year, ReportingCycle.opens_on, ReportingCycle.due_on).order_by(
                ReportingCycle.fiscal_year.desc()
            )
        ).all()
    frame = pd.DataFrame([tuple(row) for row in rows], columns=["fiscal_year", "opens_on", "due_on"])
    frame.insert(1, "label", frame["fiscal_year"].map(fiscal_year_label).astype(object))
    return frame


# --- history ----------------------------------------------------------------------------------------


def history(engine: Engine, *, actor: Principal, entity: str, entity_id: object) -> pd.DataFrame:
    """A record's history from the audit log, newest first: at (UTC), user, action, change (words).
    ``entity`` as the audit log names it (``structure.entity_name``); for a benchmark population,
    its shares' entries are included. Only those who may view the audit log may read it
    (:func:`equity_tracking.structure.history`)."""
    parts = SHARE_ENTITY if entity == BENCHMARK_ENTITY else None
    found = structure.history(engine, actor=actor, entity=entity, record_id=entity_id, parts=parts)
    return found[["at", "user", "action", "change"]]
