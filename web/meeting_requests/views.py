"""Organisers' list of requests, where they accept or decline on a company's behalf."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from web.db import EditConflict
from web.http import db, event_or_404, row_or_404
from web.labels import STATUS
from web.meeting_requests.models import STATUSES, MeetingRequest
from web.meeting_requests.operations import BadTransition, set_status

meeting_requests = Blueprint("meeting_requests", __name__, template_folder="templates")


@meeting_requests.before_request
@login_required
def organisers_only() -> None:
    """Every page here is the organiser's."""


@meeting_requests.route("/events/<slug>/requests/")
def index(slug: str):
    event = event_or_404(slug)
    status = request.args.get("status")
    query = (
        select(MeetingRequest)
        .where(MeetingRequest.event_id == event.id)
        .options(joinedload(MeetingRequest.requester), joinedload(MeetingRequest.requested))
        .order_by(MeetingRequest.id)
    )
    if status in STATUSES:
        query = query.where(MeetingRequest.status == status)
    rows = db().scalars(query).all()
    return render_template(
        "meeting_requests/index.html", event=event, requests=rows, status=status, statuses=STATUSES
    )


def set_status_view(slug: str, request_id: int):
    """Accept or decline on the company's behalf (it answered by email or at the desk)."""
    event = event_or_404(slug)
    row = row_or_404(MeetingRequest, request_id, event)
    change_status(row, request.form.get("status", ""), f"organiser:{event.slug}")
    back = request.args.get("back", "")
    if not back.startswith("/") or back.startswith("//"):
        back = url_for("meeting_requests.index", slug=slug)
    return redirect(back)


def change_status(row: MeetingRequest, status: str, _who: str) -> None:
    """Shared by the organiser's and the company's pages: the version shown is the one
    checked, so two people answering at once cannot overwrite each other silently."""
    version = request.form.get("version", type=int) or row.version_id
    if status not in ("accepted", "declined"):
        abort(400)
    try:
        set_status(db(), row, status, version)
    except (BadTransition, EditConflict) as error:
        db().rollback()
        flash(str(error), "error")
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


meeting_requests.add_url_rule(
    "/events/<slug>/requests/<int:request_id>/status",
    endpoint="set_status",
    view_func=set_status_view,
    methods=["POST"],
)
