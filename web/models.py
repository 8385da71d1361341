"""Every model, imported once so that `Base.metadata` knows all tables (Alembic, tests)."""

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

__all__ = [
    "Attendee",
    "Base",
    "Company",
    "CompanyLogo",
    "CompanyProfile",
    "CurrentSchedule",
    "Event",
    "EventDay",
    "EventSession",
    "FixedMeeting",
    "FixedMeetingAttendee",
    "Location",
    "MeetingRequest",
    "Notification",
    "Organiser",
    "Publication",
    "RequestAttendee",
    "RequestWindow",
    "ScheduleVersion",
    "ScheduledMeeting",
    "ScheduledMeetingAttendee",
    "ShortlistEntry",
    "SolverRun",
    "UnavailableBlock",
    "UnscheduledRequest",
]
