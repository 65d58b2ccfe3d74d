"""Reminders: per-plan settings, deputies, days off added by hand, leave, the daily run ledger.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column(
        "plans", sa.Column("settings", sa.JSON(), nullable=False, server_default="{}")
    )
    op.add_column(
        "contacts",
        sa.Column("is_deputy", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "calendar_days",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False, unique=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", _TS, nullable=False, server_default=sa.func.current_timestamp()),
    )
    op.create_table(
        "leaves",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "contact_id",
            sa.Integer(),
            sa.ForeignKey("contacts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_at", _TS, nullable=False, server_default=sa.func.current_timestamp()),
    )
    op.create_index("ix_leaves_contact_id", "leaves", ["contact_id"])
    op.create_table(
        "reminder_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False, unique=True),
        sa.Column("run_at", _TS, nullable=False),
        sa.Column("worker", sa.String(100), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reminder_runs")
    op.drop_index("ix_leaves_contact_id", table_name="leaves")
    op.drop_table("leaves")
    op.drop_table("calendar_days")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("is_deputy")
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("settings")
