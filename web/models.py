"""Every model, imported once so that `Base.metadata` knows all tables (Alembic, tests)."""

from web.analytics.models import CapacityRun
from web.api.models import ApiKey, IdempotentAnswer
from web.audit import trail as _trail  # noqa: F401 - every session keeps the audit trail
from web.audit.models import AuditCompany, AuditEntry
from web.auth.models import Organiser
from web.companies.models import Attendee, Company, UnavailableBlock
from web.db import Base
from web.events.models import Event, EventDay, EventSession, Location
from web.fairdays.models import Attendance, Booking, BookingAttendee, Feedback
from web.meeting_requests.models import (
    FixedMeeting,
    FixedMeetingAttendee,
    MeetingRequest,
    RequestAttendee,
    RequestMessage,
    RequestRules,
    RequestWindow,
)
from web.members.models import Invitation, Membership
from web.notifications.models import Notification
from web.profiles.models import CompanyLogo, CompanyProfile, ShortlistEntry
from web.schedules.models import (
    CurrentSchedule,
    Publication,
    ScheduledMeeting,
    ScheduledMeetingAttendee,
    ScheduleVersion,
    UnscheduledRequest,
)
from web.solving.models import SolverRun
from web.webhooks.models import WebhookDelivery, WebhookSubscription

__all__ = [
    "ApiKey",
    "Attendance",
    "Attendee",
    "AuditCompany",
    "AuditEntry",
    "Base",
    "Booking",
    "BookingAttendee",
    "CapacityRun",
    "Company",
    "CompanyLogo",
    "CompanyProfile",
    "CurrentSchedule",
    "Event",
    "EventDay",
    "EventSession",
    "Feedback",
    "FixedMeeting",
    "FixedMeetingAttendee",
    "IdempotentAnswer",
    "Invitation",
    "Location",
    "MeetingRequest",
    "Membership",
    "Notification",
    "Organiser",
    "Publication",
    "RequestAttendee",
    "RequestMessage",
    "RequestRules",
    "RequestWindow",
    "ScheduleVersion",
    "ScheduledMeeting",
    "ScheduledMeetingAttendee",
    "ShortlistEntry",
    "SolverRun",
    "UnavailableBlock",
    "UnscheduledRequest",
    "WebhookDelivery",
    "WebhookSubscription",
]
