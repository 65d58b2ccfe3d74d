"""Conversation: link codes, inbound messages, dialog state, reports, evidence, the outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies, as in 0001: a migration must not change when the models do.
_TS = sa.DateTime(timezone=True)


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, _TS, nullable=nullable)


def _contact_fk(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(
        name, sa.Integer(), sa.ForeignKey("contacts.id", ondelete="SET NULL"), nullable=nullable
    )


def upgrade() -> None:
    op.create_table(
        "link_codes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "contact_id",
            sa.Integer(),
            sa.ForeignKey("contacts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        _ts("created_at"),
        _ts("expires_at"),
        _ts("used_at", nullable=True),
        sa.Column("used_by", sa.String(130), nullable=True),
    )
    op.create_index("ix_link_codes_contact_id", "link_codes", ["contact_id"])

    op.create_table(
        "link_failures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("chat_id", sa.String(100), nullable=False),
        _ts("failed_at"),
    )
    op.create_index("ix_link_failures_chat", "link_failures", ["channel", "chat_id", "failed_at"])

    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("event_id", sa.String(100), nullable=False),
        sa.Column("chat_id", sa.String(100), nullable=False),
        sa.Column("user_id", sa.String(100), nullable=True),
        sa.Column("message_id", sa.String(100), nullable=True),
        _contact_fk("contact_id"),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("callback_data", sa.String(100), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        _ts("received_at"),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("handled_by", sa.String(50), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        _ts("processed_at", nullable=True),
        sa.UniqueConstraint("channel", "event_id"),
        sa.CheckConstraint("state IN ('received', 'done', 'failed')", name="state"),
    )

    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("chat_id", sa.String(100), nullable=False),
        sa.Column("state", sa.String(40), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        _ts("updated_at"),
        sa.UniqueConstraint("channel", "chat_id"),
    )

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "task_id", sa.Integer(), sa.ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agencies.id"), nullable=False),
        _contact_fk("contact_id"),
        sa.Column(
            "inbound_id",
            sa.Integer(),
            sa.ForeignKey("inbound_messages.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=True),
        sa.Column("said_date", sa.Date(), nullable=True),
        sa.Column("date_role", sa.String(20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("checkpoint", sa.Date(), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("review_note", sa.Text(), nullable=True),
        _contact_fk("reviewed_by"),
        _ts("reviewed_at", nullable=True),
        _ts("created_at"),
        sa.CheckConstraint(
            "status IN ('done', 'in_progress', 'blocked', 'extension_request')", name="status"
        ),
        sa.CheckConstraint(
            "state IN ('recorded', 'awaiting_review', 'confirmed', 'returned', 'approved', "
            "'rejected')",
            name="state",
        ),
    )
    op.create_index("ix_reports_task_agency", "reports", ["task_id", "agency_id"])

    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "report_id",
            sa.Integer(),
            sa.ForeignKey("reports.id", ondelete="SET NULL"),
            nullable=True,
        ),
        _contact_fk("contact_id"),
        sa.Column(
            "inbound_id",
            sa.Integer(),
            sa.ForeignKey("inbound_messages.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("file_id", sa.String(300), nullable=True),
        sa.Column("name", sa.String(300), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("mime_type", sa.String(100), nullable=True),
        _ts("created_at"),
    )
    op.create_index("ix_evidence_report_id", "evidence", ["report_id"])
    op.create_index("ix_evidence_contact_id", "evidence", ["contact_id"])

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("chat_id", sa.String(100), nullable=False),
        _contact_fk("contact_id"),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True, unique=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _ts("not_before"),
        _ts("claimed_at", nullable=True),
        sa.Column("claimed_by", sa.String(100), nullable=True),
        _ts("sent_at", nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        _ts("created_at"),
        sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed')", name="state"),
    )
    op.create_index("ix_outbox_state_due", "outbox", ["state", "not_before"])

    op.create_table(
        "sent_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "outbox_id",
            sa.Integer(),
            sa.ForeignKey("outbox.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("chat_id", sa.String(100), nullable=False),
        sa.Column("message_id", sa.String(100), nullable=False),
        sa.Column("task_ids", sa.JSON(), nullable=False),
        _ts("sent_at"),
        sa.UniqueConstraint("channel", "chat_id", "message_id"),
    )


def downgrade() -> None:
    for table in (
        "sent_messages",
        "outbox",
        "evidence",
        "reports",
        "conversations",
        "inbound_messages",
        "link_failures",
        "link_codes",
    ):
        op.drop_table(table)
