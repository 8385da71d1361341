"""Video links for hybrid meetings: one per table (a URL per location), or one per meeting
made from a URL template of the video service the organiser names.

The link is data handed to the writers (agendas, calendars), never read from a database
here. A template is checked before it is kept: https only, no white space or control
characters (a CR or LF would start a new iCalendar property), and only the placeholders
below, whose values are percent-encoded. `{meeting}` is the meeting's own stable id (the
UUID of its calendar UID): the same in every re-solve, unique across events.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from scheduler.calendars.uids import meeting_uid
from scheduler.words import N_, Refusal

PLACEHOLDERS = ("meeting", "table")  # the meeting's id; the table's (location's) id
LONGEST = 2000  # characters: what browsers and calendar clients take in a link
MODES = ("none", "table", "meeting")


@dataclass(frozen=True)
class VideoLinks:
    """The event's pattern: `by_location` (location id -> URL) or `template`."""

    event_key: str
    label: str = "Video"
    template: str | None = None
    by_location: Mapping[str, str] = field(default_factory=dict)

    def link(self, request_id: str, location_id: str) -> str | None:
        """The meeting's link, or None where the pattern gives none (a table without one)."""
        if self.template:
            meeting = meeting_uid(self.event_key, request_id).split("@")[0]
            values = {"meeting": quote(meeting, safe=""), "table": quote(location_id, safe="")}
            return self.template.format(**values)
        return self.by_location.get(location_id)


def check_link(text: str, placeholders: tuple[str, ...] = ()) -> str:
    """The link as it is to be kept, or a Refusal saying what to change. With
    `placeholders`, those (and only those) may stand in braces: a template."""
    text = text.strip()
    if any(ord(c) < 33 or ord(c) == 127 for c in text):
        raise Refusal(N_("a link cannot hold spaces, tabs or line breaks; remove them"))
    if len(text) > LONGEST:
        raise Refusal(N_("a link of at most {most} characters, please"), most=LONGEST)
    names = _placeholders(text)
    unknown = [n for n in names if n not in placeholders]
    if unknown:
        known = ", ".join("{" + p + "}" for p in placeholders) or N_("none")
        raise Refusal(
            N_("unknown placeholder {{{name}}}: use {known}"), name=unknown[0], known=known
        )
    sample = text.format(**dict.fromkeys(placeholders, "x")) if placeholders else text
    parts = urlsplit(sample)
    if parts.scheme != "https" or not parts.hostname:
        raise Refusal(N_('give an https:// address, like "https://meet.example.com/room"'))
    return text


def check_label(text: str) -> str:
    """The service's name as calendars show it: one line, no double quotes."""
    text = text.strip()
    if any(ord(c) < 32 or ord(c) == 127 for c in text) or '"' in text:
        raise Refusal(N_("a name on one line, without double quotes"))
    if len(text) > 100:
        raise Refusal(N_("a name of at most {most} characters, please"), most=100)
    return text


def _placeholders(text: str) -> list[str]:
    """The names in braces; a stray brace or a format spec is refused."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise Refusal(N_("a brace without its pair: write placeholders as {{meeting}}")) from None
    names = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            raise Refusal(N_("a placeholder is a bare name in braces, like {{meeting}}"))
        names.append(name)
    return names
