"""The fair on a company's own pages (/c/<token>/fair/...): marking a meeting held or a
no-show from its agenda, rating it afterwards, and booking free slots. Opened by the
company's private link like the rest of its pages; every row is looked up through the
company (another company's meeting or booking is a 404). A person's own link
(/p/<token>/fair/...) checks in the meetings that person attends, and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length

from scheduler.calendars.details import MeetingDetails
from scheduler.times import describe_time
from scheduler.words import Refusal
from web.companies.models import Company
from web.events.models import Location
from web.fairdays.attendance import EARLY, GRACE
from web.fairdays.clock import now
from web.fairdays.free import NotBookable, free_slots, pair_refusal, partners
from web.fairdays.meetings import company_meeting
from web.fairdays.models import Attendance, Booking, Feedback
from web.fairdays.operations import (
    NOTE_LONGEST,
    answer_booking,
    book,
    give_feedback,
    mark_attendance,
)
from web.http import db
from web.labels import say
from web.meeting_requests.models import MeetingRequest
from web.portal.person import find_person, person
from web.portal.person import keep_token as keep_person_token
from web.portal.views import find_company, keep_token, portal, private
from web.schedules.operations import Published, published_state

fair_portal = Blueprint(
    "fair_portal", __name__, template_folder="templates", url_prefix="/c/<token>/fair"
)
fair_portal.url_value_preprocessor(find_company)
fair_portal.url_defaults(keep_token)
fair_portal.after_request(private)

person_fair = Blueprint("person_fair", __name__, url_prefix="/p/<token>/fair")
person_fair.url_value_preprocessor(find_person)
person_fair.url_defaults(keep_person_token)
person_fair.after_request(private)


@dataclass(frozen=True)
class CompanyFair:
    """What the company's agenda shows under each meeting: its attendance, its own rating,
    and whether it may mark or rate now."""

    company_id: int
    at: datetime
    zone: ZoneInfo
    ids: dict[str, int]  # request external id -> row id
    marked: dict[int, list[str]]  # request row id -> the marks of both sides
    feedback: dict[int, Feedback]  # this company's own, by request row id

    def request_id(self, meeting: MeetingDetails) -> int | None:
        return self.ids.get(meeting.request)

    def mine(self, meeting: MeetingDetails) -> str | None:
        """What is known of the meeting: held, or no_show (a side did not come)."""
        states = self.marked.get(self.ids.get(meeting.request), [])
        return "no_show" if "no_show" in states else ("held" if states else None)

    def can_mark(self, meeting: MeetingDetails) -> bool:
        return meeting.start - EARLY <= self.at <= meeting.end + GRACE

    def marking_window(self, meeting: MeetingDetails) -> tuple[str, str]:
        return describe_time(meeting.start - EARLY, self.zone), describe_time(
            meeting.end + GRACE, self.zone
        )

    def can_rate(self, meeting: MeetingDetails) -> bool:
        return self.at >= meeting.start


def company_fair(company: Company, published: Published | None) -> CompanyFair | None:
    """The company's fair state for its agenda page (None before publication)."""
    if published is None:
        return None
    event = company.event
    own = db().scalars(select(Feedback).where(Feedback.company_id == company.id)).all()
    involving = or_(
        MeetingRequest.requester_id == company.id, MeetingRequest.requested_id == company.id
    )
    theirs = select(MeetingRequest.id).where(involving)
    ids = {
        external: row_id
        for external, row_id in db().execute(
            select(MeetingRequest.external_id, MeetingRequest.id).where(involving)
        )
    }
    marked: dict[int, list[str]] = {}
    for request_id, status in db().execute(
        select(Attendance.request_id, Attendance.status).where(Attendance.request_id.in_(theirs))
    ):
        marked.setdefault(request_id, []).append(status)
    return CompanyFair(
        company.id,
        now(),
        ZoneInfo(event.timezone),
        ids,
        marked,
        {f.request_id: f for f in own},
    )


@portal.context_processor
def _fair_on_the_company_page() -> dict:
    """The company's page (web.portal) shows its agenda with the fair's buttons: the fair's
    state is given to its template from here, so that the portal need not know the fair."""
    if request.endpoint != "portal.home" or "company" not in g:
        return {}
    company: Company = g.company
    return {"fair": company_fair(company, published_state(db(), company.event))}


@person.context_processor
def _fair_on_the_person_page() -> dict:
    """A person's own agenda shows the check-in buttons of the meetings they attend."""
    if request.endpoint != "person.home" or "person" not in g:
        return {}
    company: Company = g.person.company
    return {"fair": company_fair(company, published_state(db(), company.event))}


def _meeting_or_404(request_id: int):
    return _meeting_or_404_of(g.company, request_id)


def _meeting_or_404_of(company: Company, request_id: int):
    meeting = company_meeting(db(), company.event, company.external_id, request_id)
    if meeting is None:
        abort(404)  # not this company's, or not published
    return meeting


def _home() -> str:
    return url_for("portal.home") + "#agenda"


@fair_portal.route("/meetings/<int:request_id>/attendance", methods=["POST"])
def attendance(request_id: int):
    """One tap from the agenda: held, or the other side did not come."""
    company: Company = g.company
    meeting = _meeting_or_404(request_id)
    status = request.form.get("status", "")
    try:
        mark_attendance(db(), company.event, company, meeting, status, now())
    except Refusal as refusal:
        db().rollback()
        flash(say(refusal), "error")
        return redirect(_home())
    db().commit()
    flash(
        _("Marked: held.") if status == "held" else _("Marked: the other side did not come."),
        "success",
    )
    return redirect(_home())


@person_fair.route("/meetings/<int:request_id>/attendance", methods=["POST"])
def person_attendance(request_id: int):
    """The same tap from a person's own agenda, for a meeting that person attends (any other
    is a 404): marked for the company, as if from its page, by that person."""
    attendee = g.person
    company: Company = attendee.company
    meeting = _persons_meeting_or_404(attendee, request_id)
    status = request.form.get("status", "")
    back = url_for("person.home") + "#agenda"
    try:
        by = f"person:{attendee.id}"
        mark_attendance(db(), company.event, company, meeting, status, now(), by=by)
    except Refusal as refusal:
        db().rollback()
        flash(say(refusal), "error")
        return redirect(back)
    db().commit()
    flash(
        _("Marked: held.") if status == "held" else _("Marked: the other side did not come."),
        "success",
    )
    return redirect(back)


def _persons_meeting_or_404(attendee, request_id: int):
    company: Company = attendee.company
    meeting = _meeting_or_404_of(company, request_id)
    published = published_state(db(), company.event)
    theirs = published.person_agenda(company.external_id, attendee.external_id)
    if meeting.details.request not in {m.request for m in theirs}:
        abort(404)  # the company's meeting, but not this person's
    return meeting


class FeedbackForm(FlaskForm):
    rating = RadioField(
        _l("How useful was the meeting?"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        validators=[InputRequired(_l("Choose 1 to 5."))],
        description=_l("1 = not useful, 5 = very useful"),
    )
    follow_up = BooleanField(_l("We plan a follow-up"))
    note = TextAreaField(
        _l("Private note"),
        validators=[Length(max=NOTE_LONGEST)],
        description=_l("Only your company and the organiser see it, never the other company."),
    )


@fair_portal.route("/meetings/<int:request_id>/feedback", methods=["GET", "POST"])
def feedback(request_id: int):
    """The company's rating of one meeting, its follow-up and its private note."""
    company: Company = g.company
    meeting = _meeting_or_404(request_id)
    given = db().get(Feedback, (request_id, company.id))
    form = FeedbackForm(obj=given)
    if form.validate_on_submit():
        try:
            give_feedback(
                db(),
                company.event,
                company,
                meeting,
                form.rating.data,
                form.follow_up.data,
                form.note.data,
                now(),
            )
        except Refusal as refusal:
            db().rollback()
            flash(say(refusal), "error")
        else:
            db().commit()
            flash(_("Thank you: your feedback is saved."), "success")
            return redirect(_home())
    other = meeting.details.counterpart(company.external_id)
    return render_template(
        "fairdays/feedback.html",
        company=company,
        event=company.event,
        meeting=meeting.details,
        other=other,
        form=form,
        opens=describe_time(meeting.start, ZoneInfo(company.event.timezone)),
        open_now=now() >= meeting.start,
    )


def _my_bookings(company: Company) -> list[Booking]:
    return list(
        db().scalars(
            select(Booking)
            .where(
                Booking.status == "pending",
                or_(Booking.requester_id == company.id, Booking.requested_id == company.id),
            )
            .order_by(Booking.start)
        )
    )


@fair_portal.route("/book")
def booking():
    """The companies it may book, and with one chosen (`?with=`), the free times."""
    company: Company = g.company
    event = company.event
    published = published_state(db(), event)
    chosen = None
    slots = []
    refusal = None
    wanted = request.args.get("with", type=int)
    if event.booking_mode != "off" and published is not None and wanted:
        chosen = db().get(Company, wanted)
        if chosen is None or chosen.event_id != event.id or chosen.id == company.id:
            abort(404)
        refusal = pair_refusal(db(), event, company, chosen, published)
        if refusal is None:
            slots = free_slots(db(), event, company, chosen, now())
    names = {
        c.id: c.name for c in db().scalars(select(Company).where(Company.event_id == event.id))
    }
    places = {
        loc.id: loc.name
        for loc in db().scalars(select(Location).where(Location.event_id == event.id))
    }
    return render_template(
        "fairdays/book.html",
        company=company,
        event=event,
        published=published,
        partners=partners(db(), event, company) if event.booking_mode != "off" else [],
        chosen=chosen,
        slots=slots,
        refusal=say(refusal) if refusal else None,
        bookings=_my_bookings(company),
        names=names,
        places=places,
        zone=ZoneInfo(event.timezone),
    )


@fair_portal.route("/book", methods=["POST"])
def book_slot():
    company: Company = g.company
    event = company.event
    other = db().get(Company, request.form.get("with", type=int) or 0)
    if other is None or other.event_id != event.id or other.id == company.id:
        abort(404)
    try:
        start = datetime.fromisoformat(request.form.get("start", ""))
        if start.tzinfo is None:
            raise ValueError
    except ValueError:
        flash(_("Choose one of the free times listed."), "error")
        return redirect(url_for("fair_portal.booking", **{"with": other.id}))
    try:
        made = book(db(), event, company, other, start, now())
    except (NotBookable, Refusal) as refusal:
        db().rollback()
        flash(say(refusal), "error")
        return redirect(url_for("fair_portal.booking", **{"with": other.id}))
    db().commit()
    when = describe_time(made.start, ZoneInfo(event.timezone))
    if made.status == "confirmed":
        flash(
            _(
                "Booked: %(when)s with %(other)s. It is on your agenda.",
                when=when,
                other=other.name,
            ),
            "success",
        )
        return redirect(_home())
    flash(
        _(
            "Booked: %(when)s with %(other)s, waiting for their answer.",
            when=when,
            other=other.name,
        ),
        "success",
    )
    return redirect(url_for("fair_portal.booking"))


@fair_portal.route("/bookings/<int:booking_id>/answer", methods=["POST"])
def answer(booking_id: int):
    """The asked side accepts or declines a booking made with it."""
    company: Company = g.company
    row = db().get(Booking, booking_id)
    if row is None or row.requested_id != company.id:
        abort(404)
    accept = request.form.get("accept") == "1"
    try:
        outcome = answer_booking(db(), company.event, row, company, accept, now())
    except Refusal as refusal:
        db().rollback()
        flash(say(refusal), "error")
        return redirect(url_for("fair_portal.booking"))
    db().commit()  # a booking no longer possible is gone too, and its booker told
    if outcome == "gone":
        flash(_("That time is no longer free: the booking is withdrawn."), "error")
    elif outcome == "accepted":
        flash(_("Accepted: the meeting is on your agenda."), "success")
        return redirect(_home())
    else:
        flash(_("Declined."), "success")
    return redirect(url_for("fair_portal.booking"))
