"""The one place where roles are enforced: before any view of an organiser blueprint runs,
the event in the URL is looked up with the organiser's role on it. No role: 404, as for an
event that does not exist. A role that may not do this (`web.members.roles.may`): 403,
before anything is read from the form or written. New organiser pages are covered without
a line in their views; a new POST endpoint is refused until `roles.py` lists it.

It also says who is acting, for the audit trail: the organiser, or the company or person
whose private link the request came through."""

from __future__ import annotations

from flask import Flask, abort, g, render_template, request
from flask_login import current_user
from sqlalchemy import select

from web.audit.trail import ACTOR, EVENT_IN_VIEW, Actor, organiser_actor
from web.events.models import Event
from web.http import db
from web.members.operations import role_of
from web.members.roles import ACCOUNT_ACTIONS, READ_METHODS, is_organisers, may, may_change_data

PORTAL_BLUEPRINTS = frozenset({"portal", "agenda", "person"})


def init_access(app: Flask) -> None:
    app.before_request(_enforce_roles)
    app.teardown_request(_forget_actor)
    app.register_error_handler(403, _forbidden)

    @app.context_processor
    def roles() -> dict:
        role = g.get("event_role")
        return {"event_role": role, "may_change": may_change_data(role)}


def _enforce_roles() -> None:
    _set_actor()
    endpoint = request.endpoint
    if not is_organisers(endpoint) or not current_user.is_authenticated:
        return  # not an organiser page, or anonymous: the blueprint's login_required answers
    slug = (request.view_args or {}).get("slug")
    if slug is None:
        if request.method in READ_METHODS or endpoint in ACCOUNT_ACTIONS:
            return
        abort(403)  # a POST outside any event that roles.py does not know: refused
    event_id = db().scalar(select(Event.id).where(Event.slug == slug))
    role = role_of(db(), event_id, current_user.id) if event_id is not None else None
    if role is None:
        abort(404)
    g.event_role = role
    g.audit_tokens = (*g.audit_tokens[:1], EVENT_IN_VIEW.set(event_id))
    if not may(role, endpoint, request.method):
        abort(403)


def _set_actor() -> None:
    blueprint = (request.endpoint or "").rpartition(".")[0]
    actor = None
    if blueprint in PORTAL_BLUEPRINTS:
        company = g.get("company")
        person = g.get("person")
        if company is not None:
            actor = Actor(company.name, kind="company")
        elif person is not None:
            actor = Actor(person.name, kind="person")
    elif current_user.is_authenticated:
        actor = organiser_actor(current_user)
    g.audit_tokens = (ACTOR.set(actor),)


def _forget_actor(_error: BaseException | None) -> None:
    """Waitress's threads serve one request after another: nothing carries over."""
    tokens = g.pop("audit_tokens", ())
    if len(tokens) > 1:
        EVENT_IN_VIEW.reset(tokens[1])
    if tokens:
        ACTOR.reset(tokens[0])


def _forbidden(_error):
    return render_template("members/forbidden.html", role=g.get("event_role")), 403
