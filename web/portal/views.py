"""A company's private pages, opened by the long random token in its link: its requests
(answer, send), the times it cannot meet, and once published its agenda, .ics download and
calendar subscription. A token opens its own company's pages and nothing else."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from scheduler.calendars.agenda import agenda_days
from scheduler.words import Refusal
from web.companies.forms import AttendeeForm, block_form
from web.companies.models import Attendee, Company, UnavailableBlock
from web.companies.operations import (
    AlreadyBlocked,
    AttendeeExists,
    LastAttendee,
    TooManyBlocks,
    add_attendee,
    block_owner,
    block_time,
    blocks_of,
    company_by_token,
    local_span,
    mark_opened,
    outside_sessions,
    remove_attendee,
)
from web.db import utc_now
from web.events.video import video_links
from web.http import db
from web.labels import say, withdrawn_notes
from web.languages import LANGUAGES
from web.meeting_requests.answering import may_ask_again
from web.meeting_requests.conversation import (
    TOO_LONG,
    MessageTooLong,
    may_reply,
    reply,
    threads,
)
from web.meeting_requests.models import (
    DECLINE_REASONS,
    MESSAGE_LONGEST,
    NOTES_LONGEST,
    MeetingRequest,
)
from web.meeting_requests.operations import (
    ask,
    name_attendees,
    named_by,
    requests_of,
)
from web.meeting_requests.rules import pending_of, rules_of
from web.meeting_requests.views import change_status
from web.schedules.drift import withdrawn_answers
from web.schedules.operations import agenda_update, published_clashes, published_state
from web.widgets import LongSelect

portal = Blueprint("portal", __name__, template_folder="templates", url_prefix="/c/<token>")
COMPANY_MAIL_KINDS = (
    "request",
    "answer",
    "reply",
    "expired",
    "reminder",
    "schedule",
    "booking",
    "digest",
)  # the link is the organiser's to send


@portal.url_value_preprocessor
def find_company(_endpoint, values) -> None:
    company = company_by_token(db(), values.pop("token"))
    if company is None:
        abort(404)  # the same answer for a wrong, rotated or guessed link
    g.company = company
    if company.link_opened_at is None:
        mark_opened(db(), company.id)
        if request.method == "GET":  # a POST's own commit keeps it
            db().commit()


@portal.url_defaults
def keep_token(_endpoint, values) -> None:
    """On a company's pages, links to its pages and files carry its own token."""
    if "token" not in values and "company" in g:
        values["token"] = g.company.access_token


@portal.after_request
def private(response: Response) -> Response:
    """The link is the key: never send it on to another site, never keep it in a cache."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "private, no-store"
    return response


class AskForm(FlaskForm):
    to = SelectField(
        _l("Meet"),
        coerce=int,
        widget=LongSelect(),
        render_kw={"data-search": _l("Type a part of the name")},
    )
    priority = IntegerField(
        _l("Priority"), default=3, validators=[NumberRange(1, 5)], description=_l("5 = most wanted")
    )
    notes = StringField(
        _l("Note"),
        validators=[Optional(), Length(max=NOTES_LONGEST)],
        description=_l("on both agendas and calendars"),
    )
    message = TextAreaField(
        _l("Message"),
        validators=[Optional(), Length(max=MESSAGE_LONGEST)],
        description=_l("to them only: why you would like to meet"),
        render_kw={"rows": 3, "maxlength": MESSAGE_LONGEST},
    )


@portal.route("/")
def home():
    company: Company = g.company
    event = company.event
    requests = requests_of(db(), company)
    incoming = [r for r in requests if r.requested_id == company.id]
    outgoing = [r for r in requests if r.requester_id == company.id]
    published = published_state(db(), event)
    meetings = published.agenda(company.external_id, video_links(event)) if published else []
    zone = ZoneInfo(event.timezone)
    withdrawn = withdrawn_answers(published, requests)
    feed = url_for("agenda.calendar", _external=True)
    return render_template(
        "portal/home.html",
        company=company,
        event=event,
        incoming=incoming,
        outgoing=outgoing,
        ask_form=_ask_form(company, requests),
        block_form=block_form(company),
        blocks=blocks_of(company),
        published=published,
        meetings=meetings,
        agenda_days=agenda_days(meetings),
        feed=feed,
        webcal="webcal://" + feed.split("://", 1)[1],
        zone=zone,
        pending=withdrawn_notes(withdrawn, zone),
        published_requests=published.request_ids if published else frozenset(),
        update=agenda_update(db(), event, company.external_id),
        attendee_form=AttendeeForm(),
        named=named_by(db(), company),
        company_mail_kinds=COMPANY_MAIL_KINDS,
        languages=LANGUAGES,
        threads=threads(db(), requests),
        reasons=DECLINE_REASONS,
        may_reply=lambda r: may_reply(r, "asked" if r.requested_id == company.id else "asking"),
        asks_again={r.id for r in outgoing if may_ask_again(db(), r)},
        rules=rules_of(db(), event),
        now=utc_now(),
        waiting_out=pending_of(db(), company),
    )


def _ask_form(company: Company, requests: list[MeetingRequest]) -> AskForm:
    taken = {r.requester_id for r in requests} | {r.requested_id for r in requests}
    others = db().execute(
        select(Company.id, Company.name)
        .where(Company.event_id == company.event_id, Company.id != company.id)
        .order_by(Company.name)
    )
    form = AskForm()
    form.to.choices = [(id_, name) for id_, name in others if id_ not in taken]
    return form


@portal.route("/mail", methods=["GET"])
def mail():
    """Where a message's unsubscribe link leads: the company's choice of messages."""
    company: Company = g.company
    return render_template(
        "portal/mail.html",
        company=company,
        event=company.event,
        company_mail_kinds=COMPANY_MAIL_KINDS,
        languages=LANGUAGES,
    )


@portal.route("/mail", methods=["POST"])
def mail_settings():
    """The kinds of message the company's people receive, and their language."""
    company: Company = g.company
    wanted = set(request.form.getlist("kind"))
    language = request.form.get("language", "")
    if not wanted <= set(COMPANY_MAIL_KINDS) or language not in LANGUAGES:
        abort(400)  # not from the form: change nothing
    company.mail_off = [k for k in COMPANY_MAIL_KINDS if k not in wanted]
    company.language = language
    db().commit()
    flash(_("Your choice of messages is saved."), "success")
    return redirect(url_for("portal.home") + "#mail")


@portal.route("/requests/<int:request_id>/answer", methods=["POST"])
def answer(request_id: int):
    """Accept or decline a request made to this company (and only to this company)."""
    row = db().get(MeetingRequest, request_id)
    if row is None or row.requested_id != g.company.id:
        abort(404)
    change_status(row, request.form.get("status", ""), f"company:{g.company.external_id}", "asked")
    return redirect(url_for("portal.home") + "#requests")


@portal.route("/requests/<int:request_id>/withdraw", methods=["POST"])
def withdraw(request_id: int):
    """Take back a request this company made (and only this company), waiting or accepted;
    or ask again after taking it back."""
    row = db().get(MeetingRequest, request_id)
    if row is None or row.requester_id != g.company.id:
        abort(404)
    change_status(row, request.form.get("status", ""), f"company:{g.company.external_id}", "asking")
    return redirect(url_for("portal.home") + "#requests")


@portal.route("/requests/<int:request_id>/reply", methods=["POST"])
def write_reply(request_id: int):
    """A message in a request's conversation from either of its sides (and only theirs)."""
    company: Company = g.company
    row = db().get(MeetingRequest, request_id)
    if row is None or company.id not in (row.requester_id, row.requested_id):
        abort(404)
    side = "asked" if row.requested_id == company.id else "asking"
    try:
        reply(db(), row, request.form.get("text"), side, f"company:{company.external_id}")
    except Refusal as error:
        db().rollback()
        flash(say(error), "error")
    else:
        db().commit()
        other = row.requester if side == "asked" else row.requested
        flash(_("Your message to %(name)s is sent.", name=other.name), "success")
    return redirect(url_for("portal.home") + f"#request-{row.id}")


@portal.route("/requests/<int:request_id>/people", methods=["POST"])
def name_people(request_id: int):
    """Who of this company attends a meeting (its own people only; none: whoever is free)."""
    company: Company = g.company
    row = db().get(MeetingRequest, request_id)
    if row is None or company.id not in (row.requester_id, row.requested_id):
        abort(404)
    mine = {a.id: a for a in company.attendees}
    given = request.form.getlist("attendee")
    if not all(value.isascii() and value.isdigit() for value in given):
        abort(400)  # not from the form's checkboxes: change nothing
    chosen = [int(value) for value in given]
    if any(i not in mine for i in chosen):
        abort(404)
    name_attendees(db(), row, company, [mine[i] for i in chosen])
    db().commit()
    other = row.requested if row.requester_id == company.id else row.requester
    flash(_("Who attends the meeting with %(name)s is saved.", name=other.name), "success")
    published = published_state(db(), company.event)
    if published is not None and row.external_id in published.request_ids:
        flash(
            _(
                "This meeting is published: your agenda shows it as it is until the organiser "
                "publishes the updated schedule."
            ),
            "notice",
        )
    return redirect(url_for("portal.home") + "#requests")


PEOPLE_PER_COMPANY = 50  # what a company's own link may add (the organiser is not held)


@portal.route("/people", methods=["POST"])
def add_person():
    """The company adds one of its own people, who gets an own agenda link at once."""
    company: Company = g.company
    form = AttendeeForm()
    if not form.validate_on_submit():
        flash(_("Give the person's name (and a valid email, if any)."), "error")
        for field in (form.name, form.title, form.email):
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
        return redirect(url_for("portal.home") + "#people")
    if len(company.attendees) >= PEOPLE_PER_COMPANY:
        flash(
            _(
                "A company's link can add at most %(count)d people; ask the organiser for more.",
                count=PEOPLE_PER_COMPANY,
            ),
            "error",
        )
        return redirect(url_for("portal.home") + "#people")
    try:
        person = add_attendee(db(), company, form.name.data, form.title.data, form.email.data)
    except AttendeeExists as same:
        db().rollback()
        flash(_("%(name)s is already one of your people.", name=str(same)), "notice")
    else:
        db().commit()
        flash(_("%(name)s added.", name=person.name), "success")
    return redirect(url_for("portal.home") + "#people")


@portal.route("/people/<int:attendee_id>/remove", methods=["POST"])
def remove_person(attendee_id: int):
    company: Company = g.company
    person = db().get(Attendee, attendee_id)
    if person is None or person.company_id != company.id:
        abort(404)
    name = person.name
    if not request.form.get("confirm"):
        flash(_("Tick the box to confirm removing %(name)s.", name=name), "error")
        return redirect(url_for("portal.home") + "#people")
    try:
        remove_attendee(db(), person, keep_one=True)
    except LastAttendee:
        db().rollback()
        flash(_("%(name)s is your last person: add another first.", name=name), "error")
    else:
        db().commit()
        flash(_("%(name)s removed.", name=name), "success")
        if person.removed_at is not None:
            flash(
                _(
                    "%(name)s's published meetings stay on your agenda until the organiser "
                    "publishes the updated schedule, which gives them to a colleague where it "
                    "can.",
                    name=name,
                ),
                "notice",
            )
    return redirect(url_for("portal.home") + "#people")


@portal.route("/requests", methods=["POST"])
def send():
    company: Company = g.company
    form = _ask_form(company, requests_of(db(), company))
    if form.validate_on_submit():
        other = db().get(Company, form.to.data)
        try:
            ask(
                db(),
                company.event,
                company,
                other,
                form.priority.data,
                "company link",
                form.notes.data or None,
                form.message.data,
            )
        except Refusal as error:  # the pair has one; the window, the cap; too long a message
            db().rollback()
            flash(say(error), "error")
        else:
            db().commit()
            flash(_("Request sent to %(name)s.", name=other.name), "success")
    elif form.notes.errors:
        flash(_("A note may be at most %(count)d characters.", count=NOTES_LONGEST), "error")
    elif form.message.errors:
        flash(say(MessageTooLong(TOO_LONG, most=MESSAGE_LONGEST)), "error")
    else:
        flash(_("Choose a company and a priority from 1 to 5."), "error")
    return redirect(url_for("portal.home") + "#send")


@portal.route("/unavailable", methods=["POST"])
def block():
    company: Company = g.company
    form = block_form(company)
    if not (form.validate_on_submit() and form.end.data > form.start.data):
        flash(_("Give a day and a time span that ends after it starts."), "error")
        return redirect(url_for("portal.home") + "#unavailable")
    person = db().get(Attendee, form.who.data) if form.who.data else None
    if person is not None and person.company_id != company.id:
        abort(404)  # only the company's own people
    day = date.fromisoformat(form.day.data)
    start, end = local_span(company.event.timezone, day, form.start.data, form.end.data)
    try:
        block_time(db(), company, start, end, person)
    except AlreadyBlocked:
        db().rollback()
        flash(_("That time is already blocked."), "notice")
    except TooManyBlocks:
        db().rollback()
        flash(
            _(
                "You have blocked %(count)d times, the most there may be: remove some "
                "first, or tell the organiser's desk.",
                count=len(company.unavailable),
            ),
            "error",
        )
    else:
        db().commit()
        flash(_("Time blocked."), "success")
        if outside_sessions(company.event, start, end):
            flash(
                _("That time is outside every session: no meetings are held then anyway."),
                "notice",
            )
        _warn_of_published_meetings(published_clashes(db(), company, start, end, person))
    return redirect(url_for("portal.home") + "#unavailable")


def _warn_of_published_meetings(clashes: list) -> None:
    """A block over a published meeting does not cancel it (only the organiser's next
    schedule can): say so, so that the company does not simply stay away."""
    if clashes:
        flash(
            _(
                "You have %(count)d meeting(s) on your agenda in that time (the first at "
                "%(time)s). They stay on your agenda until the organiser re-schedules: tell the "
                "organiser's desk if you cannot attend.",
                count=len(clashes),
                time=clashes[0].start.strftime("%Y-%m-%d %H:%M"),
            ),
            "notice",
        )


@portal.route("/unavailable/<int:block_id>/delete", methods=["POST"])
def unblock(block_id: int):
    row = db().get(UnavailableBlock, block_id)
    if row is None or block_owner(row).id != g.company.id:
        abort(404)
    db().delete(row)
    db().commit()
    return redirect(url_for("portal.home") + "#unavailable")
