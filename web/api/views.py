"""/api/v1: the event's data for integrations (a registration system, a CRM), with an API
key of the event. Views parse and answer; what they change goes through the service layer
(web.api.sheets over the import, the solving, schedules and requests operations)."""

from __future__ import annotations

from collections.abc import Callable

import flask
import marshmallow as ma
from flask import Response, current_app, request
from flask_babel import gettext
from flask_smorest import Blueprint
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

import web.api.sheets as sheets
from scheduler.formats.problems import InvalidInput
from scheduler.formats.schedule_io import schedule_to_document
from scheduler.solver.cpsat import SolverSettings
from web.api.auth import authorise
from web.api.replies import (
    ApiProblem,
    check_if_match,
    etag_of,
    invalid_rows,
    invalid_shape,
    json_response,
    keep_answer,
    paged,
    problem_response,
    stored_answer,
    with_etag,
)
from web.api.schemas import (
    AnswerSchema,
    AttendeePage,
    AttendeeSchema,
    BlockedTimePage,
    BlockedTimeSchema,
    CompanyPage,
    CompanySchema,
    EventSchema,
    InstanceDocument,
    MeetingList,
    PageArgs,
    ProblemSchema,
    PublishSchema,
    PutResultSchema,
    RequestPage,
    RequestSchema,
    RunSchema,
    RunSettingsSchema,
    ScheduleDocument,
    VersionList,
    VersionSchema,
)
from web.conversion import document_from_event
from web.events.models import Event
from web.http import db, queue
from web.meeting_requests.answering import NeedsConfirmation, NotYourAnswer, answer
from web.meeting_requests.models import MeetingRequest
from web.meeting_requests.operations import BadTransition
from web.schedules.models import ScheduleVersion
from web.schedules.operations import (
    AlreadyPublished,
    current_version,
    publish,
    published_state,
    schedule_from_version,
    version_instance,
    versions,
)
from web.solving.models import SolverRun
from web.solving.operations import cancel_run, queue_run

api = Blueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="The event's data for integrations; every call needs an API key of the event.",
)
PROBLEM_TYPE = "application/problem+json"
# A BIO-size fair's whole requests list is about 10 MB of JSON; the app's own limit is for
# workbooks and far larger.
BODY_LIMIT = 20 * 1024 * 1024


@api.before_request
def _key_required() -> None:
    """Every path here needs a key of the event in its URL, for the method it uses; a body
    is at most BODY_LIMIT bytes (413) and JSON nested no deeper than Python reads (400)."""
    authorise((request.view_args or {}).get("slug"))
    request.max_content_length = BODY_LIMIT
    if request.is_json and request.method not in ("GET", "HEAD", "OPTIONS"):
        try:
            request.get_json(silent=True)  # read once here; the views get it from the cache
        except RecursionError:
            raise ApiProblem(
                400,
                gettext("The body is nested too deeply"),
                gettext("Send a list of flat objects, as the OpenAPI document describes."),
            ) from None


@api.after_request
def _allow(response: Response) -> Response:
    """OPTIONS lists the methods the path takes (not those of the catch-all below)."""
    if request.method == "OPTIONS":
        allowed = [m for m in ("GET", "PUT", "POST") if _routed(m) not in (None, "api.not_found")]
        extra = ["HEAD"] if "GET" in allowed else []
        response.headers["Allow"] = ", ".join([*allowed, *extra, "OPTIONS"])
    return response


@api.errorhandler(ApiProblem)
def _problem(error: ApiProblem):
    db().rollback()
    return problem_response(error)


@api.errorhandler(404)  # by code too: the app's own 404 page is registered by code
@api.errorhandler(HTTPException)
def _http_problem(error: HTTPException):
    db().rollback()
    messages = (getattr(error, "data", None) or {}).get("messages")
    if error.code == 422 and messages:
        return problem_response(invalid_shape(messages))
    headers = dict(error.get_headers()) if error.code in (405, 429) else {}
    headers.pop("Content-Type", None)
    detail = (
        error.description
        if error.code != 429
        else gettext("Too many requests with this key; wait and try again.")
    )
    return problem_response(ApiProblem(error.code or 500, error.name, str(detail), headers=headers))


# --- helpers ---------------------------------------------------------------------------------


def event_of(slug: str) -> Event:
    """The key's event (authorise has checked the slug is its own)."""
    from web.api.auth import presented_key

    return presented_key().event


def write(make: Callable[[], Response]) -> Response:
    """A write with its Idempotency-Key: the stored answer again, or the change and its
    answer committed together."""
    from web.api.auth import presented_key

    key = presented_key()
    stored = stored_answer(db(), key)
    if stored is not None:
        db().rollback()
        return stored
    response = make()
    keep_answer(db(), key, response)
    db().commit()
    return response


def collection(slug: str, sheet: str, endpoint: str) -> Response:
    event = event_of(slug)
    found = sheets.items(db(), event, sheet)
    return paged(found, endpoint, etag_of(found), slug=slug)


def put_collection(slug: str, sheet: str, items: list[dict]) -> Response:
    event = event_of(slug)
    if request.if_match:
        check_if_match(etag_of(sheets.items(db(), event, sheet)))

    def change() -> Response:
        if not items:
            return json_response({"changed": False, "counts": {}})
        try:
            report = sheets.put(db(), event, sheet, items)
        except InvalidInput as error:
            raise invalid_rows(error, gettext) from None
        counts = {kind: dict(c) for kind, c in report.counts.items()}
        response = json_response({"changed": report.changed, "counts": counts})
        response.set_etag(etag_of(sheets.items(db(), event, sheet)))
        return response

    return write(change)


# --- events ---------------------------------------------------------------------------------


def event_body(event: Event) -> dict:
    return {
        "slug": event.slug,
        "name": event.name,
        "timezone": event.timezone,
        "slot_minutes": event.slot_minutes,
        "days": [d.date.isoformat() for d in event.days],
        "venue": event.venue,
    }


@api.route("/events")
@api.response(200, EventSchema(many=True))
def list_events():
    """The events the key opens (one: a key belongs to one event)."""
    from web.api.auth import presented_key

    body = [event_body(presented_key().event)]
    return with_etag(json_response(body), etag_of(body))


@api.route("/events/<slug>")
@api.response(200, EventSchema)
def get_event(slug: str):
    """The event: name, time zone, slot length, days."""
    body = event_body(event_of(slug))
    return with_etag(json_response(body), etag_of(body))


# --- the collections, as the sheets ----------------------------------------------------------


@api.route("/events/<slug>/companies", methods=["GET"])
@api.arguments(PageArgs, location="query", unknown=ma.RAISE)
@api.response(200, CompanyPage)
def get_companies(_args, slug: str):
    """Every company, in the order they were added (the companies sheet's columns)."""
    return collection(slug, "companies", "api.get_companies")


@api.route("/events/<slug>/companies", methods=["PUT"])
@api.arguments(CompanySchema(many=True))
@api.response(200, PutResultSchema)
@api.alt_response(
    422,
    schema=ProblemSchema,
    content_type=PROBLEM_TYPE,
    description="the rows refused, nothing changed",
)
def put_companies(items, slug: str):
    """Add and update companies by id, all or nothing, with the file import's checks."""
    return put_collection(slug, "companies", items)


@api.route("/events/<slug>/attendees", methods=["GET"])
@api.arguments(PageArgs, location="query", unknown=ma.RAISE)
@api.response(200, AttendeePage)
def get_attendees(_args, slug: str):
    """Every attendee (a company's people)."""
    return collection(slug, "attendees", "api.get_attendees")


@api.route("/events/<slug>/attendees", methods=["PUT"])
@api.arguments(AttendeeSchema(many=True))
@api.response(200, PutResultSchema)
@api.alt_response(
    422,
    schema=ProblemSchema,
    content_type=PROBLEM_TYPE,
    description="the rows refused, nothing changed",
)
def put_attendees(items, slug: str):
    """Add and update attendees by id, all or nothing."""
    return put_collection(slug, "attendees", items)


@api.route("/events/<slug>/availability", methods=["GET"])
@api.arguments(PageArgs, location="query", unknown=ma.RAISE)
@api.response(200, BlockedTimePage)
def get_availability(_args, slug: str):
    """The blocked times: when a company, or one of its people, cannot meet."""
    return collection(slug, "availability", "api.get_availability")


@api.route("/events/<slug>/availability", methods=["PUT"])
@api.arguments(BlockedTimeSchema(many=True))
@api.response(200, PutResultSchema)
@api.alt_response(
    422,
    schema=ProblemSchema,
    content_type=PROBLEM_TYPE,
    description="the rows refused, nothing changed",
)
def put_availability(items, slug: str):
    """The blocked times of each company and attendee the body names replace theirs."""
    return put_collection(slug, "availability", items)


@api.route("/events/<slug>/requests", methods=["GET"])
@api.arguments(PageArgs, location="query", unknown=ma.RAISE)
@api.response(200, RequestPage)
def get_requests(_args, slug: str):
    """Every request, with its status and who answered when."""
    return collection(slug, "requests", "api.get_requests")


@api.route("/events/<slug>/requests", methods=["PUT"])
@api.arguments(RequestSchema(many=True))
@api.response(200, PutResultSchema)
@api.alt_response(
    422,
    schema=ProblemSchema,
    content_type=PROBLEM_TYPE,
    description="the rows refused, nothing changed",
)
def put_requests(items, slug: str):
    """Add and update requests by id, all or nothing, with the file import's checks."""
    return put_collection(slug, "requests", items)


@api.route("/events/<slug>/requests/<request_id>/answer", methods=["POST"])
@api.arguments(AnswerSchema)
@api.response(200, RequestSchema)
@api.alt_response(
    409,
    schema=ProblemSchema,
    content_type=PROBLEM_TYPE,
    description="not an answer this request can take now",
)
def answer_request(body, slug: str, request_id: str):
    """Answer a request on a company's behalf, as the organiser does (accepted, declined,
    cancelled); taking back a published meeting needs confirm: true."""
    event = event_of(slug)
    found = db().scalar(
        select(MeetingRequest).where(
            MeetingRequest.event_id == event.id, MeetingRequest.external_id == request_id
        )
    )
    if found is None:
        raise ApiProblem(404, gettext("No such request"), gettext("Check the request's id."))

    def change() -> Response:
        try:
            answer(
                db(),
                found,
                body["status"],
                found.version_id,
                f"organiser:{event.slug}",
                confirmed=body["confirm"],
                side="organiser",
            )
        except NeedsConfirmation:
            raise ApiProblem(
                409,
                gettext("This takes back a published meeting"),
                gettext(
                    "Send confirm: true to do it; both companies lose it at the next publication."
                ),
            ) from None
        except (BadTransition, NotYourAnswer) as error:
            raise ApiProblem(
                409, gettext("Not an answer this request can take"), str(error)
            ) from None
        item = next(i for i in sheets.items(db(), event, "requests") if i["id"] == request_id)
        return json_response(item)

    return write(change)


# --- solve runs -------------------------------------------------------------------------------


def run_body(run: SolverRun) -> dict:
    figures = run.progress or {}
    objective, bound = figures.get("objective"), figures.get("bound")
    gap = (
        round(100 * max(0.0, bound - objective) / bound, 2)
        if objective is not None and bound
        else None
    )
    return {
        "id": run.id,
        "status": run.status,
        "settings": run.settings,
        "stage": figures.get("stage"),
        "objective": objective,
        "bound": bound,
        "gap": gap,
        "seconds": figures.get("seconds"),
        "requests": run.requests,
        "scheduled": run.scheduled if run.scheduled is not None else figures.get("scheduled"),
        "cancel_requested": run.cancel_requested,
        "error": run.error,
        "version": run.schedule.number if run.schedule else None,
    }


def run_of(event: Event, run_id: int) -> SolverRun:
    run = db().get(SolverRun, run_id)
    if run is None or run.event_id != event.id:
        raise ApiProblem(404, gettext("No such run"), gettext("Check the run's id."))
    return run


@api.route("/events/<slug>/runs", methods=["GET"])
@api.response(200, RunSchema(many=True))
def list_runs(slug: str):
    """The event's solve runs, newest first."""
    event = event_of(slug)
    runs = db().scalars(
        select(SolverRun).where(SolverRun.event_id == event.id).order_by(SolverRun.id.desc())
    )
    return json_response([run_body(run) for run in runs])


@api.route("/events/<slug>/runs", methods=["POST"])
@api.arguments(RunSettingsSchema, required=False)
@api.response(202, RunSchema)
def start_run(settings, slug: str):
    """Start a solve with these settings; follow it at /runs/<id>."""
    event = event_of(slug)

    def change() -> Response:
        solver = SolverSettings(
            time_limit=float(settings["time_limit"]),
            seed=settings["seed"],
            compact=settings["compact"] or settings["max_breaks"] is not None,
            max_breaks=settings["max_breaks"],
            fair=settings["fair"],
        )
        run = queue_run(db(), event, solver, settings["keep_published"], settings["allow_moves"])
        return json_response(run_body(run), 202)

    response = write(change)
    if response.status_code == 202 and not response.headers.get("Idempotent-Replayed"):
        queue().enqueue_solve(response.get_json()["id"])
        db().rollback()
        run = db().get(SolverRun, response.get_json()["id"])
        response = json_response(run_body(run), 202)
    return response


@api.route("/events/<slug>/runs/<int:run_id>")
@api.response(200, RunSchema)
def get_run(slug: str, run_id: int):
    """A run's progress: stage, objective, bound, gap, seconds; the version it wrote."""
    return json_response(run_body(run_of(event_of(slug), run_id)))


@api.route("/events/<slug>/runs/<int:run_id>/cancel", methods=["POST"])
@api.response(200, RunSchema)
def cancel(slug: str, run_id: int):
    """Stop a run; the published schedule stays as it is."""
    run = run_of(event_of(slug), run_id)

    def change() -> Response:
        cancel_run(db(), run)
        return json_response(run_body(run))

    return write(change)


# --- schedule versions -------------------------------------------------------------------------


def version_of(event: Event, number: int) -> ScheduleVersion:
    found = next((v for v in versions(db(), event) if v.number == number), None)
    if found is None:
        raise ApiProblem(404, gettext("No such schedule version"), gettext("Check its number."))
    return found


def version_body(version: ScheduleVersion, current: ScheduleVersion | None) -> dict:
    return {
        "number": version.number,
        "created_at": version.created_at.isoformat(),
        "published_at": version.published_at.isoformat() if version.published_at else None,
        "current": current is not None and current.id == version.id,
        "scheduled": len(version.meetings),
        "unscheduled": len(version.unscheduled),
    }


@api.route("/events/<slug>/schedules")
@api.response(200, VersionList)
def list_versions(slug: str):
    """The schedule versions the solves made; `current` is what companies see."""
    event = event_of(slug)
    current = current_version(db(), event)
    body = {"items": [version_body(v, current) for v in versions(db(), event)]}
    return with_etag(json_response(body), etag_of(body))


def schedule_document(version: ScheduleVersion) -> Response:
    instance = version_instance(db(), version)
    body = schedule_to_document(schedule_from_version(db(), version), instance)
    return with_etag(json_response(body), etag_of(body))


@api.route("/events/<slug>/schedules/<int:number>")
@api.response(200, ScheduleDocument)
def get_version(slug: str, number: int):
    """A version's schedule in the exchange format (partnering-schedule/1)."""
    return schedule_document(version_of(event_of(slug), number))


@api.route("/events/<slug>/schedules/<int:number>/instance")
@api.response(200, InstanceDocument)
def get_version_instance(slug: str, number: int):
    """The event as this version was solved from (partnering-instance/1): with the schedule,
    what `partnering check INSTANCE SCHEDULE` reads."""
    version = version_of(event_of(slug), number)
    body = version.instance or document_from_event(db(), version.event)
    return with_etag(json_response(body), etag_of(body))


@api.route("/events/<slug>/schedules/<int:number>/publish", methods=["POST"])
@api.arguments(PublishSchema)
@api.response(200, VersionSchema)
@api.alt_response(
    409, schema=ProblemSchema, content_type=PROBLEM_TYPE, description="already what companies see"
)
def publish_version(body, slug: str, number: int):
    """Make this version what companies see (their agendas, calendars and mail follow)."""
    event = event_of(slug)
    version = version_of(event, number)

    def change() -> Response:
        try:
            publish(db(), version)
        except AlreadyPublished:
            raise ApiProblem(
                409,
                gettext("Already published"),
                gettext("This version is what companies see already."),
            ) from None
        return json_response(version_body(version, version))

    return write(change)


@api.route("/events/<slug>/schedule")
@api.response(200, ScheduleDocument)
def get_published(slug: str):
    """The published schedule in the exchange format (partnering-schedule/1)."""
    event = event_of(slug)
    version = current_version(db(), event)
    if version is None:
        raise ApiProblem(
            404, gettext("Nothing is published yet"), gettext("Publish a schedule version first.")
        )
    return schedule_document(version)


@api.route("/events/<slug>/companies/<company>/meetings")
@api.response(200, MeetingList)
def company_meetings(slug: str, company: str):
    """A company's published meetings, in time order."""
    event = event_of(slug)
    published = published_state(db(), event)
    if published is None or company not in published.instance.company_by_id:
        if published is not None or company not in {
            i["id"] for i in sheets.items(db(), event, "companies")
        }:
            raise ApiProblem(404, gettext("No such company"), gettext("Check the company's id."))
        body: dict = {"items": [], "published_at": None}
        return with_etag(json_response(body), etag_of(body))
    schedule, _calendars = published.of_company(company)
    instance = published.instance
    items = [
        {
            "request": m.request,
            "start": m.start.isoformat(),
            "end": m.end.isoformat(),
            "location": m.location,
            "location_name": getattr(instance.location_by_id.get(m.location), "name", None),
            "with": next(c for c in instance.request_by_id[m.request].companies if c != company),
            "attendees": list(m.attendees),
        }
        for m in sorted(schedule.meetings, key=lambda m: (m.start, m.request))
    ]
    body = {"items": items, "published_at": published.published_at.isoformat()}
    return with_etag(json_response(body), etag_of(body))


def not_found(rest: str):
    """No such path (404), or a path that takes other methods (405, with Allow)."""
    allowed = [m for m in ("GET", "PUT", "POST") if _routed(m) not in (None, "api.not_found")]
    if allowed:
        raise ApiProblem(
            405,
            gettext("Method not allowed"),
            gettext("This path takes: %(methods)s.", methods=", ".join(allowed)),
            headers={"Allow": ", ".join(allowed)},
        )
    raise ApiProblem(
        404, gettext("No such API path"), gettext("See /api/v1/reference for the paths.")
    )


def _routed(method: str) -> str | None:
    adapter = current_app.create_url_adapter(request)
    try:
        endpoint, _values = adapter.match(request.path, method=method)
    except HTTPException:
        return None
    return endpoint


# Any other path under /api/v1 is a problem too (not the app's HTML page); not documented.
flask.Blueprint.add_url_rule(
    api, "/<path:rest>", "not_found", not_found, methods=["GET", "PUT", "POST", "DELETE", "PATCH"]
)
