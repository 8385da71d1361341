"""The web app: `create_app()` binds configuration, database, job queue, extensions and the
blueprints of each area, in that order. Served by waitress (`partnering serve`)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, request, session
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from web.db import database_url, instance_path, make_engine, make_session_factory
from web.languages import LANGUAGES

csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(instance_path()), instance_relative_config=True)
    _configure(app, config or {})
    _bind_database(app)
    _bind_queue(app)
    _bind_extensions(app)
    _bind_security(app)
    _bind_roles(app)
    _bind_error_pages(app)
    _register_blueprints(app)
    return app


def _configure(app: Flask, config: dict) -> None:
    app.config.update(
        DATABASE_URL=database_url(),
        REDIS_URL=os.environ.get("REDIS_URL") or None,
        JOBS_IMMEDIATE=False,  # tests: run solves in the request that starts them
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("PARTNERING_HTTPS") == "1",
        MAX_CONTENT_LENGTH=50 * 1024 * 1024,  # imports: workbooks of a large fair
        BABEL_DEFAULT_LOCALE="en",
        # A form's CSRF token lasts as long as the visitor's session (Flask-WTF's default is an
        # hour): a company leaves its page open on a phone between meetings, then answers.
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        # Behind a public address, the host names it answers to (the calendar links it writes
        # use the request's host): PARTNERING_HOSTS="partnering.example.org,localhost".
        TRUSTED_HOSTS=_listed(os.environ.get("PARTNERING_HOSTS")),
    )
    app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or _stored_secret(app)


def _listed(value: str | None) -> list[str] | None:
    names = [name.strip() for name in (value or "").split(",") if name.strip()]
    return names or None  # None: any host (a laptop on the venue's network)


def _stored_secret(app: Flask) -> str:
    """A secret made once per installation and kept in the instance folder (never the repo)."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _bind_database(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["partnering.engine"] = engine
    app.extensions["partnering.sessions"] = make_session_factory(engine)

    @app.teardown_appcontext
    def close_session(_error: BaseException | None) -> None:
        from web.http import close_db

        close_db()


def _bind_queue(app: Flask) -> None:
    from web.jobs import make_queue

    app.extensions["partnering.queue"] = make_queue(
        app.config["DATABASE_URL"],
        redis_url=app.config["REDIS_URL"] or "",
        immediate=app.config["JOBS_IMMEDIATE"],
    )


def _bind_extensions(app: Flask) -> None:
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    babel.init_app(app, locale_selector=_locale)

    @login_manager.user_loader
    def load_organiser(session_id: str):
        from web.auth.operations import organiser_for_session
        from web.http import db

        return organiser_for_session(db(), session_id)

    @app.context_processor
    def languages() -> dict:
        return {"languages": LANGUAGES, "current_language": _locale()}

    from web.labels import helpers

    app.context_processor(helpers)


def _bind_security(app: Flask) -> None:
    from web.security import init_security

    init_security(app)


def _bind_roles(app: Flask) -> None:
    """Who may do what in an event, enforced in one place for every organiser page."""
    from web.members.access import init_access

    init_access(app)


def _bind_error_pages(app: Flask) -> None:
    """A page that says what to do, in the visitor's language, for a link that does not
    work (a rotated company link looks like any other missing page) and for a form whose
    token is no longer valid; the status codes stay 404 and 400."""
    from flask import render_template
    from flask_wtf.csrf import CSRFError

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("error.html", kind="not_found"), 404

    @app.errorhandler(CSRFError)
    def form_expired(_error):
        return render_template("error.html", kind="form_expired"), 400


def _locale() -> str:
    """The visitor's choice (kept in the session), else the browser's preference."""
    chosen = session.get("language")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def _register_blueprints(app: Flask) -> None:
    from web.analytics.views import analytics
    from web.api.pages import integrations
    from web.api.setup import init_api
    from web.audit.views import audit
    from web.auth.views import auth
    from web.companies.views import companies
    from web.events.views import events
    from web.fairdays.portal import fair_portal, person_fair
    from web.fairdays.views import fairdays
    from web.meeting_requests.views import meeting_requests
    from web.members.views import invitations, members
    from web.notifications.views import notifications
    from web.portal.agenda import agenda
    from web.portal.person import person
    from web.portal.views import portal
    from web.profiles.views import directory, profiles
    from web.schedules.views import schedules
    from web.solving.views import solving

    blueprints = (
        auth,
        events,
        companies,
        meeting_requests,
        solving,
        schedules,
        notifications,
        integrations,
        analytics,
        members,
        audit,
        invitations,
        portal,
        directory,
        profiles,
        agenda,
        person,
        fairdays,
        fair_portal,
        person_fair,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    init_api(app)  # /api/v1: keys, not cookies (web/api)
