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
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from scheduler.calendars import agenda, ical
from scheduler.calendars.published_file import publication_document
from scheduler.calendars.revisions import Publication
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
) -> list[Path]:
    """Write every calendar file and the publication; return the paths written."""
    files: dict[Path, bytes] = {
        folder / "event.ics": ical.event_calendar(instance, publication, stamp)
    }
    for company in instance.companies:
        path = folder / "companies" / f"{file_stem(company.id)}.ics"
        files[path] = ical.company_calendar(instance, publication, company.id, stamp)
        for person in company.attendees:
            path = folder / "attendees" / f"{file_stem(person.id)}.ics"
            files[path] = ical.attendee_calendar(instance, publication, person.id, stamp)
    document = publication_document(instance, schedule, publication)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    files[folder / "published.json"] = text.encode("utf-8")
    return _write_all(files)


def write_agendas(
    folder: Path, instance: Instance, schedule: Schedule, language: str = "en"
) -> list[Path]:
    """One printable page per company, and an index linking them, in `language`."""
    index = agenda.index_html(instance, schedule, _agenda_link, language)
    files = {folder / "index.html": index}
    for company in instance.companies:
        html = agenda.company_agenda_html(instance, schedule, company.id, language)
        files[folder / _agenda_path(company.id)] = html
    return _write_all({path: html.encode("utf-8") for path, html in files.items()})


def _agenda_path(company_id: str) -> str:
    return f"companies/{file_stem(company_id)}.html"


def _agenda_link(company_id: str) -> str:
    """The index's link to an agenda: the file name, URL-encoded once more."""
    return quote(_agenda_path(company_id))


def _write_all(files: dict[Path, bytes]) -> list[Path]:
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return list(files)
