"""review steps, reporting cycles, compare-and-set versions; narratives become append-only

The review of a bureau's work for a cycle becomes a series of steps, each a new row (who, when,
which state, a comment), so that what was public on any date can be read back: values, action
updates and narratives gain ``published_at``. Reporting cycles get their own table with due dates.
Edits name the version they started from (``edit_versions``), so a conflicting save is refused.
Annual narratives become append-only like measure values: an edit is a new row that replaces the
old one. Action updates record the cycle (fiscal year) they were written for.

Rows published before this revision are taken to have been published when they were entered: the
database kept no other date for them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 05:30:00
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REVIEW_STATES = ("submitted", "returned", "approved", "published")
REPORTING_WINDOW_DAYS = 92  # rules.REPORTING_WINDOW: 30 June + 92 days = 30 September


def upgrade() -> None:
    op.create_table(
        "reporting_cycles",
        sa.Column("fiscal_year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("fiscal_year", name=op.f("pk_reporting_cycles")),
    )
    op.create_table(
        "review_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bureau_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                *REVIEW_STATES, name="review_state", native_enum=False, create_constraint=True, length=24
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("rows_moved", sa.Integer(), nullable=False),
        sa.CheckConstraint("length(comment) <= 2000", name=op.f("ck_review_steps_comment_length")),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_review_steps_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["bureau_id"], ["bureaus.id"], name=op.f("fk_review_steps_bureau_id_bureaus")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_steps")),
    )
    with op.batch_alter_table("review_steps") as batch:
        batch.create_index(
            "ix_review_steps_bureau_id_fiscal_year", ["bureau_id", "fiscal_year"], unique=False
        )
    op.create_table(
        "edit_versions",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint('length("key") <= 120', name=op.f("ck_edit_versions_key_length")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_edit_versions")),
    )
    with op.batch_alter_table("measure_values") as batch:
        batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("action_updates") as batch:
        batch.add_column(sa.Column("fiscal_year", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("annual_reports") as batch:
        batch.drop_constraint(op.f("uq_annual_reports_bureau_id_fiscal_year"), type_="unique")
        batch.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_unique_constraint(op.f("uq_annual_reports_replaces_id"), ["replaces_id"])
        batch.create_foreign_key(
            op.f("fk_annual_reports_replaces_id_annual_reports"), "annual_reports", ["replaces_id"], ["id"]
        )
        batch.create_index(
            "ix_annual_reports_bureau_id_fiscal_year", ["bureau_id", "fiscal_year"], unique=False
        )
    _backfill()


def _backfill() -> None:
    """Published rows were published when entered; each fiscal year in the periods table gets a
    reporting cycle due on its reporting deadline; action updates get the fiscal year they were
    reported in (in UTC: near midnight at a year's turn, the day may differ from Portland's)."""
    op.execute("UPDATE measure_values SET published_at = entered_at WHERE review_status = 'published'")
    op.execute("UPDATE action_updates SET published_at = reported_at WHERE review_status = 'published'")
    op.execute("UPDATE annual_reports SET published_at = updated_at WHERE review_status = 'published'")
    connection = op.get_bind()
    years = connection.execute(
        sa.text(
            "SELECT fiscal_year, end_date FROM periods WHERE kind = 'fiscal_year' AND fiscal_year IS NOT NULL"
        )
    ).all()

    for fiscal_year, end_date in years:
        end = end_date if isinstance(end_date, dt.date) else dt.date.fromisoformat(str(end_date))
        connection.execute(
            sa.text(
                "INSERT INTO reporting_cycles (fiscal_year, opens_on, due_on) VALUES (:year, :opens, :due)"
            ),
            {
                "year": fiscal_year,
                "opens": end + dt.timedelta(days=1),
                "due": end + dt.timedelta(days=REPORTING_WINDOW_DAYS),
            },
        )
    updates = connection.execute(sa.text("SELECT id, reported_at FROM action_updates")).all()
    for update_id, reported_at in updates:
        stamp = (
            reported_at
            if isinstance(reported_at, dt.datetime)
            else dt.datetime.fromisoformat(str(reported_at))
        )
        year = stamp.year if stamp.month >= 7 else stamp.year - 1
        connection.execute(
            sa.text("UPDATE action_updates SET fiscal_year = :year WHERE id = :id"),
            {"year": year, "id": update_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("annual_reports") as batch:
        batch.drop_index("ix_annual_reports_bureau_id_fiscal_year")
        batch.drop_constraint(op.f("fk_annual_reports_replaces_id_annual_reports"), type_="foreignkey")
        batch.drop_constraint(op.f("uq_annual_reports_replaces_id"), type_="unique")
        batch.drop_column("published_at")
        batch.drop_column("replaces_id")
        batch.create_unique_constraint(
            op.f("uq_annual_reports_bureau_id_fiscal_year"), ["bureau_id", "fiscal_year"]
        )
    with op.batch_alter_table("action_updates") as batch:
        batch.drop_column("published_at")
        batch.drop_column("fiscal_year")
    with op.batch_alter_table("measure_values") as batch:
        batch.drop_column("published_at")
    op.drop_table("edit_versions")
    op.drop_table("review_steps")
    op.drop_table("reporting_cycles")
