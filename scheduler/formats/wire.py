"""The instance document's shape, as pydantic models: types and required fields only.

Meaning (ids that refer to something, times inside sessions, fixed meetings that keep the
rules) is checked afterwards by `instance_reader`, which turns these into domain objects.
Unknown fields are kept aside (`extra="allow"`) and reported as warnings, so a typo such as
"priorty" is not silently ignored.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Id = Annotated[str, Field(min_length=1)]
# Upper limits far beyond any real event, so that absurd numbers are an input error, not a
# solver that runs out of memory.
Priority = Annotated[int, Field(gt=0, le=1_000_000)]
SlotCount = Annotated[int, Field(gt=0, le=1_000)]
Minutes = Annotated[int, Field(gt=0, le=1_440)]
DailyMaximum = Annotated[int, Field(gt=0, le=100_000)]


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
    name: str
    timezone: str
    slot_minutes: Minutes
    days: Annotated[list[DayIn], Field(min_length=1)]
    venue: str | None = None


class LocationIn(Wire):
    id: Id
    name: str | None = None
    kind: Literal["table", "room", "booth"] = "table"
    owner: Id | None = None


class AttendeeIn(Wire):
    id: Id
    name: str | None = None
    email: str | None = None
    unavailable: list[WindowIn] = []


class CompanyIn(Wire):
    id: Id
    name: str | None = None
    role: Literal["delegation", "corporate"]
    delegation: str | None = None
    attendees: Annotated[list[AttendeeIn], Field(min_length=1)]
    unavailable: list[WindowIn] = []
    max_meetings_per_day: DailyMaximum | None = None


class RequestIn(Wire):
    id: Id
    requester: Annotated[str, Field(alias="from", min_length=1)]
    requested: Annotated[str, Field(alias="to", min_length=1)]
    priority: Priority = 1
    attendees: list[Id] = []
    slots: SlotCount = 1
    within: list[WindowIn] = []
    notes: str | None = None


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
