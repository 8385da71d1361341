"""meeting requests: who last answered (accepted, declined, cancelled) and when;
attendees: their own agenda link

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 19:00:00.000000

"""

import secrets
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
    # Attendees already stored get their link now, then the column becomes required.
    with op.batch_alter_table("attendees", schema=None) as batch_op:
        batch_op.add_column(sa.Column("access_token", sa.String(length=64), nullable=True))
    attendees = sa.table("attendees", sa.column("id", sa.Integer), sa.column("access_token"))
    connection = op.get_bind()
    for (attendee_id,) in connection.execute(sa.select(attendees.c.id)).all():
        connection.execute(
            attendees.update()
            .where(attendees.c.id == attendee_id)
            .values(access_token=secrets.token_urlsafe(32))
        )
    with op.batch_alter_table("attendees", schema=None) as batch_op:
        batch_op.alter_column("access_token", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_attendees_access_token"), ["access_token"])


def downgrade() -> None:
    with op.batch_alter_table("attendees", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_attendees_access_token"), type_="unique")
        batch_op.drop_column("access_token")
    with op.batch_alter_table("meeting_requests", schema=None) as batch_op:
        batch_op.drop_column("answered_at")
        batch_op.drop_column("answered_by")
