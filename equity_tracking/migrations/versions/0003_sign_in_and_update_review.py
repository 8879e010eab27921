"""sign-in bookkeeping on users; a review status on action updates

Users gain what local sign-in needs (failed attempts and lockouts counted in the database, the last
sign-in) and an archive date (users are archived, never deleted). Action status updates gain a
review status like measure values: an update is public only once published. Updates written before
this revision were already public, so they are marked published.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REVIEW_STATUSES = ("draft", "submitted", "approved", "published")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("failed_sign_ins", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("lockouts", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("action_updates") as batch:
        batch.add_column(
            sa.Column(
                "review_status",
                sa.Enum(
                    *REVIEW_STATUSES,
                    name="review_status",
                    native_enum=False,
                    create_constraint=True,
                    length=24,
                ),
                server_default="published",
                nullable=False,
            )
        )
    # New rows name their status; the default above only marks the rows already there.
    with op.batch_alter_table("action_updates") as batch:
        batch.alter_column("review_status", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("action_updates") as batch:
        batch.drop_constraint(op.f("ck_action_updates_review_status"), type_="check")
        batch.drop_column("review_status")
    with op.batch_alter_table("users") as batch:
        for column in ("archived_at", "last_sign_in_at", "locked_until", "lockouts", "failed_sign_ins"):
            batch.drop_column(column)
