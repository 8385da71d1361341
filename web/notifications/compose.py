"""What a message says: an outbox row made into an email in its reader's language.

Rendered when it is sent, not when it is written, from the row's payload (what happened,
fixed at that moment) and the names as they are now. No Flask: the job worker runs this
without the web app, with the app's own catalogue (web/translations) and Jinja templates.
Multipart text and HTML; dates in the event's zone; the person's own calendar attached to a
schedule message; names cannot break a header (they pass through EmailMessage, which
refuses line breaks, after `header_safe`)."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton, get_timezone_name
from babel.support import Translations
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session

from scheduler.calendars.ical import attendee_calendar
from web.events.video import video_links
from web.meeting_requests.conversation import REASON_WORDS
from web.meeting_requests.models import MeetingRequest, RequestMessage
from web.meeting_requests.rules import rules_of
from web.notifications.models import Notification
from web.schedules.operations import Published, published_state

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
LANGUAGES = ("en", "ja")
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029\u202a-\u202e\u2066-\u2069]+")


def base_url() -> str:
    """The app's public address, for links in messages (`PARTNERING_BASE_URL`)."""
    return os.environ.get("PARTNERING_BASE_URL", DEFAULT_BASE_URL).rstrip("/")


def header_safe(text: str) -> str:
    """A name as one line of a header: line breaks, controls and bidi overrides become a
    space, so that no name adds a header or disguises the subject."""
    return _UNSAFE.sub(" ", text).strip()


class Untellable(ValueError):
    """What the message was about is gone (a request deleted since it was written)."""


@dataclass(frozen=True)
class Letter:
    """A message before its envelope: what the outbox page shows and the mail carries."""

    subject: str
    text: str
    html: str
    attachment: bytes | None = None  # the person's own calendar (.ics)


@cache
def _environment(language: str) -> Environment:
    environment = Environment(
        loader=PackageLoader("web.notifications", "templates/mail"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    words = Translations.load(str(TRANSLATIONS), [language], domain="messages")
    environment.install_gettext_translations(words, newstyle=True)
    return environment


def language_of(row: Notification) -> str:
    chosen = row.company.language if row.company else None
    language = chosen or row.event.language or "en"
    return language if language in LANGUAGES else "en"


def letter(session: Session, row: Notification, published: Published | None = None) -> Letter:
    """The row's message in its reader's language; `published`, the event's latest
    publication where the caller has it (a batch reads it once, not once a message)."""
    language = language_of(row)
    environment = _environment(language)
    zone = ZoneInfo(row.event.timezone)
    values = {
        "event": row.event,
        "company": row.company,
        "person": row.organiser or row.attendee,
        "payload": row.payload,
        "event_link": f"{base_url()}/events/{row.event.slug}/",
        "when": lambda iso: when(iso, zone, language),
        "day_name": lambda iso: format_date(date.fromisoformat(iso), "full", locale=language),
        "zone_name": zone_name(row.event.timezone, language),
        "language": language,
        "kind": row.kind,
    }
    if row.company is not None and row.attendee is not None:
        values["company_link"] = f"{base_url()}/c/{row.company.access_token}/"
        values["person_link"] = f"{base_url()}/p/{row.attendee.access_token}/"
        values["settings_link"] = f"{base_url()}/c/{row.company.access_token}/mail"
    if row.kind == "invitation":
        if not row.payload.get("token"):
            raise Untellable("the invitation was accepted or withdrawn since")
        values["invitation_link"] = f"{base_url()}/invitations/{row.payload['token']}"
    if row.kind in ("request", "answer", "reply", "expired"):
        values["request"] = session.get(MeetingRequest, row.payload["request"])
        if values["request"] is None:
            raise Untellable("its request was deleted since")
        values["reason_words"] = REASON_WORDS
        values["expire_days"] = rules_of(session, row.event).expire_days
    message_id = row.payload.get("message") or row.payload.get("note")
    if message_id is not None:  # a reply, or the words a decline came with
        values["message"] = session.get(RequestMessage, message_id)
        if values["message"] is None:
            raise Untellable("its message was deleted since")
    subject = environment.get_template(f"{row.kind}.subject.txt").render(values).strip()
    return Letter(
        header_safe(subject),
        environment.get_template(f"{row.kind}.txt").render(values),
        environment.get_template(f"{row.kind}.html").render(values),
        _calendar(session, row, published) if row.kind == "schedule" else None,
    )


def zone_name(zone: str, language: str) -> str:
    """ "Japan Time (Asia/Tokyo)" in the reader's language."""
    try:
        return f"{get_timezone_name(zone, locale=language)} ({zone})"
    except LookupError:
        return zone


@lru_cache(maxsize=4096)  # a fair has a few hundred starts; its messages repeat them
def when(iso: str, zone: ZoneInfo, language: str) -> str:
    """A meeting's start as its reader writes it: 'Wed, Oct 14, 10:00', '10月14日(水) 10:00'."""
    moment = datetime.fromisoformat(iso).astimezone(zone)
    day = format_skeleton("MMMEd", moment, locale=language)
    return f"{day} {format_skeleton('Hm', moment, locale=language)}"


def _calendar(session: Session, row: Notification, published: Published | None) -> bytes | None:
    """The person's own calendar from the latest publication: what their feed serves now."""
    published = published or published_state(session, row.event)
    if published is None or row.attendee is None or row.company is None:
        return None
    if row.attendee.external_id not in published.instance.attendee_by_id:
        return None
    company = row.company.external_id
    _schedule, calendars = published.of_company(company)
    minutes = row.event.alarm_minutes
    alarm = timedelta(minutes=minutes) if minutes else None
    video = video_links(row.event)
    person = row.attendee.external_id
    stamp, texts = published.published_at, published.event_texts
    return attendee_calendar(
        published.instance, calendars, person, stamp, alarm, video, texts=texts
    )


def envelope(row: Notification, content: Letter, sender: str) -> EmailMessage:
    """The email: addresses, a Message-ID made from the row's key (the same message resent
    after a crash has the same id, so a mail client shows it once), the unsubscribe link."""
    message = EmailMessage()
    message["Subject"] = content.subject
    message["From"] = sender
    name, address = row.recipient
    message["To"] = formataddr((header_safe(name), address or ""))
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "partnering.invalid"
    digest = hashlib.sha256(row.key.encode()).hexdigest()[:32]
    message["Message-ID"] = f"<{digest}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    if row.kind != "link" and row.company is not None:
        link = f"{base_url()}/c/{row.company.access_token}/mail"
        message["List-Unsubscribe"] = f"<{link}>"
    message.set_content(content.text)
    message.add_alternative(content.html, subtype="html")
    if content.attachment:
        message.add_attachment(
            content.attachment,
            maintype="text",
            subtype="calendar",
            filename="agenda.ics",
            params={"method": "PUBLISH"},
        )
    return message
