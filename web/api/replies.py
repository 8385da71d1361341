"""What every API answer shares: problems as `application/problem+json` (RFC 9457) naming
the row and field, ETags with If-None-Match and If-Match, cursor pagination with links, and
the stored answers of idempotent writes."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable

from flask import Response, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler.formats.problems import InvalidInput, Problem
from web.api.models import ApiKey, IdempotentAnswer

PROBLEM = "application/problem+json"
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000


class ApiProblem(Exception):
    """An answer that is a problem: raised anywhere in a view, answered by the handler."""

    def __init__(self, status: int, title: str, detail: str = "", **extra: object) -> None:
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.extra = status, title, detail, extra


def problem_response(error: ApiProblem) -> Response:
    body = {"type": "about:blank", "title": error.title, "status": error.status}
    if error.detail:
        body["detail"] = error.detail
    body |= {k: v for k, v in error.extra.items() if k != "headers"}
    response = json_response(body, error.status, PROBLEM)
    for name, value in dict(error.extra.get("headers") or {}).items():
        response.headers[name] = value
    return response


def json_response(body: object, status: int = 200, mime: str = "application/json") -> Response:
    text = json.dumps(body, ensure_ascii=False, indent=1, default=str)
    return Response(text + "\n", status, mimetype=mime)


# --- the problems of a body ---------------------------------------------------------------------


def invalid_rows(error: InvalidInput, translate: Callable[[str], str]) -> ApiProblem:
    """The import's problems as one 422: each names its row (the item's place in the body,
    from 1), its field and what to do, as the file import names a sheet's row and column."""
    errors = [_problem_entry(p, translate) for p in error.problems]
    return ApiProblem(
        422,
        _("The body was refused; nothing was changed"),
        _("Fix every problem listed and send it again."),
        errors=errors,
    )


def _problem_entry(problem: Problem, translate) -> dict:
    place, message = problem.translated(translate)
    values = dict(problem.place_words.values) if problem.place_words else {}
    entry: dict[str, object] = {"place": place, "detail": message}
    row, column = values.get("row"), values.get("column")
    if isinstance(row, int):
        entry["row"] = row
        entry["pointer"] = f"/{row - 1}" + (f"/{column}" if column else "")
    if column:
        entry["field"] = column
    return entry


def invalid_shape(messages: dict) -> ApiProblem:
    """Marshmallow's errors of a body's shape (a wrong type, an unknown or missing field),
    listed as the import's are: row (from 1), field, what is wrong."""
    errors = []
    for location, found in messages.items():
        errors += _shape_entries(found, location)
    return ApiProblem(
        422,
        _("The body was refused; nothing was changed"),
        _("Fix every problem listed and send it again."),
        errors=errors,
    )


def _shape_entries(found, location: str, path: tuple = ()) -> list[dict]:
    if isinstance(found, list) and all(isinstance(m, str) for m in found):
        pointer = "/" + "/".join(str(p) for p in path) if path else ""
        entry: dict[str, object] = {"place": location + pointer, "detail": " ".join(found)}
        if path and isinstance(path[0], int):
            entry["row"] = path[0] + 1
        if path and isinstance(path[-1], str):
            entry["field"] = path[-1]
        entry["pointer"] = pointer
        return [entry]
    if isinstance(found, dict):
        return [
            e for key, value in found.items() for e in _shape_entries(value, location, (*path, key))
        ]
    return [{"place": location, "detail": str(found)}]


# --- ETags --------------------------------------------------------------------------------------


def etag_of(body: object) -> str:
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def check_if_match(current: str) -> None:
    """A write sent with If-Match goes ahead only on the version it was read from."""
    if (
        request.if_match
        and not request.if_match.contains(current)
        and not request.if_match.star_tag
    ):
        raise ApiProblem(
            412,
            _("The collection changed since you read it"),
            _("Read it again (GET), then send your change with its new ETag."),
        )


def with_etag(response: Response, tag: str) -> Response:
    """The answer, or 304 Not Modified when the client holds this version already."""
    if request.if_none_match.contains(tag):
        unchanged = Response(status=304)
        unchanged.set_etag(tag)
        return unchanged
    response.set_etag(tag)
    return response


# --- pagination -----------------------------------------------------------------------------------


def page_of(items: list, endpoint: str, **values) -> tuple[list, dict]:
    """The page the request asks for (`limit`, `cursor`) and its links."""
    limit = request.args.get("limit", DEFAULT_LIMIT, type=int)
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiProblem(400, _("Bad limit"), _("Give a limit from 1 to %(most)d.", most=MAX_LIMIT))
    start = _offset(request.args.get("cursor"))
    page = items[start : start + limit]
    links = {"self": url_for(endpoint, **values, limit=limit, cursor=request.args.get("cursor"))}
    links["next"] = (
        url_for(endpoint, **values, limit=limit, cursor=_cursor(start + limit))
        if start + limit < len(items)
        else None
    )
    return page, links


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o{offset}".encode()).decode().rstrip("=")


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if text.startswith("o") and text[1:].isascii() and text[1:].isdigit():
            return min(int(text[1:]), 2**31 - 1)  # past the end: an empty page, not a 500
    except (ValueError, UnicodeDecodeError):
        pass
    raise ApiProblem(400, _("Bad cursor"), _("Use the cursor of a links.next you were given."))


def paged(items: list, endpoint: str, tag: str, **values) -> Response:
    page, links = page_of(items, endpoint, **values)
    response = json_response({"items": page, "total": len(items), "links": links})
    if links["next"]:
        response.headers["Link"] = f'<{links["next"]}>; rel="next"'
    return with_etag(response, tag)


# --- idempotent writes ----------------------------------------------------------------------


def request_digest() -> str:
    parts = [request.method.encode(), request.path.encode(), request.get_data()]
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


def stored_answer(session: Session, key: ApiKey) -> Response | None:
    """The answer already given to this Idempotency-Key, or None (a first try)."""
    name = request.headers.get("Idempotency-Key")
    if name is None:
        return None
    if not 1 <= len(name) <= 255 or not name.isprintable():
        raise ApiProblem(400, _("Bad Idempotency-Key"), _("Give 1 to 255 printable characters."))
    row = session.scalar(
        select(IdempotentAnswer).where(
            IdempotentAnswer.api_key_id == key.id, IdempotentAnswer.key == name
        )
    )
    if row is None:
        return None
    if row.request_digest != request_digest():
        raise ApiProblem(
            422,
            _("This Idempotency-Key was used for another request"),
            _("Use a new key for a new request; the same key only repeats the same one."),
        )
    response = Response(row.body, row.status, content_type=row.content_type)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def keep_answer(session: Session, key: ApiKey, response: Response) -> None:
    """Store the answer with the change, in its transaction (server errors are not kept)."""
    name = request.headers.get("Idempotency-Key")
    if name is None or response.status_code >= 500:
        return
    session.add(
        IdempotentAnswer(
            api_key_id=key.id,
            key=name,
            request_digest=request_digest(),
            status=response.status_code,
            body=response.get_data(as_text=True),
            content_type=response.content_type,
        )
    )
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise ApiProblem(
            409,
            _("The same Idempotency-Key is being used by another request right now"),
            _("Wait for it to finish, then send again to read its answer."),
        ) from None
