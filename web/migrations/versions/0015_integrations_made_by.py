"""api keys and webhook subscriptions: who made them (revoked when their maker's role ends)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 06:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("api_keys", "webhook_subscriptions"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_created_by_id"), ["created_by_id"])
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_created_by_id_organisers"),
                "organisers",
                ["created_by_id"],
                ["id"],
                ondelete="SET NULL",
            )


def downgrade() -> None:
    for table in ("webhook_subscriptions", "api_keys"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_created_by_id_organisers"), type_="foreignkey"
            )
            batch_op.drop_index(batch_op.f(f"ix_{table}_created_by_id"))
            batch_op.drop_column("created_by_id")
