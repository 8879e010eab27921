"""The write path for plan data: principal → permission → change + audit entry + data version, in
one transaction.

Every function is keyword-only, takes the acting principal, asks the permission module itself
(so a call that bypasses the pages is refused just the same, and the refusal is audited), and
commits its change, its audit entry and the data-version bump together or not at all.

This release writes draft measure values; the editing and review screens build on it.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, Integer, String, insert, update

from equity_tracking import audit
from equity_tracking.models import (
    DATA_CHANGES_KEY,
    AppMetadata,
    Measure,
    MeasureValue,
    Plan,
    ReviewStatus,
    in_plans,
)
from equity_tracking.permissions import Permission, Principal


class WriteError(ValueError):
    """A change that cannot be made as asked; the message says why."""


def bump_data_version(connection: Connection) -> None:
    """Count one more change of plan data (in the caller's transaction), so every process's caches
    see it on their next page run (``reads.data_version``)."""
    changed = connection.execute(
        update(AppMetadata)
        .where(AppMetadata.key == DATA_CHANGES_KEY)
        .values(value=(AppMetadata.value.cast(Integer) + 1).cast(String))
    ).rowcount
    if not changed:
        connection.execute(insert(AppMetadata).values(key=DATA_CHANGES_KEY, value="1"))


def bureau_of_measure(connection: Connection, measure_id: int) -> int:
    bureau_id = connection.execute(
        in_plans(Measure, Plan.bureau_id).where(Measure.id == measure_id)
    ).scalar_one_or_none()
    if bureau_id is None:
        raise WriteError(f"There is no measure {measure_id}.")
    return int(bureau_id)


def record_value(
    engine: Engine,
    *,
    actor: Principal,
    measure_id: int,
    period_id: int,
    value: float,
    group_id: int | None = None,
    numerator: float | None = None,
    denominator: float | None = None,
    note: str | None = None,
    source: str | None = None,
) -> int:
    """A new draft value of a measure (a correction is a new row too: values are append-only).
    Only an editor of the measure's bureau, or an administrator, may; returns the new row's id."""
    with engine.begin() as connection:
        # The check and the change in one transaction: the measure cannot move to another bureau
        # between them. A refusal is audited in a transaction of its own (this one rolls back).
        bureau_id = bureau_of_measure(connection, measure_id)
        audit.require(
            engine,
            actor,
            Permission.EDIT_BUREAU_DATA,
            bureau_id=bureau_id,
            what=f"enter a value of measure {measure_id}",
        )
        value_id = connection.execute(
            insert(MeasureValue)
            .values(
                measure_id=measure_id,
                period_id=period_id,
                group_id=group_id,
                value=value,
                numerator=numerator,
                denominator=denominator,
                note=note,
                source=source,
                review_status=ReviewStatus.DRAFT.value,
                entered_by_id=actor.user_id,
            )
            .returning(MeasureValue.id)
        ).scalar_one()
        audit.record(
            connection,
            actor=actor,
            action="value_entered",
            entity="measure_value",
            entity_id=value_id,
            detail={"measure_id": measure_id, "period_id": period_id, "group_id": group_id},
        )
        bump_data_version(connection)
    return int(value_id)
