"""Reports handed to people: files the bot sends, the weekly digest ledger, reporting rounds.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies, as in 0001: a migration must not change when the models do.
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "stored_files",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("mime_type", sa.String(100), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "digest_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "plan_id",
            sa.Integer(),
            sa.ForeignKey("plans.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("week_of", sa.Date(), nullable=False),
        sa.Column("run_at", _TS, nullable=False),
        sa.Column("worker", sa.String(100), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.UniqueConstraint("plan_id", "week_of", name=op.f("uq_digest_runs_plan_id_week_of")),
    )
    op.create_table(
        "report_rounds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "plan_id",
            sa.Integer(),
            sa.ForeignKey("plans.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("period_code", sa.String(30), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("cutoff", sa.Date(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("opened_by", sa.String(100), nullable=False),
        sa.Column("opened_at", _TS, nullable=False),
        sa.Column("closed_at", _TS, nullable=True),
        sa.UniqueConstraint("plan_id", "due", name=op.f("uq_report_rounds_plan_id_due")),
        sa.CheckConstraint("state IN ('open', 'closed')", name=op.f("ck_report_rounds_state")),
    )
    op.create_table(
        "round_answers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "round_id",
            sa.Integer(),
            sa.ForeignKey("report_rounds.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "task_id", sa.Integer(), sa.ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column(
            "contact_id",
            sa.Integer(),
            sa.ForeignKey("contacts.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column(
            "report_id",
            sa.Integer(),
            sa.ForeignKey("reports.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("answered_at", _TS, nullable=False),
        sa.UniqueConstraint(
            "round_id",
            "task_id",
            "agency_id",
            name=op.f("uq_round_answers_round_id_task_id_agency_id"),
        ),
        sa.CheckConstraint(
            "state IN ('answered', 'skipped')", name=op.f("ck_round_answers_state")
        ),
    )


def downgrade() -> None:
    op.drop_table("round_answers")
    op.drop_table("report_rounds")
    op.drop_table("digest_runs")
    op.drop_table("stored_files")
