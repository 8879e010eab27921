"""Export the plans and figures in the import format (:mod:`equity_tracking.import_contract`).

Owns which rows an export holds: each bureau's current plan (:func:`equity_tracking.due.current_plan`,
the plan work is entered against) with its goals, actions and measures that are not archived, and
the newest version of each figure that the viewer may see (the public: published figures only). The
optional sheets (plans, earlier bureau names, interim targets, reporting cycles) and the values'
``entered_at`` and ``published_at`` columns are written too, so that an export imported into an
empty database with ``--publish`` gives the same figures on every page, and an export imported into
the database it came from changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import aliased

from equity_tracking import due, reads
from equity_tracking.models import (
    Action,
    Bureau,
    BureauGoal,
    BureauName,
    CitywideGoal,
    FocusArea,
    InterimTarget,
    Measure,
    MeasureValue,
    Plan,
    RaceGroup,
    ReportingCycle,
    ReportingPeriod,
)
from equity_tracking.periods import fiscal_year_label
from equity_tracking.permissions import Viewer
from equity_tracking.workbook import write_csv_folder, write_xlsx

POLARITY_WORDS = {"higher_is_better": "higher", "lower_is_better": "lower", "neutral": "neutral"}


def export_path(engine: Engine, path: Path, *, viewer: Viewer) -> dict[str, int]:
    """Write the export to ``path``: a workbook when it ends in ``.xlsx``, else a folder of CSVs.
    Returns the number of rows of each sheet."""
    sheets = export_sheets(engine, viewer=viewer)
    if path.suffix.lower() == ".xlsx":
        write_xlsx(path, sheets)
    else:
        write_csv_folder(path, sheets)
    return {name: len(frame) for name, frame in sheets.items()}


def export_sheets(engine: Engine, *, viewer: Viewer) -> dict[str, pd.DataFrame]:
    """The sheets of an export for ``viewer``, in the order of the contract."""
    plans = _current_plans(engine, viewer)
    with engine.connect() as connection:

        def frame(statement) -> pd.DataFrame:
            result = connection.execute(statement)
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

        plan_ids = [int(plan_id) for plan_id in plans["id"]]
        bureau_ids = [int(bureau_id) for bureau_id in plans["bureau_id"]]
        bureaus = frame(
            select(Bureau.code, Bureau.name, Bureau.service_area)
            .where(Bureau.id.in_(bureau_ids))
            .order_by(Bureau.code)
        )
        names = frame(
            select(
                Bureau.code.label("bureau_code"), BureauName.name, BureauName.valid_from, BureauName.valid_to
            )
            .join(Bureau, Bureau.id == BureauName.bureau_id)
            .where(Bureau.id.in_(bureau_ids))
            .order_by(Bureau.code, BureauName.valid_to)
        )
        goals = frame(_goals(plan_ids))
        actions = frame(_actions(plan_ids))
        measures = frame(_measures(plan_ids))
        targets = frame(_interim_targets(plan_ids))
        cycles = frame(select(ReportingCycle).order_by(ReportingCycle.fiscal_year))
        values = _values(engine, connection, viewer, plan_ids)
    return {
        "bureaus": bureaus,
        "goals": goals,
        "actions": _dates_as_text(actions, "start_date", "due_date"),
        "measures": _measure_words(measures),
        "values": values,
        "plans": _plan_sheet(plans),
        "bureau_names": _dates_as_text(names, "valid_from", "valid_to"),
        "interim_targets": targets,
        "reporting_cycles": _cycle_sheet(cycles),
    }


def _current_plans(engine: Engine, viewer: Viewer) -> pd.DataFrame:
    """Each bureau's current plan among those the viewer may see (the rule of :mod:`due`)."""
    plans = reads.plans(engine, viewer=viewer)
    current = [due.current_plan(group) for _, group in plans.groupby("bureau_id", sort=False)]
    return pd.DataFrame([plan for plan in current if plan is not None], columns=plans.columns)


def _goals(plan_ids: list[int]):
    return (
        select(
            _bureau_code(),
            BureauGoal.key.label("goal_key"),
            BureauGoal.title,
            CitywideGoal.number.label("citywide_goal"),
            FocusArea.key.label("focus_area"),
            BureauGoal.description,
            BureauGoal.sort_order,
        )
        .join(CitywideGoal, CitywideGoal.id == BureauGoal.citywide_goal_id)
        .join(FocusArea, FocusArea.id == BureauGoal.focus_area_id)
        .where(BureauGoal.plan_id.in_(plan_ids), reads.not_archived(BureauGoal))
        .order_by(_bureau_code(), BureauGoal.sort_order, BureauGoal.key)
    )


def _bureau_code():
    """The code of a goal's bureau (a scalar subquery through its plan)."""
    return (
        select(Bureau.code)
        .join(Plan, Plan.bureau_id == Bureau.id)
        .where(Plan.id == BureauGoal.plan_id)
        .scalar_subquery()
        .label("bureau_code")
    )


def _actions(plan_ids: list[int]):
    return (
        select(
            _bureau_code(),
            BureauGoal.key.label("goal_key"),
            Action.key.label("action_key"),
            Action.title,
            Action.lead,
            Action.start_date,
            Action.due_date,
            Action.status,
            Action.description,
            Action.percent_complete,
        )
        .join(BureauGoal, BureauGoal.id == Action.goal_id)
        .where(BureauGoal.plan_id.in_(plan_ids), reads.not_archived(BureauGoal, Action))
        .order_by(_bureau_code(), BureauGoal.sort_order, Action.sort_order, Action.key)
    )


def _measures(plan_ids: list[int]):
    baseline, target = aliased(ReportingPeriod), aliased(ReportingPeriod)
    action = aliased(Action)
    return (
        select(
            _bureau_code(),
            BureauGoal.key.label("goal_key"),
            Measure.key.label("measure_key"),
            Measure.name,
            Measure.unit,
            Measure.polarity,
            Measure.frequency,
            Measure.baseline_value,
            baseline.label.label("baseline_period"),
            Measure.target_value,
            target.label.label("target_period"),
            Measure.disaggregated,
            Measure.rba_category,
            Measure.indicator,
            Measure.data_source,
            Measure.description,
            action.key.label("action_key"),
            Measure.weight,
        )
        .join(BureauGoal, BureauGoal.id == Measure.goal_id)
        .outerjoin(baseline, baseline.id == Measure.baseline_period_id)
        .outerjoin(target, target.id == Measure.target_period_id)
        .outerjoin(action, action.id == Measure.action_id)
        .where(BureauGoal.plan_id.in_(plan_ids), reads.not_archived(BureauGoal, Measure))
        .order_by(_bureau_code(), BureauGoal.sort_order, Measure.sort_order, Measure.key)
    )


def _interim_targets(plan_ids: list[int]):
    return (
        select(
            _bureau_code(),
            Measure.key.label("measure_key"),
            ReportingPeriod.label.label("period"),
            InterimTarget.value.label("target_value"),
        )
        .join(Measure, Measure.id == InterimTarget.measure_id)
        .join(BureauGoal, BureauGoal.id == Measure.goal_id)
        .join(ReportingPeriod, ReportingPeriod.id == InterimTarget.period_id)
        .where(BureauGoal.plan_id.in_(plan_ids), reads.not_archived(BureauGoal, Measure))
        .order_by(_bureau_code(), Measure.key, ReportingPeriod.end_date)
    )


def _values(engine: Engine, connection, viewer: Viewer, plan_ids: list[int]) -> pd.DataFrame:
    """The newest version of each figure the viewer may see (:func:`reads.measure_value_frame`),
    with its note, source and when it was entered and published."""
    newest = reads.measure_value_frame(engine, viewer=viewer)[["version_id"]]
    result = connection.execute(
        select(
            MeasureValue.id.label("version_id"),
            _bureau_code(),
            BureauGoal.key.label("goal_key"),
            Measure.key.label("measure_key"),
            ReportingPeriod.label.label("period"),
            RaceGroup.name.label("group"),
            MeasureValue.value,
            MeasureValue.numerator,
            MeasureValue.denominator,
            MeasureValue.note,
            MeasureValue.source,
            MeasureValue.entered_at,
            MeasureValue.published_at,
            ReportingPeriod.end_date,
            RaceGroup.sort_order,
        )
        .join(Measure, Measure.id == MeasureValue.measure_id)
        .join(BureauGoal, BureauGoal.id == Measure.goal_id)
        .join(ReportingPeriod, ReportingPeriod.id == MeasureValue.period_id)
        .outerjoin(RaceGroup, RaceGroup.id == MeasureValue.group_id)
        .where(BureauGoal.plan_id.in_(plan_ids), reads.not_archived(BureauGoal, Measure))
    )
    every = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    values = every.merge(newest, on="version_id")
    values = values.sort_values(["bureau_code", "measure_key", "end_date", "sort_order"], na_position="first")
    for column in ("entered_at", "published_at"):
        values[column] = [_instant(value) for value in values[column]]
    return values.drop(columns=["version_id", "end_date", "sort_order"]).reset_index(drop=True)


def _instant(value: object) -> str | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.isoformat()


def _measure_words(measures: pd.DataFrame) -> pd.DataFrame:
    """Enumerations as the contract writes them (``higher``, ``yes``)."""
    words = measures.copy()
    for column in ("unit", "frequency", "rba_category"):
        words[column] = [getattr(value, "value", value) for value in words[column]]
    words["polarity"] = [POLARITY_WORDS[getattr(value, "value", value)] for value in words["polarity"]]
    words["disaggregated"] = ["yes" if flag else "no" for flag in words["disaggregated"]]
    return words


def _plan_sheet(plans: pd.DataFrame) -> pd.DataFrame:
    return (
        pd.DataFrame(
            {
                "bureau_code": plans["bureau_code"],
                "title": plans["title"],
                "first_fiscal_year": [fiscal_year_label(int(year)) for year in plans["first_fiscal_year"]],
                "last_fiscal_year": [fiscal_year_label(int(year)) for year in plans["last_fiscal_year"]],
                "status": plans["status"],
                "version": plans["version"],
            }
        )
        .sort_values("bureau_code")
        .reset_index(drop=True)
    )


def _cycle_sheet(cycles: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "fiscal_year": [fiscal_year_label(int(year)) for year in cycles["fiscal_year"]],
            "opens_on": [day.isoformat() for day in cycles["opens_on"]],
            "due_on": [day.isoformat() for day in cycles["due_on"]],
        }
    )


def _dates_as_text(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    dated = frame.copy()
    for column in columns:
        dated[column] = [None if day is None or pd.isna(day) else day.isoformat() for day in dated[column]]
    if "status" in dated.columns:
        dated["status"] = [getattr(value, "value", value) for value in dated["status"]]
    return dated
