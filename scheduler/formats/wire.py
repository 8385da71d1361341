"""The instance document's shape, as pydantic models: types and required fields only.

Meaning (ids that refer to something, times inside sessions, fixed meetings that keep the
rules) is checked afterwards by `instance_reader`, which turns these into domain objects.
Unknown fields are kept aside (`extra="allow"`) and reported as warnings, so a typo such as
"priorty" is not silently ignored.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from scheduler.words import N_, Refusal

# Text as people type it: no control characters (PostgreSQL cannot store NUL, and none shows
# in a page or a calendar) and no bidirectional overrides or isolates, which make a name or the
# warning next to it read backwards. Tabs and line breaks are allowed (in notes, say).
INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def plain_text(text: str) -> str:
    found = INVISIBLE.search(text)
    if found:
        char = found.group()
        name = unicodedata.name(char, "a control character")
        raise Refusal(
            N_(
                "holds the invisible character {code} ({name}) at position {position}; remove "
                "it (it often comes with text copied from elsewhere)"
            ),
            code=f"U+{ord(char):04X}",
            name=name,
            position=found.start() + 1,
        )
    return text


Text = Annotated[str, AfterValidator(plain_text)]
Id = Annotated[str, Field(min_length=1), AfterValidator(plain_text)]
# Upper limits far beyond any real event, so that absurd numbers are an input error, not a
# solver that runs out of memory.
Priority = Annotated[int, Field(gt=0, le=1_000_000)]
SlotCount = Annotated[int, Field(gt=0, le=1_000)]
Minutes = Annotated[int, Field(gt=0, le=1_440)]
DailyMaximum = Annotated[int, Field(gt=0, le=100_000)]
MeetingCount = Annotated[int, Field(gt=0, le=100_000)]  # max_meetings, min_meetings


class Wire(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow", populate_by_name=True)


class WindowIn(Wire):
    start: str
    end: str


class SessionIn(Wire):
    start: str
    end: str


class DayIn(Wire):
    date: str
    sessions: Annotated[list[SessionIn], Field(min_length=1)]


class EventIn(Wire):
    name: Text
    timezone: str
    slot_minutes: Minutes
    days: Annotated[list[DayIn], Field(min_length=1)]
    venue: Text | None = None


class LocationIn(Wire):
    id: Id
    name: Text | None = None
    kind: Literal["table", "room", "booth"] = "table"
    owner: Id | None = None


class AttendeeIn(Wire):
    id: Id
    name: Text | None = None
    email: Text | None = None
    unavailable: list[WindowIn] = []


class CompanyIn(Wire):
    id: Id
    name: Text | None = None
    role: Literal["delegation", "corporate"]
    delegation: Text | None = None
    attendees: Annotated[list[AttendeeIn], Field(min_length=1)]
    unavailable: list[WindowIn] = []
    max_meetings_per_day: DailyMaximum | None = None
    max_meetings: MeetingCount | None = None
    min_meetings: MeetingCount | None = None


class RequestIn(Wire):
    id: Id
    requester: Annotated[Id, Field(alias="from")]
    requested: Annotated[Id, Field(alias="to")]
    priority: Priority = 1
    attendees: list[Id] = []
    slots: SlotCount = 1
    within: list[WindowIn] = []
    notes: Text | None = None


class FixedIn(Wire):
    request: Id
    start: str
    location: Id | None = None
    attendees: list[Id] = []


class InstanceIn(Wire):
    format: Literal["partnering-instance/1"]
    event: EventIn
    locations: list[LocationIn] = []
    companies: list[CompanyIn]
    requests: list[RequestIn] = []
    fixed: list[FixedIn] = []
