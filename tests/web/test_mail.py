# ruff: noqa: RUF001 (Japanese punctuation is what these messages must carry)
"""Mail through a real SMTP server on loopback (aiosmtpd, started here): who is told what,
in which language, once; the outbox when no server is configured."""

from __future__ import annotations

import email
import os
import re
import socket
import threading
from email import policy

import icalendar
import pytest
from sqlalchemy import select

from web.companies.models import Attendee, Company
from web.meeting_requests.models import MeetingRequest
from web.notifications.models import Notification


class Inbox:
    """What the SMTP server received: each message parsed, by recipient."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in str(m["To"])]


@pytest.fixture
def inbox(monkeypatch):
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("PARTNERING_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("PARTNERING_MAIL_FROM", "Partnering desk <desk@fair.example>")
    monkeypatch.setenv("PARTNERING_BASE_URL", "https://fair.example")
    yield handler
    controller.stop()


def _emails(session, **addresses: str) -> None:
    """Give the tiny event's people email addresses (attendee id -> address)."""
    for external_id, address in addresses.items():
        person = session.scalar(select(Attendee).where(Attendee.external_id == external_id))
        person.email = address
    session.commit()


def _row(session, model, external_id):
    session.rollback()
    return session.scalar(select(model).where(model.external_id == external_id))


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_request_is_told_to_the_asked_company_in_its_language(
    client, session, dummy_event, inbox
):
    _emails(session, **{"big-1": "bo@big.example", "big-2": "bea@big.example"})
    big = _row(session, Company, "big")
    big.language = "ja"
    session.commit()
    cell = _row(session, Company, "cell")
    session.execute(MeetingRequest.__table__.delete().where(MeetingRequest.requested_id == big.id))
    session.commit()
    client.application.config["WTF_CSRF_ENABLED"] = False
    response = client.post(
        f"/c/{cell.access_token}/requests", data={"to": big.id, "priority": 5, "notes": "gene"}
    )
    assert response.status_code == 302
    for address in ("bo@big.example", "bea@big.example"):
        (message,) = inbox.to(address)
        assert message["Subject"] == "Tiny partnering: Cell Co から商談の申請があります"
        body = _text(message)
        assert "Cell Co が Big Pharma に商談を申請しています（Tiny partnering）。" in body
        assert f"https://fair.example/c/{big.access_token}/#requests" in body
        assert "5" not in re.sub(r"https://\S+", "", body)  # the priority is not told
        assert (
            message["List-Unsubscribe"].strip()
            == f"<https://fair.example/c/{big.access_token}/mail>"
        )
    assert not inbox.to("cy@cell.example")
    session.rollback()
    states = session.scalars(select(Notification.status)).all()
    assert states == ["sent", "sent"]


def test_publishing_tells_each_company_its_agenda_and_a_re_publication_only_those_it_changes(
    organiser, session, dummy_event, inbox
):
    _emails(
        session,
        **{"acme-1": "ann@acme.example", "big-1": "bo@big.example", "cell-1": "cy@cell.example"},
    )
    organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    organiser.post("/events/tiny/schedules/1/publish", data={"confirm": "1"})
    first = {str(m["To"]): m for m in inbox.messages}
    assert set(first) == {
        "Ann Acme <ann@acme.example>",
        "Bo Big <bo@big.example>",
        "Cy Cell <cy@cell.example>",
    }
    ann = first["Ann Acme <ann@acme.example>"]
    assert ann["Subject"] == "Tiny partnering: your agenda is published"
    assert "Big Pharma" in _text(ann) and "Times are in Japan Time (Asia/Tokyo)." in _text(ann)
    (attachment,) = list(ann.iter_attachments())
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    (meeting,) = calendar.walk("VEVENT")
    assert "Acme Bio" in str(meeting["summary"]) and meeting.walk("VALARM")
    # Cell declines its meeting; the re-solve drops it: only Cell and Big Pharma are told.
    inbox.messages.clear()
    r2 = _row(session, MeetingRequest, "r2")
    r2.status = "declined"
    session.commit()
    organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    organiser.post("/events/tiny/schedules/2/publish", data={"confirm": "1"})
    changed = "Tiny partnering: your agenda changed (0 moved, 1 cancelled, 0 new)"
    told = {str(m["To"]): m["Subject"] for m in inbox.messages}
    assert told == {"Bo Big <bo@big.example>": changed, "Cy Cell <cy@cell.example>": changed}


def test_without_a_mail_server_messages_wait_in_the_outbox(
    organiser, session, dummy_event, monkeypatch
):
    monkeypatch.delenv("PARTNERING_SMTP_URL", raising=False)
    _emails(session, **{"acme-1": "ann@acme.example"})
    acme = _row(session, Company, "acme")
    sent = organiser.post(f"/events/tiny/companies/{acme.id}/send-link", follow_redirects=True)
    assert "The link goes to 1 person of Acme Bio." in sent.get_data(as_text=True)
    page = organiser.get("/events/tiny/outbox/").get_data(as_text=True)
    assert 'id="not-configured"' in page and "Ann Acme" in page
    session.rollback()  # read what the app committed
    assert session.scalars(select(Notification.status)).all() == ["queued"]


def test_a_company_switches_a_kind_of_message_off(client, session, dummy_event, inbox):
    _emails(session, **{"big-1": "bo@big.example"})
    big, cell = _row(session, Company, "big"), _row(session, Company, "cell")
    session.execute(MeetingRequest.__table__.delete())
    session.commit()
    client.application.config["WTF_CSRF_ENABLED"] = False
    client.post(f"/c/{big.access_token}/mail", data={"kind": ["answer"], "language": "en"})
    client.post(f"/c/{cell.access_token}/requests", data={"to": big.id, "priority": 3})
    assert inbox.messages == []
    assert _row(session, Company, "big").mail_off == [
        "request",
        "reply",
        "expired",
        "reminder",
        "schedule",
        "booking",
        "digest",
    ]


def test_a_name_cannot_add_a_header(session, dummy_event, inbox):
    """A name with a line break in it (as an import might carry) stays one header line."""
    from web.notifications.compose import envelope, header_safe

    assert header_safe("Evil\r\nBcc: all@x.example") == "Evil Bcc: all@x.example"
    _emails(session, **{"acme-1": "ann@acme.example"})
    acme = _row(session, Company, "acme")
    person = acme.attendees[0]
    person.name = "Ann\r\nBcc: all@x.example"
    row = Notification(
        event_id=acme.event_id,
        company_id=acme.id,
        attendee_id=person.id,
        kind="link",
        key="k",
        payload={},
    )
    session.add(row)
    session.flush()
    from web.notifications.compose import Letter

    message = envelope(row, Letter("Hi", "text", "<p>html</p>"), "desk@fair.example")
    assert "Bcc" not in message
    assert "\n" not in str(message["To"]).strip()


def test_a_worker_killed_while_delivering_leaves_every_message_sent_once(
    engine, session, dummy_event, inbox
):
    """Twelve messages, a worker killed (SIGKILL) after the fourth is sent: the next worker
    takes the rest once their claim has run out, and each message arrives exactly once."""
    import os
    import subprocess
    import sys
    from datetime import timedelta

    from web.db import utc_now
    from web.notifications.delivery import CLAIM_TIMEOUT, deliver_due, mail_server

    _emails(session, **{"acme-1": "ann@acme.example"})
    acme = _row(session, Company, "acme")
    for n in range(12):
        session.add(
            Notification(
                event_id=acme.event_id,
                company_id=acme.id,
                attendee_id=acme.attendees[0].id,
                kind="link",
                key=f"link:{n}:{acme.attendees[0].id}",
                payload={},
            )
        )
    session.commit()
    url = engine.url.render_as_string(hide_password=False)
    worker = (
        "import sys\n"
        "from web.db import make_engine\n"
        "from web.notifications.delivery import deliver_due, mail_server\n"
        "deliver_due(make_engine(sys.argv[1]), mail_server(),"
        " on_sent=lambda i: print(i, flush=True))\n"
    )
    environ = {**os.environ, "PARTNERING_SMTP_URL": os.environ["PARTNERING_SMTP_URL"] + "?pace=0.5"}
    child = subprocess.Popen(
        [sys.executable, "-c", worker, url], stdout=subprocess.PIPE, text=True, env=environ
    )
    sent_before = [child.stdout.readline() for _ in range(4)]
    child.kill()
    child.wait()
    assert all(line.strip().isdigit() for line in sent_before)
    session.rollback()
    states = sorted(session.scalars(select(Notification.status)).all())
    assert states.count("sent") == 4 and states.count("sending") == 8
    assert deliver_due(engine, mail_server(), now=utc_now()) == 0  # their claim still holds
    later = utc_now() + CLAIM_TIMEOUT + timedelta(minutes=1)
    assert deliver_due(engine, mail_server(), now=later) == 8
    ids = [m["Message-ID"] for m in inbox.messages]
    assert len(ids) == 12 and len(set(ids)) == 12
    session.rollback()
    assert set(session.scalars(select(Notification.status))) == {"sent"}


def test_the_evening_before_each_person_gets_their_meetings_of_the_day(
    organiser, engine, session, dummy_event, inbox
):
    """From 18:00 on the event's clock the day before, once per person: at 17:00 nothing is
    written, at 19:00 each person with a meeting that day gets theirs, and at 20:00 nothing
    again."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from web.notifications.delivery import deliver_due, mail_server
    from web.notifications.digest import write_digests

    _emails(session, **{"acme-1": "ann@acme.example", "cell-1": "cy@cell.example"})
    organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    organiser.post("/events/tiny/schedules/1/publish", data={"confirm": "1"})
    inbox.messages.clear()
    tokyo = ZoneInfo("Asia/Tokyo")
    assert write_digests(engine, datetime(2026, 10, 13, 17, 0, tzinfo=tokyo)) == 0
    assert write_digests(engine, datetime(2026, 10, 13, 19, 0, tzinfo=tokyo)) == 2
    assert write_digests(engine, datetime(2026, 10, 13, 20, 0, tzinfo=tokyo)) == 0
    deliver_due(engine, mail_server())
    subjects = sorted(str(m["Subject"]) for m in inbox.messages)
    tomorrow = "Tiny partnering: your meetings tomorrow, Wednesday, October 14, 2026"
    assert subjects == [tomorrow, tomorrow]
    ann = inbox.to("ann@acme.example")[0]
    assert "Big Pharma" in _text(ann) and "Cell Co" not in _text(ann)


def test_a_message_about_a_request_deleted_since_fails_alone(engine, session, dummy_event, inbox):
    """Written while the request existed, delivered after the organiser deleted it: that one
    message is marked failed with why; the others of the batch go."""
    from web.notifications.delivery import deliver_due, mail_server
    from web.notifications.outbox import private_link, request_made

    _emails(session, **{"big-1": "bo@big.example", "acme-1": "ann@acme.example"})
    r1 = _row(session, MeetingRequest, "r1")
    request_made(session, r1)
    private_link(session, _row_in(session, Company, "acme"))
    session.commit()
    session.delete(_row(session, MeetingRequest, "r1"))
    session.commit()
    assert deliver_due(engine, mail_server()) == 1
    session.rollback()
    rows = {n.kind: n for n in session.scalars(select(Notification))}
    assert rows["request"].status == "failed"
    assert "its request was deleted since" in rows["request"].last_error
    assert rows["link"].status == "sent" and inbox.to("ann@acme.example")


def _row_in(session, model, external_id):
    return session.scalar(select(model).where(model.external_id == external_id))


def test_each_organiser_gets_a_summary_each_morning_until_the_fair_ends(
    organiser, engine, session, dummy_event, inbox
):
    """From 08:00 on the event's clock, once a day, to every organiser: the last day's
    requests and answers; none after the fair's last day, none when switched off."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from web.notifications.delivery import deliver_due, mail_server
    from web.notifications.digest import write_summaries

    tokyo = ZoneInfo("Asia/Tokyo")
    morning = datetime(2026, 10, 13, 9, 0, tzinfo=tokyo)
    r1 = _row(session, MeetingRequest, "r1")
    r1.answered_at, r1.created_at = morning, morning
    r2 = _row_in(session, MeetingRequest, "r2")
    r2.created_at = r2.answered_at = datetime(2026, 9, 1, tzinfo=tokyo)  # long before
    session.commit()
    assert write_summaries(engine, datetime(2026, 10, 13, 7, 0, tzinfo=tokyo)) == 0
    assert write_summaries(engine, datetime(2026, 10, 13, 9, 30, tzinfo=tokyo)) == 1
    assert write_summaries(engine, datetime(2026, 10, 13, 11, 0, tzinfo=tokyo)) == 0  # once
    assert write_summaries(engine, datetime(2026, 10, 15, 9, 0, tzinfo=tokyo)) == 0  # over
    deliver_due(engine, mail_server())
    (message,) = inbox.to("organiser@example.org")
    assert message["Subject"].strip() == (
        "Tiny partnering: the last day (new requests: 1, accepted: 1, declined: 0)"
    )
    assert "accepted: 1, declined: 0" in _text(message)
    session.rollback()
    session.get(type(dummy_event), dummy_event.id).mail_off = ["summary"]
    session.commit()
    assert write_summaries(engine, datetime(2026, 10, 14, 9, 0, tzinfo=tokyo)) == 0


def test_one_address_gets_no_more_than_its_hourly_rate_and_the_rest_waits(
    engine, session, dummy_event, inbox, monkeypatch
):
    """Three messages for one person, a rate of two an hour: two arrive, the third waits
    (not an attempt, not failed) and goes once the hour has passed."""
    from datetime import timedelta

    from web.db import utc_now
    from web.notifications.delivery import deliver_due, mail_server

    monkeypatch.setenv("PARTNERING_SMTP_URL", os.environ["PARTNERING_SMTP_URL"] + "?per_hour=2")
    _emails(session, **{"acme-1": "Ann@Acme.example"})
    acme = _row(session, Company, "acme")
    for n in range(3):
        session.add(
            Notification(
                event_id=acme.event_id,
                company_id=acme.id,
                attendee_id=acme.attendees[0].id,
                kind="link",
                key=f"rate-{n}",
                payload={},
            )
        )
    session.commit()
    assert deliver_due(engine, mail_server()) == 2
    assert len(inbox.to("ann@acme.example")) + len(inbox.to("Ann@Acme.example")) == 2
    session.rollback()
    waiting = session.scalars(select(Notification).where(Notification.status == "queued")).one()
    assert waiting.attempts == 0 and "2 messages" in waiting.last_error
    assert deliver_due(engine, mail_server()) == 0  # still within the hour
    later = utc_now() + timedelta(minutes=61)
    assert deliver_due(engine, mail_server(), now=later) == 1
    session.rollback()
    assert set(session.scalars(select(Notification.status))) == {"sent"}
