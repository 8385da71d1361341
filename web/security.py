"""What every response carries and every request may meet: security headers, the login rate
limit, and a clear 503 when the database cannot be reached. SECURITY.md says who may see what
and how each rule is enforced; the tests under tests/web/test_security.py hold them."""

from __future__ import annotations

from contextlib import suppress

from flask import Flask, Response, abort, current_app, g, jsonify, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# Only the app's own files: no inline script, no other site's script, style or frame. The
# printable agendas carry their own <style> (they are also written as standalone files), so
# those two pages alone allow inline styles.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
INLINE_STYLE_ENDPOINTS = {"schedules.agenda", "agenda.printable"}
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
HSTS = "max-age=31536000; includeSubDomains"

# Failed logins from one address (and, separately, for one email from anywhere) in a window.
LOGIN_LIMIT = "10 per 5 minutes"

limiter = Limiter(
    key_func=get_remote_address,
    default_limits=[],
    headers_enabled=True,
    in_memory_fallback_enabled=True,  # Redis down: keep limiting in this process, never 500
)


def init_security(app: Flask) -> None:
    app.config.setdefault("LOGIN_RATE_LIMIT", LOGIN_LIMIT)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "partnering-limits")
    limiter.init_app(app)
    # Before any blueprint's URL preprocessor (the company portal looks its token up there).
    app.url_value_preprocessor(lambda _endpoint, _values: refuse_unstorable_input())
    app.after_request(_headers)
    for error in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(error, database_unavailable)


LARGEST_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL
# Query and form fields the views read as integers (pages, ids): beyond the columns' range
# they are a 404 too, not an overflow in the database driver.
INTEGER_FIELDS = frozenset({"page", "location", "with", "day", "limit", "absent", "version"})


def refuse_unstorable_input() -> None:
    """Input no database column can hold is refused before any view sees it: a NUL
    character (PostgreSQL text cannot store it) is a 400, an id in the URL or an integer field
    (INTEGER_FIELDS) beyond the integer columns' range a 404 (as for any id that does not
    exist)."""
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and not 0 <= value <= LARGEST_ID:
            abort(404)
    if "\x00" in request.path:
        abort(400)
    fields = list(request.args.lists())
    if request.method == "POST" and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        fields += request.form.lists()
    if any("\x00" in value for _name, values in fields for value in values):
        abort(400)
    for name, values in fields:
        if name in INTEGER_FIELDS and any(_beyond_range(value) for value in values):
            abort(404)


def _beyond_range(value: str) -> bool:
    digits = value.strip().removeprefix("-")
    if not (digits.isascii() and digits.isdigit()):
        return False  # not a number: the view says so, or reads its default
    return len(digits) > 10 or int(digits) > LARGEST_ID


def _headers(response: Response) -> Response:
    policy = CONTENT_SECURITY_POLICY
    if request.endpoint in INLINE_STYLE_ENDPOINTS:
        policy = policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    response.headers.setdefault("Content-Security-Policy", policy)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)  # the portal's no-referrer stays
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "private, no-store")
    return response


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def login_email() -> str:
    """The account a login tries, as a rate-limit key (guessing one account from many
    addresses is limited too)."""
    return "email:" + (request.form.get("email") or "").strip().lower()[:320]


def failed_login(response: Response) -> bool:
    """Only failed attempts count: a login that succeeds redirects."""
    return request.method == "POST" and response.status_code != 302


def database_unavailable(error: Exception):
    """The database is down or unreachable: say so (503, retry shortly) instead of a 500.
    The engine checks each pooled connection before use (pool_pre_ping), so the app recovers
    by itself at the first request after the database is back."""
    session = g.pop("db", None)
    if session is not None:
        with suppress(Exception):  # the connection is already gone: nothing to keep
            session.close()
    current_app.logger.warning("database unavailable: %s", error)
    if _wants_json():
        response = jsonify(
            error="database unavailable", message="The database cannot be reached; try again."
        )
        response.status_code = 503
    else:
        # Rendered without the context processors: they would load the organiser again.
        page = current_app.jinja_env.get_template("unavailable.html").render()
        response = Response(page, 503)
    response.headers["Retry-After"] = "5"
    return response


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.path.endswith(".json") or best == "application/json"
