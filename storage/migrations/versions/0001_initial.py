"""Initial schema: plans, agencies and aliases, tasks, assignments, contacts, channel identities.

Revision ID: 0001
Revises:
Create Date: 2025-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of what storage.models uses: a migration must not change when the models do.
# storage.types.UTCDateTime is DateTime(timezone=True) underneath; the UTC rule is in Python.
_TS = sa.DateTime(timezone=True)


def _created(name: str = "created_at") -> sa.Column:
    return sa.Column(name, _TS, server_default=sa.func.current_timestamp(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.Text(), nullable=True),
        sa.Column("source_name", sa.Text(), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("reporting", sa.JSON(), nullable=False),
        sa.Column("review", sa.JSON(), nullable=False),
        _created(),
        _created("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
    )

    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("group_of", sa.String(length=20), nullable=True),
        _created(),
        sa.CheckConstraint(
            "kind IN ('department', 'district', 'press', 'provincial', 'group')",
            name=op.f("ck_agencies_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("key", name=op.f("uq_agencies_key")),
        sa.UniqueConstraint("name", name=op.f("uq_agencies_name")),
    )

    op.create_table(
        "agency_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=500), nullable=False),
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_agency_aliases_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_aliases")),
        sa.UniqueConstraint("agency_id", "alias", name=op.f("uq_agency_aliases_agency_id_alias")),
    )
    with op.batch_alter_table("agency_aliases") as batch_op:
        batch_op.create_index(op.f("ix_agency_aliases_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(op.f("ix_agency_aliases_key"), ["key"], unique=False)

    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("full_text", sa.Text(), nullable=False),
        sa.Column("parent_code", sa.String(length=50), nullable=True),
        sa.Column("section", sa.Text(), nullable=True),
        sa.Column("timeframe", sa.Text(), nullable=True),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("review", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("deadline_override", sa.Date(), nullable=True),
        _created(),
        _created("updated_at"),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_tasks_plan_id_plans"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
        sa.UniqueConstraint("plan_id", "code", name=op.f("uq_tasks_plan_id_code")),
    )
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.create_index(op.f("ix_tasks_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint("role IN ('lead', 'support')", name=op.f("ck_assignments_role")),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_assignments_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["tasks.id"],
            name=op.f("fk_assignments_task_id_tasks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
        sa.UniqueConstraint(
            "task_id", "agency_id", "role", name=op.f("uq_assignments_task_id_agency_id_role")
        ),
    )
    with op.batch_alter_table("assignments") as batch_op:
        batch_op.create_index(op.f("ix_assignments_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        _created(),
        sa.CheckConstraint(
            "role IN ('focal', 'coordinator', 'leader')", name=op.f("ck_contacts_role")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_contacts_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.create_index(op.f("ix_contacts_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "channel_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("chat_id", sa.String(length=100), nullable=True),
        sa.Column("reachable", sa.Boolean(), server_default=sa.true(), nullable=False),
        _created("linked_at"),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_channel_identities_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_identities")),
        sa.UniqueConstraint(
            "channel", "external_id", name=op.f("uq_channel_identities_channel_external_id")
        ),
    )
    with op.batch_alter_table("channel_identities") as batch_op:
        batch_op.create_index(
            op.f("ix_channel_identities_contact_id"), ["contact_id"], unique=False
        )


def downgrade() -> None:
    # Children before parents, so no foreign key is left pointing at a dropped table.
    for table in (
        "channel_identities",
        "contacts",
        "assignments",
        "tasks",
        "agency_aliases",
        "agencies",
        "plans",
    ):
        op.drop_table(table)
