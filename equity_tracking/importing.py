"""Import a workbook (or a folder of CSVs) of bureaus, goals, actions, measures and values.

Owns what an import does to the database: in ONE write transaction (``writes._write``), after the
file's shape passed :mod:`equity_tracking.import_contract`,

1. asks the permission module (importing; publishing with ``publish``; each bureau's data);
2. gives an empty database the reference data (:func:`equity_tracking.seed.ensure_reference`);
3. creates or changes bureaus, plans, goals, actions, measures, interim targets and reporting
   cycles through :func:`equity_tracking.structure.save_row` (a row that already holds the file's
   fields is left alone; a change is written to the audit log with its before and after);
4. checks every value with the rules the forms use (:mod:`equity_tracking.validation`: numbers,
   units, periods inside the plan and ended, groups adding up to the total) and adds a new version
   only for a figure that differs from the newest one (so importing a file twice changes nothing);
5. writes one audit entry for the import and bumps the data version (structural when the structure
   changed), and bumps the edit version of every measure period it changed, so that a form opened
   before the import refuses to overwrite it.

Any problem anywhere refuses the whole file (:class:`ImportRefusedError`, every bad cell with its
sheet, row and column) and rolls everything back: nothing is ever half imported. ``dry_run`` does
all of it and then rolls back, to report what would change.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, insert, select, update

from equity_tracking import audit, due, permissions, plan_admin, seed, structure, validation, writes
from equity_tracking import import_contract as contract
from equity_tracking.group_names import ConfiguredGroup, GroupMatcher, GroupNameError
from equity_tracking.models import (
    Action,
    Bureau,
    BureauGoal,
    BureauName,
    CitywideGoal,
    EditVersion,
    FocusArea,
    InterimTarget,
    Measure,
    MeasureValue,
    Plan,
    PlanStatus,
    RaceGroup,
    RbaCategory,
    ReportingCycle,
    ReportingPeriod,
    ReviewStatus,
    table_of,
)
from equity_tracking.periods import (
    Period,
    PeriodLabelError,
    fiscal_year,
    fiscal_year_containing,
    kind_reported,
    parse_label,
)
from equity_tracking.permissions import Permission, Principal
from equity_tracking.workbook import ROW, CellError, ImportRefusedError, Progress, read_files, read_path

__all__ = ["CellError", "ImportRefusedError", "ImportResult", "import_files", "import_path", "import_sheets"]

CHUNK = 5_000
READ_SHARE = 0.2  # of the progress: reading the file (then checking, then writing)
DEFAULT_PLAN_YEARS = 5


@dataclass
class ImportResult:
    """What an import changed (or, with ``dry_run``, would have changed)."""

    created: Counter = field(default_factory=Counter)  # rows created, by sheet
    changed: Counter = field(default_factory=Counter)  # rows changed, by sheet
    values_added: int = 0  # new value versions (new figures and corrections)
    values_unchanged: int = 0  # value rows that already held the file's figure
    dry_run: bool = False
    published: bool = False

    @property
    def structural(self) -> bool:
        return bool(sum(self.created.values()) + sum(self.changed.values()))

    @property
    def changes_anything(self) -> bool:
        return self.structural or self.values_added > 0

    def summary(self) -> str:
        """In words: "Imported: 1 bureau added; 3 goals added; 120 figures added as drafts." """
        if not self.changes_anything:
            return "Nothing changed: the database already holds everything in this file."
        parts = [f"{_count(count, sheet)} added" for sheet, count in sorted(self.created.items()) if count]
        parts += [f"{_count(count, sheet)} changed" for sheet, count in sorted(self.changed.items()) if count]
        drafts = "published" if self.published else "added as drafts"
        parts.append(f"{_count(self.values_added, 'figures')} {drafts}")
        if self.values_unchanged:
            parts.append(f"{_count(self.values_unchanged, 'figures')} already up to date")
        verb = "Would change" if self.dry_run else "Imported"
        return f"{verb}: " + "; ".join(parts) + "."


# What each sheet's rows are called, in the plural and the singular.
_ROW_NAMES = {
    "bureaus": ("bureaus", "bureau"), "goals": ("goals", "goal"), "actions": ("actions", "action"),
    "measures": ("measures", "measure"), "figures": ("figures", "figure"), "plans": ("plans", "plan"),
    "periods": ("reporting periods", "reporting period"),
    "bureau_names": ("earlier bureau names", "earlier bureau name"),
    "interim_targets": ("interim targets", "interim target"),
    "reporting_cycles": ("reporting cycles", "reporting cycle"),
}  # fmt: skip


def _count(count: int, sheet: str) -> str:
    plural, singular = _ROW_NAMES.get(sheet, (sheet.replace("_", " "), sheet.replace("_", " ")))
    return f"{count:,} {singular if count == 1 else plural}"


class _DryRunDoneError(Exception):
    def __init__(self, result: ImportResult):
        self.result = result


def import_path(engine: Engine, path: Path, **options: Any) -> ImportResult:
    """Import an ``.xlsx`` workbook, a ``.csv`` file or a folder of ``.csv`` files (see
    :func:`import_sheets` for the options)."""
    return import_sheets(engine, read_path(Path(path), _reading(options.get("progress"))), **options)


def import_files(engine: Engine, files: Mapping[str, bytes], **options: Any) -> ImportResult:
    """Import uploaded files: one workbook, or CSVs named after the sheets."""
    return import_sheets(engine, read_files(files, _reading(options.get("progress"))), **options)


def _reading(progress: Progress | None) -> Progress | None:
    """Reading the file fills the first :data:`READ_SHARE` of the progress; the import the rest, so
    that one bar never goes back."""
    if progress is None:
        return None
    return lambda step, fraction: progress(step, READ_SHARE * fraction)


def import_sheets(
    engine: Engine,
    sheets: dict[str, pd.DataFrame],
    *,
    actor: Principal,
    publish: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Import sheets of text cells (as :mod:`equity_tracking.workbook` reads them), all or nothing.

    Values are added as drafts for the bureaus to submit, or, with ``publish``, published at once
    (an administrator bringing in figures that were already public). Raises
    :class:`ImportRefusedError` listing every bad cell, or ``PermissionDeniedError``; in both cases
    nothing was changed."""
    checked, errors = contract.check_shapes(sheets)
    if errors:
        raise ImportRefusedError(errors)
    report = progress or (lambda step, fraction: None)

    def work(connection: Connection) -> ImportResult:
        run = _Run(connection, actor, publish, today or dt.date.today(), report)
        result = run.all(checked)
        if dry_run:
            raise _DryRunDoneError(result)
        return result

    try:
        return writes._write(engine, work)
    except _DryRunDoneError as rolled_back:
        rolled_back.result.dry_run = True
        return rolled_back.result


# --- one import, inside its transaction ------------------------------------------------------------


@dataclass(frozen=True)
class _MeasureInfo:
    id: int
    bureau_id: int
    unit: str
    frequency: str
    disaggregated: bool
    first_fiscal_year: int
    last_fiscal_year: int
    baseline_period_id: int | None


class _Run:
    """One import: the connection, who acts, the problems found so far and what changed."""

    def __init__(self, connection: Connection, actor: Principal, publish: bool, today: dt.date, report):
        self.connection, self.actor, self.publish, self.today, self.report = (
            connection,
            actor,
            publish,
            today,
            report,
        )
        self.errors: list[CellError] = []
        self.result = ImportResult(published=publish)
        self.period_ids: dict[str, int] = {}  # by the label as the file wrote it
        self.known_periods: set[str] | None = None  # the periods table's labels, read once
        self.target_plans: dict[int, int] | None = None  # set once the plans are settled

    # --- the whole import ---

    def all(self, sheets: dict[str, pd.DataFrame]) -> ImportResult:
        permissions.require(self.actor, Permission.IMPORT_DATA, what="import a file")
        if self.publish:
            permissions.require(self.actor, Permission.PUBLISH, what="publish imported figures")
        self.report("Checking the plan structure", READ_SHARE + 0.05)
        seed.ensure_reference(self.connection)
        self.bureaus(sheets["bureaus"])
        self.bureau_names(sheets.get("bureau_names"))
        self.plans(sheets)
        self.goals(sheets["goals"])
        self.actions(sheets["actions"])
        self.measures(sheets["measures"])
        self.interim_targets(sheets.get("interim_targets"))
        self.cycles(sheets.get("reporting_cycles"))
        self.report("Checking the figures", 0.4)
        planned = self.values(sheets["values"])
        if self.errors:
            raise ImportRefusedError(self.errors)
        self.report("Writing the figures", 0.7)
        self.write_values(planned)
        self.finish()
        self.report("Done", 1.0)
        return self.result

    def finish(self) -> None:
        if not self.result.changes_anything:
            return
        audit.record(
            self.connection,
            actor=self.actor,
            action="data_imported",
            entity="import",
            detail={
                "created": dict(self.result.created),
                "changed": dict(self.result.changed),
                "values_added": self.result.values_added,
                "published": self.publish,
            },
        )
        writes.bump_data_version(self.connection, structural=self.result.structural, public=self.publish)

    def error(self, sheet: str, row: object, column: str | None, reason: str) -> None:
        self.errors.append(CellError(sheet, int(row) if row is not None else None, column, reason))  # type: ignore[call-overload]

    def save(self, sheet: str, model: type, row_id: int | None, fields: Mapping[str, Any]) -> int:
        saved = structure.save_row(
            self.connection,
            actor=self.actor,
            model=model,
            row_id=row_id,
            fields=fields,
            what=f"import the {sheet} sheet",
        )
        if saved.changed:
            (self.result.created if row_id is None else self.result.changed)[sheet] += 1
        return saved.id

    def period_id(self, sheet: str, row: object, column: str, label: str | None) -> int | None:
        """The id of the period ``label`` names (created when new), or None (blank or an error)."""
        if label is None:
            return None
        if label not in self.period_ids:
            try:
                period = parse_label(label)
            except PeriodLabelError as error:
                self.error(sheet, row, column, str(error))
                return None
            if self.known_periods is None:
                self.known_periods = set(self.connection.execute(select(ReportingPeriod.label)).scalars())
            if period.label not in self.known_periods:
                self.known_periods.add(period.label)
                self.result.created["periods"] += 1  # a new period is structural: processes re-read
            self.period_ids[label] = plan_admin.period_id(self.connection, period, actor=self.actor)
        return self.period_ids[label]

    def number(
        self, sheet: str, row: object, column: str, raw: str | None, unit: str | None = None
    ) -> float | None:
        found: list[validation.FieldError] = []
        number = validation.read_number(raw, column, found, required=False)
        if number is not None and unit is not None:
            validation.check_unit(number, unit, column, found)
        for problem in found:
            self.error(sheet, row, column, problem.message)
        return None if found else number

    # --- bureaus and plans ---

    def bureau_ids(self) -> dict[str, int]:
        return {code: int(id_) for id_, code in self.connection.execute(select(Bureau.id, Bureau.code))}

    def bureaus(self, frame: pd.DataFrame) -> None:
        existing = {
            row.code: row for row in self.connection.execute(select(Bureau.id, Bureau.code, Bureau.name))
        }
        for row in frame.itertuples(index=False):
            code = str(row.code).upper()
            fields: dict[str, Any] = {"name": row.name}
            if row.service_area is not None:
                fields["service_area"] = row.service_area
            found = existing.get(code)
            if found is None:
                self.save("bureaus", Bureau, None, {"code": code, "active": True, **fields})
                continue
            if found.name != row.name:  # a rename keeps the old name, as the admin workspace does
                plan_admin.keep_earlier_name(self.connection, self.actor, found.id, found.name, self.today)
            self.save("bureaus", Bureau, found.id, fields)

    def bureau_names(self, frame: pd.DataFrame | None) -> None:
        if frame is None:
            return
        bureaus = self.bureau_ids()
        names = {
            (row.bureau_id, row.name): row.id
            for row in self.connection.execute(select(BureauName.id, BureauName.bureau_id, BureauName.name))
        }
        for row in frame.itertuples(index=False):
            bureau_id = self.known_bureau("bureau_names", row, bureaus)
            if bureau_id is None:
                continue
            fields = {
                "valid_from": contract.iso_date(row.valid_from) if row.valid_from else None,
                "valid_to": contract.iso_date(row.valid_to) if row.valid_to else None,
            }
            found = names.get((bureau_id, row.name))
            self.save(
                "bureau_names",
                BureauName,
                found,
                fields if found else {"bureau_id": bureau_id, "name": row.name, **fields},
            )

    def known_bureau(self, sheet: str, row: Any, bureaus: dict[str, int]) -> int | None:
        code = str(row.bureau_code).upper()
        if code not in bureaus:
            self.error(
                sheet,
                getattr(row, ROW),
                "bureau_code",
                f"There is no bureau {code}: add it to the bureaus sheet.",
            )
            return None
        return bureaus[code]

    def plan_named(self, bureau_id: int, first_fiscal_year: int, version: int) -> int | None:
        found = self.connection.execute(
            select(Plan.id).where(
                Plan.bureau_id == bureau_id,
                Plan.first_fiscal_year == first_fiscal_year,
                Plan.version == version,
            )
        ).scalar_one_or_none()
        return None if found is None else int(found)

    def current_plans(self) -> dict[int, int]:
        """Each bureau's plan this import fills: the one its plans sheet names (by first year and
        version), else the plan work is entered against, the newest that is not superseded."""
        if self.target_plans is not None:
            return self.target_plans
        result = self.connection.execute(
            select(Plan.id, Plan.bureau_id, Plan.status, Plan.first_fiscal_year, Plan.version)
        )
        plans = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        plans["status"] = [getattr(status, "value", status) for status in plans["status"]]
        current = (due.current_plan(group) for _, group in plans.groupby("bureau_id"))
        return {int(plan["bureau_id"]): int(plan["id"]) for plan in current if plan is not None}

    def plans(self, sheets: dict[str, pd.DataFrame]) -> None:
        """The plans sheet's plans; and, for a bureau with goals but no plan, a plan spanning the
        fiscal years its measures and values name (at least five years)."""
        bureaus = self.bureau_ids()
        plans = self.current_plans()
        frame = sheets.get("plans")
        if frame is not None:
            for row in frame.itertuples(index=False):
                bureau_id = self.known_bureau("plans", row, bureaus)
                first = self.fiscal_year_of("plans", row, "first_fiscal_year", row.first_fiscal_year)
                last = self.fiscal_year_of("plans", row, "last_fiscal_year", row.last_fiscal_year)
                if bureau_id is None or first is None or last is None:
                    continue
                if last < first:
                    self.error(
                        "plans", getattr(row, ROW), "last_fiscal_year", "The plan ends before it starts."
                    )
                    continue
                status = contract.choice(row.status, contract.PLAN_STATUS) or PlanStatus.ACTIVE
                fields = {
                    "title": row.title,
                    "first_fiscal_year": first,
                    "last_fiscal_year": last,
                    "status": status,
                }
                version = int(row.version) if row.version and row.version.isdigit() else None
                named = self.plan_named(bureau_id, first, version) if version else plans.get(bureau_id)
                if named is not None:
                    plans[bureau_id] = named
                    self.save("plans", Plan, named, fields)
                else:
                    plans[bureau_id] = self.save(
                        "plans", Plan, None, {"bureau_id": bureau_id, "version": version or 1, **fields}
                    )
        for code, years in _years_named(sheets).items():
            bureau_id = bureaus.get(code)
            if bureau_id is None or bureau_id in plans:
                continue
            first = min(years) if years else fiscal_year_containing(self.today)
            last = max(max(years) if years else first, first + DEFAULT_PLAN_YEARS - 1)
            plans[bureau_id] = self.save(
                "plans",
                Plan,
                None,
                {
                    "bureau_id": bureau_id,
                    "title": "Racial equity plan",
                    "first_fiscal_year": first,
                    "last_fiscal_year": last,
                    "version": 1,
                    "status": PlanStatus.ACTIVE,
                },
            )
        self.target_plans = plans

    def fiscal_year_of(self, sheet: str, row: Any, column: str, text: str) -> int | None:
        """A fiscal year as a label ("FY 2016-17", "2016-17") or as the year it starts in ("2016")."""
        if text.strip().isdigit() and len(text.strip()) == 4:
            text = fiscal_year(int(text)).label  # "2016": the year the fiscal year starts in
        try:
            period = parse_label(text)
        except PeriodLabelError as error:
            self.error(sheet, getattr(row, ROW), column, str(error))
            return None
        if period.fiscal_year is None:
            self.error(sheet, getattr(row, ROW), column, "Name a fiscal year, e.g. FY 2016-17.")
            return None
        return period.fiscal_year

    # --- goals, actions, measures ---

    def goal_ids(self) -> dict[tuple[int, str], int]:
        """(bureau id, goal key) → goal id, for each bureau's current plan."""
        plans = self.current_plans()
        by_plan = {plan_id: bureau_id for bureau_id, plan_id in plans.items()}
        rows = self.connection.execute(
            select(BureauGoal.id, BureauGoal.plan_id, BureauGoal.key).where(
                BureauGoal.plan_id.in_(list(by_plan))
            )
        )
        return {(by_plan[plan_id], key): int(goal_id) for goal_id, plan_id, key in rows}

    def goals(self, frame: pd.DataFrame) -> None:
        bureaus = self.bureau_ids()
        plans = self.current_plans()
        existing = self.goal_ids()
        citywide = {
            int(n): int(i) for i, n in self.connection.execute(select(CitywideGoal.id, CitywideGoal.number))
        }
        areas = _focus_areas(self.connection)
        for position, row in enumerate(frame.itertuples(index=False)):
            bureau_id = self.known_bureau("goals", row, bureaus)
            area = areas.get(contract.normalized_choice(row.focus_area))
            if area is None:
                self.error(
                    "goals",
                    getattr(row, ROW),
                    "focus_area",
                    f"“{row.focus_area}” is not a focus area. Write one of: "
                    f"{', '.join(sorted(_area_keys(areas)))}.",
                )
            citywide_goal_id = citywide.get(contract.CITYWIDE_GOALS[row.citywide_goal.strip()])
            if citywide_goal_id is None:  # the contract's number, but this database lacks that goal
                self.error(
                    "goals",
                    getattr(row, ROW),
                    "citywide_goal",
                    f"Citywide goal {row.citywide_goal.strip()} is not in this database. Write one of: "
                    f"{', '.join(str(number) for number in sorted(citywide)) or 'none yet'}.",
                )
            if bureau_id is None or area is None or bureau_id not in plans or citywide_goal_id is None:
                continue
            fields: dict[str, Any] = {
                "title": row.title,
                "citywide_goal_id": citywide_goal_id,
                "focus_area_id": area,
            }
            if row.description is not None:
                fields["description"] = row.description
            if row.sort_order is not None:
                fields["sort_order"] = int(row.sort_order)
            found = existing.get((bureau_id, row.goal_key))
            if found is None:
                fields = {
                    "plan_id": plans[bureau_id],
                    "key": row.goal_key,
                    "sort_order": position + 1,
                    **fields,
                }
            self.save("goals", BureauGoal, found, fields)

    def known_goal(self, sheet: str, row: Any, bureaus: dict[str, int], goals: dict) -> int | None:
        bureau_id = self.known_bureau(sheet, row, bureaus)
        if bureau_id is None:
            return None
        goal = goals.get((bureau_id, row.goal_key))
        if goal is None:
            self.error(
                sheet,
                getattr(row, ROW),
                "goal_key",
                f"Bureau {row.bureau_code} has no goal {row.goal_key}: add it to the goals sheet.",
            )
        return goal

    def actions(self, frame: pd.DataFrame) -> None:
        bureaus, goals = self.bureau_ids(), self.goal_ids()
        existing = {
            (g, k): int(i)
            for i, g, k in self.connection.execute(select(Action.id, Action.goal_id, Action.key))
        }
        for position, row in enumerate(frame.itertuples(index=False)):
            goal_id = self.known_goal("actions", row, bureaus, goals)
            start = contract.iso_date(row.start_date) if row.start_date else None
            due = contract.iso_date(row.due_date) if row.due_date else None
            if start and due and due < start:
                self.error("actions", getattr(row, ROW), "due_date", "The due date is before the start date.")
                continue
            percent = self.number(
                "actions", getattr(row, ROW), "percent_complete", row.percent_complete, "percent"
            )
            if goal_id is None:
                continue
            fields: dict[str, Any] = {
                "title": row.title,
                "lead": row.lead,
                "start_date": start,
                "due_date": due,
                "status": contract.choice(row.status, contract.ACTION_STATUS),
            }
            if row.description is not None:
                fields["description"] = row.description
            if percent is not None:
                fields["percent_complete"] = percent
            found = existing.get((goal_id, row.action_key))
            if found is None:
                fields = {
                    "goal_id": goal_id,
                    "key": row.action_key,
                    "sort_order": position + 1,
                    "percent_complete": 0.0,
                    **fields,
                }
            self.save("actions", Action, found, fields)

    def measures(self, frame: pd.DataFrame) -> None:
        bureaus, goals = self.bureau_ids(), self.goal_ids()
        existing = {
            (g, k): int(i)
            for i, g, k in self.connection.execute(select(Measure.id, Measure.goal_id, Measure.key))
        }
        actions = {
            (g, k): int(i)
            for i, g, k in self.connection.execute(select(Action.id, Action.goal_id, Action.key))
        }
        for position, row in enumerate(frame.itertuples(index=False)):
            line = getattr(row, ROW)
            goal_id = self.known_goal("measures", row, bureaus, goals)
            unit = contract.choice(row.unit, contract.UNIT)
            unit_value = None if unit is None else unit.value
            baseline = self.number("measures", line, "baseline_value", row.baseline_value, unit_value)
            target = self.number("measures", line, "target_value", row.target_value, unit_value)
            weight = self.number("measures", line, "weight", row.weight)
            fields: dict[str, Any] = {
                "name": row.name,
                "unit": unit,
                "polarity": contract.choice(row.polarity, contract.POLARITY),
                "frequency": contract.choice(row.frequency, contract.FREQUENCY),
                "baseline_value": baseline,
                "baseline_period_id": self.period_id(
                    "measures", line, "baseline_period", row.baseline_period
                ),
                "target_value": target,
                "target_period_id": self.period_id("measures", line, "target_period", row.target_period),
                "disaggregated": contract.choice(row.disaggregated, contract.YES_NO),
            }
            for column in ("indicator", "data_source", "description"):
                if getattr(row, column) is not None:
                    fields[column] = getattr(row, column)
            if row.rba_category is not None:
                fields["rba_category"] = contract.choice(row.rba_category, contract.RBA)
            if weight is not None:
                fields["weight"] = weight
            if row.action_key is not None and goal_id is not None:
                fields["action_id"] = actions.get((goal_id, row.action_key))
                if fields["action_id"] is None:
                    self.error(
                        "measures", line, "action_key", f"Goal {row.goal_key} has no action {row.action_key}."
                    )
            if goal_id is None:
                continue
            found = existing.get((goal_id, row.measure_key))
            if found is None:
                fields = {
                    "goal_id": goal_id,
                    "key": row.measure_key,
                    "sort_order": position + 1,
                    "rba_category": RbaCategory.HOW_MUCH,
                    "weight": 1.0,
                    **fields,
                }
            self.save("measures", Measure, found, fields)

    def measure_infos(self) -> dict[tuple[int, str], _MeasureInfo]:
        """(bureau id, measure key) → the measure of the bureau's current plan."""
        plans = self.current_plans()
        rows = self.connection.execute(
            select(
                Measure.id,
                Plan.bureau_id,
                Measure.key,
                Measure.unit,
                Measure.frequency,
                Measure.disaggregated,
                Plan.first_fiscal_year,
                Plan.last_fiscal_year,
                Measure.baseline_period_id,
            )
            .join(BureauGoal, BureauGoal.id == Measure.goal_id)
            .join(Plan, Plan.id == BureauGoal.plan_id)
            .where(Plan.id.in_(list(plans.values())))
        )
        return {
            (int(r[1]), str(r[2])): _MeasureInfo(
                int(r[0]),
                int(r[1]),
                r[3].value,
                r[4].value,
                bool(r[5]),
                int(r[6]),
                int(r[7]),
                None if r[8] is None else int(r[8]),
            )
            for r in rows
        }

    def interim_targets(self, frame: pd.DataFrame | None) -> None:
        if frame is None:
            return
        bureaus, measures = self.bureau_ids(), self.measure_infos()
        existing = {
            (m, p): int(i)
            for i, m, p in self.connection.execute(
                select(InterimTarget.id, InterimTarget.measure_id, InterimTarget.period_id)
            )
        }
        for row in frame.itertuples(index=False):
            line = getattr(row, ROW)
            bureau_id = self.known_bureau("interim_targets", row, bureaus)
            info = None if bureau_id is None else measures.get((bureau_id, row.measure_key))
            if bureau_id is not None and info is None:
                self.error(
                    "interim_targets",
                    line,
                    "measure_key",
                    f"Bureau {row.bureau_code} has no measure {row.measure_key}.",
                )
            period = self.period_id("interim_targets", line, "period", row.period)
            value = self.number(
                "interim_targets", line, "target_value", row.target_value, info.unit if info else None
            )
            if info is None or period is None or value is None:
                continue
            found = existing.get((info.id, period))
            fields = (
                {"value": value} if found else {"measure_id": info.id, "period_id": period, "value": value}
            )
            self.save("interim_targets", InterimTarget, found, fields)

    def cycles(self, frame: pd.DataFrame | None) -> None:
        if frame is None:
            return
        for row in frame.itertuples(index=False):
            year = self.fiscal_year_of("reporting_cycles", row, "fiscal_year", row.fiscal_year)
            opens, due = contract.iso_date(row.opens_on), contract.iso_date(row.due_on)
            if year is None or opens is None or due is None:
                continue
            if due < opens:
                self.error(
                    "reporting_cycles", getattr(row, ROW), "due_on", "The due date is before the cycle opens."
                )
                continue
            changed = structure.save_keyed_row(
                self.connection,
                actor=self.actor,
                model=ReportingCycle,
                key={"fiscal_year": year},
                fields={"opens_on": opens, "due_on": due},
                what="import the reporting_cycles sheet",
            )
            if changed:
                self.result.changed["reporting_cycles"] += 1

    # --- values ---

    def values(self, frame: pd.DataFrame) -> list[dict]:
        """Every value row checked; the rows to insert (new figures and corrections)."""
        if frame.empty:
            return []
        measures = self.measure_infos()
        frame = frame.assign(
            measure_id=self.resolve_measures(frame, measures),
            period_id=self.resolve_periods(frame),
            group_id=self.resolve_groups(frame),
        )
        resolved = frame["measure_id"].notna() & frame["period_id"].notna()
        # A measure period with a row of an unknown group is not checked further: its other groups
        # would not add up to the total, which is not the problem to report.
        unknown_group = frame.loc[resolved & frame["group_id"].isna(), ["measure_id", "period_id"]]
        skipped = set(unknown_group.itertuples(index=False, name=None))
        frame = frame[resolved & frame["group_id"].notna()]
        if skipped:
            pairs = pd.Series(
                list(zip(frame["measure_id"], frame["period_id"], strict=True)), index=frame.index
            )
            frame = frame[~pairs.isin(skipped)]
        self.check_bureau_permissions(frame, measures)
        info_by_id = {info.id: info for info in measures.values()}
        periods = _period_rows(self.connection, frame["period_id"].unique())
        newest = _newest_values(self.connection, frame["measure_id"].unique())
        entries: dict[tuple[int, int], list[Any]] = {}
        for row in frame.itertuples(index=False):  # once: a frame per entry would cost ~10 ms each
            entries.setdefault((int(row.measure_id), int(row.period_id)), []).append(row)
        planned: list[dict] = []
        for (measure_id, period_id), rows in entries.items():
            planned += self.period_entry(info_by_id[measure_id], periods[period_id], rows, newest)
        return planned

    def resolve_measures(self, frame: pd.DataFrame, measures: dict[tuple[int, str], _MeasureInfo]) -> list:
        bureaus = self.bureau_ids()
        by_key: dict[str, list[int]] = {}
        for bureau_id, key in measures:
            by_key.setdefault(key, []).append(bureau_id)
        codes = {bureau_id: code for code, bureau_id in bureaus.items()}
        resolved: list[int | None] = []
        for row in frame[[ROW, "bureau_code", "measure_key"]].itertuples(index=False):
            line, code, key = row
            if code is not None:
                named_bureau = bureaus.get(code.upper())
                if named_bureau is None:
                    self.error("values", line, "bureau_code", f"There is no bureau {code.upper()}.")
                    resolved.append(None)
                    continue
                candidates = [named_bureau]
            else:
                candidates = by_key.get(key, [])
                if len(candidates) > 1:
                    named = ", ".join(sorted(codes[b] for b in candidates))
                    self.error(
                        "values",
                        line,
                        "measure_key",
                        f"Measure {key} belongs to more than one bureau ({named}): add a bureau_code column.",
                    )
                    resolved.append(None)
                    continue
            info = measures.get((candidates[0], key)) if candidates else None
            if info is None:
                where = f"bureau {code.upper()}" if code else "any bureau"
                self.error(
                    "values",
                    line,
                    "measure_key",
                    f"There is no measure {key} in {where}: add it to the measures sheet.",
                )
            resolved.append(None if info is None else info.id)
        return resolved

    def resolve_periods(self, frame: pd.DataFrame) -> list:
        ids: list[int | None] = []
        for line, label in frame[[ROW, "period"]].itertuples(index=False):
            ids.append(self.period_id("values", line, "period", label))
        return ids

    def resolve_groups(self, frame: pd.DataFrame) -> list:
        groups = _groups(self.connection)
        matcher = GroupMatcher(
            (ConfiguredGroup(g.id, g.key, g.name) for g in groups.values()),
            offered=[g.id for g in groups.values() if g.active and not g.is_rollup],
        )
        matched: dict[str, int | str] = {}
        for name in frame["group"].dropna().unique():
            try:
                group_id = matcher.match(name)
            except GroupNameError as error:
                matched[name] = str(error)
                continue
            group = groups[group_id]
            if group.is_rollup:
                matched[name] = (
                    f"“{name}” is a roll-up ({group.name}); the tracker adds it up from its groups: "
                    "leave it out."
                )
            elif not group.active:
                matched[name] = f"The group {group.name} is archived; figures cannot be added for it."
            else:
                matched[name] = group_id
        ids: list[int | None] = []
        for line, name in frame[[ROW, "group"]].itertuples(index=False):
            if name is None:
                ids.append(0)  # the total
                continue
            found = matched[name]
            if isinstance(found, str):
                self.error("values", line, "group", found)
                ids.append(None)
            else:
                ids.append(found)
        return ids

    def check_bureau_permissions(self, frame: pd.DataFrame, measures: dict) -> None:
        bureau_of = {info.id: info.bureau_id for info in measures.values()}
        for bureau_id in sorted({bureau_of[int(m)] for m in frame["measure_id"].unique()}):
            permissions.require(
                self.actor,
                Permission.EDIT_BUREAU_DATA,
                bureau_id=bureau_id,
                what=f"import figures of bureau {bureau_id}",
            )

    def period_entry(self, info: _MeasureInfo, period: Any, rows: list[Any], newest: dict) -> list[dict]:
        """One measure's figures for one period (the total and its groups), checked as the form
        checks them; the rows that differ from the newest versions."""
        found: list[validation.FieldError] = []
        by_group: dict[int | None, Any] = {}
        for row in rows:
            group_id = None if int(row.group_id) == 0 else int(row.group_id)
            if group_id in by_group:
                self.error(
                    "values",
                    getattr(row, ROW),
                    "group",
                    "Another row has the same measure, period and group.",
                )
            by_group.setdefault(group_id, row)
        if len(by_group) < len(rows):
            return []
        lines = {group_id: int(getattr(row, ROW)) for group_id, row in by_group.items()}
        total_line = lines.get(None)
        first_line = int(getattr(rows[0], ROW))
        if total_line is None:
            self.error(
                "values",
                first_line,
                "group",
                "These group figures have no total: add a row with a blank group for this measure "
                "and period.",
            )
            return []
        if len(lines) > 1 and not info.disaggregated:
            self.error(
                "values",
                first_line,
                "group",
                "This measure is not broken down by race/ethnicity (disaggregated: no).",
            )
            return []
        validation.check_period(
            period_start=period.start_date,
            period_end=period.end_date,
            period_kind=_kind_checked(info, period),
            frequency=info.frequency,
            plan_start=fiscal_year(info.first_fiscal_year).start_date,
            plan_end=fiscal_year(info.last_fiscal_year).end_date,
            today=self.today,
            errors=found,
        )
        figures: dict[int | None, validation.Figure] = {}
        cells: dict[str, tuple[int, str]] = {"period": (first_line, "period")}
        for group_id, row in by_group.items():
            name = "total" if group_id is None else f"group.{group_id}"
            for part in ("value", "numerator", "denominator"):
                cells[f"{name}.{part}"] = (lines[group_id], part)
            entry = validation.Entry(row.value, row.numerator, row.denominator)
            figure = validation.read_entry(entry, info.unit, name, found, required=group_id is None)
            if figure is not None:
                figures[group_id] = figure
        total_row = by_group[None]
        cells["note"] = (total_line, "note")
        note = validation.check_text(total_row.note, "note", validation.NOTE_LIMIT, found)
        if None in figures:
            groups = {g: f for g, f in figures.items() if g is not None}
            validation.check_groups_add_up(groups, info.unit, figures[None], note, found)
        for problem in found:
            line, column = cells.get(problem.field, (first_line, problem.field))
            self.error("values", line, column, problem.message)
        if found:
            return []
        return [
            new
            for group_id, row in by_group.items()
            if (new := self.new_version(info.id, int(period.id), group_id, row, figures[group_id], newest))
            is not None
        ]

    def new_version(
        self,
        measure_id: int,
        period_id: int,
        group_id: int | None,
        row: Any,
        figure: validation.Figure,
        newest: dict,
    ) -> dict | None:
        """The row to insert for one figure, or None when the newest version already holds it."""
        key = (measure_id, period_id, group_id)
        current, published = newest.get(key), newest.get((*key, ReviewStatus.PUBLISHED.value))
        note = row.note or None
        source = row.source or None
        status = ReviewStatus.PUBLISHED if self.publish else ReviewStatus.DRAFT
        # The file already holds what is there when the newest version, or the newest published one,
        # has its figure (a re-imported export must not overwrite a correction waiting for review).
        held = [version for version in (published, None if self.publish else current) if version is not None]
        if any(_same_figure(version, figure, note, source) for version in held):
            self.result.values_unchanged += 1
            return None
        entered = contract.iso_instant(row.entered_at) if row.entered_at else None
        published = contract.iso_instant(row.published_at) if row.published_at else None
        now = dt.datetime.now(dt.UTC)
        return {
            "measure_id": measure_id,
            "period_id": period_id,
            "group_id": group_id,
            "value": figure.value,
            "numerator": figure.numerator,
            "denominator": figure.denominator,
            "note": note,
            "source": source,
            "review_status": status.value,
            "entered_by_id": self.actor.user_id,
            "entered_at": entered or now,
            "replaces_id": None if current is None else current["id"],
            "published_at": (published or entered or now) if self.publish else None,
        }

    def write_values(self, planned: list[dict]) -> None:
        for start in range(0, len(planned), CHUNK):
            self.connection.execute(insert(MeasureValue), planned[start : start + CHUNK])
            self.report("Writing the figures", 0.7 + 0.25 * min(1.0, (start + CHUNK) / len(planned)))
        self.result.values_added = len(planned)
        _bump_edit_versions(
            self.connection, {writes.period_key(row["measure_id"], row["period_id"]) for row in planned}
        )


# --- helpers -----------------------------------------------------------------------------------------


def _kind_checked(info: _MeasureInfo, period: Any) -> str:
    """The kind of period the check of a measure's period compares: an import may bring figures for
    any kind of period (a year-end quarter of an annual measure, a calendar year, a baseline year of
    a quarterly measure: spreadsheets hold all of these, and the analytics read them), so only the
    forms ask for the kind the measure reports (``periods.kind_reported``)."""
    return kind_reported(info.frequency).value


def _years_named(sheets: dict[str, pd.DataFrame]) -> dict[str, set[int]]:
    """Per bureau code with goals in the file, the fiscal years its measures and values name."""
    years: dict[str, set[int]] = {str(code).upper(): set() for code in sheets["goals"]["bureau_code"]}

    def add(code: object, label: object) -> None:
        if code is None or label is None or str(code).upper() not in years:
            return
        try:
            period = parse_label(str(label))
        except PeriodLabelError:
            return
        year = period.fiscal_year if period.fiscal_year is not None else _fiscal_year_of_calendar(period)
        years[str(code).upper()].add(year)

    for row in sheets["measures"].itertuples(index=False):
        add(row.bureau_code, row.baseline_period)
        add(row.bureau_code, row.target_period)
    values = sheets["values"]
    if "bureau_code" in values.columns:
        for code, label in values[["bureau_code", "period"]].drop_duplicates().itertuples(index=False):
            add(code, label)
    return years


def _fiscal_year_of_calendar(period: Period) -> int:
    return fiscal_year_containing(period.start_date)


def _focus_areas(connection: Connection) -> dict[str, int]:
    """Each focus area by its key and by its name (normalized)."""
    areas: dict[str, int] = {}
    for area_id, key, name in connection.execute(select(FocusArea.id, FocusArea.key, FocusArea.name)):
        areas[contract.normalized_choice(key)] = int(area_id)
        areas[contract.normalized_choice(name)] = int(area_id)
    return areas


def _area_keys(areas: dict[str, int]) -> Iterable[str]:
    seen: dict[int, str] = {}
    for word, area_id in areas.items():
        seen.setdefault(area_id, word)
    return seen.values()


def _groups(connection: Connection) -> dict[int, Any]:
    return {
        int(row.id): row
        for row in connection.execute(
            select(RaceGroup.id, RaceGroup.key, RaceGroup.name, RaceGroup.is_rollup, RaceGroup.active)
        )
    }


def _period_rows(connection: Connection, period_ids: Iterable[Any]) -> dict[int, Any]:
    ids = [int(i) for i in period_ids]
    table = table_of(ReportingPeriod)
    rows = connection.execute(select(table).where(table.c.id.in_(ids)))
    return {row.id: row for row in rows}


def _newest_values(connection: Connection, measure_ids: Iterable[Any]) -> dict[tuple, dict]:
    """The newest version (any status) of each (measure, period, group) of ``measure_ids``."""
    newest: dict[tuple, dict] = {}  # (measure, period, group[, "published"]) → the row
    ids = [int(i) for i in measure_ids]
    columns = (
        MeasureValue.id,
        MeasureValue.measure_id,
        MeasureValue.period_id,
        MeasureValue.group_id,
        MeasureValue.value,
        MeasureValue.numerator,
        MeasureValue.denominator,
        MeasureValue.note,
        MeasureValue.source,
        MeasureValue.review_status,
    )
    for start in range(0, len(ids), 500):
        rows = connection.execute(
            select(*columns)
            .where(MeasureValue.measure_id.in_(ids[start : start + 500]))
            .order_by(MeasureValue.id)
        )
        for row in rows:
            mapping = dict(row._mapping)
            mapping["review_status"] = getattr(mapping["review_status"], "value", mapping["review_status"])
            newest[(row.measure_id, row.period_id, row.group_id)] = mapping
            if mapping["review_status"] == ReviewStatus.PUBLISHED.value:
                newest[(row.measure_id, row.period_id, row.group_id, ReviewStatus.PUBLISHED.value)] = mapping
    return newest


def _same_figure(current: dict, figure: validation.Figure, note: str | None, source: str | None) -> bool:
    return (
        _same_number(current["value"], figure.value)
        and _same_number(current["numerator"], figure.numerator)
        and _same_number(current["denominator"], figure.denominator)
        and (current["note"] or None) == note
        and (current["source"] or None) == source
    )


def _same_number(stored: float | None, given: float | None) -> bool:
    if stored is None or given is None:
        return stored is None and given is None
    return abs(float(stored) - float(given)) <= 1e-9 * max(1.0, abs(float(given)))


def _bump_edit_versions(connection: Connection, keys: set[str]) -> None:
    """One more version for each changed measure period, so a form opened before the import is
    refused rather than overwriting it (``writes.claim_version``)."""
    ordered = sorted(keys)
    existing: set[str] = set()
    for start in range(0, len(ordered), 500):
        existing |= set(
            connection.execute(
                select(EditVersion.key).where(EditVersion.key.in_(ordered[start : start + 500]))
            ).scalars()
        )
    if existing:
        connection.execute(
            update(EditVersion)
            .where(EditVersion.key == bindparam("k"))
            .values(version=EditVersion.version + 1),
            [{"k": key} for key in sorted(existing)],
        )
    new = [{"key": key, "version": 1} for key in ordered if key not in existing]
    if new:
        connection.execute(insert(EditVersion), new)


def template_sheets() -> dict[str, pd.DataFrame]:
    """An empty workbook of the contract's sheets (headers only), with one example row each."""
    examples = {
        "bureaus": {"code": "TR", "name": "Portland Bureau of Transportation"},
        "goals": {
            "bureau_code": "TR",
            "goal_key": "G1",
            "title": "A workforce that reflects the community",
            "citywide_goal": "2",
            "focus_area": "workforce",
        },
        "actions": {
            "bureau_code": "TR",
            "goal_key": "G1",
            "action_key": "A1",
            "title": "Recruit at community job fairs",
            "lead": "Human Resources",
            "start_date": "2016-07-01",
            "due_date": "2019-06-30",
            "status": "on_track",
        },
        "measures": {
            "bureau_code": "TR",
            "goal_key": "G1",
            "measure_key": "employees_of_color",
            "name": "Employees of color (%)",
            "unit": "percent",
            "polarity": "higher",
            "frequency": "annual",
            "baseline_value": "21.5",
            "baseline_period": "FY 2016-17",
            "target_value": "30",
            "target_period": "FY 2020-21",
            "disaggregated": "no",
        },
        "values": {
            "bureau_code": "TR",
            "measure_key": "employees_of_color",
            "period": "FY 2017-18",
            "group": "",
            "value": "22.4",
            "numerator": "",
            "denominator": "",
            "note": "",
        },
    }
    sheets: dict[str, pd.DataFrame] = {}
    for sheet in contract.SHEETS:
        if not sheet.required:
            continue
        columns = [f.name for f in sheet.fields if f.required or f.name in examples[sheet.name]]
        sheets[sheet.name] = pd.DataFrame(
            [{c: examples[sheet.name].get(c, "") for c in columns}], columns=columns
        )
    return sheets
