"""organisers: session token (logout ends every session cookie issued before)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 14:30:00.000000

"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Organisers already stored get their token now, then the column becomes required. Their
    # sessions from before (which name the organiser's id alone) no longer log anyone in.
    with op.batch_alter_table("organisers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_token", sa.String(length=64), nullable=True))
    organisers = sa.table("organisers", sa.column("id", sa.Integer), sa.column("session_token"))
    connection = op.get_bind()
    for (organiser_id,) in connection.execute(sa.select(organisers.c.id)).all():
        connection.execute(
            organisers.update()
            .where(organisers.c.id == organiser_id)
            .values(session_token=secrets.token_urlsafe(32))
        )
    with op.batch_alter_table("organisers", schema=None) as batch_op:
        batch_op.alter_column("session_token", existing_type=sa.String(length=64), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("organisers", schema=None) as batch_op:
        batch_op.drop_column("session_token")
