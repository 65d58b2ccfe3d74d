"""Zalo: numbered options offered per chat, the Zalo bots and their channel names, media files
served by URL, and where a contact linked on several channels is written to.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies, as in 0001: a migration must not change when the models do.
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "offered_choices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("chat_id", sa.String(100), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("message_id", sa.String(100), nullable=True),
        sa.Column("offered_at", _TS, nullable=False),
        sa.UniqueConstraint("channel", "chat_id", name="uq_offered_choices_channel_chat_id"),
    )
    op.create_table(
        "zalo_bots",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("bot_id", sa.String(100), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("created_at", _TS, nullable=False, server_default=sa.func.current_timestamp()),
        sa.Column("updated_at", _TS, nullable=False, server_default=sa.func.current_timestamp()),
        sa.UniqueConstraint("bot_id", name="uq_zalo_bots_bot_id"),
        sa.UniqueConstraint("channel", name="uq_zalo_bots_channel"),
    )
    op.create_table(
        "media_files",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("mime_type", sa.String(100), nullable=False),
        sa.Column("name", sa.String(300), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=True),
        sa.UniqueConstraint("token", name="uq_media_files_token"),
    )
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("preferred_channel", sa.String(20), nullable=True))
        batch.add_column(sa.Column("last_channel", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("last_channel")
        batch.drop_column("preferred_channel")
    op.drop_table("media_files")
    op.drop_table("zalo_bots")
    op.drop_table("offered_choices")
