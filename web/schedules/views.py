"""Organisers review a schedule version (grid per day, agendas, unscheduled requests with
their reasons, quality figures, changes against the published one), publish it, and download
its files."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace as dataclass_replace

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import select

from scheduler.calendars.agenda import company_agenda_html
from scheduler.calendars.sheet import meetings_csv, meetings_xlsx, unscheduled_csv
from scheduler.domain import Schedule
from scheduler.solver.reasons import REASON_KINDS, read_reason, reason_kind
from web.companies.models import Company
from web.events.models import Event
from web.events.video import video_links
from web.http import db, event_or_404
from web.labels import reason_told
from web.schedules import downloads
from web.schedules.drift import drift, published_drift
from web.schedules.models import Publication, ScheduleVersion
from web.schedules.operations import (
    AlreadyPublished,
    current_version,
    latest_publication,
    publish,
    schedule_from_version,
    version_instance,
    versions,
)
from web.schedules.review import (
    changes_against,
    companies_touched,
    companies_without_meetings,
    day_grids,
    describe,
    people,
    unscheduled_groups,
    unscheduled_of_kind,
    where,
)
from web.solving.views import FillInForm

schedules = Blueprint("schedules", __name__, template_folder="templates")


@schedules.before_request
@login_required
def organisers_only() -> None:
    """Every page here is the organiser's."""


def _version(event: Event, number: int) -> ScheduleVersion:
    version = db().scalar(
        select(ScheduleVersion).where(
            ScheduleVersion.event_id == event.id, ScheduleVersion.number == number
        )
    )
    if version is None:
        abort(404)
    return version


@schedules.route("/events/<slug>/schedules/")
def index(slug: str):
    event = event_or_404(slug)
    history = (
        db()
        .scalars(
            select(Publication)
            .where(Publication.event_id == event.id)
            .order_by(Publication.id.desc())
        )
        .all()
    )
    return render_template(
        "schedules/index.html",
        event=event,
        versions=list(reversed(versions(db(), event))),
        current=current_version(db(), event),
        history=history,
        drift=published_drift(db(), event),
        fill_in_form_data=FillInForm(formdata=None),
    )


# A BioJapan-size fair leaves thousands of requests unscheduled: the page lists this many of
# the chosen kind, the download has every one.
UNSCHEDULED_SHOWN = 200


@schedules.route("/events/<slug>/schedules/<int:number>/")
def review(slug: str, number: int):
    event = event_or_404(slug)
    version = _version(event, number)
    instance = version_instance(db(), version)
    schedule = schedule_from_version(db(), version)
    current = current_version(db(), event)
    published = schedule_from_version(db(), current) if current and current != version else None
    published_instance = version_instance(db(), current) if published else None
    changes = changes_against(schedule, published)
    latest = latest_publication(db(), event)
    unpublished = current is None or current.id != version.id
    # Made before the latest publication: publishing it may undo what that one sent out.
    older = unpublished and latest is not None and version.created_at < latest.published_at
    day = min(max(request.args.get("day", 0, type=int), 0), len(instance.event.days) - 1)
    kind = request.args.get("reason")
    kind = kind if kind in REASON_KINDS else None
    unscheduled = unscheduled_of_kind(schedule, kind)
    company_ids = {
        external_id: row_id
        for external_id, row_id in db().execute(
            select(Company.external_id, Company.id).where(Company.event_id == event.id)
        )
    }
    return render_template(
        "schedules/review.html",
        reason=kind,
        unscheduled=unscheduled[:UNSCHEDULED_SHOWN],
        unscheduled_more=max(0, len(unscheduled) - UNSCHEDULED_SHOWN),
        unscheduled_groups=unscheduled_groups(schedule),
        without_meetings=companies_without_meetings(instance, schedule),
        company_ids=company_ids,
        event=event,
        version=version,
        current=current,
        instance=instance,
        schedule=schedule,
        grids=day_grids(instance, schedule, day),
        day=day,
        changes=changes,
        touched=companies_touched(schedule, changes, instance, published_instance),
        older=latest if older else None,
        stale=drift(db(), event, instance, schedule) if unpublished else None,
        describe=lambda meeting: describe(meeting, instance, published_instance),
        people=lambda meeting, published_side=False: people(
            meeting, *((published_instance, instance) if published_side else (instance,))
        ),
        where=lambda meeting, published_side=False: where(
            meeting, published_instance if published_side else instance
        ),
        summary=version.summary,
        fix=lambda u: fix_for(event, instance, u, company_ids),
    )


# Where the organiser changes what stands in a request's way, by the kind of its reason:
# (endpoint, the company page's section or None, the link's words).
FIXES = {
    "daily": ("companies.edit", None, _l("change the daily maximum")),
    "event_max": ("companies.edit", None, _l("change the maximum for the event")),
    "busy": ("companies.detail", "attendees", _l("add an attendee")),
    "unavailable": ("companies.detail", "unavailable", _l("see blocked times")),
    "attendee": ("companies.detail", "attendees", _l("see attendees")),
    "tables": ("events.locations", None, _l("add tables")),
    "too_long": ("events.edit", None, _l("change sessions")),
    "no_room": ("events.locations", None, _l("add tables")),
}


def fix_for(event, instance, unscheduled, company_ids) -> tuple[str, str] | None:
    """(words, address) of the page that fixes this request's reason: the company the reason
    names (its daily maximum, its people, its blocked times) or the event's tables."""
    kind = reason_kind(unscheduled.reason)
    request = instance.request_by_id.get(unscheduled.request)
    if kind not in FIXES or request is None:
        return None
    endpoint, section, words = FIXES[kind]
    if endpoint.startswith("events."):
        return str(words), url_for(endpoint, slug=event.slug)
    company = _named_company(instance, request, unscheduled.reason, kind)
    if company not in company_ids:
        return None
    address = url_for(endpoint, slug=event.slug, company_id=company_ids[company])
    return str(words), address + (f"#{section}" if section else "")


def _named_company(instance, request, reason: str, kind: str) -> str:
    """The side the reason names; for a daily maximum, the side that has one."""
    sides = [instance.company_by_id[c] for c in request.companies]
    if kind in ("daily", "event_max"):
        field = "max_meetings_per_day" if kind == "daily" else "max_meetings"
        limited = [c for c in sides if getattr(c, field)]
        if len(limited) == 1:
            return limited[0].id
    words = read_reason(reason)
    name = dict(words.values).get("company") if words else None
    if kind == "attendee" and words:
        attendee = instance.attendee_by_id.get(str(dict(words.values).get("attendee_id")))
        return attendee.company if attendee else sides[0].id
    return next((c.id for c in sides if c.name == name), sides[-1].id)


def publish_view(slug: str, number: int):
    """Make this version current: companies' agendas and subscribed calendars show it."""
    event = event_or_404(slug)
    version = _version(event, number)
    if not request.form.get("confirm"):
        flash(
            _("Tick the box to confirm: publishing changes the companies' agendas and calendars."),
            "error",
        )
        return redirect(url_for("schedules.review", slug=slug, number=number) + "#publish")
    try:
        publish(db(), version)
    except AlreadyPublished:
        db().rollback()
        flash(_("Version %(n)d is already what companies see.", n=number), "notice")
        return redirect(url_for("schedules.review", slug=slug, number=number))
    db().commit()
    flash(_("Version %(n)d is published.", n=number), "success")
    return redirect(url_for("schedules.review", slug=slug, number=number))


schedules.add_url_rule(
    "/events/<slug>/schedules/<int:number>/publish",
    endpoint="publish",
    view_func=publish_view,
    methods=["POST"],
)


@schedules.route("/events/<slug>/schedules/<int:number>/<kind>")
def download(slug: str, number: int, kind: str):
    event = event_or_404(slug)
    version = _version(event, number)
    instance = version_instance(db(), version)
    schedule = schedule_from_version(db(), version)
    stem = f"{event.slug}-v{number}"
    if kind == "calendars.zip":
        state = downloads.calendar_state(db(), version, schedule)
        video = video_links(event)
        body = downloads.calendars_zip(instance, schedule, state, version, video)
        mime = "application/zip"
    elif kind == "agendas.zip":
        body = downloads.agendas_zip(instance, schedule, str(get_locale()), video_links(event))
        mime = "application/zip"
    elif kind == "unscheduled.csv":  # (Flask adds "; charset=utf-8" to a text type)
        body, mime = unscheduled_csv(instance, _told_reasons(schedule)), "text/csv"
    elif kind == "meetings.csv":
        body, mime = meetings_csv(instance, schedule), "text/csv"
    elif kind == "meetings.xlsx":
        body = meetings_xlsx(instance, _told_reasons(schedule), version.created_at)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif kind == "schedule.json":
        body, mime = downloads.schedule_json(instance, schedule), "application/json"
    else:
        abort(404)
    return _attachment(body, mime, f"{stem}-{kind}")


@schedules.route("/events/<slug>/schedules/<int:number>/agendas/<company>")
def agenda(slug: str, number: int, company: str):
    """One company's printable agenda (A4 print CSS), by the company's id."""
    event = event_or_404(slug)
    version = _version(event, number)
    instance = version_instance(db(), version)
    if company not in instance.company_by_id:
        abort(404)
    schedule = schedule_from_version(db(), version)
    # "../" is the version's review page (this one is .../<number>/agendas/<company>).
    language = str(get_locale())
    return company_agenda_html(
        instance, schedule, company, language, "../", None, video_links(event)
    )


def _told_reasons(schedule: Schedule) -> Schedule:
    """The schedule with its reasons in the organiser's language, for the sheets they
    download (their columns keep the names files use)."""
    told = [dataclass_replace(u, reason=reason_told(u.reason)) for u in schedule.unscheduled]
    return dataclass_replace(schedule, unscheduled=told)


def _attachment(body: bytes | Iterator[bytes], mime: str, name: str) -> Response:
    response = Response(body, mimetype=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
