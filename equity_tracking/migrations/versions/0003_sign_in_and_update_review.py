"""sign-in bookkeeping on users, signed-in sessions; a review status on action updates

Users gain what local sign-in needs (failed attempts and lockouts counted in the database, the last
sign-in) and an archive date (users are archived, never deleted). Sessions are rows, so that
timeouts and sign-out are decided on the server and survive a reload. Action status updates gain a
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
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=40), nullable=True),
        sa.CheckConstraint("length(token_hash) <= 64", name=op.f("ck_user_sessions_token_hash_length")),
        sa.CheckConstraint("length(method) <= 40", name=op.f("ck_user_sessions_method_length")),
        sa.CheckConstraint("length(end_reason) <= 40", name=op.f("ck_user_sessions_end_reason_length")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    with op.batch_alter_table("user_sessions") as batch:
        batch.create_index(op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)
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
    op.drop_table("user_sessions")
    with op.batch_alter_table("action_updates") as batch:
        batch.drop_constraint(op.f("ck_action_updates_review_status"), type_="check")
        batch.drop_column("review_status")
    with op.batch_alter_table("users") as batch:
        for column in ("archived_at", "last_sign_in_at", "locked_until", "lockouts", "failed_sign_ins"):
            batch.drop_column(column)
