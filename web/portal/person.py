"""A person's own agenda link (/p/<token>/): the meetings they attend and their calendar feed,
read only. The company hands each of its people their link from its page; a person's link
opens nothing of the company's (requests, blocked times, colleagues' meetings)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, g, render_template, url_for

from scheduler.calendars.agenda import agenda_days
from scheduler.calendars.ical import attendee_calendar
from web.companies.operations import attendee_by_token
from web.events.video import video_links
from web.http import db
from web.labels import withdrawn_notes
from web.meeting_requests.operations import requests_of
from web.portal.agenda import FILES, NOT_IN_SCHEDULE, reminder
from web.portal.views import private
from web.schedules.drift import withdrawn_answers
from web.schedules.operations import agenda_update, person_update, published_state

person = Blueprint("person", __name__, template_folder="templates", url_prefix="/p/<token>")


@person.url_value_preprocessor
def find_person(_endpoint, values) -> None:
    attendee = attendee_by_token(db(), values.pop("token"))
    if attendee is None:
        abort(404)  # the same answer for a wrong, rotated or guessed link
    g.person = attendee


@person.url_defaults
def keep_token(_endpoint, values) -> None:
    if "token" not in values and "person" in g:
        values["token"] = g.person.access_token


person.after_request(private)


@person.route("/")
def home():
    attendee = g.person
    company = attendee.company
    event = company.event
    published = published_state(db(), event)
    meetings = []
    if published is not None:
        meetings = published.person_agenda(
            company.external_id, attendee.external_id, video_links(event)
        )
    zone = ZoneInfo(event.timezone)
    # Declined or cancelled since publishing: marked as going, as on the company's page.
    withdrawn = withdrawn_answers(published, requests_of(db(), company))
    feed = url_for("person.calendar", _external=True)
    return render_template(
        "portal/person.html",
        attendee=attendee,
        company=company,
        event=event,
        published=published,
        agenda_days=agenda_days(meetings),
        feed=feed,
        webcal="webcal://" + feed.split("://", 1)[1],
        zone=zone,
        pending=withdrawn_notes(withdrawn, zone),
        update=person_update(
            agenda_update(db(), event, company.external_id), company.external_id, attendee.name
        ),
    )


@person.route("/agenda.ics")
def calendar():
    """The person's calendar: their meetings only; ones they were taken off show cancelled."""
    attendee = g.person
    company = attendee.company
    published = published_state(db(), company.event)
    if published is None:
        abort(404)
    key = (published.key, attendee.external_id, "person-ics")  # apart from companies' files
    body = FILES.get(key)
    if body is None:
        body = NOT_IN_SCHEDULE
        if attendee.external_id in published.instance.attendee_by_id:
            _schedule, calendars = published.of_company(company.external_id)
            stamp = published.published_at
            alarm = reminder(company.event)
            video = video_links(company.event)
            body = attendee_calendar(
                published.instance,
                calendars,
                attendee.external_id,
                stamp,
                alarm,
                video,
                texts=published.event_texts,
            )
        FILES.put(key, body)
    if not body:
        abort(404)
    response = Response(body, mimetype="text/calendar")
    name = f"{company.event.slug}-my-agenda.ics"  # no name or id in a header
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response
