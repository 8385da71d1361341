"""`partnering serve`, `partnering worker` and `partnering create-organiser`: the web app
behind waitress, the job workers, and organiser accounts."""

from __future__ import annotations

import os
import secrets
import signal
import sys
from pathlib import Path

import click

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "biojapan-2026" / "instance.json"
# The companies' profiles (San Diego and Boston delegations, Japanese and global corporates,
# English and Japanese): a companies sheet of profile columns.
EXAMPLE_PROFILES = EXAMPLE.parent / "profiles" / "companies.csv"
EXAMPLE_SCHEDULE = EXAMPLE.with_name("schedule.json")
DEMO_SLUG = "biojapan-2026"
DEMO_ORGANISER = "organiser@example.org"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=int, help="Web request threads.")
@click.option(
    "--demo",
    is_flag=True,
    help="Load the example event (BioJapan 2026) and print an organiser login and a company's "
    "private link.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=int,
    help="Solves run at once in this process (0 with REDIS_URL: leave them to "
    "`partnering worker`).",
)
def serve(host: str, port: int, threads: int, demo: bool, workers: int) -> None:
    """Run the web app (waitress), with solves worked in this process unless told not to."""
    from waitress import serve as waitress_serve

    from web.app import create_app
    from web.db import make_engine
    from web.migrations import upgrade

    engine = make_engine()
    upgrade(engine)
    _fail_runs_without_worker(engine)
    app = create_app()
    base = f"http://{_shown_host(host)}:{port}"
    # Links in messages: the public address where one is set, else the one served here.
    os.environ.setdefault("PARTNERING_BASE_URL", base)
    if demo:
        _load_demo(engine, base)
    consumer = None
    if workers > 0:
        consumer = app.extensions["partnering.queue"].huey.create_consumer(
            workers=workers, worker_type="thread"
        )
        _start_keeping_signals(consumer)
    click.echo(f"Serving on {base}/ (Ctrl+C to stop)", err=True)
    try:
        waitress_serve(app, host=host, port=port, threads=threads, ident="partnering")
    finally:
        if consumer is not None:
            consumer.stop(graceful=False)


@click.command()
@click.option("--workers", default=2, show_default=True, type=int, help="Solves at once.")
def worker(workers: int) -> None:
    """Work solves from the queue (REDIS_URL; else the instance folder's SQLite queue)."""
    from web.jobs import make_queue

    queue = make_queue()
    _fail_runs_without_worker(queue.engine)
    consumer = queue.huey.create_consumer(workers=workers, worker_type="thread")
    click.echo(f"Worker: {type(queue.huey).__name__}, {workers} at once", err=True)
    consumer.run()


@click.command("create-organiser")
@click.argument("email")
@click.option("--name", default="", help="Shown in the app; the email if not given.")
@click.option(
    "--event",
    "slugs",
    multiple=True,
    help="An event they get a role on (repeat for several); invite others from its page.",
)
@click.option(
    "--role",
    type=click.Choice(["owner", "editor", "viewer", "desk"]),
    default="owner",
    show_default=True,
    help="Their role on each --event.",
)
@click.password_option(help="Asked for if not given.")
def create_organiser_command(
    email: str, name: str, slugs: tuple[str, ...], role: str, password: str
) -> None:
    """Add an organiser account that logs in with EMAIL and a password."""
    from web.auth.operations import OrganiserExists, create_organiser
    from web.cli import _ready_engine, command_line
    from web.db import transaction
    from web.events.operations import EventNotFound, get_event
    from web.members.operations import grant

    engine = _ready_engine()
    try:
        with command_line(), transaction(engine) as session:
            organiser = create_organiser(session, email, password, name)
            for slug in slugs:
                grant(session, get_event(session, slug), organiser, role)
    except (OrganiserExists, EventNotFound) as error:
        click.echo(str(error), err=True)
        sys.exit(2)
    click.echo(f"organiser {email} created", err=True)


def _load_demo(engine, base: str) -> None:
    """The example event, a demo organiser with a fresh password, and the links to try."""
    from sqlalchemy import select

    from web.auth.operations import create_organiser, find_organiser, set_password
    from web.companies.models import Company
    from web.db import transaction
    from web.events.models import Event
    from web.importing.files import import_file
    from web.members.operations import grant

    password = secrets.token_urlsafe(9)
    with transaction(engine) as session:
        import_file(session, EXAMPLE, DEMO_SLUG)
        import_file(session, EXAMPLE_PROFILES, DEMO_SLUG)  # the directory's profiles
        organiser = find_organiser(session, DEMO_ORGANISER)
        if organiser is None:
            create_organiser(session, DEMO_ORGANISER, password, "Demo organiser")
        else:
            set_password(organiser, password)
        event = session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
        grant(session, event, find_organiser(session, DEMO_ORGANISER), "owner")
        company = session.scalar(
            select(Company)
            .where(Company.event_id == event.id, Company.role == "delegation")
            .order_by(Company.id)
        )
        _publish_example_schedule(session, event, company)
        token = company.access_token
        company_name = company.name
    click.echo(
        "\nDemo event loaded: BioJapan 2026 Partnering\n"
        f"  Organiser login:  {base}/login\n"
        f"    email:          {DEMO_ORGANISER}\n"
        f"    password:       {password}   (new at every start)\n"
        f"  {company_name}'s private link:\n"
        f"                    {base}/c/{token}/\n"
    )


def _publish_example_schedule(session, event, shown) -> None:
    """At the demo's first start, publish the example's schedule as version 1, so a
    company's link shows an agenda; then one corporate declines a published meeting (not one
    of `shown`, the company whose link is printed), so the organiser finds the published
    schedule out of date and can try a re-solve."""
    from sqlalchemy import select

    from scheduler.formats.schedule_io import load_schedule
    from web.conversion import add_schedule_version, document_from_event, instance_from_event
    from web.meeting_requests.models import MeetingRequest
    from web.meeting_requests.operations import set_status
    from web.schedules.operations import latest_publication, publish

    if latest_publication(session, event) is not None:
        return  # published at an earlier start: keep what the organiser did since
    instance = instance_from_event(session, event)
    schedule = load_schedule(EXAMPLE_SCHEDULE, instance)
    version = add_schedule_version(session, event, schedule, note="the example's schedule")
    version.instance = document_from_event(session, event)
    publish(session, version)
    others = [
        m.request
        for m in sorted(schedule.meetings, key=lambda m: (m.start, m.request))
        if shown.external_id not in instance.request_by_id[m.request].companies
    ]
    declined = session.scalar(
        select(MeetingRequest).where(
            MeetingRequest.event_id == event.id, MeetingRequest.external_id == others[0]
        )
    )
    by = f"company:{declined.requested.external_id}"
    set_status(session, declined, "declined", declined.version_id, by)


def _fail_runs_without_worker(engine) -> None:
    """Runs left "running" by a worker that was killed are marked failed (by heartbeat, so a
    run another live worker is solving is left alone)."""
    from web.db import transaction
    from web.solving.operations import fail_stale_runs

    with transaction(engine) as session:
        failed = fail_stale_runs(session)
    if failed:
        click.echo(f"Runs whose worker stopped, marked failed: {failed}", err=True)


def _shown_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


def _start_keeping_signals(consumer) -> None:
    """Start the consumer's threads, but leave Ctrl+C and SIGTERM to stop the server: Huey's
    own handlers only set flags for its `run` loop, which `serve` does not use."""
    kept = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    consumer.start()
    for number, handler in kept.items():
        signal.signal(number, handler)
