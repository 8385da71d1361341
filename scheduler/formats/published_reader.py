"""Reading the published schedule that a re-solve must keep (`partnering solve --keep`).

Unlike `load_schedule`, an id the instance no longer knows is not an error here: it is what
happened since publishing (a request cancelled, a table removed), and the solver reports it
as a change. Only what cannot be understood at all (the file's shape, its times) is refused.
Any schedule file will do, and so will the `published.json` that `partnering ics` writes
(its cancelled meetings are not kept, being cancelled).
"""

from __future__ import annotations

from pathlib import Path

from scheduler.calendars.published_file import publication_from_document
from scheduler.domain import Instance, Meeting
from scheduler.formats.json_file import read_json_file
from scheduler.formats.problems import InvalidInput


def load_published(path: Path, instance: Instance) -> list[Meeting]:
    """The meetings of a published schedule file, in the instance's time zone."""
    try:
        publication = publication_from_document(read_json_file(path), instance, "")
    except InvalidInput as error:
        raise InvalidInput(error.problems, str(path)) from None
    return [
        Meeting(p.request, p.start, p.end, p.location, tuple(dict.fromkeys(p.attendees)))
        for p in (m.placement for m in publication.live)
    ]
