"""The administrators' workspace for the plan structure: bureaus (with their earlier names), plans and
their versions, goals, actions, measures and interim targets.

Owns the rules of changing the structure by hand: what a field must be (checked on the server, every
bad field named at once, :class:`~equity_tracking.validation.ValidationError`), which plan statuses
follow which, what a bureau rename keeps, what a new plan version copies, and the one way a reporting
period row is found or created (:func:`period_id`, which the importer calls too).

Every write function is keyword-only, takes the engine and the acting principal, and runs in one
transaction (:func:`equity_tracking.structure.structural_write`): the permission is asked first, the
fields are read by :mod:`equity_tracking.field_checks`, each row is created or changed by
:func:`equity_tracking.structure.save_row` (its before and after fields in the audit log, nothing
written when nothing changes), and the data version is bumped once, as structural, when something
changed. Nothing is deleted except a cleared interim target (see :func:`set_interim_target`): rows are
archived instead, and archived goals, actions and measures drop out of what bureaus are asked to
report and of the public views (``reads.not_archived``).

Also owns the administrators' read of a bureau's whole structure, drafts and archived rows included
(:func:`bureau_structure`, refused to anyone who may not manage the structure); a record's history
is :func:`equity_tracking.structure.history`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select

from equity_tracking import audit, structure, validation, writes
from equity_tracking import field_checks as checks
from equity_tracking.field_checks import KEY
from equity_tracking.models import (
    Action,
    ActionStatus,
    Base,
    Bureau,
    BureauGoal,
    BureauName,
    CitywideGoal,
    FocusArea,
    Frequency,
    InterimTarget,
    Measure,
    Plan,
    PlanStatus,
    Polarity,
    RbaCategory,
    ReportingPeriod,
    Unit,
    goal_strategies,
    table_of,
)
from equity_tracking.periods import EARLIEST_YEAR, LATEST_YEAR, Period, format_label, parse_label
from equity_tracking.permissions import Permission, Principal
from equity_tracking.structure import SavedRow
from equity_tracking.validation import FieldError, ValidationError

CODE = re.compile(r"[A-Z0-9]{1,8}")  # a bureau's budget code, kept in capitals
SORT_ORDER_LIMIT = 10_000
# Which status a plan may move to from each (superseded is set only by activating a newer version).
NEXT_STATUS = {
    PlanStatus.DRAFT: frozenset({PlanStatus.ACTIVE}),
    PlanStatus.ACTIVE: frozenset({PlanStatus.COMPLETED}),
}
# The records that are archived by ``archived_at`` (bureaus by ``active``), by the audit log's name.
ARCHIVABLE: dict[str, type[Base]] = {"bureau_goal": BureauGoal, "action": Action, "measure": Measure}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_row = structure.existing_row


def _exists(connection: Connection, model: type[Base], row_id: object) -> bool:
    table = table_of(model)
    return connection.execute(select(table.c.id).where(table.c.id == row_id)).first() is not None


@dataclass(frozen=True)
class _Children:
    """Rows that hang from a parent: goals from a plan, actions and measures from a goal."""

    model: type[Base]
    name: str  # "goal"
    parent: str  # its column naming the parent, "plan_id"
    parent_model: type[Base]
    parent_name: str  # "plan"


GOALS = _Children(BureauGoal, "goal", "plan_id", Plan, "plan")
ACTIONS = _Children(Action, "action", "goal_id", BureauGoal, "goal")
MEASURES = _Children(Measure, "measure", "goal_id", BureauGoal, "goal")


def _check_place(connection: Connection, kind: _Children, parent_id: int, row_id: int | None) -> None:
    """The parent exists, and the row being changed (if any) hangs from it."""
    _row(connection, kind.parent_model, parent_id, kind.parent_name)
    if (
        row_id is not None
        and getattr(_row(connection, kind.model, row_id, kind.name), kind.parent) != parent_id
    ):
        raise writes.WriteError(f"The {kind.name} {row_id} is not under {kind.parent_name} {parent_id}.")


def _check_key_free(
    connection: Connection,
    kind: _Children,
    parent_id: int,
    row_id: int | None,
    key: str | None,
    errors: list[FieldError],
) -> None:
    """No other row under the same parent has ``key`` (archived rows count: the database's unique key
    includes them)."""
    if not key:
        return
    table = table_of(kind.model)
    query = select(table.c.id).where(table.c[kind.parent] == parent_id, table.c.key == key)
    if row_id is not None:
        query = query.where(table.c.id != row_id)
    if connection.execute(query).first() is not None:
        errors.append(
            FieldError("key", f"Another {kind.name} of this {kind.parent_name} already has the key {key}.")
        )


def _save_child(
    connection: Connection,
    actor: Principal,
    kind: _Children,
    parent_id: int,
    row_id: int | None,
    fields: Mapping[str, Any],
) -> SavedRow:
    """Add a row under its parent (``row_id`` None) or change its ``fields``."""
    return _save(
        connection,
        actor,
        kind.model,
        row_id,
        fields if row_id is not None else {kind.parent: parent_id, **fields},
    )


def _sort_order(raw: object, errors: list[FieldError]) -> int:
    """A row's place in its list (0 when blank)."""
    return checks.whole(raw, "sort_order", errors, required=False, low=0, high=SORT_ORDER_LIMIT) or 0


# --- periods ------------------------------------------------------------------------------------------


def period_id(connection: Connection, period: str | Period, *, actor: Principal) -> int:
    """The id of the ``periods`` row for ``period`` (a label in any form :func:`parse_label` reads,
    or a :class:`Period`), creating the row, with its history, when it is not there yet. Raises
    ``PeriodLabelError`` for a label that is not a period. The one place that creates periods: the
    admin workspace and the importer both call it inside their write transaction."""
    parsed = period if isinstance(period, Period) else parse_label(period)
    label = format_label(parsed)
    found = connection.execute(
        select(ReportingPeriod.id).where(ReportingPeriod.label == label)
    ).scalar_one_or_none()
    if found is not None:
        return int(found)
    fields = {
        "label": label,
        "kind": parsed.kind,
        "start_date": parsed.start_date,
        "end_date": parsed.end_date,
        "fiscal_year": parsed.fiscal_year,
        "quarter": parsed.quarter,
    }
    saved = structure.save_row(
        connection, actor=actor, model=ReportingPeriod, row_id=None, fields=fields, what=f"add period {label}"
    )
    return saved.id


# --- saving ---------------------------------------------------------------------------------------------


def _save(
    connection: Connection, actor: Principal, model: type[Base], row_id: int | None, fields: Mapping[str, Any]
) -> SavedRow:
    """``structure.save_row`` (which notes a change for the data version), in fewer words."""
    return structure.save_row(connection, actor=actor, model=model, row_id=row_id, fields=fields)


# --- bureaus --------------------------------------------------------------------------------------------


def create_bureau(
    engine: Engine, *, actor: Principal, code: object, name: object, service_area: object = None
) -> int:
    """A new bureau (active): its budget code (1–8 letters or digits, kept in capitals, unique) and
    name. Returns its id."""

    def work(connection: Connection) -> int:
        errors: list[FieldError] = []
        checked_code = _code(connection, code, errors)
        checked_name = checks.text(name, "name", 200, errors, required="Enter the bureau's name.")
        area = checks.text(service_area, "service_area", 200, errors)
        checks.raise_if(errors)
        fields = {"code": checked_code, "name": checked_name, "service_area": area, "active": True}
        return _save(connection, actor, Bureau, None, fields).id

    return structure.structural_write(engine, work, actor=actor, what="add a bureau")


def _code(connection: Connection, raw: object, errors: list[FieldError]) -> str | None:
    """A budget code: one to eight letters or digits, kept in capitals, no other bureau's."""
    typed = checks.text(raw, "code", 8, errors, required="Enter the bureau's budget code, e.g. TR.")
    if typed is None:
        return None
    code = typed.upper()
    if not CODE.fullmatch(code):
        errors.append(FieldError("code", "Use one to eight letters or digits only, e.g. TR."))
    elif connection.execute(select(Bureau.id).where(Bureau.code == code)).first():
        errors.append(FieldError("code", f"Another bureau already has the code {code}."))
    else:
        return code
    return None


def save_bureau(
    engine: Engine,
    *,
    actor: Principal,
    bureau_id: int,
    name: object,
    service_area: object,
    on: dt.date | None = None,
) -> bool:
    """The bureau form: its name (a new one applies from ``on``, default today, as in
    :func:`rename_bureau`) and service area (blank clears it), in one transaction, every bad field
    named at once. Returns whether anything changed."""

    def work(connection: Connection) -> bool:
        return _change_bureau(connection, actor, bureau_id, name=name, service_area=service_area, on=on)

    return structure.structural_write(engine, work, actor=actor, what=f"change bureau {bureau_id}")


def rename_bureau(
    engine: Engine, *, actor: Principal, bureau_id: int, name: object, on: dt.date | None = None
) -> bool:
    """Give a bureau a new name from ``on`` (default today; after the day its current name took
    effect). Its id, code, plans and figures stay; the old name is kept as an earlier name, valid
    until the day before, so pages say "Formerly …". Returns whether anything changed (the same
    name changes nothing)."""

    def work(connection: Connection) -> bool:
        return _change_bureau(connection, actor, bureau_id, name=name, on=on)

    return structure.structural_write(engine, work, actor=actor, what=f"rename bureau {bureau_id}")


_KEEP = object()  # a field of the bureau not given: left as it is


def _change_bureau(
    connection: Connection,
    actor: Principal,
    bureau_id: int,
    *,
    name: object = _KEEP,
    service_area: object = _KEEP,
    on: dt.date | None = None,
) -> bool:
    bureau = _row(connection, Bureau, bureau_id, "bureau")
    errors: list[FieldError] = []
    fields: dict[str, object] = {}
    if name is not _KEEP:
        fields["name"] = checks.text(name, "name", 200, errors, required="Enter the bureau's name.")
    if service_area is not _KEEP:
        fields["service_area"] = checks.text(service_area, "service_area", 200, errors)
    day = on or dt.date.today()
    renamed = fields.get("name") is not None and fields["name"] != bureau.name
    if renamed:
        current_from = connection.execute(
            select(func.max(BureauName.valid_to)).where(BureauName.bureau_id == bureau_id)
        ).scalar_one_or_none()
        if current_from is not None and day <= current_from + dt.timedelta(days=1):
            errors.append(
                FieldError(
                    "on",
                    f"The current name applies from {current_from + dt.timedelta(days=1):%-d %B %Y}; "
                    "a new name must apply from a later day.",
                )
            )
    checks.raise_if(errors)
    if renamed:
        keep_earlier_name(connection, actor, bureau_id, str(bureau.name), day)
    return _save(connection, actor, Bureau, bureau_id, fields).changed


def keep_earlier_name(
    connection: Connection, actor: Principal, bureau_id: int, old: str, on: dt.date
) -> None:
    """The old name as a ``bureau_names`` row, used until the day before ``on`` (from the day after the
    name before it ended). A name used before (renamed back) has its row moved to the newest span."""
    names = table_of(BureauName)
    earlier = connection.execute(
        select(names).where(names.c.bureau_id == bureau_id).order_by(names.c.valid_to)
    ).all()
    ended = [row.valid_to for row in earlier if row.valid_to is not None and row.name != old]
    fields = {
        "valid_from": max(ended) + dt.timedelta(days=1) if ended else None,
        "valid_to": on - dt.timedelta(days=1),
    }
    same = next((row for row in earlier if row.name == old), None)
    if same is None:
        _save(connection, actor, BureauName, None, {"bureau_id": bureau_id, "name": old, **fields})
    else:
        _save(connection, actor, BureauName, same.id, fields)


def set_service_area(engine: Engine, *, actor: Principal, bureau_id: int, service_area: object) -> bool:
    """The bureau's service area (blank clears it). Returns whether anything changed."""

    def work(connection: Connection) -> bool:
        return _change_bureau(connection, actor, bureau_id, service_area=service_area)

    return structure.structural_write(engine, work, actor=actor, what=f"change bureau {bureau_id}")


def set_bureau_active(engine: Engine, *, actor: Principal, bureau_id: int, active: bool) -> bool:
    """Archive a bureau (``active`` False: left out of the lists and public pages, its plans and
    figures kept) or restore it. Returns whether anything changed."""

    def work(connection: Connection) -> bool:
        _row(connection, Bureau, bureau_id, "bureau")
        return _save(connection, actor, Bureau, bureau_id, {"active": bool(active)}).changed

    return structure.structural_write(
        engine, work, actor=actor, what=f"{'restore' if active else 'archive'} bureau {bureau_id}"
    )


# --- plans and their versions ----------------------------------------------------------------------------


def create_plan(
    engine: Engine,
    *,
    actor: Principal,
    bureau_id: int,
    title: object,
    first_fiscal_year: object,
    last_fiscal_year: object,
    status: object = PlanStatus.DRAFT.value,
    adopted_on: object = None,
) -> int:
    """A new plan of a bureau (fiscal years by the year they start in: 2021 is FY 2021-22), version 1
    for its first year (or the next free version). Returns its id."""

    def work(connection: Connection) -> int:
        _row(connection, Bureau, bureau_id, "bureau")
        errors: list[FieldError] = []
        checked_title = checks.text(title, "title", 300, errors, required="Enter the plan's title.")
        first = checks.whole(
            first_fiscal_year, "first_fiscal_year", errors, required=True, low=EARLIEST_YEAR, high=LATEST_YEAR
        )
        last = checks.whole(
            last_fiscal_year, "last_fiscal_year", errors, required=True, low=EARLIEST_YEAR, high=LATEST_YEAR
        )
        if first is not None and last is not None and last < first:
            errors.append(
                FieldError("last_fiscal_year", "The last fiscal year cannot come before the first.")
            )
        checked_status = checks.choice(status, PlanStatus, "status", errors)
        if checked_status is PlanStatus.SUPERSEDED:
            errors.append(FieldError("status", "A new plan cannot start as superseded."))
        adopted = checks.date(adopted_on, "adopted_on", errors)
        checks.raise_if(errors)
        fields = {
            "bureau_id": bureau_id,
            "title": checked_title,
            "first_fiscal_year": first,
            "last_fiscal_year": last,
            "version": _next_version(connection, bureau_id, first),
            "status": checked_status,
            "adopted_on": adopted,
        }
        return _save(connection, actor, Plan, None, fields).id

    return structure.structural_write(engine, work, actor=actor, what=f"add a plan to bureau {bureau_id}")


def _next_version(connection: Connection, bureau_id: int, first_fiscal_year: object) -> int:
    newest = connection.execute(
        select(func.max(Plan.version)).where(
            Plan.bureau_id == bureau_id, Plan.first_fiscal_year == first_fiscal_year
        )
    ).scalar_one_or_none()
    return int(newest or 0) + 1


def set_plan_status(engine: Engine, *, actor: Principal, plan_id: int, status: object) -> bool:
    """Move a plan on: a draft becomes active, an active plan completed. Making a version active
    supersedes the bureau's other active version of the same plan (same first fiscal year), so one
    version is in force. Returns whether anything changed."""

    def work(connection: Connection) -> bool:
        plan = _row(connection, Plan, plan_id, "plan")
        errors: list[FieldError] = []
        wanted = checks.choice(status, PlanStatus, "status", errors)
        checks.raise_if(errors)
        assert wanted is not None
        current = PlanStatus(getattr(plan.status, "value", plan.status))
        if wanted is current:
            return False
        if wanted not in NEXT_STATUS.get(current, frozenset()):
            allowed = " or ".join(sorted(next_one.value for next_one in NEXT_STATUS.get(current, ())))
            allowed = allowed or "nothing else"
            raise ValidationError(
                [FieldError("status", f"A {current.value} plan can become {allowed}, not {wanted.value}.")]
            )
        if wanted is PlanStatus.ACTIVE:
            _supersede_others(connection, actor, plan)
        return _save(connection, actor, Plan, plan_id, {"status": wanted}).changed

    return structure.structural_write(engine, work, actor=actor, what=f"change the status of plan {plan_id}")


def _supersede_others(connection: Connection, actor: Principal, plan: Any) -> None:
    others = connection.execute(
        select(Plan.id).where(
            Plan.bureau_id == plan.bureau_id,
            Plan.first_fiscal_year == plan.first_fiscal_year,
            Plan.status == PlanStatus.ACTIVE.value,
            Plan.id != plan.id,
        )
    ).scalars()
    for other in list(others):
        _save(connection, actor, Plan, int(other), {"status": PlanStatus.SUPERSEDED})


def new_plan_version(engine: Engine, *, actor: Principal, plan_id: int) -> int:
    """Start a revision of a plan: a draft with the next version number and a copy of its goals (with
    their strategies), actions, measures and interim targets, under the same keys. Archived rows are
    not copied (they were retired). The plan in force stays in force until the draft is made
    active. Returns the new plan's id."""

    def work(connection: Connection) -> int:
        plan = _row(connection, Plan, plan_id, "plan")
        fields = _copied(
            plan,
            version=_next_version(connection, plan.bureau_id, plan.first_fiscal_year),
            status=PlanStatus.DRAFT,
            adopted_on=None,
        )
        new_id = _save(connection, actor, Plan, None, fields).id
        counts = _copy_goals(connection, actor, plan_id, new_id)
        audit.record(
            connection,
            actor=actor,
            action="plan_version_started",
            entity="plan",
            entity_id=new_id,
            detail={"from_plan": plan_id, **counts},
        )
        return new_id

    return structure.structural_write(
        engine, work, actor=actor, what=f"start a new version of plan {plan_id}"
    )


def _copied(row: Any, **changes: object) -> dict[str, object]:
    """A row's fields without its id, with ``changes``."""
    return {name: value for name, value in row._mapping.items() if name != "id"} | changes


def _live(model: type[Base], parent: str, parent_id: int) -> Any:
    table = table_of(model)
    return (
        select(table)
        .where(table.c[parent] == parent_id, table.c.archived_at.is_(None))
        .order_by(table.c.sort_order, table.c.id)
    )


def _copy_goals(connection: Connection, actor: Principal, old_plan: int, new_plan: int) -> dict[str, int]:
    counts = {"goals": 0, "actions": 0, "measures": 0, "interim_targets": 0}
    for goal in connection.execute(_live(BureauGoal, "plan_id", old_plan)).all():
        new_goal = _save(connection, actor, BureauGoal, None, _copied(goal, plan_id=new_plan)).id
        strategies: list[int] = list(
            connection.execute(
                select(goal_strategies.c.strategy_id).where(goal_strategies.c.goal_id == goal.id)
            ).scalars()
        )
        for strategy in strategies:
            connection.execute(insert(goal_strategies).values(goal_id=new_goal, strategy_id=strategy))
        new_actions = {
            action.id: _save(connection, actor, Action, None, _copied(action, goal_id=new_goal)).id
            for action in connection.execute(_live(Action, "goal_id", goal.id)).all()
        }
        counts["goals"] += 1
        counts["actions"] += len(new_actions)
        for measure in connection.execute(_live(Measure, "goal_id", goal.id)).all():
            fields = _copied(measure, goal_id=new_goal, action_id=new_actions.get(measure.action_id))
            new_measure = _save(connection, actor, Measure, None, fields).id
            counts["measures"] += 1
            counts["interim_targets"] += _copy_interim_targets(connection, actor, measure.id, new_measure)
    return counts


def _copy_interim_targets(connection: Connection, actor: Principal, old: int, new: int) -> int:
    targets = table_of(InterimTarget)
    rows = connection.execute(select(targets).where(targets.c.measure_id == old)).all()
    for row in rows:
        _save(connection, actor, InterimTarget, None, _copied(row, measure_id=new))
    return len(rows)


# --- goals, actions and measures --------------------------------------------------------------------------


def save_goal(
    engine: Engine,
    *,
    actor: Principal,
    plan_id: int,
    goal_id: int | None = None,
    key: object,
    title: object,
    description: object = None,
    citywide_goal_id: object,
    focus_area_id: object,
    sort_order: object = 0,
) -> SavedRow:
    """Add a goal to a plan (``goal_id`` None) or change one: its key (unique in the plan), title,
    description, the citywide goal and focus area it maps to, and its place in the list."""

    def work(connection: Connection) -> SavedRow:
        _check_place(connection, GOALS, plan_id, goal_id)
        errors: list[FieldError] = []
        checked_key = checks.key(key, "key", errors)
        _check_key_free(connection, GOALS, plan_id, goal_id, checked_key, errors)
        fields = {
            "key": checked_key,
            "title": checks.text(title, "title", 300, errors, required="Enter the goal's title."),
            "description": checks.text(description, "description", 4000, errors),
            "citywide_goal_id": _reference(
                connection,
                CitywideGoal,
                citywide_goal_id,
                "citywide_goal_id",
                "Choose one of the citywide goals.",
                errors,
            ),
            "focus_area_id": _reference(
                connection,
                FocusArea,
                focus_area_id,
                "focus_area_id",
                "Choose one of the focus areas.",
                errors,
            ),
            "sort_order": _sort_order(sort_order, errors),
        }
        checks.raise_if(errors)
        return _save_child(connection, actor, GOALS, plan_id, goal_id, fields)

    return structure.structural_write(engine, work, actor=actor, what=f"change the goals of plan {plan_id}")


def _reference(
    connection: Connection, model: type[Base], raw: object, field: str, message: str, errors: list[FieldError]
) -> int | None:
    try:
        row_id = int(raw)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        row_id = None
    if row_id is None or not _exists(connection, model, row_id):
        errors.append(FieldError(field, message))
        return None
    return row_id


def save_action(
    engine: Engine,
    *,
    actor: Principal,
    goal_id: int,
    action_id: int | None = None,
    key: object,
    title: object,
    description: object = None,
    lead: object = None,
    start_date: object = None,
    due_date: object = None,
    status: object = ActionStatus.NOT_STARTED.value,
    sort_order: object = 0,
) -> SavedRow:
    """Add an action to a goal (``action_id`` None) or change one: key (unique in the goal), title,
    lead, start and due dates (due on or after the start), status and place in the list. Bureaus
    report the status through their updates; this sets the action's own."""

    def work(connection: Connection) -> SavedRow:
        _check_place(connection, ACTIONS, goal_id, action_id)
        errors: list[FieldError] = []
        checked_key = checks.key(key, "key", errors)
        _check_key_free(connection, ACTIONS, goal_id, action_id, checked_key, errors)
        start, due = checks.date(start_date, "start_date", errors), checks.date(due_date, "due_date", errors)
        if start is not None and due is not None and due < start:
            errors.append(FieldError("due_date", "The due date cannot come before the start date."))
        fields = {
            "key": checked_key,
            "title": checks.text(title, "title", 400, errors, required="Enter the action's title."),
            "description": checks.text(description, "description", 4000, errors),
            "lead": checks.text(lead, "lead", 200, errors),
            "start_date": start,
            "due_date": due,
            "status": checks.choice(status, ActionStatus, "status", errors),
            "sort_order": _sort_order(sort_order, errors),
        }
        checks.raise_if(errors)
        return _save_child(connection, actor, ACTIONS, goal_id, action_id, fields)

    return structure.structural_write(engine, work, actor=actor, what=f"change the actions of goal {goal_id}")


@dataclass(frozen=True)
class MeasureFields:
    """A measure as typed in the form (anything may arrive; :func:`save_measure` checks it)."""

    key: object
    name: object
    unit: object
    polarity: object
    rba_category: object
    frequency: object
    baseline_value: object = None
    baseline_period: object = None  # a period label, e.g. "FY 2016-17"
    target_value: object = None
    target_period: object = None
    disaggregated: object = False
    data_source: object = None
    indicator: object = None
    description: object = None
    sort_order: object = 0


def save_measure(
    engine: Engine, *, actor: Principal, goal_id: int, measure_id: int | None = None, fields: MeasureFields
) -> SavedRow:
    """Add a measure to a goal (``measure_id`` None) or change one: definition, baseline and target
    (each a value and a period; a period not in the tracker yet is added), data source, shared
    indicator. Key unique in the goal."""

    def work(connection: Connection) -> SavedRow:
        _check_place(connection, MEASURES, goal_id, measure_id)
        errors: list[FieldError] = []
        checked = _measure_fields(fields, errors)
        _check_key_free(connection, MEASURES, goal_id, measure_id, checked["key"], errors)
        checks.raise_if(errors)
        for part in ("baseline", "target"):
            period = checked.pop(f"{part}_period")
            checked[f"{part}_period_id"] = (
                None if period is None else period_id(connection, period, actor=actor)
            )
        return _save_child(connection, actor, MEASURES, goal_id, measure_id, checked)

    return structure.structural_write(
        engine, work, actor=actor, what=f"change the measures of goal {goal_id}"
    )


def _measure_fields(typed: MeasureFields, errors: list[FieldError]) -> dict[str, Any]:
    unit = checks.choice(typed.unit, Unit, "unit", errors)
    checked: dict[str, Any] = {
        "key": checks.key(typed.key, "key", errors),
        "name": checks.text(typed.name, "name", 300, errors, required="Enter the measure's name."),
        "unit": unit,
        "polarity": checks.choice(typed.polarity, Polarity, "polarity", errors),
        "rba_category": checks.choice(typed.rba_category, RbaCategory, "rba_category", errors),
        "frequency": checks.choice(typed.frequency, Frequency, "frequency", errors),
        "disaggregated": bool(typed.disaggregated),
        "data_source": checks.text(typed.data_source, "data_source", 300, errors),
        "description": checks.text(typed.description, "description", 4000, errors),
        "sort_order": _sort_order(typed.sort_order, errors),
    }
    indicator = checks.text(typed.indicator, "indicator", 60, errors)
    if indicator is not None and not KEY.fullmatch(indicator):
        errors.append(FieldError("indicator", "Use letters, digits, dots, dashes or underscores only."))
    checked["indicator"] = indicator
    for part in ("baseline", "target"):
        value = validation.read_number(
            getattr(typed, f"{part}_value"), f"{part}_value", errors, required=False
        )
        period = checks.period(getattr(typed, f"{part}_period"), f"{part}_period", errors)
        if value is not None and unit is not None:
            validation.check_unit(value, unit.value, f"{part}_value", errors)
        if (value is None) != (period is None) and not _named(errors, f"{part}_value", f"{part}_period"):
            missing = f"{part}_period" if period is None else f"{part}_value"
            errors.append(
                FieldError(missing, f"Give the {part} as a value and its period, or leave both blank.")
            )
        checked[f"{part}_value"], checked[f"{part}_period"] = value, period
    baseline, target = checked["baseline_period"], checked["target_period"]
    if baseline is not None and target is not None and target.end_date <= baseline.end_date:
        errors.append(FieldError("target_period", "The target period must end after the baseline period."))
    return checked


def _named(errors: list[FieldError], *fields: str) -> bool:
    return any(error.field in fields for error in errors)


def set_interim_target(
    engine: Engine, *, actor: Principal, measure_id: int, period: object, value: object
) -> bool:
    """Set or change the interim target of a measure for a period (added to the tracker if new);
    a blank value clears it. Returns whether anything changed."""

    def work(connection: Connection) -> bool:
        measure = _row(connection, Measure, measure_id, "measure")
        errors: list[FieldError] = []
        parsed = checks.period(period, "period", errors)
        if parsed is None and not errors:
            errors.append(FieldError("period", "Enter the period, e.g. FY 2018-19."))
        number = validation.read_number(value, "value", errors, required=False)
        if number is not None:
            validation.check_unit(number, getattr(measure.unit, "value", measure.unit), "value", errors)
        checks.raise_if(errors)
        assert parsed is not None
        targets = table_of(InterimTarget)
        found = connection.execute(
            select(targets).where(
                targets.c.measure_id == measure_id,
                targets.c.period_id.in_(
                    select(ReportingPeriod.id).where(ReportingPeriod.label == format_label(parsed))
                ),
            )
        ).one_or_none()
        if number is None:
            return _clear_interim_target(connection, actor, found)
        fields = {"value": number}
        if found is None:
            fields |= {"measure_id": measure_id, "period_id": period_id(connection, parsed, actor=actor)}
        return _save(connection, actor, InterimTarget, None if found is None else found.id, fields).changed

    return structure.structural_write(
        engine, work, actor=actor, what=f"change the interim targets of measure {measure_id}"
    )


def _clear_interim_target(connection: Connection, actor: Principal, found: Any) -> bool:
    """Clearing an interim target deletes its row: nothing else refers to it, and the audit entry
    written here keeps every field it had (its value and period), which is its history."""
    if found is None:
        return False
    connection.execute(delete(InterimTarget).where(InterimTarget.id == found.id))
    audit.record(
        connection,
        actor=actor,
        action="interim_target_cleared",
        entity="interim_target",
        entity_id=found.id,
        detail={
            "before": {"measure_id": found.measure_id, "period_id": found.period_id, "value": found.value}
        },
    )
    structure.note_change(connection)
    return True


def set_archived(engine: Engine, *, actor: Principal, entity: str, record_id: int, archived: bool) -> bool:
    """Archive (or restore) a goal, action or measure (``entity``: "bureau_goal", "action" or
    "measure"). An archived row keeps its figures and history but is no longer asked for, offered
    in forms or shown on the public pages; archiving a goal retires what hangs from it too. Returns
    whether anything changed (archiving twice keeps the first date)."""

    def work(connection: Connection) -> bool:
        model = ARCHIVABLE.get(entity)
        if model is None:
            raise writes.WriteError(f"Only a goal, an action or a measure is archived here, not {entity!r}.")
        row = _row(connection, model, record_id, entity.replace("_", " "))
        if (row.archived_at is not None) == archived:
            return False
        return _save(
            connection, actor, model, record_id, {"archived_at": _now() if archived else None}
        ).changed

    return structure.structural_write(
        engine, work, actor=actor, what=f"{'archive' if archived else 'restore'} {entity} {record_id}"
    )


# --- what administrators read ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BureauStructure:
    """A bureau's whole structure as an administrator edits it, drafts and archived rows included:
    each frame has the table's own columns (enums as their values)."""

    plans: pd.DataFrame
    goals: pd.DataFrame
    actions: pd.DataFrame
    measures: pd.DataFrame
    interim_targets: pd.DataFrame  # with the period's label as ``period``
    earlier_names: pd.DataFrame
    periods: dict[int, str]  # every period's label by id


def bureau_structure(engine: Engine, *, actor: Principal, bureau_id: int) -> BureauStructure:
    """Everything under one bureau, for the Plan structure page (refused, and audited, without
    permission to manage the structure)."""
    audit.require(
        engine, actor, Permission.MANAGE_PLAN_STRUCTURE, what=f"read the structure of bureau {bureau_id}"
    )
    plans = table_of(Plan)
    goals, actions, measures = table_of(BureauGoal), table_of(Action), table_of(Measure)
    plan_ids = select(plans.c.id).where(plans.c.bureau_id == bureau_id)
    goal_ids = select(goals.c.id).where(goals.c.plan_id.in_(plan_ids))
    targets = table_of(InterimTarget)
    statements = {
        "plans": select(plans)
        .where(plans.c.bureau_id == bureau_id)
        .order_by(plans.c.first_fiscal_year, plans.c.version),
        "goals": select(goals).where(goals.c.plan_id.in_(plan_ids)).order_by(goals.c.sort_order, goals.c.id),
        "actions": select(actions)
        .where(actions.c.goal_id.in_(goal_ids))
        .order_by(actions.c.sort_order, actions.c.id),
        "measures": select(measures)
        .where(measures.c.goal_id.in_(goal_ids))
        .order_by(measures.c.sort_order, measures.c.id),
        "interim_targets": select(targets, ReportingPeriod.label.label("period"))
        .join(ReportingPeriod, ReportingPeriod.id == targets.c.period_id)
        .where(targets.c.measure_id.in_(select(measures.c.id).where(measures.c.goal_id.in_(goal_ids))))
        .order_by(ReportingPeriod.end_date),
        "earlier_names": select(table_of(BureauName))
        .where(BureauName.bureau_id == bureau_id)
        .order_by(BureauName.valid_to),
    }
    with engine.connect() as connection:
        frames = {name: _frame(connection, statement) for name, statement in statements.items()}
        labels = dict(connection.execute(select(ReportingPeriod.id, ReportingPeriod.label)).all())
    return BureauStructure(**frames, periods={int(key): str(label) for key, label in labels.items()})


def _frame(connection: Connection, statement: Any) -> pd.DataFrame:
    result = connection.execute(statement)
    frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    return frame.map(lambda value: getattr(value, "value", value)) if not frame.empty else frame


def history(engine: Engine, *, actor: Principal, entity: str, record_id: int) -> pd.DataFrame:
    """One record's history (``entity`` as the audit log names it: "bureau", "plan", "bureau_goal",
    "action", "measure"): :func:`equity_tracking.structure.history`."""
    return structure.history(engine, actor=actor, entity=entity, record_id=record_id)
