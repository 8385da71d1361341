"""notifications: the outbox (to a company's person or an organiser); events and companies:
language, kinds of mail switched off, the calendars' reminder; companies: when their link
was first opened; attendees: when one was taken off after a schedule placed them

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 22:10:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from web.db import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="en")
        )
        batch_op.add_column(sa.Column("mail_off", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(
            sa.Column("alarm_minutes", sa.Integer(), nullable=False, server_default="15")
        )
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_opened_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("mail_off", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("attendees", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_at", UTCDateTime(), nullable=True))
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("attendee_id", sa.Integer(), nullable=True),
        sa.Column("organiser_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["attendee_id"],
            ["attendees.id"],
            name=op.f("fk_notifications_attendee_id_attendees"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_notifications_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_notifications_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organiser_id"],
            ["organisers.id"],
            name=op.f("fk_notifications_organiser_id_organisers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("key", name=op.f("uq_notifications_key")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_due", ["status", "next_attempt_at"])
        batch_op.create_index("ix_notifications_event", ["event_id", "id"])


def downgrade() -> None:
    op.drop_table("notifications")
    with op.batch_alter_table("attendees", schema=None) as batch_op:
        batch_op.drop_column("removed_at")
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.drop_column("mail_off")
        batch_op.drop_column("language")
        batch_op.drop_column("link_opened_at")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("alarm_minutes")
        batch_op.drop_column("mail_off")
        batch_op.drop_column("language")
