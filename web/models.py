"""Every model, imported once so that `Base.metadata` knows all tables (Alembic, tests)."""

from web.audit.models import AuditCompany, AuditEntry
from web.auth.models import Organiser
from web.companies.models import Attendee, Company, UnavailableBlock
from web.db import Base
from web.events.models import Event, EventDay, EventSession, Location
from web.meeting_requests.models import (
    FixedMeeting,
    FixedMeetingAttendee,
    MeetingRequest,
    RequestAttendee,
    RequestWindow,
)
from web.members.models import Invitation, Membership
from web.notifications.models import Notification
from web.schedules.models import (
    CurrentSchedule,
    Publication,
    ScheduledMeeting,
    ScheduledMeetingAttendee,
    ScheduleVersion,
    UnscheduledRequest,
)
from web.solving.models import SolverRun

__all__ = [
    "Attendee",
    "AuditCompany",
    "AuditEntry",
    "Base",
    "Company",
    "CurrentSchedule",
    "Event",
    "EventDay",
    "EventSession",
    "FixedMeeting",
    "FixedMeetingAttendee",
    "Invitation",
    "Location",
    "MeetingRequest",
    "Membership",
    "Notification",
    "Organiser",
    "Publication",
    "RequestAttendee",
    "RequestWindow",
    "ScheduleVersion",
    "ScheduledMeeting",
    "ScheduledMeetingAttendee",
    "SolverRun",
    "UnavailableBlock",
    "UnscheduledRequest",
]
