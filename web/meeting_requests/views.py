"""Organisers' list of requests, where they accept or decline on a company's behalf, and
requests they enter for a company (asked by email or at the desk)."""

from __future__ import annotations

from math import ceil

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from scheduler.words import Refusal
from web.companies.models import Company
from web.db import EditConflict, escape_like
from web.http import db, event_or_404, local_path, row_or_404
from web.labels import EDIT_CONFLICT, STATUS, say
from web.meeting_requests.answering import NeedsConfirmation, Side, answer, may_answer
from web.meeting_requests.conversation import TOO_LONG, MessageTooLong, threads
from web.meeting_requests.models import (
    DECLINE_REASONS,
    MESSAGE_LONGEST,
    NOTES_LONGEST,
    STATUSES,
    MeetingRequest,
)
from web.meeting_requests.operations import (
    ask,
    involving,
    set_status,
)
from web.schedules.operations import published_state
from web.widgets import LongSelect

meeting_requests = Blueprint("meeting_requests", __name__, template_folder="templates")


@meeting_requests.before_request
@login_required
def organisers_only() -> None:
    """Every page here is the organiser's."""


class RequestForm(FlaskForm):
    """A request entered by the organiser for a company, to one it has no request with."""

    to = SelectField(
        _l("Meet"),
        coerce=int,
        widget=LongSelect(),
        render_kw={"data-search": _l("Type a part of the name")},
    )
    priority = IntegerField(
        _l("Priority"), default=3, validators=[NumberRange(1, 5)], description=_l("5 = most wanted")
    )
    notes = StringField(_l("Note"), validators=[Optional(), Length(max=NOTES_LONGEST)])
    message = TextAreaField(
        _l("Their message to the other company"),
        validators=[Optional(), Length(max=MESSAGE_LONGEST)],
        description=_l("as they wrote it; starts the request's conversation"),
    )
    accepted = BooleanField(_l("The other company has already accepted"))


def request_form(company: Company) -> RequestForm:
    """The form on a company's page: every company of the event it has no request with."""
    taken = {
        c
        for pair in db().execute(
            select(MeetingRequest.requester_id, MeetingRequest.requested_id).where(
                involving(company)
            )
        )
        for c in pair
    }
    others = db().scalars(
        select(Company).where(Company.event_id == company.event_id).order_by(Company.name)
    )
    form = RequestForm()
    form.to.choices = [(c.id, c.name) for c in others if c.id not in taken | {company.id}]
    return form


@meeting_requests.route("/events/<slug>/companies/<int:company_id>/requests", methods=["POST"])
def add(slug: str, company_id: int):
    """A request from this company, entered by the organiser; accepted at once if the other
    side has already said yes, else it waits for the other side's answer."""
    event = event_or_404(slug)
    company = row_or_404(Company, company_id, event)
    form = request_form(company)
    back = url_for("companies.detail", slug=slug, company_id=company_id) + "#requests"
    if not form.validate_on_submit():
        if form.message.errors:
            flash(say(MessageTooLong(TOO_LONG, most=MESSAGE_LONGEST)), "error")
        else:
            flash(_("Choose a company and a priority from 1 to 5."), "error")
        return redirect(back)
    other = row_or_404(Company, form.to.data, event)
    try:
        row = ask(
            db(),
            event,
            company,
            other,
            form.priority.data,
            "organiser",
            form.notes.data or None,
            form.message.data,
            by_organiser=True,
        )
        if form.accepted.data:
            set_status(db(), row, "accepted", row.version_id, f"organiser:{event.slug}")
    except Refusal as error:  # the pair has a request already; a message too long
        db().rollback()
        flash(say(error), "error")
        return redirect(back)
    db().commit()
    flash(
        _(
            "%(a)s and %(b)s: %(status)s",
            a=company.name,
            b=other.name,
            status=STATUS[row.status],
        ),
        "success",
    )
    return redirect(back)


# A large fair has tens of thousands of requests: one page of all of them would be tens of
# megabytes. The example event's 206 fit on one page.
REQUESTS_PER_PAGE = 250


@meeting_requests.route("/events/<slug>/requests/")
def index(slug: str):
    event = event_or_404(slug)
    status = request.args.get("status")
    query = request.args.get("q", "").strip()[:100]
    chosen = [MeetingRequest.event_id == event.id]
    if status in STATUSES:
        chosen.append(MeetingRequest.status == status)
    if query:  # a company's name or id, on either side
        named = select(Company.id).where(
            Company.event_id == event.id,
            Company.name.ilike(f"%{escape_like(query)}%", escape="\\")
            | Company.external_id.ilike(f"%{escape_like(query)}%", escape="\\"),
        )
        chosen.append(
            MeetingRequest.requester_id.in_(named) | MeetingRequest.requested_id.in_(named)
        )
    total = db().scalar(select(func.count()).select_from(MeetingRequest).where(*chosen))
    pages = max(1, ceil(total / REQUESTS_PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    rows = db().scalars(
        select(MeetingRequest)
        .where(*chosen)
        .options(joinedload(MeetingRequest.requester), joinedload(MeetingRequest.requested))
        .order_by(MeetingRequest.id)
        .limit(REQUESTS_PER_PAGE)
        .offset((page - 1) * REQUESTS_PER_PAGE)
    )
    return render_template(
        "meeting_requests/index.html",
        event=event,
        published=published_requests(event),
        requests=rows.all(),
        total=total,
        page=page,
        pages=pages,
        status=status,
        q=query,
        statuses=STATUSES,
    )


@meeting_requests.route("/events/<slug>/requests/<int:request_id>/")
def detail(slug: str, request_id: int):
    """One request as the organiser sees it: both companies, its status and why, and the
    whole conversation between them; answering on either's behalf."""
    event = event_or_404(slug)
    row = row_or_404(MeetingRequest, request_id, event)
    return render_template(
        "meeting_requests/detail.html",
        event=event,
        r=row,
        entries=threads(db(), [row])[row.id],
        published=published_requests(event),
        reasons=DECLINE_REASONS,
    )


def set_status_view(slug: str, request_id: int):
    """Accept or decline on the company's behalf (it answered by email or at the desk)."""
    event = event_or_404(slug)
    row = row_or_404(MeetingRequest, request_id, event)
    change_status(row, request.form.get("status", ""), f"organiser:{event.slug}", "organiser")
    back = local_path(request.args.get("back"))
    return redirect(back or url_for("meeting_requests.index", slug=slug))


def change_status(row: MeetingRequest, status: str, who: str, side: Side) -> None:
    """Shared by the organiser's and the company's pages: the version shown is the one
    checked, so two people answering at once cannot overwrite each other silently. Declining
    a published meeting cancels it for both companies at the next publication: it needs the
    form's confirmation (`confirm`), which the buttons ask for (templates/answers.html). A
    decline brings its reason and words (`reason`, `note`); the rules refuse in words."""
    version = request.form.get("version", type=int) or row.version_id
    if not may_answer(row, status, side):
        abort(400)
    try:
        confirmed = bool(request.form.get("confirm"))
        reason, note = request.form.get("reason") or None, request.form.get("note")
        answer(db(), row, status, version, who, confirmed, side, reason, note)
    except NeedsConfirmation:
        flash(
            _(
                "%(a)s and %(b)s: this meeting is published. Tick the box to confirm that "
                "it is cancelled for both companies.",
                a=row.requester.name,
                b=row.requested.name,
            ),
            "error",
        )
        return
    except Refusal as error:  # the transition, the reason, the rules for asking again
        db().rollback()
        flash(say(error), "error")
        return
    except EditConflict:
        db().rollback()
        flash(str(EDIT_CONFLICT), "error")
        return
    db().commit()
    flash(
        _(
            "%(a)s and %(b)s: %(status)s",
            a=row.requester.name,
            b=row.requested.name,
            status=STATUS[status],
        ),
        "success",
    )


def published_requests(event) -> frozenset[str]:
    """The event's requests with a published meeting (their decline asks to confirm)."""
    published = published_state(db(), event)
    return published.request_ids if published else frozenset()


meeting_requests.add_url_rule(
    "/events/<slug>/requests/<int:request_id>/status",
    endpoint="set_status",
    view_func=set_status_view,
    methods=["POST"],
)
