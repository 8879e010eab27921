"""length caps on every text column, unknown race/ethnicity flag, shared measure indicators

Every text column gets a CHECK on its length, so that SQLite (which ignores VARCHAR lengths) refuses
oversized text as PostgreSQL does; race groups say whether they record an unknown race/ethnicity
(instead of the code recognising a key); measures may name a shared indicator (e.g. the workforce
headcount) that citywide views add up across bureaus.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, cap in characters, stored as JSON), frozen as of this revision.
TEXT_CAPS: tuple[tuple[str, str, int, bool], ...] = (
    ("action_updates", "narrative", 4000, False),
    ("actions", "key", 40, False),
    ("actions", "title", 400, False),
    ("actions", "description", 4000, False),
    ("actions", "lead", 200, False),
    ("annual_reports", "highlights", 4000, True),
    ("annual_reports", "challenges", 4000, True),
    ("annual_reports", "priorities", 4000, True),
    ("app_metadata", "key", 60, False),
    ("app_metadata", "value", 4000, False),
    ("audit_log", "action", 60, False),
    ("audit_log", "entity", 60, False),
    ("audit_log", "entity_id", 60, False),
    ("benchmark_populations", "key", 40, False),
    ("benchmark_populations", "name", 200, False),
    ("benchmark_populations", "source", 300, False),
    ("bureau_goals", "key", 40, False),
    ("bureau_goals", "title", 300, False),
    ("bureau_goals", "description", 4000, False),
    ("bureau_names", "name", 200, False),
    ("bureaus", "code", 8, False),
    ("bureaus", "name", 200, False),
    ("bureaus", "service_area", 200, False),
    ("citywide_goals", "short_title", 120, False),
    ("citywide_goals", "text", 2000, False),
    ("citywide_goals", "adopted_by", 200, False),
    ("focus_areas", "key", 40, False),
    ("focus_areas", "name", 200, False),
    ("focus_areas", "description", 4000, False),
    ("measure_values", "note", 2000, False),
    ("measure_values", "source", 300, False),
    ("measures", "key", 40, False),
    ("measures", "name", 300, False),
    ("measures", "description", 4000, False),
    ("measures", "data_source", 300, False),
    ("measures", "indicator", 60, False),
    ("periods", "label", 32, False),
    ("plans", "title", 300, False),
    ("race_groups", "key", 40, False),
    ("race_groups", "name", 120, False),
    ("strategies", "name", 200, False),
    ("strategies", "description", 4000, False),
    ("users", "username", 120, False),
    ("users", "display_name", 200, False),
    ("users", "email", 320, False),
    ("users", "password_hash", 200, False),
)
UNKNOWN_GROUP_KEYS = ("unknown_declined", "unknown", "declined", "not_reported")


def _condition(column: str, cap: int, is_json: bool) -> str:
    measured = f"CAST({column} AS TEXT)" if is_json else column
    return f"length({measured}) <= {cap}"


def upgrade() -> None:
    with op.batch_alter_table("race_groups") as batch:
        batch.add_column(sa.Column("is_unknown", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("measures") as batch:
        batch.add_column(sa.Column("indicator", sa.String(length=60), nullable=True))
        batch.create_index(op.f("ix_measures_indicator"), ["indicator"], unique=False)
    race_groups = sa.table("race_groups", sa.column("key", sa.String), sa.column("is_unknown", sa.Boolean))
    op.execute(race_groups.update().where(race_groups.c.key.in_(UNKNOWN_GROUP_KEYS)).values(is_unknown=True))
    for table in sorted({table for table, *_ in TEXT_CAPS}):
        with op.batch_alter_table(table) as batch:
            for _, column, cap, is_json in (row for row in TEXT_CAPS if row[0] == table):
                batch.create_check_constraint(
                    op.f(f"ck_{table}_{column}_length"), _condition(column, cap, is_json)
                )


def downgrade() -> None:
    for table in sorted({table for table, *_ in TEXT_CAPS}):
        with op.batch_alter_table(table) as batch:
            for _, column, _cap, _is_json in (row for row in TEXT_CAPS if row[0] == table):
                batch.drop_constraint(op.f(f"ck_{table}_{column}_length"), type_="check")
    with op.batch_alter_table("measures") as batch:
        batch.drop_index(op.f("ix_measures_indicator"))
        batch.drop_column("indicator")
    with op.batch_alter_table("race_groups") as batch:
        batch.drop_column("is_unknown")
