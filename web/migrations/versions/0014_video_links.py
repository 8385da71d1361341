"""events and locations: video links for hybrid meetings (a link per table, or per meeting
from a template of the video service)

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-07 01:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("video_mode", sa.String(length=10), nullable=False, server_default="none")
        )
        batch_op.add_column(sa.Column("video_label", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("video_template", sa.Text(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_events_video_mode"), "video_mode IN ('none', 'table', 'meeting')"
        )
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("video_url", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_column("video_url")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_events_video_mode"), type_="check")
        batch_op.drop_column("video_template")
        batch_op.drop_column("video_label")
        batch_op.drop_column("video_mode")
