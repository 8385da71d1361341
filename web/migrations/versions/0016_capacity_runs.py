"""capacity runs: the capacity page's figures worked out by the job queue

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 12:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import web.db

# revision identifiers, used by Alembic.
revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "capacity_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=200), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", web.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", web.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed')",
            name=op.f("ck_capacity_runs_status"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_capacity_runs_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capacity_runs")),
    )
    with op.batch_alter_table("capacity_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_capacity_runs_event_id"), ["event_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("capacity_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capacity_runs_event_id"))
    op.drop_table("capacity_runs")
