"""The fair in the organiser's area: the live board (wall screen and phone), a printable
sheet per table with its check-in QR code, attendance marked by the desk, no-show rates,
the self-booking setting and the outcomes report (page and CSV)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import segno
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from scheduler.words import Refusal
from web.companies.models import Company
from web.events.models import LOCATION_KINDS, Location
from web.fairdays import figures as figures  # registers the analytics page's fair figures
from web.fairdays.attendance import marks, meeting_state, no_show_rates
from web.fairdays.board import live_board
from web.fairdays.clock import moment, now
from web.fairdays.meetings import fair_meetings
from web.fairdays.models import BOOKING_MODES, Feedback
from web.fairdays.operations import desk_attendance, set_booking_mode
from web.fairdays.outcomes import outcomes, outcomes_csv
from web.fairdays.words import words
from web.http import db, event_or_404, local_path, row_or_404
from web.labels import say

fairdays = Blueprint("fairdays", __name__, template_folder="templates")
fairdays.context_processor(words)
LAYOUTS = ("wall", "phone")


@fairdays.before_request
@login_required
def _organisers_only() -> None:
    """Every page here is the organiser's (the desk's ones: web.fairdays.desk)."""


@fairdays.route("/events/<slug>/fair/")
def index(slug: str):
    event = event_or_404(slug)
    rates, total = no_show_rates(db(), event)
    return render_template(
        "fairdays/index.html",
        event=event,
        modes=BOOKING_MODES,
        rates=rates,
        total=total,
        kinds=LOCATION_KINDS,
        locations=event.locations,
    )


@fairdays.route("/events/<slug>/fair/booking", methods=["POST"])
def booking_mode(slug: str):
    event = event_or_404(slug)
    try:
        set_booking_mode(db(), event, request.form.get("mode", ""))
    except Refusal as refusal:
        db().rollback()
        flash(say(refusal), "error")
    else:
        db().commit()
        flash(_("Self-booking setting saved."), "success")
    return redirect(url_for("fairdays.index", slug=slug))


@fairdays.route("/events/<slug>/board")
def board(slug: str):
    """The live board; `kind` (a hall of tables, the rooms) or `location` narrows it,
    `layout` is wall or phone, `at` previews a moment, `fragment` is what the page re-fetches."""
    event = event_or_404(slug)
    zone = ZoneInfo(event.timezone)
    kind = request.args.get("kind")
    kind = kind if kind in LOCATION_KINDS else None
    layout = request.args.get("layout")
    layout = layout if layout in LAYOUTS else "phone"
    at = moment(request.args.get("at"), zone)
    live = live_board(db(), event, at, kind, request.args.get("location", type=int))
    values = {
        "event": event,
        "board": live,
        "zone": zone,
        "layout": layout,
        "kind": kind,
        "preview": request.args.get("at"),
        "size": _size(len(live.tables)),
    }
    if request.args.get("fragment"):
        return render_template("fairdays/_board.html", **values)
    return render_template("fairdays/board.html", **values)


def _size(count: int) -> str:
    """The wall screen's type size for this many tables: one hall fits without scrolling."""
    if count <= 12:
        return "large"
    return "medium" if count <= 40 else "small"


@fairdays.route("/events/<slug>/board/tables/<int:location_id>")
def table(slug: str, location_id: int):
    """A table's sheet: its meetings by day, printable, with a QR code that opens this page
    (the desk's check-in for the table) on a logged-in phone; `qr=0` prints it without."""
    event = event_or_404(slug)
    location = row_or_404(Location, location_id, event)
    marked = marks(db(), event)
    days: dict = {}
    for m in fair_meetings(db(), event):
        if m.details.location_id == location.external_id:
            days.setdefault(m.start.date(), []).append((m, meeting_state(m, marked)))
    address = url_for("fairdays.table", slug=slug, location_id=location.id, _external=True)
    qr = None
    if request.args.get("qr") != "0":
        qr = Markup(segno.make(address, error="m").svg_inline(scale=4))
    return render_template(
        "fairdays/table.html",
        event=event,
        location=location,
        days=list(days.items()),
        qr=qr,
        at=now(),
        zone=ZoneInfo(event.timezone),
        back=request.full_path,
    )


@fairdays.route("/events/<slug>/fair/meetings/<int:request_id>/attendance", methods=["POST"])
def mark(slug: str, request_id: int):
    """The desk marks a meeting at any time: held, or which company did not come."""
    event = event_or_404(slug)
    meeting = next((m for m in fair_meetings(db(), event) if m.request_id == request_id), None)
    if meeting is None:
        abort(404)
    absent = request.form.get("absent", type=int)
    try:
        desk_attendance(db(), event, meeting, absent, f"organiser:{current_user.email}")
    except Refusal as refusal:
        db().rollback()
        flash(say(refusal), "error")
    else:
        db().commit()
        flash(_("Attendance saved."), "success")
    back = local_path(request.form.get("back")) or url_for("fairdays.board", slug=slug)
    return redirect(back)


@fairdays.route("/events/<slug>/fair/outcomes")
def outcomes_page(slug: str):
    event = event_or_404(slug)
    return render_template("fairdays/outcomes.html", event=event, report=outcomes(db(), event))


@fairdays.route("/events/<slug>/fair/outcomes.csv")
def outcomes_download(slug: str):
    event = event_or_404(slug)
    response = Response(outcomes_csv(outcomes(db(), event)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{event.slug}-outcomes.csv"'
    return response


@fairdays.route("/events/<slug>/fair/companies/<int:company_id>/feedback")
def company_feedback(slug: str, company_id: int):
    """One company's ratings and private notes, for the organiser only."""
    event = event_or_404(slug)
    company = row_or_404(Company, company_id, event)

    rows = db().scalars(select(Feedback).where(Feedback.company_id == company.id)).all()
    names = {m.request_id: m for m in fair_meetings(db(), event)}
    return render_template(
        "fairdays/company_feedback.html", event=event, company=company, rows=rows, meetings=names
    )
