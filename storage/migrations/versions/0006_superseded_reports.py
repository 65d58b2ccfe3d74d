"""Progress reports with a newer one marked superseded, so where a task stands is read from the
newest alone.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies, as in 0001: a migration must not change when the models do.
_PROGRESS = ("done", "in_progress", "blocked")
_VOID = ("returned", "rejected")


def upgrade() -> None:
    op.add_column(
        "reports",
        sa.Column("superseded", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_reports_current", "reports", ["task_id", "agency_id", "superseded"])
    # The reports already stored: each progress report with a newer one, not sent back, from
    # the same agency on the same task and checkpoint.
    progress = ", ".join(f"'{s}'" for s in _PROGRESS)
    void = ", ".join(f"'{s}'" for s in _VOID)
    same_checkpoint = (
        "newer.checkpoint IS reports.checkpoint"
        if op.get_bind().dialect.name == "sqlite"
        else "newer.checkpoint IS NOT DISTINCT FROM reports.checkpoint"
    )
    op.execute(
        f"""
        UPDATE reports SET superseded = true
        WHERE status IN ({progress}) AND EXISTS (
            SELECT 1 FROM reports AS newer
            WHERE newer.task_id = reports.task_id AND newer.agency_id = reports.agency_id
              AND newer.status = reports.status AND {same_checkpoint}
              AND newer.state NOT IN ({void})
              AND newer.created_at >= reports.created_at AND newer.id > reports.id
        )
        """
    )


def downgrade() -> None:
    op.drop_index("ix_reports_current", table_name="reports")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("superseded")
