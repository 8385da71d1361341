"""A meeting in the organiser's words: who meets whom, where, with which people and notes.

The calendar files, the printable agendas and the meetings sheet all describe a meeting the
same way, from here. Ids the instance no longer knows (a cancelled meeting of a company that
withdrew) are shown as they are rather than failing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from scheduler.calendars.revisions import Placement, companies_of
from scheduler.calendars.video import VideoLinks
from scheduler.domain import Instance

JOIN = " \N{MULTIPLICATION SIGN} "  # between the two companies of a meeting


@dataclass(frozen=True)
class Side:
    """One company of a meeting and the people it sends."""

    id: str
    name: str
    role: str | None
    delegation: str | None
    attendees: tuple[str, ...]  # names

    @property
    def label(self) -> str:
        """'Organovo (delegation, San Diego)'."""
        about = ", ".join(x for x in (self.role, self.delegation) if x)
        return f"{self.name} ({about})" if about else self.name


@dataclass(frozen=True)
class MeetingDetails:
    request: str
    start: datetime  # in the event's time zone
    end: datetime
    sides: tuple[Side, ...]  # requester first
    location_id: str
    location_name: str
    location_kind: str | None
    venue: str | None
    notes: str | None
    video: str | None = None  # the meeting's video link (`video`), for hybrid meetings
    video_label: str | None = None  # the video service's name, as the organiser gave it

    @property
    def title(self) -> str:
        """Both company names joined by JOIN, so each side reads its counterpart."""
        return JOIN.join(side.name for side in self.sides) or f"Meeting {self.request}"

    @property
    def where(self) -> str:
        """'Partnering table 1 (T01), Pacifico Yokohama'."""
        table = self.location_name
        if self.location_id != self.location_name:
            table += f" ({self.location_id})"
        return f"{table}, {self.venue}" if self.venue else table

    def counterpart(self, company_id: str) -> Side | None:
        others = [side for side in self.sides if side.id != company_id]
        return others[0] if others else None

    def side(self, company_id: str) -> Side | None:
        return next((side for side in self.sides if side.id == company_id), None)


def meeting_details(
    instance: Instance, placement: Placement, video: VideoLinks | None = None
) -> MeetingDetails:
    """The meeting described; with the event's `video` pattern, its link too."""
    zone = ZoneInfo(instance.event.timezone)
    link = video.link(placement.request, placement.location) if video else None
    location = instance.location_by_id.get(placement.location)
    request = instance.request_by_id.get(placement.request)
    return MeetingDetails(
        request=placement.request,
        start=placement.start.astimezone(zone),
        end=placement.end.astimezone(zone),
        sides=tuple(_side(instance, c, placement) for c in companies_of(instance, placement)),
        location_id=placement.location,
        location_name=location.name if location else placement.location,
        location_kind=location.kind if location else None,
        venue=instance.event.venue,
        notes=request.notes if request else None,
        video=link,
        video_label=video.label if link else None,
    )


def _side(instance: Instance, company_id: str, placement: Placement) -> Side:
    company = instance.company_by_id.get(company_id)
    people = (instance.attendee_by_id.get(a) for a in placement.attendees)
    names = tuple(p.name for p in people if p is not None and p.company == company_id)
    if company is None:
        return Side(company_id, company_id, None, None, names)
    return Side(company.id, company.name, company.role, company.delegation, names)


def description(details: MeetingDetails) -> str:
    """The text a calendar shows under the meeting: both companies, people, table, notes."""
    lines = [
        JOIN.join(side.label for side in details.sides),
        *(f"{side.name}: {', '.join(side.attendees)}" for side in details.sides if side.attendees),
        f"{(details.location_kind or 'location').capitalize()}: {details.where}",
        f"Time: {details.start:%Y-%m-%d %H:%M}-{details.end:%H:%M} ({details.start.tzinfo})",
    ]
    if details.video:
        lines.append(f"{details.video_label}: {details.video}")
    if details.notes:
        lines.append(f"Notes: {details.notes}")
    lines.append(f"Request: {details.request}")
    return "\n".join(lines)
