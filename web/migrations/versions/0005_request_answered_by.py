"""meeting requests: who last answered (accepted, declined, cancelled) and when

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 19:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meeting_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answered_by", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meeting_requests", schema=None) as batch_op:
        batch_op.drop_column("answered_at")
        batch_op.drop_column("answered_by")
