"""The organiser's analytics page, its plots as files, the capacity page and the reports."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from web.analytics.capacity_job import capacity_run
from web.analytics.capacity_page import view_of
from web.analytics.figures import SOURCES, after_fair_figures, figure
from web.analytics.loads import companies_at_risk, demand_signals
from web.analytics.models import CapacityRun
from web.analytics.plots import render
from web.analytics.reports import delegation_report, event_report
from web.companies.models import Company
from web.http import db, event_or_404, queue

analytics = Blueprint("analytics", __name__, template_folder="templates")
FORMATS = {"svg": "image/svg+xml", "png": "image/png", "csv": "text/csv; charset=utf-8"}


@analytics.before_request
@login_required
def organisers_only() -> None:
    """Every page here is the organiser's."""


@analytics.route("/events/<slug>/analytics/")
def page(slug: str):
    event = event_or_404(slug)
    session = db()
    figures = [SOURCES[key](session, event) for key in SOURCES]
    corporates = session.scalars(
        select(Company).where(Company.event_id == event.id, Company.role == "corporate")
    ).all()
    signals = demand_signals(session, event, list(corporates))
    signals.sort(key=lambda s: (s.chance, s.company))
    return render_template(
        "analytics/analytics.html",
        event=event,
        figures=figures,
        after_fair=after_fair_figures(session, event),
        at_risk=companies_at_risk(session, event),
        signals=signals[:30],
    )


@analytics.route("/events/<slug>/analytics/<plot>.<fmt>")
def download(slug: str, plot: str, fmt: str):
    event = event_or_404(slug)
    if fmt not in FORMATS:
        abort(404)
    if plot == "capacity":
        view = view_of(_capacity_run(event))
        found = view.figure if view else None
    else:
        found = figure(db(), event, plot)
    if found is None:
        abort(404)
    body = _csv(found) if fmt == "csv" else render(found, fmt)
    response = Response(body, mimetype=FORMATS[fmt])
    if fmt != "svg" or request.args.get("download"):
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{event.slug}-{plot}.{fmt}"'
        )
    return response


def _csv(found) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(found.columns)
    writer.writerows(found.rows)
    return ("\ufeff" + out.getvalue()).encode()  # the mark: Excel reads UTF-8 (Japanese names)


@analytics.route("/events/<slug>/capacity/")
def capacity(slug: str):
    """The figures once the capacity job has worked them out for the event as it is now;
    until then its progress (the page reloads itself). Opening the page queues the job."""
    event = event_or_404(slug)
    run = _capacity_run(event)
    return render_template("analytics/capacity.html", event=event, view=view_of(run), run=run)


def _capacity_run(event) -> CapacityRun:
    """The event's capacity run for its requests as they are now, queued if there is none."""
    run, new = capacity_run(db(), event)
    if new:
        db().commit()
        queue().enqueue_capacity(run.id)
        db().refresh(run)  # the tests' queue has worked it out already
    return run


@analytics.route("/events/<slug>/reports/")
def report(slug: str):
    event = event_or_404(slug)
    delegation = request.args.get("delegation")
    if delegation:
        found = delegation_report(db(), event, delegation)
        if found is None:
            abort(404)
        return render_template("analytics/report_delegation.html", event=event, report=found)
    return render_template(
        "analytics/report_event.html", event=event, report=event_report(db(), event)
    )


def signal_text(signal) -> str:
    """The demand signal in a sentence (also the partial's text)."""
    return _(
        "wanted for %(wanted)d meeting slots; it can hold %(holds)d",
        wanted=signal.wanted,
        holds=signal.holds,
    )
