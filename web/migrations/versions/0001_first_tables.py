"""first tables: events, companies, requests, runs, schedules

Revision ID: 0001
Revises:
Create Date: 2026-11-25 10:51:49.774829

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("venue", sa.Text(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("slug", name=op.f("uq_events_slug")),
    )
    op.create_table(
        "companies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("delegation", sa.Text(), nullable=True),
        sa.Column("max_meetings_per_day", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("role IN ('corporate', 'delegation')", name=op.f("ck_companies_role")),
        sa.CheckConstraint(
            "max_meetings_per_day > 0", name=op.f("ck_companies_max_meetings_per_day_positive")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_companies_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
        sa.UniqueConstraint(
            "event_id", "external_id", name=op.f("uq_companies_event_id_external_id")
        ),
    )
    op.create_table(
        "event_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_days_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_days")),
        sa.UniqueConstraint("event_id", "date", name=op.f("uq_event_days_event_id_date")),
    )
    op.create_table(
        "solver_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("progress", sa.JSON(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=True),
        sa.Column("scheduled", sa.Integer(), nullable=True),
        sa.Column("objective", sa.Integer(), nullable=True),
        sa.Column("bound", sa.Integer(), nullable=True),
        sa.Column("solver_status", sa.String(length=20), nullable=True),
        sa.Column("log", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')",
            name=op.f("ck_solver_runs_status"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_solver_runs_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_solver_runs")),
    )
    with op.batch_alter_table("solver_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_solver_runs_event_id"), ["event_id"], unique=False)

    op.create_table(
        "attendees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_attendees_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_attendees_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendees")),
        sa.UniqueConstraint(
            "event_id", "external_id", name=op.f("uq_attendees_event_id_external_id")
        ),
    )
    with op.batch_alter_table("attendees", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendees_company_id"), ["company_id"], unique=False)

    op.create_table(
        "event_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["day_id"],
            ["event_days.id"],
            name=op.f("fk_event_sessions_day_id_event_days"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_sessions")),
    )
    op.create_table(
        "locations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('table', 'room', 'booth')", name=op.f("ck_locations_kind")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_locations_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["companies.id"],
            name=op.f("fk_locations_owner_id_companies"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locations")),
        sa.UniqueConstraint(
            "event_id", "external_id", name=op.f("uq_locations_event_id_external_id")
        ),
    )
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_locations_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "schedule_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("solver_run_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_schedule_versions_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["solver_run_id"],
            ["solver_runs.id"],
            name=op.f("fk_schedule_versions_solver_run_id_solver_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_versions")),
        sa.UniqueConstraint(
            "event_id", "number", name=op.f("uq_schedule_versions_event_id_number")
        ),
        sa.UniqueConstraint("solver_run_id", name=op.f("uq_schedule_versions_solver_run_id")),
    )
    op.create_table(
        "current_schedules",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("schedule_version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_current_schedules_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["schedule_version_id"],
            ["schedule_versions.id"],
            name=op.f("fk_current_schedules_schedule_version_id_schedule_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_current_schedules")),
        sa.UniqueConstraint(
            "schedule_version_id", name=op.f("uq_current_schedules_schedule_version_id")
        ),
    )
    op.create_table(
        "meeting_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("requested_id", sa.Integer(), nullable=False),
        sa.Column("company_low_id", sa.Integer(), nullable=False),
        sa.Column("company_high_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("slots", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("asked_by_id", sa.Integer(), nullable=True),
        sa.Column("entered_by", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('requested', 'accepted', 'declined', 'cancelled')",
            name=op.f("ck_meeting_requests_status"),
        ),
        sa.CheckConstraint(
            "(company_low_id = requester_id AND company_high_id = requested_id) OR "
            "(company_low_id = requested_id AND company_high_id = requester_id)",
            name=op.f("ck_meeting_requests_pair_in_order"),
        ),
        sa.CheckConstraint(
            "company_low_id < company_high_id", name=op.f("ck_meeting_requests_pair_low_below_high")
        ),
        sa.CheckConstraint("priority > 0", name=op.f("ck_meeting_requests_priority_positive")),
        sa.CheckConstraint(
            "requester_id <> requested_id", name=op.f("ck_meeting_requests_two_companies")
        ),
        sa.CheckConstraint("slots > 0", name=op.f("ck_meeting_requests_slots_positive")),
        sa.ForeignKeyConstraint(
            ["asked_by_id"],
            ["attendees.id"],
            name=op.f("fk_meeting_requests_asked_by_id_attendees"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_meeting_requests_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_id"],
            ["companies.id"],
            name=op.f("fk_meeting_requests_requested_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["companies.id"],
            name=op.f("fk_meeting_requests_requester_id_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_requests")),
        sa.UniqueConstraint(
            "event_id", "company_low_id", "company_high_id", name="uq_request_pair"
        ),
        sa.UniqueConstraint(
            "event_id", "external_id", name=op.f("uq_meeting_requests_event_id_external_id")
        ),
    )
    with op.batch_alter_table("meeting_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_requests_asked_by_id"), ["asked_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_requests_requested_id"), ["requested_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_requests_requester_id"), ["requester_id"], unique=False
        )

    op.create_table(
        "unavailable_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("attendee_id", sa.Integer(), nullable=True),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('"end" > start', name=op.f("ck_unavailable_blocks_ends_after_start")),
        sa.CheckConstraint(
            "(company_id IS NULL) <> (attendee_id IS NULL)",
            name=op.f("ck_unavailable_blocks_company_or_attendee"),
        ),
        sa.ForeignKeyConstraint(
            ["attendee_id"],
            ["attendees.id"],
            name=op.f("fk_unavailable_blocks_attendee_id_attendees"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_unavailable_blocks_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_unavailable_blocks_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unavailable_blocks")),
    )
    with op.batch_alter_table("unavailable_blocks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unavailable_blocks_attendee_id"), ["attendee_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_unavailable_blocks_company_id"), ["company_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_unavailable_blocks_event_id"), ["event_id"], unique=False
        )

    op.create_table(
        "fixed_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_fixed_meetings_location_id_locations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["meeting_requests.id"],
            name=op.f("fk_fixed_meetings_request_id_meeting_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fixed_meetings")),
        sa.UniqueConstraint("request_id", name=op.f("uq_fixed_meetings_request_id")),
    )
    with op.batch_alter_table("fixed_meetings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fixed_meetings_location_id"), ["location_id"], unique=False
        )

    op.create_table(
        "request_attendees",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attendee_id"],
            ["attendees.id"],
            name=op.f("fk_request_attendees_attendee_id_attendees"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["meeting_requests.id"],
            name=op.f("fk_request_attendees_request_id_meeting_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", "attendee_id", name=op.f("pk_request_attendees")),
    )
    with op.batch_alter_table("request_attendees", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_request_attendees_attendee_id"), ["attendee_id"], unique=False
        )

    op.create_table(
        "request_windows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('"end" > start', name=op.f("ck_request_windows_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["meeting_requests.id"],
            name=op.f("fk_request_windows_request_id_meeting_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_windows")),
    )
    with op.batch_alter_table("request_windows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_request_windows_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "scheduled_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_version_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_scheduled_meetings_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["meeting_requests.id"],
            name=op.f("fk_scheduled_meetings_request_id_meeting_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["schedule_version_id"],
            ["schedule_versions.id"],
            name=op.f("fk_scheduled_meetings_schedule_version_id_schedule_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_meetings")),
        sa.UniqueConstraint(
            "schedule_version_id",
            "request_id",
            name=op.f("uq_scheduled_meetings_schedule_version_id_request_id"),
        ),
    )
    with op.batch_alter_table("scheduled_meetings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduled_meetings_location_id"), ["location_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_scheduled_meetings_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "unscheduled_requests",
        sa.Column("schedule_version_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["meeting_requests.id"],
            name=op.f("fk_unscheduled_requests_request_id_meeting_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["schedule_version_id"],
            ["schedule_versions.id"],
            name=op.f("fk_unscheduled_requests_schedule_version_id_schedule_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "schedule_version_id", "request_id", name=op.f("pk_unscheduled_requests")
        ),
    )
    with op.batch_alter_table("unscheduled_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unscheduled_requests_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "fixed_meeting_attendees",
        sa.Column("fixed_meeting_id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attendee_id"],
            ["attendees.id"],
            name=op.f("fk_fixed_meeting_attendees_attendee_id_attendees"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["fixed_meeting_id"],
            ["fixed_meetings.id"],
            name=op.f("fk_fixed_meeting_attendees_fixed_meeting_id_fixed_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "fixed_meeting_id", "attendee_id", name=op.f("pk_fixed_meeting_attendees")
        ),
    )
    with op.batch_alter_table("fixed_meeting_attendees", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fixed_meeting_attendees_attendee_id"), ["attendee_id"], unique=False
        )

    op.create_table(
        "scheduled_meeting_attendees",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attendee_id"],
            ["attendees.id"],
            name=op.f("fk_scheduled_meeting_attendees_attendee_id_attendees"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["scheduled_meetings.id"],
            name=op.f("fk_scheduled_meeting_attendees_meeting_id_scheduled_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "meeting_id", "attendee_id", name=op.f("pk_scheduled_meeting_attendees")
        ),
    )
    with op.batch_alter_table("scheduled_meeting_attendees", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduled_meeting_attendees_attendee_id"), ["attendee_id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("scheduled_meeting_attendees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduled_meeting_attendees_attendee_id"))

    op.drop_table("scheduled_meeting_attendees")
    with op.batch_alter_table("fixed_meeting_attendees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fixed_meeting_attendees_attendee_id"))

    op.drop_table("fixed_meeting_attendees")
    with op.batch_alter_table("unscheduled_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unscheduled_requests_request_id"))

    op.drop_table("unscheduled_requests")
    with op.batch_alter_table("scheduled_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduled_meetings_request_id"))
        batch_op.drop_index(batch_op.f("ix_scheduled_meetings_location_id"))

    op.drop_table("scheduled_meetings")
    with op.batch_alter_table("request_windows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_windows_request_id"))

    op.drop_table("request_windows")
    with op.batch_alter_table("request_attendees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_attendees_attendee_id"))

    op.drop_table("request_attendees")
    with op.batch_alter_table("fixed_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fixed_meetings_location_id"))

    op.drop_table("fixed_meetings")
    with op.batch_alter_table("unavailable_blocks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unavailable_blocks_event_id"))
        batch_op.drop_index(batch_op.f("ix_unavailable_blocks_company_id"))
        batch_op.drop_index(batch_op.f("ix_unavailable_blocks_attendee_id"))

    op.drop_table("unavailable_blocks")
    with op.batch_alter_table("meeting_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_requests_requester_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_requests_requested_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_requests_asked_by_id"))

    op.drop_table("meeting_requests")
    op.drop_table("current_schedules")
    op.drop_table("schedule_versions")
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_locations_owner_id"))

    op.drop_table("locations")
    op.drop_table("event_sessions")
    with op.batch_alter_table("attendees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendees_company_id"))

    op.drop_table("attendees")
    with op.batch_alter_table("solver_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_solver_runs_event_id"))

    op.drop_table("solver_runs")
    op.drop_table("event_days")
    op.drop_table("companies")
    op.drop_table("events")
