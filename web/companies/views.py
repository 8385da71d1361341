"""Organisers' pages for companies: the list with each private link, adding one by hand, and a
company's page (its requests, its link and rotating it, editing it, its attendees and the
times they cannot meet)."""

from __future__ import annotations

import json
from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError

from scheduler.calendars.agenda import agenda_days
from web.companies.forms import AttendeeForm, block_form
from web.companies.models import Attendee, Company, UnavailableBlock
from web.companies.operations import (
    AlreadyBlocked,
    AttendeeExists,
    CompanyInSchedule,
    TooManyBlocks,
    add_attendee,
    add_company,
    block_owner,
    block_time,
    blocks_of,
    local_span,
    outside_sessions,
    remove_attendee,
    remove_block,
    remove_company,
    rotate_token,
    update_attendee,
    update_company,
)
from web.companies.personal_data import ERASED, erase_person, personal_data
from web.db import EditConflict, escape_like
from web.events.video import video_links
from web.http import db, event_or_404, row_or_404
from web.labels import EDIT_CONFLICT, ROLE, withdrawn_notes
from web.meeting_requests.operations import requests_of
from web.meeting_requests.views import request_form
from web.portal.agenda import FILES
from web.schedules.drift import withdrawn_answers
from web.schedules.operations import (
    agenda_update,
    forget_published,
    published_clashes,
    published_state,
)

companies = Blueprint("companies", __name__, template_folder="templates")


@companies.before_request
@login_required
def organisers_only() -> None:
    """Every page here is the organiser's."""


class CompanyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired()])
    role = SelectField(
        _l("Role"),
        choices=[("delegation", _l("Delegation member")), ("corporate", _l("Corporate"))],
    )
    delegation = StringField(_l("Delegation"), validators=[Optional()])
    max_meetings_per_day = IntegerField(
        _l("Meetings a day at most"), validators=[Optional(), NumberRange(1, 100)]
    )
    max_meetings = IntegerField(
        _l("Meetings over the whole event at most"),
        validators=[Optional(), NumberRange(1, 100_000)],
        description=_l("The package it bought, if it limits meetings"),
    )
    min_meetings = IntegerField(
        _l("Guaranteed meetings"),
        validators=[Optional(), NumberRange(1, 100_000)],
        description=_l("Placed before any other meeting, wherever the schedule allows"),
    )
    attendees = TextAreaField(
        _l("Attendees"), description=_l("One name a line"), validators=[DataRequired()]
    )

    def validate_min_meetings(self, field) -> None:
        _guarantee_within_maximum(self, field)


class EditCompanyForm(FlaskForm):
    """The company's own fields; `version` is the row's version when the form was shown."""

    name = CompanyForm.name
    role = CompanyForm.role
    delegation = CompanyForm.delegation
    max_meetings_per_day = CompanyForm.max_meetings_per_day
    max_meetings = CompanyForm.max_meetings
    min_meetings = CompanyForm.min_meetings
    version = HiddenField(validators=[InputRequired()])

    def validate_min_meetings(self, field) -> None:
        _guarantee_within_maximum(self, field)


def _guarantee_within_maximum(form, field) -> None:
    """A guarantee above the company's own maximum could never be kept (the solver's reader
    refuses it too): said at the field, in the form's words."""
    most = form.max_meetings.data
    if field.data and most and field.data > most:
        raise ValidationError(
            _("At most %(most)d: the company may have no more meetings than that.", most=most)
        )


def _version(form) -> int:
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        abort(400)


@companies.route("/events/<slug>/companies/")
def index(slug: str):
    """The event's companies, found by a part of their name, id or delegation and by role (a
    fair of 1,500 is not read from the top)."""
    event = event_or_404(slug)
    query = request.args.get("q", "").strip()[:100]
    role = request.args.get("role") if request.args.get("role") in ROLE else None
    chosen = [Company.event_id == event.id]
    if query:
        pattern = f"%{escape_like(query)}%"
        chosen.append(
            Company.name.ilike(pattern, escape="\\")
            | Company.external_id.ilike(pattern, escape="\\")
            | Company.delegation.ilike(pattern, escape="\\")
        )
    if role:
        chosen.append(Company.role == role)
    rows = db().scalars(
        select(Company)
        .where(*chosen)
        .order_by(Company.name)
        .options(selectinload(Company.attendees))
    )
    total = db().scalar(select(func.count()).where(Company.event_id == event.id))
    return render_template(
        "companies/index.html", event=event, companies=rows.all(), total=total, q=query, role=role
    )


@companies.route("/events/<slug>/companies/new", methods=["GET", "POST"])
def new(slug: str):
    event = event_or_404(slug)
    form = CompanyForm()
    if form.validate_on_submit():
        names = [line.strip() for line in form.attendees.data.splitlines() if line.strip()]
        company = add_company(
            db(),
            event.id,
            form.name.data.strip(),
            form.role.data,
            names,
            form.delegation.data or None,
            form.max_meetings_per_day.data,
            form.max_meetings.data,
            form.min_meetings.data,
        )
        db().commit()
        flash(_("%(name)s added.", name=company.name), "success")
        return redirect(url_for("companies.detail", slug=slug, company_id=company.id))
    return render_template("companies/new.html", event=event, form=form)


@companies.route("/events/<slug>/companies/<int:company_id>")
def detail(slug: str, company_id: int):
    event = event_or_404(slug)
    company = row_or_404(Company, company_id, event)
    published = published_state(db(), event)
    meetings = published.agenda(company.external_id, video_links(event)) if published else []
    requests = requests_of(db(), company)
    zone = ZoneInfo(event.timezone)
    return render_template(
        "companies/detail.html",
        event=event,
        company=company,
        requests=requests,
        published=published,
        published_requests=published.request_ids if published else frozenset(),
        pending=withdrawn_notes(withdrawn_answers(published, requests), zone),
        update=agenda_update(db(), event, company.external_id),
        agenda_days=agenda_days(meetings),
        attendee_form=AttendeeForm(),
        request_form=request_form(company),
        block_form=block_form(company),
        blocks=blocks_of(company),
        rooms=[loc for loc in event.locations if loc.owner_id == company.id],
        zone=zone,
        removed=_removed_people(company),
    )


def _removed_people(company: Company) -> list[Attendee]:
    """People taken off the company but kept for a schedule's history, not yet erased."""
    return list(
        db().scalars(
            select(Attendee)
            .where(Attendee.company_id == company.id, Attendee.removed_at.is_not(None))
            .where(Attendee.name != ERASED)
            .order_by(Attendee.name)
        )
    )


@companies.route("/events/<slug>/companies/<int:company_id>/rotate", methods=["POST"])
def rotate(slug: str, company_id: int):
    """A new private link; the old one stops working at once."""
    event = event_or_404(slug)
    company = row_or_404(Company, company_id, event)
    if not request.form.get("confirm"):
        flash(_("Tick the box to confirm: the old link stops working at once."), "error")
        return redirect(url_for("companies.detail", slug=slug, company_id=company.id))
    rotate_token(db(), company)
    db().commit()
    flash(_("New private link made: the old one no longer works."), "success")
    return redirect(url_for("companies.detail", slug=slug, company_id=company.id))


@companies.route("/events/<slug>/companies/<int:company_id>/delete", methods=["POST"])
def delete(slug: str, company_id: int):
    """Delete a company entered by mistake; one on a kept schedule stays (its requests can be
    cancelled instead)."""
    event = event_or_404(slug)
    company = row_or_404(Company, company_id, event)
    here = url_for("companies.detail", slug=slug, company_id=company.id)
    name = company.name
    if not request.form.get("confirm"):
        flash(_("Tick the box to confirm deleting %(name)s.", name=name), "error")
        return redirect(here)
    try:
        remove_company(db(), company)
    except CompanyInSchedule as used:
        db().rollback()
        flash(
            _(
                "%(name)s has requests in schedule version %(versions)s, so stays: cancel its "
                "requests instead.",
                name=name,
                versions=str(used),
            ),
            "error",
        )
        return redirect(here)
    db().commit()
    flash(_("%(name)s deleted.", name=name), "success")
    return redirect(url_for("companies.index", slug=slug))


@companies.route("/events/<slug>/companies/<int:company_id>/edit", methods=["GET", "POST"])
def edit(slug: str, company_id: int):
    """The company's name, role, delegation and daily maximum; a concurrent edit is refused."""
    event = event_or_404(slug)
    company = row_or_404(Company, company_id, event)
    form = EditCompanyForm(obj=company, version=company.version_id)
    if form.validate_on_submit():
        try:
            update_company(
                db(),
                company,
                _version(form),
                name=form.name.data.strip(),
                role=form.role.data,
                delegation=(form.delegation.data or "").strip() or None,
                max_meetings_per_day=form.max_meetings_per_day.data,
                max_meetings=form.max_meetings.data,
                min_meetings=form.min_meetings.data,
            )
        except EditConflict:
            db().rollback()
            flash(str(EDIT_CONFLICT), "error")
            return redirect(url_for("companies.edit", slug=slug, company_id=company_id))
        db().commit()
        flash(_("%(name)s saved.", name=company.name), "success")
        return redirect(url_for("companies.detail", slug=slug, company_id=company.id))
    return render_template("companies/edit.html", event=event, company=company, form=form)


@companies.route("/events/<slug>/companies/<int:company_id>/attendees", methods=["POST"])
def new_attendee(slug: str, company_id: int):
    event = event_or_404(slug)
    company = row_or_404(Company, company_id, event)
    form = AttendeeForm()
    if not form.validate_on_submit():
        _flash_errors(form)
    else:
        try:
            person = add_attendee(db(), company, form.name.data, form.title.data, form.email.data)
        except AttendeeExists as same:
            db().rollback()
            flash(
                _(
                    "%(name)s is already one of %(company)s's people.",
                    name=str(same),
                    company=company.name,
                ),
                "notice",
            )
        else:
            db().commit()
            flash(_("%(name)s added.", name=person.name), "success")
    return redirect(url_for("companies.detail", slug=slug, company_id=company.id) + "#attendees")


@companies.route("/events/<slug>/attendees/<int:attendee_id>/edit", methods=["GET", "POST"])
def edit_attendee(slug: str, attendee_id: int):
    event = event_or_404(slug)
    person = row_or_404(Attendee, attendee_id, event)
    form = AttendeeForm(obj=person, version=person.version_id)
    back = url_for("companies.detail", slug=slug, company_id=person.company_id) + "#attendees"
    if form.validate_on_submit():
        try:
            update_attendee(
                db(),
                person,
                _version(form),
                name=form.name.data.strip(),
                title=(form.title.data or "").strip() or None,
                email=(form.email.data or "").strip() or None,
            )
        except EditConflict:
            db().rollback()
            flash(str(EDIT_CONFLICT), "error")
            return redirect(url_for("companies.edit_attendee", slug=slug, attendee_id=attendee_id))
        db().commit()
        flash(_("%(name)s saved.", name=person.name), "success")
        return redirect(back)
    return render_template(
        "companies/attendee.html", event=event, attendee=person, form=form, back=back
    )


@companies.route("/events/<slug>/attendees/<int:attendee_id>/remove", methods=["POST"])
def delete_attendee(slug: str, attendee_id: int):
    event = event_or_404(slug)
    person = row_or_404(Attendee, attendee_id, event)
    company_id, name = person.company_id, person.name
    back = url_for("companies.detail", slug=slug, company_id=company_id) + "#attendees"
    if not request.form.get("confirm"):
        flash(_("Tick the box to confirm removing %(name)s.", name=name), "error")
        return redirect(back)
    remove_attendee(db(), person)
    db().commit()
    flash(_("%(name)s removed.", name=name), "success")
    if person.removed_at is not None:
        flash(
            _(
                "%(name)s's meetings in a kept schedule stay on the agendas until you solve "
                "again and publish; that solve gives them to a colleague where it can (the "
                "overview lists them).",
                name=name,
            ),
            "notice",
        )
    return redirect(back)


@companies.route("/events/<slug>/attendees/<int:attendee_id>/personal-data")
def download_personal_data(slug: str, attendee_id: int):
    """Everything kept about one person, for the organiser to hand over on request."""
    event = event_or_404(slug)
    person = row_or_404(Attendee, attendee_id, event)
    body = json.dumps(personal_data(db(), person), ensure_ascii=False, indent=2)
    name = f"personal-data-{event.slug}-{person.id}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@companies.route("/events/<slug>/attendees/<int:attendee_id>/erase", methods=["POST"])
def erase_attendee(slug: str, attendee_id: int):
    event = event_or_404(slug)
    person = row_or_404(Attendee, attendee_id, event)
    company_id, name = person.company_id, person.name
    back = url_for("companies.detail", slug=slug, company_id=company_id) + "#attendees"
    if not request.form.get("confirm"):
        flash(_("Tick the box to confirm erasing %(name)s.", name=name), "error")
        return redirect(back)
    erase_person(db(), person)
    db().commit()
    forget_published()  # what agendas and feeds kept in memory may still carry the name
    FILES.clear()
    flash(
        _(
            "%(name)s erased: their name, title, email address, link and messages are gone; "
            "meetings of a kept schedule show them as erased.",
            name=name,
        ),
        "success",
    )
    return redirect(back)


@companies.route("/events/<slug>/companies/<int:company_id>/unavailable", methods=["POST"])
def block(slug: str, company_id: int):
    """A time the company, or one of its attendees, cannot meet (entered by the organiser)."""
    event = event_or_404(slug)
    company = row_or_404(Company, company_id, event)
    form = block_form(company)
    if not (form.validate_on_submit() and form.end.data > form.start.data):
        flash(_("Give a day and a time span that ends after it starts."), "error")
        return redirect(
            url_for("companies.detail", slug=slug, company_id=company.id) + "#unavailable"
        )
    person = row_or_404(Attendee, form.who.data, event) if form.who.data else None
    if person is not None and person.company_id != company.id:
        abort(404)
    day = date.fromisoformat(form.day.data)
    start, end = local_span(event.timezone, day, form.start.data, form.end.data)
    try:
        block_time(db(), company, start, end, person)
    except AlreadyBlocked:
        db().rollback()
        flash(_("That time is already blocked."), "notice")
    except TooManyBlocks:
        db().rollback()
        flash(
            _(
                "%(name)s has %(count)d blocked times, the most there may be: remove some first.",
                name=company.name,
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
        clashes = published_clashes(db(), company, start, end, person)
        if clashes:
            flash(
                ngettext(
                    "%(num)d published meeting falls in that time (at %(time)s). It stays on "
                    "the agendas until you solve again and publish.",
                    "%(num)d published meetings fall in that time (the first at %(time)s). "
                    "They stay on the agendas until you solve again and publish.",
                    len(clashes),
                    time=clashes[0].start.strftime("%Y-%m-%d %H:%M"),
                ),
                "notice",
            )
    return redirect(url_for("companies.detail", slug=slug, company_id=company.id) + "#unavailable")


@companies.route("/events/<slug>/unavailable/<int:block_id>/remove", methods=["POST"])
def unblock(slug: str, block_id: int):
    event = event_or_404(slug)
    row = row_or_404(UnavailableBlock, block_id, event)
    company = block_owner(row)
    remove_block(db(), row)
    db().commit()
    flash(_("Time freed."), "success")
    return redirect(url_for("companies.detail", slug=slug, company_id=company.id) + "#unavailable")


def _flash_errors(form: FlaskForm) -> None:
    for field_name, errors in form.errors.items():
        label = getattr(form, field_name).label.text
        for error in errors:
            flash(f"{label}: {error}", "error")
