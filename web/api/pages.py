"""The organiser's integration pages: API keys (made and shown once, listed, revoked) and
webhooks (subscribed with a secret shown once, their delivery log, replay)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from web.api.keys import create_key, keys_of, revoke_key
from web.api.models import ApiKey
from web.claiming import queue_again
from web.http import db, event_or_404, queue, row_or_404
from web.labels import say
from web.webhooks.models import KINDS, WebhookDelivery, WebhookSubscription
from web.webhooks.operations import BadTarget, subscribe, subscriptions_of, unsubscribe

integrations = Blueprint("integrations", __name__, template_folder="templates")
LOG_PAGE = 100
KIND_LABELS = {
    "request.created": _l("a request is made"),
    "request.answered": _l("a request is answered"),
    "schedule.published": _l("a schedule is published"),
    "meeting.changed": _l("a published meeting changes"),
}
STATUS_LABELS = {
    "queued": _l("queued"),
    "sending": _l("sending"),
    "delivered": _l("delivered"),
    "failed": _l("failed"),
}


@integrations.before_request
@login_required
def _organisers_only() -> None:
    """Every page here is the organiser's."""


class KeyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    read_only = BooleanField(_l("Read-only (sees everything, changes nothing)"))


class WebhookForm(FlaskForm):
    url = StringField(_l("URL"), validators=[DataRequired(), Length(max=2000)])
    kinds = SelectMultipleField(
        _l("Send when"),
        choices=[(k, KIND_LABELS[k]) for k in KINDS],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    allow_private = BooleanField(
        _l("Allow private and loopback addresses (an integration on your own network)")
    )


@integrations.route("/events/<slug>/api-keys/", methods=["GET", "POST"])
def keys(slug: str):
    event = event_or_404(slug)
    form = KeyForm()
    shown = None
    if form.validate_on_submit():
        made = create_key(db(), event, form.name.data, form.read_only.data, made_by=current_user.id)
        db().commit()
        shown = made.text  # on this answer only: the page is not cached (no-store)
        form = KeyForm(formdata=None)
    return render_template(
        "api/keys.html", event=event, form=form, keys=keys_of(db(), event), shown=shown
    )


@integrations.route("/events/<slug>/api-keys/<int:key_id>/revoke", methods=["POST"])
def revoke(slug: str, key_id: int):
    event = event_or_404(slug)
    revoke_key(db(), row_or_404(ApiKey, key_id, event))
    db().commit()
    flash(_("The key is revoked: it opens nothing from now on."), "success")
    return redirect(url_for("integrations.keys", slug=slug))


@integrations.route("/events/<slug>/webhooks/", methods=["GET", "POST"])
def webhooks(slug: str):
    event = event_or_404(slug)
    form = WebhookForm()
    shown = None
    if form.validate_on_submit():
        try:
            made = subscribe(
                db(),
                event,
                form.url.data,
                form.kinds.data or [],
                form.allow_private.data,
                made_by=current_user.id,
            )
        except BadTarget as error:
            db().rollback()
            form.url.errors = [*form.url.errors, say(error)]
        else:
            db().commit()
            shown = made.secret
            form = WebhookForm(formdata=None)
    return render_template(
        "api/webhooks.html",
        event=event,
        form=form,
        subscriptions=subscriptions_of(db(), event),
        shown=shown,
        kind_labels=KIND_LABELS,
    )


@integrations.route("/events/<slug>/webhooks/<int:subscription_id>/")
def log(slug: str, subscription_id: int):
    event = event_or_404(slug)
    subscription = row_or_404(WebhookSubscription, subscription_id, event)
    page = max(request.args.get("page", 1, type=int), 1)
    rows = (
        db()
        .scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == subscription.id)
            .order_by(WebhookDelivery.id.desc())
            .offset((page - 1) * LOG_PAGE)
            .limit(LOG_PAGE + 1)
        )
        .all()
    )
    return render_template(
        "api/webhook_log.html",
        event=event,
        subscription=subscription,
        rows=rows[:LOG_PAGE],
        more=len(rows) > LOG_PAGE,
        page=page,
        kind_labels=KIND_LABELS,
        status_labels=STATUS_LABELS,
    )


@integrations.route("/events/<slug>/webhooks/<int:subscription_id>/remove", methods=["POST"])
def remove(slug: str, subscription_id: int):
    event = event_or_404(slug)
    unsubscribe(db(), row_or_404(WebhookSubscription, subscription_id, event))
    db().commit()
    flash(_("The webhook is removed: nothing more is sent to it."), "success")
    return redirect(url_for("integrations.webhooks", slug=slug))


@integrations.route(
    "/events/<slug>/webhooks/<int:subscription_id>/deliveries/<int:delivery_id>/replay",
    methods=["POST"],
)
def replay(slug: str, subscription_id: int, delivery_id: int):
    event = event_or_404(slug)
    subscription = row_or_404(WebhookSubscription, subscription_id, event)
    delivery = db().get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.subscription_id != subscription.id:
        abort(404)
    queue_again(delivery)
    db().commit()
    queue().enqueue_webhooks()
    flash(_("The delivery is queued again (same webhook-id)."), "success")
    return redirect(url_for("integrations.log", slug=slug, subscription_id=subscription_id))
