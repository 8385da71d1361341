"""Who is calling the API: an event's key in `Authorization: Bearer`, nothing else. No cookie
and no company link opens it (the app's session is never read here). A read-only key is what
a viewer is: it reads everything of its event and changes nothing."""

from __future__ import annotations

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from web.api.keys import find_key, note_use
from web.api.models import ApiKey
from web.api.replies import ApiProblem
from web.http import db
from web.members.operations import role_of
from web.members.roles import may

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
RATE_LIMIT = "600 per minute"  # per key; API_RATE_LIMIT in the app's configuration


def may_change(key: ApiKey) -> bool:
    """Whether the key may write (a read-only key, like a viewer, may not)."""
    return not key.read_only


def presented_key() -> ApiKey | None:
    """The live key of the request's bearer token (looked up once per request)."""
    if "api_key" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _, text = header.partition(" ")
        key = find_key(db(), text.strip()) if scheme.lower() == "bearer" else None
        g.api_key = key if key is not None and maker_still_may(key) else None
    return g.api_key


def maker_still_may(key: ApiKey) -> bool:
    """A key made on the page opens the event only while its maker may still make keys there
    (members.operations revokes them when that ends; this holds even if a change of role came
    another way, a restored backup say). A key made on the command line has no maker."""
    if key.created_by_id is None:
        return True
    role = role_of(db(), key.event_id, key.created_by_id)
    return role is not None and may(role, "integrations.keys", "POST")


def rate_limit_key() -> str:
    """Limits count per key; a request without a valid key counts against its address."""
    key = presented_key()
    return f"api-key:{key.prefix}" if key is not None else f"api-address:{get_remote_address()}"


def rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", RATE_LIMIT)


def authorise(slug: str | None) -> ApiKey:
    """The key, if it opens this event for this method; else a problem (401 or 403)."""
    key = presented_key()
    if key is None:
        raise ApiProblem(
            401,
            _("An API key is needed"),
            _(
                "Send Authorization: Bearer <key>; organisers make keys on the event's "
                "API keys page."
            ),
            headers={"WWW-Authenticate": 'Bearer realm="partnering"'},
        )
    if slug is not None and key.event.slug != slug:
        raise ApiProblem(403, _("This key does not open this event"), _("Use a key of that event."))
    if request.method not in SAFE_METHODS and not may_change(key):
        raise ApiProblem(
            403,
            _("This key is read-only"),
            _("Ask the organiser for a read-write key to change data."),
        )
    if note_use(key):
        db().commit()
    return key
