"""Organisers' pages for companies: the list with each private link, adding one by hand, and a
company's page (its requests, its link and rotating it)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional

from web.companies.models import Company
from web.companies.operations import add_company, rotate_token
from web.http import db, event_or_404, row_or_404
from web.meeting_requests.models import MeetingRequest

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
    attendees = TextAreaField(
        _l("Attendees"), description=_l("One name a line"), validators=[DataRequired()]
    )


@companies.route("/events/<slug>/companies/")
def index(slug: str):
    event = event_or_404(slug)
    rows = (
        db()
        .scalars(select(Company).where(Company.event_id == event.id).order_by(Company.name))
        .all()
    )
    return render_template("companies/index.html", event=event, companies=rows)


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
        )
        db().commit()
        flash(_("%(name)s added.", name=company.name), "success")
        return redirect(url_for("companies.detail", slug=slug, company_id=company.id))
    return render_template("companies/new.html", event=event, form=form)


@companies.route("/events/<slug>/companies/<int:company_id>")
def detail(slug: str, company_id: int):
    event = event_or_404(slug)
    company = row_or_404(Company, company_id, event)
    requests = (
        db()
        .scalars(
            select(MeetingRequest)
            .where(
                or_(
                    MeetingRequest.requester_id == company.id,
                    MeetingRequest.requested_id == company.id,
                )
            )
            .order_by(MeetingRequest.created_at)
        )
        .all()
    )
    return render_template("companies/detail.html", event=event, company=company, requests=requests)


@companies.route("/events/<slug>/companies/<int:company_id>/rotate", methods=["POST"])
def rotate(slug: str, company_id: int):
    """A new private link; the old one stops working at once."""
    event = event_or_404(slug)
    company = row_or_404(Company, company_id, event)
    rotate_token(db(), company)
    db().commit()
    flash(_("New private link made: the old one no longer works."), "success")
    return redirect(url_for("companies.detail", slug=slug, company_id=company.id))
