"""The write path for plan data: principal → permission → checks → change + audit entry + data
version, in one transaction.

Every function is keyword-only, takes the acting principal, asks the permission module itself (so a
call that bypasses the pages is refused just the same, and the refusal is audited), validates its
input on the server (:mod:`equity_tracking.validation`), and commits its change, its audit entry and
the data-version bump together or not at all (:func:`equity_tracking.db.writing`, which also retries
a busy database within a bound).

Nothing is changed in place that a person would want back: a value, an action's status and a
narrative are each saved as a new row that names the row it replaces, and each step of a review is a
new ``review_steps`` row. A save names the version it started from, and is refused with a
:class:`ConflictError` that shows the other person's work if someone saved in between
(compare-and-set on ``edit_versions``).

Review: an editor submits a bureau's cycle (its drafts for one fiscal year); a reviewer approves it,
or returns it with a comment (its rows become drafts again); an administrator publishes what was
approved, and only then is it public.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import Connection, Engine, Integer, Row, String, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from equity_tracking import audit, permissions, validation
from equity_tracking.db import writing
from equity_tracking.models import (
    DATA_CHANGES_KEY,
    PUBLIC_CHANGES_KEY,
    RESTORE_KEY,
    STRUCTURE_CHANGES_KEY,
    Action,
    ActionStatus,
    ActionUpdate,
    AnnualReport,
    AppMetadata,
    Base,
    EditVersion,
    Measure,
    MeasureValue,
    Plan,
    RaceGroup,
    ReportingPeriod,
    ReviewState,
    ReviewStatus,
    ReviewStep,
    User,
    cycle_rows,
    in_plans,
    table_of,
)
from equity_tracking.periods import fiscal_year as fiscal_year_period
from equity_tracking.permissions import Permission, PermissionDeniedError, Principal
from equity_tracking.validation import Entry, FieldError, ValidationError


class WriteError(ValueError):
    """A change that cannot be made as asked; the message says why. Nothing was changed."""


class ConflictError(WriteError):
    """Someone saved the same thing after this edit began; their work is in the message, and
    ``version`` is the version to start again from."""

    def __init__(self, message: str, *, version: int):
        self.version = version
        super().__init__(message)


class ConfirmationNeededError(WriteError):
    """The entry is valid but unusual (a jump of more than 3× from the prior value); saved only when
    the caller confirms. Nothing was changed."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


T = TypeVar("T")


def _write(engine: Engine, work: Callable[[Connection], T]) -> T:
    """``work`` in one write transaction (:func:`equity_tracking.db.writing`). A refusal rolls it
    back and is then audited in a transaction of its own: on SQLite the write lock is released
    first, so the audit entry does not wait for it."""
    try:
        return writing(engine, work)
    except PermissionDeniedError as refused:
        audit.record_refusal(engine, refused)
        raise


# --- the data version and compare-and-set -------------------------------------------------------


def bump_data_version(connection: Connection, *, structural: bool = False, public: bool = False) -> None:
    """Count one more change of plan data (in the caller's transaction), so every process's caches
    see it on their next page run (``reads.data_version``). A ``structural`` change (anything but
    new values and review steps) also tells processes holding the values to read them all again
    (``reads.value_watermark``); new values and review steps are caught up row by row. A change the
    public can see (``public``: something published; every structural change) also moves the
    public's data version on."""
    _count_one_more(connection, DATA_CHANGES_KEY)
    if structural:
        _count_one_more(connection, STRUCTURE_CHANGES_KEY)
    if structural or public:
        _count_one_more(connection, PUBLIC_CHANGES_KEY)


def mark_restored(connection: Connection) -> None:
    """A restored copy brings its own counters, which may repeat ones processes have already seen
    for other data: a new mark, part of every data version, tells them apart."""
    connection.execute(delete(AppMetadata).where(AppMetadata.key == RESTORE_KEY))
    connection.execute(insert(AppMetadata).values(key=RESTORE_KEY, value=uuid.uuid4().hex))


def _count_one_more(connection: Connection, key: str) -> None:
    count_one_more = (
        update(AppMetadata)
        .where(AppMetadata.key == key)
        .values(value=(AppMetadata.value.cast(Integer) + 1).cast(String), updated_at=_now())
    )
    if connection.execute(count_one_more).rowcount:
        return
    try:  # the first change ever: start the counter (in a savepoint, as two writers may race here)
        with connection.begin_nested():
            connection.execute(insert(AppMetadata).values(key=key, value="1"))
    except IntegrityError:  # the other writer started it first: count on from theirs
        connection.execute(count_one_more)


def period_key(measure_id: int, period_id: int) -> str:
    return f"measure:{measure_id}:period:{period_id}"


def action_key(action_id: int) -> str:
    return f"action:{action_id}"


def narrative_key(bureau_id: int, fiscal_year: int) -> str:
    return f"narrative:{bureau_id}:{fiscal_year}"


def edit_version(connection: Connection, key: str) -> int:
    """The version of ``key`` now: 0 before its first save."""
    found = connection.execute(select(EditVersion.version).where(EditVersion.key == key)).scalar_one_or_none()
    return int(found or 0)


def edit_versions(engine: Engine, keys: Sequence[str]) -> dict[str, int]:
    """The versions of ``keys`` now (0 for a key never saved), for a form to start from."""
    with engine.connect() as connection:
        found = dict(
            connection.execute(
                select(EditVersion.key, EditVersion.version).where(EditVersion.key.in_(keys))
            ).all()
        )
    return {key: int(found.get(key, 0)) for key in keys}


def claim_version(connection: Connection, key: str, expected: int, describe_theirs) -> int:
    """Move ``key`` from version ``expected`` to the next one, or raise :class:`ConflictError`
    (with ``describe_theirs()``, the other person's work) if it has moved on. The UPDATE … WHERE
    version = expected is atomic in both databases: of two saves from the same version, one wins."""
    if expected == 0:
        try:
            with connection.begin_nested():
                connection.execute(insert(EditVersion).values(key=key, version=1))
            return 1
        except IntegrityError:
            pass  # someone saved first: fall through to the conflict
    else:
        moved = connection.execute(
            update(EditVersion)
            .where(EditVersion.key == key, EditVersion.version == expected)
            .values(version=expected + 1)
        ).rowcount
        if moved:
            return expected + 1
    current = edit_version(connection, key)
    raise ConflictError(
        f"Someone else saved this while you were editing: {describe_theirs()} Your changes were not saved. "
        "Look at theirs, then make your change again if it is still needed.",
        version=current,
    )


def _row(connection: Connection, model: type[Base], row_id: int) -> Row | None:
    """One row of ``model``'s table by id (columns by name), or None."""
    table = table_of(model)
    return connection.execute(select(table).where(table.c.id == row_id)).one_or_none()


def _user_name(connection: Connection, user_id: int | None) -> str:
    if user_id is None:
        return "someone"
    name = connection.execute(select(User.display_name).where(User.id == user_id)).scalar_one_or_none()
    return name or "someone"


def _when(instant: dt.datetime | None) -> str:
    if instant is None:
        return ""
    return f" at {instant:%H:%M} UTC on {instant:%-d %B %Y}"


# --- measure values -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureContext:
    bureau_id: int
    unit: str
    frequency: str
    first_fiscal_year: int
    last_fiscal_year: int


def bureau_of_measure(connection: Connection, measure_id: int) -> int:
    return _measure_context(connection, measure_id).bureau_id


def _measure_context(connection: Connection, measure_id: int) -> MeasureContext:
    row = connection.execute(
        in_plans(Measure, Plan.bureau_id)
        .add_columns(Measure.unit, Measure.frequency, Plan.first_fiscal_year, Plan.last_fiscal_year)
        .where(Measure.id == measure_id)
    ).one_or_none()
    if row is None:
        raise WriteError(f"There is no measure {measure_id}.")
    return MeasureContext(int(row[0]), str(row[1].value), str(row[2].value), int(row[3]), int(row[4]))


def _newest_value_rows(connection: Connection, measure_id: int, period_id: int) -> dict[int | None, Row]:
    """The newest row of each group (None: the total) of one measure and period, of any status."""
    table = table_of(MeasureValue)
    rows = connection.execute(
        select(table)
        .where(table.c.measure_id == measure_id, table.c.period_id == period_id)
        .order_by(table.c.id)
    ).all()
    return {row.group_id: row for row in rows}


def _prior_total(connection: Connection, measure_id: int, period: Row) -> float | None:
    """The newest total of the latest earlier period of the same kind, of any status."""
    row = connection.execute(
        select(MeasureValue.value)
        .join(ReportingPeriod, ReportingPeriod.id == MeasureValue.period_id)
        .where(
            MeasureValue.measure_id == measure_id,
            MeasureValue.group_id.is_(None),
            ReportingPeriod.kind == period.kind,
            ReportingPeriod.end_date < period.end_date,
        )
        .order_by(ReportingPeriod.end_date.desc(), MeasureValue.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return None if row is None else float(row)


def _disaggregation_groups(connection: Connection) -> set[int]:
    """The groups a value may be entered for: active, and not a roll-up of others."""
    return set(connection.execute(select(RaceGroup.id).where(RaceGroup.takes_figures())).scalars())


@dataclass(frozen=True)
class _CheckedEntry:
    total: validation.Figure
    groups: dict[int, validation.Figure]
    note: str | None
    source: str | None


def _checked_entry(
    connection: Connection,
    context: MeasureContext,
    period: Row,
    total: Entry,
    groups: Mapping[int, Entry],
    note: object,
    source: object,
    today: dt.date,
) -> _CheckedEntry:
    """A period's entry checked field by field (:mod:`equity_tracking.validation`); raises
    :class:`ValidationError` naming every bad field at once."""
    errors: list[FieldError] = []
    validation.check_period(
        period_start=period.start_date,
        period_end=period.end_date,
        period_kind=period.kind.value,
        frequency=context.frequency,
        plan_start=fiscal_year_period(context.first_fiscal_year).start_date,
        plan_end=fiscal_year_period(context.last_fiscal_year).end_date,
        today=today,
        errors=errors,
    )
    checked_note = validation.check_text(note, "note", validation.NOTE_LIMIT, errors)
    checked_source = validation.check_text(source, "source", validation.SOURCE_LIMIT, errors)
    figure = validation.read_entry(total, context.unit, "total", errors, required=True)
    allowed_groups = _disaggregation_groups(connection)
    figures: dict[int, validation.Figure] = {}
    for group_id, entry in groups.items():
        if group_id not in allowed_groups:
            errors.append(FieldError(f"group.{group_id}", "This is not one of the race/ethnicity groups."))
            continue
        group_figure = validation.read_entry(entry, context.unit, f"group.{group_id}", errors, required=False)
        if group_figure is not None:
            figures[group_id] = group_figure
    validation.check_groups_add_up(figures, context.unit, figure, checked_note, errors)
    if errors or figure is None:
        raise ValidationError(errors)
    return _CheckedEntry(figure, figures, checked_note, checked_source)


@dataclass(frozen=True)
class SavedPeriod:
    """What :func:`save_period_values` saved: the new version and the new rows' ids."""

    version: int
    value_ids: list[int] = field(default_factory=list)


def save_period_values(
    engine: Engine,
    *,
    actor: Principal,
    measure_id: int,
    period_id: int,
    total: Entry,
    groups: Mapping[int, Entry] | None = None,
    note: object = None,
    source: object = None,
    base_version: int,
    confirm_jump: bool = False,
    today: dt.date | None = None,
) -> SavedPeriod:
    """Save a measure's figures for one period as drafts: the total and any race/ethnicity groups
    (each with an optional numerator and denominator), a note and a source.

    Refused, with nothing changed: without permission to edit the measure's bureau
    (``PermissionDeniedError``), with bad input (:class:`ValidationError`, every bad field named),
    when someone saved this measure and period since ``base_version`` (:class:`ConflictError`), or,
    unless ``confirm_jump``, when the total is more than 3× the prior period's
    (:class:`ConfirmationNeededError`). Each figure is a new row replacing the previous one of its group.
    """

    def work(connection: Connection) -> SavedPeriod:
        context = _measure_context(connection, measure_id)
        permissions.require(
            actor, Permission.EDIT_BUREAU_DATA, bureau_id=context.bureau_id,
            what=f"enter values of measure {measure_id}",
        )  # fmt: skip
        period = _row(connection, ReportingPeriod, period_id)
        if period is None:
            raise ValidationError([FieldError("period", "Choose a reporting period.")])
        checked = _checked_entry(
            connection, context, period, total, groups or {}, note, source, today or dt.date.today()
        )
        figure, figures = checked.total, checked.groups
        jump = validation.jump_from_prior(figure.value, _prior_total(connection, measure_id, period))
        if jump and not confirm_jump:
            raise ConfirmationNeededError(jump)
        newest = _newest_value_rows(connection, measure_id, period_id)

        def theirs() -> str:
            latest = max(newest.values(), key=lambda row: row.id, default=None)
            if latest is None:
                return "the figures were changed."
            total_now = f" a total of {newest[None].value:,.6g}" if None in newest else " figures"
            return (
                f"{_user_name(connection, latest.entered_by_id)} saved{total_now}{_when(latest.entered_at)}."
            )

        version = claim_version(connection, period_key(measure_id, period_id), base_version, theirs)
        value_ids = [
            _insert_value(connection, actor, measure_id, period_id, group_id, one, newest.get(group_id),
                          note=checked.note if group_id is None else None, source=checked.source)
            for group_id, one in [(None, figure), *figures.items()]
        ]  # fmt: skip
        audit.record(
            connection,
            actor=actor,
            action="values_saved",
            entity="measure_value",
            entity_id=value_ids[0],
            detail={
                "measure_id": measure_id,
                "period_id": period_id,
                "rows": len(value_ids),
                "version": version,
            },
        )
        bump_data_version(connection)
        return SavedPeriod(version, value_ids)

    return _write(engine, work)


def _insert_value(
    connection: Connection,
    actor: Principal,
    measure_id: int,
    period_id: int,
    group_id: int | None,
    figure: validation.Figure,
    replaces: Row | None,
    *,
    note: str | None,
    source: str | None,
) -> int:
    return int(
        connection.execute(
            insert(MeasureValue)
            .values(
                measure_id=measure_id,
                period_id=period_id,
                group_id=group_id,
                value=figure.value,
                numerator=figure.numerator,
                denominator=figure.denominator,
                note=note,
                source=source,
                review_status=ReviewStatus.DRAFT.value,
                entered_by_id=actor.user_id,
                entered_at=_now(),
                replaces_id=None if replaces is None else replaces.id,
            )
            .returning(MeasureValue.id)
        ).scalar_one()
    )


def restore_value(
    engine: Engine, *, actor: Principal, value_id: int, base_version: int, reason: object
) -> int:
    """Bring back an earlier version of one figure: a new draft row with its numbers, replacing the
    newest one (nothing is deleted). Returns the new row's id."""

    def work(connection: Connection) -> int:
        old = _row(connection, MeasureValue, value_id)
        if old is None:
            raise WriteError(f"There is no value {value_id}.")
        bureau_id = bureau_of_measure(connection, old.measure_id)
        permissions.require(
            actor, Permission.EDIT_BUREAU_DATA, bureau_id=bureau_id, what=f"restore value {value_id}"
        )
        errors: list[FieldError] = []
        why = validation.check_text(reason, "reason", validation.NOTE_LIMIT, errors)
        if errors:
            raise ValidationError(errors)
        newest = _newest_value_rows(connection, old.measure_id, old.period_id).get(old.group_id)
        claim_version(
            connection, period_key(old.measure_id, old.period_id), base_version,
            lambda: "a newer version was saved" + (_when(newest.entered_at) if newest else "") + ".",
        )  # fmt: skip
        new_id = _insert_value(
            connection, actor, old.measure_id, old.period_id, old.group_id,
            validation.Figure(old.value, old.numerator, old.denominator), newest,
            note=old.note, source=old.source,
        )  # fmt: skip
        audit.record(
            connection, actor=actor, action="value_restored", entity="measure_value", entity_id=new_id,
            detail={"restored_from": value_id, "reason": why},
        )  # fmt: skip
        bump_data_version(connection)
        return new_id

    return _write(engine, work)


# --- action status updates --------------------------------------------------------------------------


def record_action_update(
    engine: Engine,
    *,
    actor: Principal,
    action_id: int,
    status: object,
    percent_complete: object,
    narrative: object,
    fiscal_year: int,
    base_version: int,
) -> int:
    """A draft status update of an action for the cycle ``fiscal_year``, with its narrative (a new
    row; earlier updates stay). Returns the new version of the action's status."""

    def work(connection: Connection) -> int:
        bureau_id = connection.execute(
            in_plans(Action, Plan.bureau_id).where(Action.id == action_id)
        ).scalar_one_or_none()
        if bureau_id is None:
            raise WriteError(f"There is no action {action_id}.")
        permissions.require(
            actor, Permission.EDIT_BUREAU_DATA, bureau_id=bureau_id, what=f"update action {action_id}"
        )
        errors: list[FieldError] = []
        try:
            checked_status = ActionStatus(status)
        except ValueError:
            errors.append(FieldError("status", "Choose one of the statuses."))
        percent = validation.read_number(percent_complete, "percent_complete", errors, required=True)
        if percent is not None:
            validation.check_unit(percent, "percent", "percent_complete", errors)
        text = validation.check_text(narrative, "narrative", validation.NARRATIVE_LIMIT, errors)
        if text is None and not any(error.field == "narrative" for error in errors):
            errors.append(FieldError("narrative", "Say in a sentence or two what happened this year."))
        if errors:
            raise ValidationError(errors)

        def theirs() -> str:
            table = table_of(ActionUpdate)  # a Core row by column name (an ORM select gives the id only)
            latest = connection.execute(
                select(table).where(table.c.action_id == action_id).order_by(table.c.id.desc()).limit(1)
            ).one_or_none()
            if latest is None:
                return "the action was updated."
            return (
                f"{_user_name(connection, latest.author_id)} set it to "
                f"“{latest.status.value.replace('_', ' ')}”, {latest.percent_complete:g} % complete"
                f"{_when(latest.reported_at)}."
            )

        version = claim_version(connection, action_key(action_id), base_version, theirs)
        update_id = connection.execute(
            insert(ActionUpdate)
            .values(
                action_id=action_id,
                status=checked_status.value,
                percent_complete=percent,
                narrative=text,
                author_id=actor.user_id,
                reported_at=_now(),
                review_status=ReviewStatus.DRAFT.value,
                fiscal_year=fiscal_year,
            )
            .returning(ActionUpdate.id)
        ).scalar_one()
        audit.record(
            connection, actor=actor, action="action_updated", entity="action_update", entity_id=update_id,
            detail={"action_id": action_id, "status": checked_status.value, "version": version},
        )  # fmt: skip
        bump_data_version(connection)
        return version

    return _write(engine, work)


# --- annual narratives --------------------------------------------------------------------------------


def save_narrative(
    engine: Engine,
    *,
    actor: Principal,
    bureau_id: int,
    fiscal_year: int,
    highlights: object,
    challenges: object,
    priorities: object,
    base_version: int,
) -> int:
    """A draft of the bureau's annual narrative for ``fiscal_year``: 1–3 highlights, challenges and
    next year's priorities (a new row replacing the previous draft). Returns the new version."""

    def work(connection: Connection) -> int:
        permissions.require(
            actor, Permission.EDIT_BUREAU_DATA, bureau_id=bureau_id, what="write the annual narrative"
        )
        errors: list[FieldError] = []
        lists = {
            name: validation.check_narrative_items(raw, name, errors)
            for name, raw in (
                ("highlights", highlights),
                ("challenges", challenges),
                ("priorities", priorities),
            )
        }
        if errors:
            raise ValidationError(errors)
        table = table_of(AnnualReport)
        previous = connection.execute(
            select(table)
            .where(table.c.bureau_id == bureau_id, table.c.fiscal_year == fiscal_year)
            .order_by(table.c.id.desc())
            .limit(1)
        ).one_or_none()

        def theirs() -> str:
            if previous is None:
                return "the narrative was saved."
            who = _user_name(connection, previous.updated_by_id)
            return f"{who} saved the narrative{_when(previous.updated_at)}."

        version = claim_version(connection, narrative_key(bureau_id, fiscal_year), base_version, theirs)
        report_id = connection.execute(
            insert(AnnualReport)
            .values(
                bureau_id=bureau_id,
                fiscal_year=fiscal_year,
                **lists,
                review_status=ReviewStatus.DRAFT.value,
                version=version,
                updated_by_id=actor.user_id,
                updated_at=_now(),
                replaces_id=None if previous is None else previous.id,
            )
            .returning(AnnualReport.id)
        ).scalar_one()
        audit.record(
            connection, actor=actor, action="narrative_saved", entity="annual_report", entity_id=report_id,
            detail={"bureau_id": bureau_id, "fiscal_year": fiscal_year, "version": version},
        )  # fmt: skip
        bump_data_version(connection)
        return version

    return _write(engine, work)


# --- review: submit, return, approve, publish --------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    permission: Permission
    moves: tuple[ReviewStatus, ReviewStatus]  # from, to
    nothing: str  # the refusal when no row is in the "from" state


_STEPS = {
    ReviewState.SUBMITTED: _Step(
        Permission.SUBMIT, (ReviewStatus.DRAFT, ReviewStatus.SUBMITTED),
        "There is nothing to submit: no drafts for this cycle.",
    ),
    ReviewState.RETURNED: _Step(
        Permission.REVIEW, (ReviewStatus.SUBMITTED, ReviewStatus.DRAFT),
        "There is nothing to return: nothing from this bureau and cycle is waiting for review.",
    ),
    ReviewState.APPROVED: _Step(
        Permission.REVIEW, (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED),
        "There is nothing to approve: nothing from this bureau and cycle is waiting for review.",
    ),
    ReviewState.PUBLISHED: _Step(
        Permission.PUBLISH, (ReviewStatus.APPROVED, ReviewStatus.PUBLISHED),
        "There is nothing to publish: nothing from this bureau and cycle has been approved.",
    ),
}  # fmt: skip


def _take_step(
    engine: Engine, *, actor: Principal, state: ReviewState, bureau_id: int, fiscal_year: int, comment: object
) -> int:
    step = _STEPS[state]

    def work(connection: Connection) -> int:
        permissions.require(
            actor, step.permission, bureau_id=bureau_id,
            what=f"{state.value} the cycle {fiscal_year} of bureau {bureau_id}",
        )  # fmt: skip
        errors: list[FieldError] = []
        text = validation.check_text(comment, "comment", validation.NOTE_LIMIT, errors)
        if state is ReviewState.RETURNED and text is None and not errors:
            errors.append(FieldError("comment", "Say what the bureau should change before it submits again."))
        if errors:
            raise ValidationError(errors)
        now = _now()
        source, target = step.moves
        moved = 0
        for model, ids in cycle_rows(bureau_id, fiscal_year).items():
            table = table_of(model)
            values: dict = {"review_status": target.value}
            if target is ReviewStatus.PUBLISHED:
                values["published_at"] = now
            moved += connection.execute(
                update(table)
                .where(table.c.id.in_(ids), table.c.review_status == source.value)
                .values(**values)
            ).rowcount
        if not moved:
            raise WriteError(step.nothing)
        step_id = connection.execute(
            insert(ReviewStep)
            .values(
                bureau_id=bureau_id, fiscal_year=fiscal_year, state=state.value, actor_id=actor.user_id,
                at=now, comment=text, rows_moved=moved,
            )
            .returning(ReviewStep.id)
        ).scalar_one()  # fmt: skip
        audit.record(
            connection, actor=actor, action=f"cycle_{state.value}", entity="review_step", entity_id=step_id,
            detail={"bureau_id": bureau_id, "fiscal_year": fiscal_year, "rows": moved},
        )  # fmt: skip
        bump_data_version(connection, public=state is ReviewState.PUBLISHED)
        return moved

    return _write(engine, work)


def submit_cycle(
    engine: Engine, *, actor: Principal, bureau_id: int, fiscal_year: int, comment: object = None
) -> int:
    """Send the bureau's drafts for the cycle to the equity office; returns how many rows moved."""
    return _take_step(
        engine,
        actor=actor,
        state=ReviewState.SUBMITTED,
        bureau_id=bureau_id,
        fiscal_year=fiscal_year,
        comment=comment,
    )


def return_cycle(
    engine: Engine, *, actor: Principal, bureau_id: int, fiscal_year: int, comment: object
) -> int:
    """Send a submission back to the bureau with a comment (required); its rows become drafts."""
    return _take_step(
        engine,
        actor=actor,
        state=ReviewState.RETURNED,
        bureau_id=bureau_id,
        fiscal_year=fiscal_year,
        comment=comment,
    )


def approve_cycle(
    engine: Engine, *, actor: Principal, bureau_id: int, fiscal_year: int, comment: object = None
) -> int:
    """Approve everything the bureau submitted for the cycle (bulk, by bureau and cycle)."""
    return _take_step(
        engine,
        actor=actor,
        state=ReviewState.APPROVED,
        bureau_id=bureau_id,
        fiscal_year=fiscal_year,
        comment=comment,
    )


def publish_cycle(
    engine: Engine, *, actor: Principal, bureau_id: int, fiscal_year: int, comment: object = None
) -> int:
    """Make the approved work of the bureau's cycle public, as of now."""
    return _take_step(
        engine,
        actor=actor,
        state=ReviewState.PUBLISHED,
        bureau_id=bureau_id,
        fiscal_year=fiscal_year,
        comment=comment,
    )
