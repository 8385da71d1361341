"""The folders the command line writes: calendar files and printable agendas.

`write_calendars` lays out `companies/<id>.ics`, `attendees/<id>.ics`, `event.ics` and
`published.json` (the state to pass as `--previous` next time); `write_agendas` writes
`companies/<id>.html` per company and an `index.html`. Ids become file names as they are
where they are safe, and percent-encoded otherwise, so that no id can leave the folder or
collide with another.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from scheduler.calendars import agenda, ical
from scheduler.calendars.published_file import publication_document
from scheduler.calendars.revisions import Publication, PublishedMeeting, companies_of
from scheduler.calendars.video import VideoLinks
from scheduler.domain import Instance, Schedule

_SAFE = re.compile(r"^[\w][\w.-]*$")


LONGEST_STEM = 120  # bytes; file systems allow 255 for a whole name


def file_stem(identifier: str) -> str:
    """An id as a file name: 'takeda' stays, 'a/b' becomes 'a%2Fb'; a long one (85 kanji
    are 255 bytes) is cut, with a digest of the whole id to keep it unique."""
    stem = identifier if _SAFE.match(identifier) else quote(identifier, safe="")
    if len(stem.encode()) <= LONGEST_STEM:
        return stem
    digest = hashlib.sha256(identifier.encode()).hexdigest()[:16]
    kept = stem.encode()[: LONGEST_STEM - len(digest) - 1].decode(errors="ignore")
    return f"{kept}-{digest}"


def write_calendars(
    folder: Path,
    instance: Instance,
    schedule: Schedule,
    publication: Publication,
    stamp: datetime,
    alarm: ical.Alarmed = ical.ALARM,
    video: VideoLinks | None = None,
) -> list[Path]:
    """Write every calendar file and the publication; return the paths written."""
    files = calendar_files(instance, schedule, publication, stamp, alarm, video)
    return _write_all(folder, files)


def calendar_files(
    instance: Instance,
    schedule: Schedule,
    publication: Publication,
    stamp: datetime,
    alarm: ical.Alarmed = ical.ALARM,
    video: VideoLinks | None = None,
) -> Iterator[tuple[str, bytes]]:
    """Each calendar file (its path in the folder, its bytes) as it is made: a web download
    streams them into a zip rather than wait for a fair's thousands."""
    yield "event.ics", ical.event_calendar(instance, publication, stamp, alarm, video)
    of_company, of_person = _cut(instance, publication)
    for company in instance.companies:
        theirs = of_company(company.id)
        yield (
            f"companies/{file_stem(company.id)}.ics",
            ical.company_calendar(instance, theirs, company.id, stamp, alarm, video),
        )
        for person in company.attendees:
            yield (
                f"attendees/{file_stem(person.id)}.ics",
                ical.attendee_calendar(
                    instance, of_person(person.id), person.id, stamp, alarm, video
                ),
            )
    document = publication_document(instance, schedule, publication)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    yield "published.json", text.encode("utf-8")


def _cut(instance: Instance, publication: Publication):
    """The publication cut down to one company's or one person's meetings, indexed once: a
    calendar written from the cut is the same as from the whole (the writers keep only that
    company's or person's meetings), without going through a fair's every meeting each time."""
    companies: dict[str, list[PublishedMeeting]] = defaultdict(list)
    people: dict[str, list[PublishedMeeting]] = defaultdict(list)
    for meeting in publication.meetings:
        for company in companies_of(instance, meeting.placement):
            companies[company].append(meeting)
        for person in {*meeting.placement.attendees, *meeting.former_attendees}:
            people[person].append(meeting)

    def of_company(company_id: str) -> Publication:
        return replace(publication, meetings=tuple(companies.get(company_id, ())))

    def of_person(attendee_id: str) -> Publication:
        return replace(publication, meetings=tuple(people.get(attendee_id, ())))

    return of_company, of_person


def write_agendas(
    folder: Path,
    instance: Instance,
    schedule: Schedule,
    language: str = "en",
    video: VideoLinks | None = None,
) -> list[Path]:
    """One printable page per company, and an index linking them, in `language`."""
    return _write_all(folder, agenda_files(instance, schedule, language, video))


def agenda_files(
    instance: Instance, schedule: Schedule, language: str = "en", video: VideoLinks | None = None
) -> Iterator[tuple[str, bytes]]:
    """The index and each company's printable page (path in the folder, bytes) as made."""
    yield "index.html", agenda.index_html(instance, schedule, _agenda_link, language).encode()
    for company in instance.companies:
        html = agenda.company_agenda_html(instance, schedule, company.id, language, video=video)
        yield _agenda_path(company.id), html.encode("utf-8")


def _agenda_path(company_id: str) -> str:
    return f"companies/{file_stem(company_id)}.html"


def _agenda_link(company_id: str) -> str:
    """The index's link to an agenda: the file name, URL-encoded once more."""
    return quote(_agenda_path(company_id))


def _write_all(folder: Path, files: Iterable[tuple[str, bytes]]) -> list[Path]:
    written = []
    for name, content in files:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    return written
