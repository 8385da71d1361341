"""A company's published agenda as files: the calendar feed (.ics) and the printable agenda.

In the week of the event these are the app's busiest addresses: every subscribed calendar
app polls its company's feed. So they are answered with one query (the link's company and
its event's latest publication id, never the publication's document) and a body kept per
publication: a publication never changes (re-publishing makes a new one), so a kept body is
never stale, and a re-publish is seen at the next request in every server process."""

from __future__ import annotations

import hashlib
import hmac
import threading
from contextlib import suppress
from datetime import timedelta
from functools import cache, partial
from typing import NamedTuple
from zoneinfo import ZoneInfo

from cachetools import LRUCache
from flask import Blueprint, Response, abort, g
from flask_babel import get_locale
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, aliased

from scheduler.calendars.agenda import company_agenda_html
from scheduler.calendars.ical import company_calendar
from web.companies.models import Company
from web.events.models import Event
from web.events.video import video_links
from web.http import db
from web.labels import withdrawn_notes
from web.meeting_requests.operations import requests_of
from web.portal.views import keep_token, private
from web.schedules.drift import withdrawn_answers
from web.schedules.models import Publication
from web.schedules.operations import PublicationKey, Published, published_state

agenda = Blueprint("agenda", __name__, url_prefix="/c/<token>")


class AgendaOwner(NamedTuple):
    """Who a private link belongs to, and what its event has published last."""

    external_id: str
    event_id: int
    event_slug: str
    publication: PublicationKey | None


def agenda_owner(session: Session, token: str) -> AgendaOwner | None:
    """The link's company and its event's latest publication, in one query; None for a
    wrong, rotated or guessed link. As `company_by_token`: the unique index finds the row,
    the constant-time comparison keeps timing from telling how close a guess is."""
    if not token or len(token) > 64:
        return None
    row = session.execute(_owner_query(), {"token": token}).one_or_none()
    if row is None or not hmac.compare_digest(row[0], token):
        return None
    _token, external_id, event_id, slug, publication_id, published_at = row
    publication = PublicationKey(publication_id, published_at) if publication_id else None
    return AgendaOwner(external_id, event_id, slug, publication)


@cache
def _owner_query() -> Select:
    """Built once: making the statement (its alias above all) costs more than running it."""
    each = aliased(Publication)
    latest = (
        select(func.max(each.id))
        .where(each.event_id == Company.event_id)
        .correlate(Company)
        .scalar_subquery()
    )
    return (
        select(
            Company.access_token,
            Company.external_id,
            Company.event_id,
            Event.slug,
            Publication.id,
            Publication.published_at,
        )
        .join(Event, Event.id == Company.event_id)
        .outerjoin(Publication, Publication.id == latest)
        .where(Company.access_token == bindparam("token"))
    )


@agenda.url_value_preprocessor
def find_owner(_endpoint, values) -> None:
    owner = agenda_owner(db(), values.pop("token"))
    if owner is None:
        abort(404)  # the same answer for a wrong, rotated or guessed link
    g.agenda_owner = owner


# As the company's own pages: `url_for('agenda.calendar')` there is its own feed, and the
# link is never sent on nor cached.
agenda.url_defaults(keep_token)
agenda.after_request(private)


FileKey = tuple[PublicationKey, str, str]  # the publication, the company's id, the kind


class PublishedFiles:
    """Files already written, by publication, company and kind, up to `budget` bytes in all,
    the least recently used going first. A fair of BIO's size (4000 companies, 30 KB feeds
    and printable agendas) needs about 250 MB to keep them all."""

    def __init__(self, budget: int = 256 * 1024 * 1024) -> None:
        self.files: LRUCache[FileKey, bytes] = LRUCache(budget, getsizeof=len)
        self.lock = threading.Lock()

    def get(self, key: FileKey) -> bytes | None:
        with self.lock:
            return self.files.get(key)

    def put(self, key: FileKey, body: bytes) -> None:
        with self.lock, suppress(ValueError):  # a file larger than the budget: not kept
            self.files[key] = body

    def clear(self) -> None:
        """Forget every file: an event's reminder before meetings changed."""
        with self.lock:
            self.files.clear()


FILES = PublishedFiles()
NOT_IN_SCHEDULE = b""  # kept too: the company is not in the published schedule


def published_file(kind: str, write) -> bytes:
    """The company's file of `kind` from the latest publication (404 before the first, or
    when the company is not in it); `write(published, external_id)` makes it on a miss."""
    owner: AgendaOwner = g.agenda_owner
    if owner.publication is None:
        abort(404)
    body = FILES.get((owner.publication, owner.external_id, kind))
    if body is None:
        published = published_state(db(), db().get(Event, owner.event_id))
        if published is None:  # the event was removed since the lookup
            abort(404)
        body = NOT_IN_SCHEDULE
        if owner.external_id in published.instance.company_by_id:
            body = write(published, owner.external_id)
        # The publication read may be newer than the id the lookup saw: file it under its own.
        FILES.put((published.key, owner.external_id, kind), body)
    if not body:
        abort(404)
    return body


@agenda.route("/agenda.ics")
def calendar():
    """The company's calendar: download once, or subscribe (webcal) to follow re-solves."""
    body = published_file("ics", _calendar_file)
    response = Response(body, mimetype="text/calendar")
    name = f"{g.agenda_owner.event_slug}-agenda.ics"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@agenda.route("/agenda")
def printable():
    """The printable agenda (one page per day), as the organiser's desk prints it, in the
    visitor's language."""
    language = str(get_locale())
    pending = _pending_notes()
    write = partial(_printable_file, language=language, pending=pending)
    kind = f"html-{language}-" + hashlib.sha256(repr(sorted(pending.items())).encode()).hexdigest()
    return Response(published_file(kind, write), mimetype="text/html")


def _pending_notes() -> dict[str, str]:
    """The company's published meetings declined or withdrawn since, with what the agenda
    says under each: the printed agenda must not send anyone to a table for nothing."""
    owner: AgendaOwner = g.agenda_owner
    event = db().get(Event, owner.event_id)
    company = db().scalar(
        select(Company).where(
            Company.event_id == owner.event_id, Company.external_id == owner.external_id
        )
    )
    published = published_state(db(), event) if event and company else None
    if published is None:
        return {}
    withdrawn = withdrawn_answers(published, requests_of(db(), company))
    return withdrawn_notes(withdrawn, ZoneInfo(event.timezone))


def _calendar_file(published: Published, external_id: str) -> bytes:
    _schedule, calendars = published.of_company(external_id)
    alarm = reminder(db().get(Event, g.agenda_owner.event_id))
    stamp = published.published_at
    video = video_links(db().get(Event, g.agenda_owner.event_id))
    texts = published.event_texts
    return company_calendar(
        published.instance, calendars, external_id, stamp, alarm, video, texts=texts
    )


def reminder(event: Event) -> timedelta | None:
    """How long before each meeting its calendar reminds (the event's setup; 0: never)."""
    return timedelta(minutes=event.alarm_minutes) if event.alarm_minutes else None


def _printable_file(
    published: Published, external_id: str, language: str, pending: dict[str, str]
) -> bytes:
    schedule, _calendars = published.of_company(external_id)
    # "./" is the company's page (/c/<token>/ beside /c/<token>/agenda): relative, so a kept
    # body holds no token.
    video = video_links(db().get(Event, g.agenda_owner.event_id))
    html = company_agenda_html(
        published.instance, schedule, external_id, language, "./", pending, video
    )
    return html.encode()
