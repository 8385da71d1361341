"""Organisers' pages for an event: the list, setup (days, sessions, tables), the overview
with its warnings, and importing files."""

from __future__ import annotations

import re
import tempfile
from datetime import date, time
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy import select
from werkzeug.utils import secure_filename
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional, Regexp, ValidationError

from scheduler.formats.problems import InvalidInput
from web.db import EditConflict, apply_edit
from web.events.models import Event
from web.events.operations import create_event, set_days, set_table_count
from web.events.overview import overview
from web.http import db, event_or_404
from web.importing.files import import_file

events = Blueprint("events", __name__, template_folder="templates")


@events.before_request
@login_required
def organisers_only() -> None:
    """Every page here is the organiser's."""


DAY_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})((?:\s+\d{1,2}:\d{2}-\d{1,2}:\d{2})+)$")


class SetupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired()])
    venue = StringField(_l("Venue"), validators=[Optional()])
    timezone = SelectField(_l("Time zone"), choices=sorted(available_timezones()))
    slot_minutes = IntegerField(_l("Slot length (minutes)"), validators=[NumberRange(5, 240)])
    days = TextAreaField(
        _l("Days and sessions"),
        description=_l("One day a line: date, then its sessions, e.g. 2026-10-14 10:00-12:30"),
        validators=[DataRequired()],
        render_kw={"rows": 4},
    )
    tables = IntegerField(_l("Shared tables"), validators=[NumberRange(0, 2000)])
    version = IntegerField(widget=None, validators=[Optional()])

    def validate_days(self, field) -> None:
        try:
            field.parsed = parse_days(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class NewEventForm(SetupForm):
    slug = StringField(
        _l("Short name (in links)"),
        validators=[DataRequired(), Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("a-z, 0-9 and -"))],
    )


class ImportForm(FlaskForm):
    file = FileField(
        _l("File"),
        validators=[FileRequired(), FileAllowed(["json", "xlsx", "csv", "zip"])],
        description=_l("Instance JSON, Excel workbook, CSV sheet or .zip of CSV sheets"),
    )


class ImportEventForm(ImportForm):
    slug = StringField(
        _l("Short name (in links)"),
        validators=[DataRequired(), Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("a-z, 0-9 and -"))],
    )


def parse_days(text: str) -> list[tuple[date, list[tuple[time, time]]]]:
    days = []
    for number, line in enumerate(text.strip().splitlines(), start=1):
        match = DAY_LINE.match(line.strip())
        if not match:
            raise ValueError(_("line %(n)d: write 2026-10-14 10:00-12:30 13:30-17:30", n=number))
        sessions = []
        for span in match.group(2).split():
            start, end = (time.fromisoformat(t.zfill(5)) for t in span.split("-"))
            if end <= start:
                raise ValueError(_("line %(n)d: a session ends after it starts", n=number))
            sessions.append((start, end))
        days.append((date.fromisoformat(match.group(1)), sessions))
    return days


def days_text(event: Event) -> str:
    local = ZoneInfo(event.timezone)
    return "\n".join(
        f"{day.date.isoformat()} "
        + " ".join(
            f"{s.start.astimezone(local):%H:%M}-{s.end.astimezone(local):%H:%M}"
            for s in day.sessions
        )
        for day in event.days
    )


@events.route("/")
def index():
    rows = db().scalars(select(Event).order_by(Event.created_at.desc())).all()
    return render_template("events/index.html", events=rows, import_form=ImportEventForm())


@events.route("/events/import", methods=["POST"])
def import_event():
    """A whole event from its instance file (or into an existing one, by short name)."""
    form = ImportEventForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("events.index"))
    return _import(form, form.slug.data)


@events.route("/events/new", methods=["GET", "POST"])
def new():
    form = NewEventForm(timezone="Asia/Tokyo", slot_minutes=30, tables=10)
    if form.validate_on_submit():
        session = db()
        if session.scalar(select(Event).where(Event.slug == form.slug.data)) is not None:
            form.slug.errors.append(_("This short name is taken."))
        else:
            event = create_event(
                session,
                form.slug.data,
                form.name.data,
                form.timezone.data,
                form.slot_minutes.data,
                form.venue.data or None,
            )
            set_days(session, event, form.days.parsed)
            set_table_count(session, event, form.tables.data)
            session.commit()
            flash(_("Event created. Now add or import its companies."), "success")
            return redirect(url_for("events.dashboard", slug=event.slug))
    return render_template("events/edit.html", form=form, event=None)


@events.route("/events/<slug>/")
def dashboard(slug: str):
    event = event_or_404(slug)
    return render_template(
        "events/dashboard.html",
        event=event,
        overview=overview(db(), event),
        import_form=ImportForm(),
    )


@events.route("/events/<slug>/setup", methods=["GET", "POST"])
def edit(slug: str):
    event = event_or_404(slug)
    shared = [loc for loc in event.locations if loc.owner_id is None]
    form = SetupForm(obj=event, days=days_text(event), tables=len(shared), version=event.version_id)
    if form.validate_on_submit():
        session = db()
        changes = {
            "name": form.name.data,
            "venue": form.venue.data or None,
            "timezone": form.timezone.data,
            "slot_minutes": form.slot_minutes.data,
        }
        try:
            apply_edit(session, event, form.version.data or event.version_id, changes)
        except EditConflict:
            session.rollback()
            flash(_("Someone else changed this event meanwhile: check and save again."), "error")
            return redirect(url_for("events.edit", slug=slug))
        set_days(session, event, form.days.parsed)
        set_table_count(session, event, form.tables.data)
        session.commit()
        flash(_("Setup saved."), "success")
        return redirect(url_for("events.dashboard", slug=slug))
    return render_template("events/edit.html", form=form, event=event)


@events.route("/events/<slug>/import", methods=["POST"])
def import_data(slug: str):
    """Import a file into the event, all or nothing; list every problem if it fails."""
    event_or_404(slug)
    form = ImportForm()
    if not form.validate_on_submit():
        for error in form.file.errors:
            flash(error, "error")
        return redirect(url_for("events.dashboard", slug=slug))
    return _import(form, slug)


def _import(form: ImportForm, slug: str):
    upload = form.file.data
    session = db()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / (secure_filename(upload.filename) or "upload.json")
        upload.save(path)
        try:
            report = import_file(session, path, slug)
        except InvalidInput as error:
            session.rollback()
            return render_template(
                "events/import_failed.html", slug=slug, problems=error.problems, file=path.name
            ), 422
    session.commit()
    flash(_("Imported %(file)s: %(report)s", file=path.name, report="; ".join(report.lines())))
    return redirect(url_for("events.dashboard", slug=slug))
