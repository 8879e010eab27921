"""Database health checks behind ``python -m equity_tracking check``.

Owns what "a sound database" means: the schema is at the code's revision; no row points at a row
that is missing (checked generically for every foreign key, since SQLite only enforces them when a
connection asks); and the plan data keeps the rules people rely on (every measure has a baseline and
a target, in the direction its polarity calls better; values fall inside their plan's years). Checks
only read.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select

from equity_tracking.models import Base, BureauGoal, Measure, MeasureValue, Plan, Polarity, ReportingPeriod
from equity_tracking.periods import fiscal_year, fiscal_year_end
from equity_tracking.reads import table_counts
from equity_tracking.schema import SchemaState, schema_status


class Level(enum.StrEnum):
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Finding:
    level: Level
    check: str
    message: str


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(finding.level is Level.ERROR for finding in self.findings)

    def add(self, level: Level, check: str, message: str) -> None:
        self.findings.append(Finding(level, check, message))


def run_checks(engine: Engine) -> CheckReport:
    report = CheckReport()
    status = schema_status(engine)
    if status.state is not SchemaState.CURRENT:
        report.add(
            Level.ERROR,
            "schema",
            f"schema is {status.state} (database {status.database_revision or 'none'}, "
            f"code {status.code_revision}); run `python -m equity_tracking init-db`",
        )
        return report
    report.add(Level.OK, "schema", f"schema revision {status.database_revision} (current)")
    report.counts = table_counts(engine)
    _check_orphans(engine, report)
    _check_measures_have_baseline_and_target(engine, report)
    _check_polarity_matches_target(engine, report)
    _check_values_inside_plans(engine, report)
    return report


def _check_orphans(engine: Engine, report: CheckReport) -> None:
    problems = 0
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for constraint in table.foreign_key_constraints:
                for element in constraint.elements:
                    child, parent = element.parent, element.column
                    # An alias, so that a table pointing at itself (corrections) joins cleanly.
                    parent_alias = parent.table.alias("parent")
                    parent_column = parent_alias.c[parent.name]
                    statement = (
                        select(func.count())
                        .select_from(table.outerjoin(parent_alias, child == parent_column))
                        .where(child.is_not(None), parent_column.is_(None))
                    )
                    orphans = connection.execute(statement).scalar_one()
                    if orphans:
                        problems += 1
                        report.add(
                            Level.ERROR,
                            "orphans",
                            f"{orphans} row(s) in {table.name}.{child.name} point at missing "
                            f"{parent.table.name}.{parent.name}",
                        )
    if not problems:
        report.add(Level.OK, "orphans", "no row points at a missing row")


def _check_measures_have_baseline_and_target(engine: Engine, report: CheckReport) -> None:
    statement = select(func.count()).where(
        (Measure.baseline_value.is_(None))
        | (Measure.baseline_period_id.is_(None))
        | (Measure.target_value.is_(None))
        | (Measure.target_period_id.is_(None))
    )
    with engine.connect() as connection:
        missing = connection.execute(statement).scalar_one()
    if missing:
        report.add(
            Level.WARNING,
            "targets",
            f"{missing} measure(s) lack a baseline or a target; their progress cannot be judged",
        )
    else:
        report.add(Level.OK, "targets", "every measure has a baseline and a target")


def _check_polarity_matches_target(engine: Engine, report: CheckReport) -> None:
    """A measure whose target lies the wrong way from its baseline for its polarity (higher is
    better, but the target is lower): one of the two was entered wrongly, and the measure would be
    judged against the wrong direction."""
    wrong_way = (
        (Measure.polarity == Polarity.HIGHER_IS_BETTER) & (Measure.target_value < Measure.baseline_value)
    ) | ((Measure.polarity == Polarity.LOWER_IS_BETTER) & (Measure.target_value > Measure.baseline_value))
    statement = select(Measure.id, Measure.key).where(wrong_way).order_by(Measure.id)
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    if rows:
        named = ", ".join(f"{key} (id {measure_id})" for measure_id, key in rows[:10])
        more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
        report.add(
            Level.WARNING,
            "polarity",
            f"{len(rows)} measure(s) have a target on the wrong side of the baseline for their polarity: "
            f"{named}{more}",
        )
    else:
        report.add(Level.OK, "polarity", "every target lies in the better direction from its baseline")


def _check_values_inside_plans(engine: Engine, report: CheckReport) -> None:
    """Values reported for a period outside their plan's fiscal years (often a typo in an import)."""
    plan_spans = (
        select(Measure.id.label("measure_id"), Plan.first_fiscal_year, Plan.last_fiscal_year)
        .join(BureauGoal, BureauGoal.id == Measure.goal_id)
        .join(Plan, Plan.id == BureauGoal.plan_id)
        .subquery()
    )
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                plan_spans.c.first_fiscal_year,
                plan_spans.c.last_fiscal_year,
                func.min(ReportingPeriod.start_date),
                func.max(ReportingPeriod.end_date),
                func.count(),
            )
            .select_from(MeasureValue)
            .join(plan_spans, plan_spans.c.measure_id == MeasureValue.measure_id)
            .join(ReportingPeriod, ReportingPeriod.id == MeasureValue.period_id)
            .group_by(plan_spans.c.first_fiscal_year, plan_spans.c.last_fiscal_year)
        ).all()
    outside = 0
    for first, last, earliest, latest, _count in rows:
        first_year, last_year = int(str(first)), int(str(last))
        starts_early = _as_date(earliest) < fiscal_year(first_year).start_date
        if starts_early or _as_date(latest) > fiscal_year_end(last_year):
            outside += 1
    if outside:
        report.add(Level.WARNING, "periods", "some values fall outside their plan's fiscal years")
    else:
        report.add(Level.OK, "periods", "every value falls inside its plan's fiscal years")


def _as_date(value: object) -> dt.date:
    # SQLite returns aggregated dates as text; PostgreSQL as dates.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
