"""The organiser's outbox: every message with its state (queued, sent, failed with the mail
server's answer), resending, and sending companies their private links."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required
from sqlalchemy import func, select

from web.companies.models import Company
from web.http import db, event_or_404, queue, row_or_404
from web.notifications.delivery import mail_server, resend
from web.notifications.models import KINDS, STATES, Notification
from web.notifications.outbox import companies_not_opened, private_link, recipients

notifications = Blueprint("notifications", __name__, template_folder="templates")
PAGE = 100


@notifications.before_request
@login_required
def _organisers_only() -> None:
    """Every page here is the organiser's."""


@notifications.route("/events/<slug>/outbox/")
def outbox(slug: str):
    event = event_or_404(slug)
    status = request.args.get("status")
    status = status if status in STATES else None
    page = max(request.args.get("page", 1, type=int), 1)
    query = select(Notification).where(Notification.event_id == event.id)
    if status:
        query = query.where(Notification.status == status)
    rows = (
        db()
        .scalars(query.order_by(Notification.id.desc()).offset((page - 1) * PAGE).limit(PAGE))
        .all()
    )
    counts = {
        state: count
        for state, count in db().execute(
            select(Notification.status, func.count())
            .where(Notification.event_id == event.id)
            .group_by(Notification.status)
        )
    }
    not_opened = db().scalar(
        select(func.count())
        .select_from(Company)
        .where(Company.event_id == event.id, Company.link_opened_at.is_(None))
    )
    return render_template(
        "notifications/outbox.html",
        event=event,
        rows=rows,
        counts=counts,
        status=status,
        page=page,
        more=len(rows) == PAGE,
        configured=mail_server() is not None,
        not_opened=not_opened,
        kinds=KINDS,
        states=STATES,
    )


@notifications.route("/events/<slug>/outbox/<int:notification_id>/resend", methods=["POST"])
def resend_one(slug: str, notification_id: int):
    event = event_or_404(slug)
    row = row_or_404(Notification, notification_id, event)
    resend(db(), row)
    db().commit()
    queue().enqueue_delivery()
    flash(_("Queued again: %(subject)s", subject=row.subject or row.kind), "success")
    return redirect(url_for("notifications.outbox", slug=slug))


@notifications.route("/events/<slug>/companies/<int:company_id>/send-link", methods=["POST"])
def send_link(slug: str, company_id: int):
    """The company's link to each of its people with an email address."""
    event = event_or_404(slug)
    company = row_or_404(Company, company_id, event)
    if not recipients(company):
        flash(_("%(name)s has nobody with an email address.", name=company.name), "error")
    else:
        written = private_link(db(), company)
        db().commit()
        flash(
            ngettext(
                "The link goes to %(num)d person of %(name)s.",
                "The link goes to %(num)d people of %(name)s.",
                len(written),
                name=company.name,
            ),
            "success",
        )
    return redirect(url_for("companies.detail", slug=slug, company_id=company.id))


@notifications.route("/events/<slug>/outbox/send-links", methods=["POST"])
def send_links(slug: str):
    """Every company that has not opened its link yet gets it (again)."""
    event = event_or_404(slug)
    if request.form.get("confirm") != "1":
        abort(400)
    companies = list(companies_not_opened(db(), event))
    written = sum(len(private_link(db(), company)) for company in companies)
    db().commit()
    flash(
        ngettext(
            "%(num)d message queued for the companies that have not opened their link.",
            "%(num)d messages queued for the companies that have not opened their link.",
            written,
        ),
        "success",
    )
    return redirect(url_for("notifications.outbox", slug=slug))
