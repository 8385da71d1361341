"""companies: the meetings their package allows over the whole event, and those it
guarantees

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 23:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("max_meetings", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("min_meetings", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_companies_max_meetings_positive"), "max_meetings > 0"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_companies_min_meetings_positive"), "min_meetings > 0"
        )


def downgrade() -> None:
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_companies_min_meetings_positive"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_companies_max_meetings_positive"), type_="check")
        batch_op.drop_column("min_meetings")
        batch_op.drop_column("max_meetings")
