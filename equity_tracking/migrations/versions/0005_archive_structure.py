"""archive instead of delete: goals, actions, measures and benchmark populations

Administrators retire parts of a plan's structure without losing them: an archived goal, action,
measure or benchmark population keeps its rows, its values and its history, and is left out of the
lists people choose from. Bureaus and race/ethnicity groups already had ``active``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ARCHIVABLE = ("bureau_goals", "actions", "measures", "benchmark_populations")


def upgrade() -> None:
    for table in ARCHIVABLE:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in ARCHIVABLE:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("archived_at")
