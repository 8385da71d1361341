"""Organisers start a solve, watch its progress live, and cancel it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import NumberRange, Optional

from scheduler.solver.cpsat import SolverSettings
from scheduler.solver.fillin import refuse_cut_after
from scheduler.times import parse_local_time
from web.db import transaction, utc_now
from web.http import db, event_or_404, queue, row_or_404
from web.labels import RUN_STATUS, STAGE, say
from web.meeting_requests.deadlines import expire_due
from web.meeting_requests.models import MeetingRequest
from web.meeting_requests.rules import rules_of
from web.schedules.operations import current_version
from web.solving.job import fill_in_cut
from web.solving.models import SolverRun
from web.solving.operations import (
    STALE_AFTER,
    cancel_run,
    fail_stale_runs,
    queue_run,
    run_numbers,
    stale_runs,
)

solving = Blueprint("solving", __name__, template_folder="templates")

FINISHED = ("succeeded", "failed", "cancelled")


@solving.before_request
@login_required
def organisers_only() -> None:
    """Every page here is the organiser's."""


def fail_runs_without_worker(event) -> None:
    """A run whose worker was killed mid-solve is marked failed when its page is looked at
    (workers and servers check at start too), so no one waits on it for ever."""
    stale_after = current_app.config.get("RUN_STALE_AFTER", STALE_AFTER)
    if not stale_runs(db(), event.id, stale_after):
        return
    with transaction(current_app.extensions["partnering.engine"]) as session:
        fail_stale_runs(session, event.id, stale_after)
    db().rollback()  # read afresh (this page writes nothing of its own before this point)


class RunForm(FlaskForm):
    time_limit = IntegerField(
        _l("Time limit (seconds)"), default=30, validators=[NumberRange(1, 3600)]
    )
    seed = IntegerField(_l("Seed"), default=0, validators=[NumberRange(0, 2**31 - 1)])
    keep_published = BooleanField(_l("Keep published meetings where they are"), default=True)
    allow_moves = IntegerField(
        _l("Published meetings that may move"), default=0, validators=[NumberRange(0, 100000)]
    )
    fair = BooleanField(
        _l("Fair: a meeting for every company that can have one"),
        description=_l("then the lowest shares of met requests raised; may cost a few meetings"),
    )
    compact = BooleanField(
        _l("Compact agendas: fewer idle gaps between a person's meetings"),
        description=_l("the number of meetings stays; takes part of the time limit"),
    )
    max_breaks = IntegerField(
        _l("At most this many idle gaps per person"),
        validators=[Optional(), NumberRange(0, 100)],
        description=_l("where that costs no meeting; empty: no limit"),
    )


@solving.route("/events/<slug>/runs/", methods=["GET", "POST"])
def index(slug: str):
    event = event_or_404(slug)
    form = RunForm()
    if form.validate_on_submit():
        settings = SolverSettings(
            time_limit=float(form.time_limit.data),
            seed=form.seed.data,
            compact=form.compact.data or form.max_breaks.data is not None,
            max_breaks=form.max_breaks.data,
            fair=form.fair.data,
        )
        if rules_of(db(), event).at_solve == "expire":  # the organiser's rule: they close here
            expire_due(db(), event, utc_now(), everything=True)
        run = queue_run(db(), event, settings, form.keep_published.data, form.allow_moves.data or 0)
        db().commit()
        queue().enqueue_solve(run.id)
        return redirect(url_for("solving.run", slug=slug, run_id=run.id))
    fail_runs_without_worker(event)
    runs = (
        db()
        .scalars(
            select(SolverRun).where(SolverRun.event_id == event.id).order_by(SolverRun.id.desc())
        )
        .all()
    )
    return render_template(
        "solving/index.html",
        event=event,
        form=form,
        runs=runs,
        numbers=run_numbers(db(), event),
        published=current_version(db(), event),
        waiting=waiting_requests(event),
        at_solve=rules_of(db(), event).at_solve,
        fill_in_form_data=FillInForm(formdata=None),
    )


def waiting_requests(event) -> int:
    """The event's requests still awaiting an answer: a solve leaves them out."""
    query = select(func.count()).where(
        MeetingRequest.event_id == event.id, MeetingRequest.status == "requested"
    )
    return db().scalar(query) or 0


class FillInForm(FlaskForm):
    """A same-day fill-in: from now, or from a time the organiser gives."""

    fill_from = StringField(
        _l("Fill in free slots from"),
        validators=[Optional()],
        description=_l("In the event's time zone, e.g. 2026-10-15T12:00; empty: from now"),
    )
    time_limit = IntegerField(
        _l("Time limit (seconds)"), default=3, validators=[NumberRange(1, 3600)]
    )


@solving.route("/events/<slug>/runs/fill-in", methods=["POST"])
def fill_in(slug: str):
    """Queue a fill-in of the published schedule: its result is a new version to review and
    publish, which tells only the companies whose agendas it changes."""
    event = event_or_404(slug)
    form = FillInForm()
    if current_version(db(), event) is None:
        flash(_("Publish a schedule first: a fill-in keeps the published one."), "error")
        return redirect(url_for("solving.index", slug=slug))
    cut = _cut(event, form) if form.validate_on_submit() else None
    if cut is None:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("solving.index", slug=slug))
    settings = SolverSettings(time_limit=float(form.time_limit.data))
    run = queue_run(db(), event, settings, fill_from=cut)
    db().commit()
    queue().enqueue_solve(run.id)
    return redirect(url_for("solving.run", slug=slug, run_id=run.id))


def _cut(event, form: FillInForm):
    """The instant of the form's time in the event's zone (now if empty), or None with the
    field's error set."""
    text = (form.fill_from.data or "").strip()
    try:
        zone = ZoneInfo(event.timezone)
        cut = parse_local_time(text, zone) if text else utc_now()
        ends = [s.end for day in event.days for s in day.sessions]
        if ends:
            refuse_cut_after(max(ends), cut, zone)
    except ValueError as error:
        form.fill_from.errors = [f"{form.fill_from.label.text}: {say(error)}"]
        return None
    return cut


@solving.route("/events/<slug>/runs/<int:run_id>")
def run(slug: str, run_id: int):
    event = event_or_404(slug)
    fail_runs_without_worker(event)
    row = row_or_404(SolverRun, run_id, event)
    number = run_numbers(db(), event)[row.id]
    return render_template(
        "solving/run.html",
        event=event,
        run=row,
        number=number,
        progress=progress_of(row),
        fill_from=fill_in_cut(row.settings),
    )


@solving.route("/events/<slug>/runs/<int:run_id>/progress.json")
def progress(slug: str, run_id: int):
    """Polled by the run page: the latest figures, and where to go once it is done."""
    event = event_or_404(slug)
    fail_runs_without_worker(event)
    return jsonify(progress_of(row_or_404(SolverRun, run_id, event)))


@solving.route("/events/<slug>/runs/<int:run_id>/cancel", methods=["POST"])
def cancel(slug: str, run_id: int):
    """Ask the run to stop: a queued one is cancelled now, a running one at its next report.
    Either way it writes no schedule version, so the published one stays as it is."""
    event = event_or_404(slug)
    cancel_run(db(), row_or_404(SolverRun, run_id, event))
    db().commit()
    flash(_("Cancelling the run."), "success")
    return redirect(url_for("solving.run", slug=slug, run_id=run_id))


def progress_of(row: SolverRun) -> dict:
    """The figures the run page shows. The solver reports its stage, objective (the sum of
    the placed requests' priorities) and bound as it goes, and the meetings of its best
    schedule at each step (CP-SAT's search reports no count: the figure holds until it ends);
    once the run is done, the count of the schedule it returned."""
    figures = row.progress or {}
    stage = figures.get("stage")
    objective, bound = figures.get("objective"), figures.get("bound")
    gap = None
    if objective is not None and bound:
        gap = round(100 * max(0.0, bound - objective) / bound, 2)
    schedule = row.schedule
    return {
        "status": row.status,
        "status_label": str(RUN_STATUS.get(row.status, row.status)),
        "finished": row.status in FINISHED,
        "cancel_requested": row.cancel_requested,
        "stage": stage,
        "stage_label": str(STAGE.get(stage, stage)) if stage else None,
        "seconds": figures.get("seconds"),
        "objective": objective,
        "bound": bound,
        "gap": gap,
        "requests": row.requests,
        "scheduled": row.scheduled if row.scheduled is not None else figures.get("scheduled"),
        # The worker writes why a run ended in English; the organiser reads it in their language.
        "error": _("Cancelled by the organiser.") if row.status == "cancelled" else row.error,
        "review_url": url_for("schedules.review", slug=row.event.slug, number=schedule.number)
        if schedule
        else None,
    }
