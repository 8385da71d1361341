"""the days of the fair: attendance, feedback, self-booked meetings, the event's booking mode

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 01:20:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import web.db

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("booking_mode", sa.String(length=10), server_default="off", nullable=False)
        )
    op.create_table(
        "attendance",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("marked_by", sa.Text(), nullable=False),
        sa.Column("marked_at", web.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('held', 'no_show')", name=op.f("ck_attendance_status")),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_attendance_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_attendance_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["meeting_requests.id"],
            name=op.f("fk_attendance_request_id_meeting_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", "company_id", name=op.f("pk_attendance")),
    )
    op.create_index(op.f("ix_attendance_company_id"), "attendance", ["company_id"])
    op.create_index(op.f("ix_attendance_event_id"), "attendance", ["event_id"])
    op.create_table(
        "feedback",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("follow_up", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", web.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_feedback_rating_1_to_5")),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_feedback_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_feedback_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["meeting_requests.id"],
            name=op.f("fk_feedback_request_id_meeting_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", "company_id", name=op.f("pk_feedback")),
    )
    op.create_index(op.f("ix_feedback_company_id"), "feedback", ["company_id"])
    op.create_index(op.f("ix_feedback_event_id"), "feedback", ["event_id"])
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("requested_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("start", web.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end", web.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", web.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", web.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("requester_id <> requested_id", name=op.f("ck_bookings_two_companies")),
        sa.CheckConstraint("status IN ('pending', 'confirmed')", name=op.f("ck_bookings_status")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_bookings_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_bookings_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_bookings_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["meeting_requests.id"],
            name=op.f("fk_bookings_request_id_meeting_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_id"],
            ["companies.id"],
            name=op.f("fk_bookings_requested_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["companies.id"],
            name=op.f("fk_bookings_requester_id_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        sa.UniqueConstraint(
            "publication_id", "start", "location_id", name=op.f("uq_booking_table")
        ),
    )
    for column in ("event_id", "publication_id", "requester_id", "requested_id", "request_id"):
        op.create_index(op.f(f"ix_bookings_{column}"), "bookings", [column])
    op.create_table(
        "booking_attendees",
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("start", web.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attendee_id"],
            ["attendees.id"],
            name=op.f("fk_booking_attendees_attendee_id_attendees"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_booking_attendees_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("booking_id", "attendee_id", name=op.f("pk_booking_attendees")),
        sa.UniqueConstraint(
            "publication_id", "start", "attendee_id", name=op.f("uq_booking_person")
        ),
    )
    op.create_index(op.f("ix_booking_attendees_attendee_id"), "booking_attendees", ["attendee_id"])


def downgrade() -> None:
    op.drop_table("booking_attendees")
    op.drop_table("bookings")
    op.drop_table("feedback")
    op.drop_table("attendance")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("booking_mode")
