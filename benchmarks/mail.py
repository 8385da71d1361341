"""Telling a fair its schedule by mail: the first publication of a BIO-size event (4,100
companies, 6,400 people with an address) written to the outbox and delivered to an SMTP
server on loopback (aiosmtpd), in seconds, against a baseline measured in the same run.

    python benchmarks/mail.py [--companies 4100 --requests 100000 --attendees 6400]
                              [-o benchmarks/MAIL.md]

The schedule is the first-come-first-served one (quick, and how it was made does not matter
to the messages). Publishing writes one message per person; delivery renders each in its
reader's language with their own calendar attached and sends it over one connection per
batch. The baseline sends the same number of small ready-made messages over one connection
with smtplib: the floor that the server and loopback set.
"""

from __future__ import annotations

import argparse
import smtplib
import socket
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

HERE = Path(__file__).resolve().parent


class Counting:
    """The SMTP server's side: counts what arrives."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=4_100)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--attendees", type=int, default=6_400)
    parser.add_argument("--days", type=int, default=4)
    parser.add_argument("--tables", type=int, default=700)
    parser.add_argument("-o", "--output", type=Path, default=HERE / "MAIL.md")
    args = parser.parse_args()

    import os

    from aiosmtpd.controller import Controller
    from sqlalchemy import func, select

    from scheduler.domain import Schedule
    from scheduler.formats.instance_reader import instance_from_document
    from scheduler.generate.instances import generate_instance
    from scheduler.solver.greedy import greedy_schedule
    from scheduler.solver.prepare import Prepared
    from web.conversion import add_schedule_version, document_from_event, save_instance
    from web.db import make_engine, make_session_factory
    from web.migrations import upgrade
    from web.notifications.delivery import deliver_due, mail_server
    from web.notifications.models import Notification
    from web.schedules.operations import publish

    folder = Path(tempfile.mkdtemp(prefix="mail-bench-"))
    engine = make_engine(f"sqlite:///{folder / 'bench.sqlite3'}")
    upgrade(engine)
    document = generate_instance(
        args.companies, args.requests, args.days, args.tables, seed=1, attendees=args.attendees
    )
    instance, _ = instance_from_document(document)
    schedule = Schedule(meetings=greedy_schedule(Prepared(instance)).meetings(), unscheduled=[])
    with make_session_factory(engine)() as session:
        event, _report = save_instance(session, document, "bench")
        session.commit()
        version = add_schedule_version(session, event, schedule)
        version.instance = document_from_event(session, event)
        session.commit()
        started = time.perf_counter()
        publish(session, version)
        session.commit()
        written_seconds = time.perf_counter() - started
        messages = session.scalar(select(func.count()).select_from(Notification))

    port = free_port()
    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    os.environ["PARTNERING_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    os.environ["PARTNERING_MAIL_FROM"] = "desk@fair.example"
    try:
        started = time.perf_counter()
        sent = deliver_due(engine, mail_server())
        delivery_seconds = time.perf_counter() - started
        received = handler.count
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as connection:
            for n in range(messages):
                message = EmailMessage()
                message["Subject"], message["From"] = f"baseline {n}", "desk@fair.example"
                message["To"] = f"person{n}@example.org"
                message.set_content("A ready-made message.")
                connection.send_message(message)
        baseline_seconds = time.perf_counter() - started
    finally:
        controller.stop()
    lines = [
        f"# Mail: the first publication of {args.companies} companies",
        "",
        "Written by `python benchmarks/mail.py` (see its docstring) on this 2-core machine.",
        "",
        f"{args.companies} companies, {args.requests} requests, {len(schedule.meetings)} "
        f"meetings (first come, first served), {messages} messages (one per person with an "
        "address and a meeting).",
        "",
        "| step | seconds | ratio to the baseline |",
        "| --- | --- | --- |",
        f"| publishing, with the outbox written in its transaction | {written_seconds:.1f} | |",
        f"| delivering the outbox ({sent} sent, {received} received) | {delivery_seconds:.1f} "
        f"| {delivery_seconds / baseline_seconds:.2f}x |",
        f"| baseline: as many ready-made messages over one connection | {baseline_seconds:.1f} "
        "| 1.00x |",
        "",
        "The target: the whole outbox delivered in under 5 minutes (300 s).",
    ]
    args.output.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
