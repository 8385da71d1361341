"""Organisers' pages for an event: the list, setup (days, sessions, tables), the overview
with its warnings, and importing files."""

from __future__ import annotations

import re
import tempfile
from datetime import date, time
from itertools import pairwise
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from scheduler.calendars.video import PLACEHOLDERS, check_label, check_link
from scheduler.formats.problems import InvalidInput
from scheduler.words import Refusal
from web.companies.models import Company
from web.db import EditConflict, apply_edit
from web.events.models import Event, Location
from web.events.operations import (
    LocationInUse,
    add_location,
    create_event,
    delete_event,
    get_event,
    remove_location,
    set_days,
    set_table_count,
    update_location,
    versions_using_each,
)
from web.events.overview import overview
from web.http import db, event_or_404, row_or_404
from web.importing.export import export_file, write_workbook
from web.importing.files import import_file
from web.importing.template import template_rows
from web.labels import EDIT_CONFLICT, say, zone_choices
from web.languages import LANGUAGES
from web.meeting_requests.rules import rules_of, set_rules
from web.members.operations import events_of, grant, role_of
from web.members.roles import may
from web.notifications.models import KINDS as MAIL_KINDS
from web.portal.agenda import FILES
from web.schedules.drift import published_drift
from web.schedules.operations import current_version, setup_misfits
from web.widgets import LongSelect

events = Blueprint("events", __name__, template_folder="templates")


@events.before_request
@login_required
def organisers_only() -> None:
    """Every page here is the organiser's."""


DAY_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})((?:\s+\d{1,2}:\d{2}-\d{1,2}:\d{2})+)$")


class SetupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired()])
    venue = StringField(_l("Venue"), validators=[Optional()])
    timezone = SelectField(_l("Time zone"), widget=LongSelect())
    slot_minutes = IntegerField(_l("Slot length (minutes)"), validators=[NumberRange(5, 240)])
    days = TextAreaField(
        _l("Days and sessions"),
        description=_l("One day a line: date, then its sessions, e.g. 2026-10-14 10:00-12:30"),
        validators=[DataRequired()],
        render_kw={"rows": 4},
    )
    tables = IntegerField(_l("Shared tables"), validators=[NumberRange(0, 2000)])
    language = SelectField(
        _l("Language of messages"),
        choices=list(LANGUAGES.items()),
        default="en",
        description=_l("For companies that have chosen none"),
    )
    alarm_minutes = IntegerField(
        _l("Calendar reminder (minutes before each meeting)"),
        default=15,
        validators=[NumberRange(0, 24 * 60)],
        description=_l("0: no reminder"),
    )
    video_mode = SelectField(
        _l("Video links for hybrid meetings"),
        choices=[
            ("none", _l("none")),
            ("table", _l("a link per table (set on each table)")),
            ("meeting", _l("a link per meeting, from the video service's address")),
        ],
        default="none",
    )
    video_label = StringField(
        _l("Video service"),
        validators=[Optional()],
        description=_l("Its name as agendas and calendars show it, e.g. Zoom"),
    )
    video_template = StringField(
        _l("Video address for each meeting"),
        validators=[Optional()],
        description=_l(
            "An https address; {meeting} becomes the meeting's own id and {table} the table's, "
            "e.g. https://meet.example.com/partnering-{meeting}"
        ),
    )
    version = IntegerField(widget=None, validators=[Optional()])
    take_out = BooleanField(
        _l("Save anyway: these meetings come out of the schedule when I next solve and publish")
    )

    def validate_video_mode(self, field) -> None:
        if field.data == "meeting" and not (self.video_template.data or "").strip():
            raise ValidationError(_("Give the address each meeting's link is made from."))

    def validate_video_template(self, field) -> None:
        if (field.data or "").strip():
            try:
                field.data = check_link(field.data, PLACEHOLDERS)
            except ValueError as error:
                raise ValidationError(say(error)) from None

    def validate_video_label(self, field) -> None:
        if (field.data or "").strip():
            try:
                field.data = check_label(field.data)
            except ValueError as error:
                raise ValidationError(say(error)) from None

    def validate_days(self, field) -> None:
        """The days as the solver will read them: a session the slots do not divide, two
        sessions that overlap or a day given twice would fail every solve, so none is saved."""
        if not isinstance(field.data, str):  # posted without the field: the event's own rows
            raise ValidationError(_("Give the days and sessions, one day a line."))
        try:
            field.parsed = parse_days(field.data)
        except ValueError as error:
            raise ValidationError(say(error)) from None
        slot = self.slot_minutes.data
        problems = session_problems(field.parsed, slot) if isinstance(slot, int) and slot else []
        if problems:
            raise ValidationError(" ".join(problems))


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


KINDS = {"table": _l("Table"), "room": _l("Room"), "booth": _l("Booth")}


class LocationForm(FlaskForm):
    """A table, room or booth; an owner makes it that company's own (its meetings only)."""

    name = StringField(_l("Name"), validators=[DataRequired()])
    kind = SelectField(_l("Kind"), choices=list(KINDS.items()))
    owner = SelectField(
        _l("Owner"),
        coerce=int,
        description=_l("Only this company meets there"),
        widget=LongSelect(),
    )
    video_url = StringField(
        _l("Video link"),
        validators=[Optional()],
        description=_l("For hybrid meetings at this table: an https address"),
    )
    version = HiddenField()

    def validate_video_url(self, field) -> None:
        if (field.data or "").strip():
            try:
                field.data = check_link(field.data)
            except ValueError as error:
                raise ValidationError(say(error)) from None


def _location_form(event: Event, **values) -> LocationForm:
    form = LocationForm(**values)
    form.owner.choices = [(0, _("nobody (shared)"))] + [(c.id, c.name) for c in _companies(event)]
    return form


def _companies(event: Event) -> list[Company]:
    query = select(Company).where(Company.event_id == event.id).order_by(Company.name)
    return list(db().scalars(query))


IMPORTED = {
    "event": _l("event"),
    "companies": _l("companies"),
    "attendees": _l("attendees"),
    "locations": _l("tables and rooms"),
    "availability": _l("blocked times"),
    "requests": _l("requests"),
    "fixed meetings": _l("fixed meetings"),
}


def import_summary(report) -> str:
    """What an import changed, in a line: only the kinds with something new or updated."""
    parts = []
    for kind, counts in report.counts.items():
        changes = []
        if counts["created"]:
            changes.append(_("%(n)d new", n=counts["created"]))
        if counts["updated"]:
            changes.append(_("%(n)d updated", n=counts["updated"]))
        if changes:
            parts.append(f"{IMPORTED.get(kind, kind)} {', '.join(changes)}")
    return "; ".join(parts) or _("nothing changed")


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


def session_problems(days: list[tuple[date, list[tuple[time, time]]]], slot: int) -> list[str]:
    """What the solver's reader would refuse in these days, in the setup form's words."""
    problems, seen = [], set()
    for number, (day, sessions) in enumerate(days, start=1):
        if day in seen:
            problems.append(
                _(
                    "Line %(n)d: %(day)s is given twice; give each day once, with all its "
                    "sessions.",
                    n=number,
                    day=day.isoformat(),
                )
            )
        seen.add(day)
        spans = sorted((_minutes(s), _minutes(e)) for s, e in sessions)
        for start, end in spans:
            if (end - start) % slot:
                fit = start + (end - start) // slot * slot
                problems.append(
                    _(
                        "Line %(n)d: %(span)s is %(minutes)d minutes, not a whole number of "
                        "%(slot)d-minute slots; end it at %(fit)s or change the slot length.",
                        n=number,
                        span=f"{_clock(start)}-{_clock(end)}",
                        minutes=end - start,
                        slot=slot,
                        fit=_clock(fit) if fit > start else _clock(start + slot),
                    )
                )
        for (a_start, a_end), (b_start, b_end) in pairwise(spans):
            if b_start < a_end:
                problems.append(
                    _(
                        "Line %(n)d: the sessions %(a)s and %(b)s overlap; a day's sessions "
                        "follow one another.",
                        n=number,
                        a=f"{_clock(a_start)}-{_clock(a_end)}",
                        b=f"{_clock(b_start)}-{_clock(b_end)}",
                    )
                )
    return problems


def _minutes(clock: time) -> int:
    return clock.hour * 60 + clock.minute


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


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
    """The events the organiser has a role on (and only those)."""
    mine = events_of(db(), current_user)
    return render_template(
        "events/index.html",
        events=[event for event, _role in mine],
        roles={event.id: role for event, role in mine},
        import_form=ImportEventForm(),
    )


@events.route("/events/import", methods=["POST"])
def import_event():
    """A whole event from its instance file (or into an existing one, by short name)."""
    form = ImportEventForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("events.index"))
    existing = db().scalar(select(Event.id).where(Event.slug == form.slug.data))
    if existing is not None:
        # Into an event that exists: as the event's own import page would (roles.py).
        role = role_of(db(), existing, current_user.id)
        if role is None:
            abort(404)
        if not may(role, "events.import_data", "POST"):
            abort(403)
    return _import(form, form.slug.data, new=existing is None)


@events.route("/events/new", methods=["GET", "POST"])
def new():
    form = NewEventForm(timezone="Asia/Tokyo", slot_minutes=30, tables=10)
    form.timezone.choices = zone_choices()
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
            grant(session, event, current_user, "owner")
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
        drift=published_drift(db(), event),
        import_form=ImportForm(),
    )


@events.route("/events/<slug>/delete", methods=["POST"])
def delete(slug: str):
    """Delete the whole event: only with its short name typed, as it cannot be undone."""
    event = event_or_404(slug)
    if request.form.get("confirm", "").strip() != event.slug:
        flash(_("Type the event's short name (%(slug)s) to delete it.", slug=event.slug), "error")
        return redirect(url_for("events.edit", slug=slug) + "#delete")
    name = event.name
    delete_event(db(), event)
    db().commit()
    flash(_("%(name)s deleted.", name=name), "success")
    return redirect(url_for("events.index"))


@events.route("/events/<slug>/setup", methods=["GET", "POST"])
def edit(slug: str):
    event = event_or_404(slug)
    shared = [loc for loc in event.locations if loc.owner_id is None]
    form = SetupForm(obj=event, tables=len(shared), version=event.version_id)
    form.timezone.choices = zone_choices(event.timezone)
    if not form.is_submitted():
        # WTForms prefers `obj`'s attribute to a keyword: event.days are rows, not text.
        form.days.data = days_text(event)
    if form.validate_on_submit():
        session = db()
        misfits = setup_misfits(
            session, event, form.slot_minutes.data, form.days.parsed, form.timezone.data
        )
        if misfits and not form.take_out.data:
            return render_template(
                "events/edit.html",
                form=form,
                event=event,
                misfits=misfits,
                mail_kinds=MAIL_KINDS,
                rules_form=rules_form(event, formdata=None),
            )
        changes = {
            "name": form.name.data,
            "venue": form.venue.data or None,
            "timezone": form.timezone.data,
            "slot_minutes": form.slot_minutes.data,
            "language": form.language.data,
            "mail_off": _mail_off(event),
            "alarm_minutes": form.alarm_minutes.data,
            "video_mode": form.video_mode.data,
            "video_label": form.video_label.data or None,
            "video_template": form.video_template.data or None,
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
        FILES.clear()  # feeds kept in memory carry the reminder: write them anew
        flash(_("Setup saved."), "success")
        if misfits:
            flash(
                ngettext(
                    "%(num)d published meeting no longer fits the setup. It stays on the "
                    "agendas until you solve again and publish; that solve places it anew "
                    "where it can.",
                    "%(num)d published meetings no longer fit the setup. They stay on the "
                    "agendas until you solve again and publish; that solve places them anew "
                    "where it can.",
                    len(misfits),
                ),
                "notice",
            )
        return redirect(url_for("events.dashboard", slug=slug))
    return render_template(
        "events/edit.html",
        form=form,
        event=event,
        mail_kinds=MAIL_KINDS,
        rules_form=rules_form(event, formdata=None),
    )


ASK_AGAIN_CHOICES = {
    "withdrawn": _l("after withdrawing it, not after a decline"),
    "both": _l("after withdrawing it or a decline"),
    "never": _l("never"),
}
AT_SOLVE_CHOICES = {
    "wait": _l("left out of the solve; they stay open for the next one"),
    "expire": _l("left out of the solve and declined as expired when it starts"),
}


class RequestRulesForm(FlaskForm):
    """The rules companies ask under (web.meeting_requests.rules), on the event's clock."""

    opens_at = DateTimeLocalField(
        _l("Requests open"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description=_l("on the event's clock; empty: from now"),
    )
    closes_at = DateTimeLocalField(
        _l("Requests close"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description=_l("on the event's clock; empty: never. Reminders go out 48 hours before"),
    )
    pending_cap = IntegerField(
        _l("Requests a company may have awaiting an answer at once"),
        validators=[Optional(), NumberRange(1, 10000)],
        description=_l("empty: no limit"),
    )
    expire_days = IntegerField(
        _l("Unanswered requests expire after (days)"),
        validators=[Optional(), NumberRange(1, 365)],
        description=_l("they become declined, as expired; empty: never"),
    )
    ask_again = SelectField(
        _l("A company may ask the same company again"), choices=list(ASK_AGAIN_CHOICES.items())
    )
    at_solve = SelectField(
        _l("Requests still awaiting an answer at a solve are"),
        choices=list(AT_SOLVE_CHOICES.items()),
    )
    version = HiddenField()


def rules_form(event: Event, **values) -> RequestRulesForm:
    """The form, filled from the stored rules (times on the event's clock)."""
    rules = rules_of(db(), event)
    zone = ZoneInfo(event.timezone)

    def local(moment):
        return moment.astimezone(zone).replace(tzinfo=None) if moment else None

    return RequestRulesForm(
        opens_at=local(rules.opens_at),
        closes_at=local(rules.closes_at),
        pending_cap=rules.pending_cap,
        expire_days=rules.expire_days,
        ask_again=rules.ask_again,
        at_solve=rules.at_solve,
        version=rules.version_id or "",
        **values,
    )


@events.route("/events/<slug>/setup/requests", methods=["POST"])
def request_rules(slug: str):
    """Save the event's request rules (a form of their own on the setup page)."""
    event = event_or_404(slug)
    form = rules_form(event)
    back = url_for("events.edit", slug=slug) + "#request-rules"
    if not form.validate_on_submit():
        for name, errors in form.errors.items():
            for error in errors:
                flash(f"{getattr(form, name).label.text}: {error}", "error")
        return redirect(back)
    zone = ZoneInfo(event.timezone)

    def instant(local):
        return local.replace(tzinfo=zone) if local else None

    values = {
        "opens_at": instant(form.opens_at.data),
        "closes_at": instant(form.closes_at.data),
        "pending_cap": form.pending_cap.data,
        "expire_days": form.expire_days.data,
        "ask_again": form.ask_again.data,
        "at_solve": form.at_solve.data,
    }
    given = str(form.version.data or "")
    version = int(given) if given.isascii() and given.isdigit() else None
    try:
        set_rules(db(), event, version, **values)
    except Refusal as error:
        db().rollback()
        flash(say(error), "error")
        return redirect(back)
    except EditConflict:
        db().rollback()
        flash(str(EDIT_CONFLICT), "error")
        return redirect(back)
    db().commit()
    flash(_("Request rules saved."), "success")
    return redirect(back)


def _mail_off(event: Event) -> list[str]:
    """The kinds of message left unticked on the setup form (as they were, if the form did
    not show them: an unticked box is not sent at all)."""
    if "mail_shown" not in request.form:
        return list(event.mail_off or [])
    ticked = set(request.form.getlist("mail_on"))
    return [kind for kind in MAIL_KINDS if kind not in ticked]


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


# A file with a mistake on every row of a large fair would list 100,000 problems: the page
# shows the first ones (the pattern is plain from them) and how many more there are.
PROBLEMS_SHOWN = 1000


def _upload_name(given: str | None) -> str:
    """The uploaded file's own name, which problems are named by ("京都.json" as chosen):
    only its last part, without control characters; a name with nothing left is "upload".
    (werkzeug's secure_filename would make "京都.json" into "json", no longer a JSON file.)"""
    name = PurePosixPath((given or "").replace("\\", "/")).name
    name = "".join(c for c in name if c.isprintable()).strip()
    if len(name.encode()) > 200:  # a file name holds 255 bytes at most
        suffix = PurePosixPath(name).suffix[:10]
        name = name.encode()[: 200 - len(suffix.encode())].decode(errors="ignore") + suffix
    return name if name not in ("", ".", "..") else "upload"


def _import(form: ImportForm, slug: str, new: bool = False):
    """`new`: the event is made by this import, and its maker becomes its owner."""
    upload = form.file.data
    session = db()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / _upload_name(upload.filename)
        upload.save(path)
        try:
            report = import_file(session, path, slug)
            if new:
                grant(session, get_event(session, slug), current_user, "owner")
        except InvalidInput as error:
            session.rollback()
            return render_template(
                "events/import_failed.html",
                slug=slug,
                problems=error.problems[:PROBLEMS_SHOWN],
                more=max(0, len(error.problems) - PROBLEMS_SHOWN),
                file=path.name,
            ), 422
    session.commit()
    flash(_("Imported %(file)s: %(report)s", file=path.name, report=import_summary(report)))
    return redirect(url_for("events.dashboard", slug=slug))


@events.route("/events/<slug>/locations/")
def locations(slug: str):
    """The event's tables, rooms and booths, which schedule versions use them, and adding one."""
    event = event_or_404(slug)
    published = current_version(db(), event)
    used = versions_using_each(db(), event)
    rows = [(loc, used.get(loc.id, [])) for loc in event.locations]
    return render_template(
        "events/locations.html",
        event=event,
        rows=rows,
        owners={c.id: c for c in _companies(event)},
        published=published.number if published else None,
        form=_location_form(event, formdata=None),
        kinds=KINDS,
    )


@events.route("/events/<slug>/locations/", methods=["POST"])
def new_location(slug: str):
    event = event_or_404(slug)
    form = _location_form(event)
    if form.validate_on_submit():
        location = add_location(
            db(), event, form.name.data.strip(), form.kind.data, form.owner.data or None
        )
        db().commit()
        flash(_("%(name)s added.", name=location.name), "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    return redirect(url_for("events.locations", slug=slug))


@events.route("/events/<slug>/locations/<int:location_id>/edit", methods=["GET", "POST"])
def edit_location(slug: str, location_id: int):
    event = event_or_404(slug)
    location = row_or_404(Location, location_id, event)
    form = _location_form(
        event, obj=location, owner=location.owner_id or 0, version=location.version_id
    )
    if form.validate_on_submit():
        try:
            version = int(form.version.data)
        except (TypeError, ValueError):
            abort(400)
        try:
            update_location(
                db(),
                location,
                version,
                name=form.name.data.strip(),
                kind=form.kind.data,
                owner_id=form.owner.data or None,
                video_url=form.video_url.data or None,
            )
        except EditConflict:
            db().rollback()
            flash(
                str(EDIT_CONFLICT),
                "error",
            )
            return redirect(url_for("events.edit_location", slug=slug, location_id=location_id))
        db().commit()
        FILES.clear()  # feeds kept in memory carry the table's video link
        flash(_("%(name)s saved.", name=location.name), "success")
        return redirect(url_for("events.locations", slug=slug))
    return render_template("events/location.html", event=event, location=location, form=form)


@events.route("/events/<slug>/locations/<int:location_id>/remove", methods=["POST"])
def delete_location(slug: str, location_id: int):
    event = event_or_404(slug)
    location = row_or_404(Location, location_id, event)
    name = location.name
    try:
        remove_location(db(), location)
    except LocationInUse as used:
        db().rollback()
        flash(
            _(
                "%(name)s has meetings in schedule version %(versions)s, so stays: "
                "the history must stay whole.",
                name=name,
                versions=", ".join(str(n) for n in used.versions),
            ),
            "error",
        )
    else:
        db().commit()
        flash(_("%(name)s removed.", name=name), "success")
    return redirect(url_for("events.locations", slug=slug))


DOWNLOADS = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}


@events.route("/events/<slug>/export.<any(json, xlsx, zip):suffix>")
def export(slug: str, suffix: str):
    """The event as `partnering export` writes it: exchange JSON, a workbook or CSV sheets,
    ready to edit and import again (ids match, so importing it back changes nothing)."""
    event = event_or_404(slug)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{event.slug}.{suffix}"
        try:
            export_file(db(), event, path)
        except InvalidInput as error:
            problems = error.problems
            if len(problems) > PROBLEMS_SHOWN:  # the first ones, and the hint at the end
                problems = problems[: PROBLEMS_SHOWN - 1] + problems[-1:]
            page = render_template(
                "events/export_failed.html", slug=slug, file=path.name, problems=problems
            )
            return page, 409
        body = path.read_bytes()
    return _download(body, DOWNLOADS[suffix], path.name)


@events.route("/import-template.xlsx")
def import_template():
    """The empty workbook to fill in, with an instructions sheet and an example row a sheet."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "import-template.xlsx"
        write_workbook(template_rows(), path)
        body = path.read_bytes()
    return _download(body, DOWNLOADS["xlsx"], path.name)


def _download(body: bytes, mime: str, name: str) -> Response:
    response = Response(body, mimetype=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
