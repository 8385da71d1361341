"""Webhooks against a real receiver on loopback (an HTTP server in a thread): signed as
Standard Webhooks says, retried after a 500, replayed from the log, never redirected, and
never sent to a private address the organiser did not allow."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from scheduler.solver.cpsat import SolverSettings
from web.api.keys import create_key
from web.claiming import CLAIM_TIMEOUT
from web.db import utc_now
from web.meeting_requests.answering import answer
from web.meeting_requests.models import MeetingRequest
from web.schedules.models import ScheduleVersion
from web.schedules.operations import publish
from web.solving.job import run_solver
from web.solving.operations import queue_run
from web.webhooks import delivery
from web.webhooks.delivery import Refused, deliver_webhooks, resolve
from web.webhooks.models import KINDS, WebhookDelivery
from web.webhooks.operations import BadTarget, subscribe


def verify(secret: str, headers, body: bytes, tolerance: int = 300) -> bool:
    """The receiver's check, as docs/api.md gives it (no code shared with the sender)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    stamp = headers["webhook-timestamp"]
    if abs(time.time() - int(stamp)) > tolerance:
        return False
    signed = f"{headers['webhook-id']}.{stamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(expected, s.partition(",")[2])
        for s in headers["webhook-signature"].split()
    )


class Receiver:
    """Answers with the statuses given, one per request (the last one thereafter)."""

    def __init__(self, answers: list[int], body: bytes = b"ok", delay: float = 0.0) -> None:
        self.answers, self.seen = list(answers), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                receiver.seen.append((self.path, dict(self.headers), self.rfile.read(length)))
                time.sleep(delay)
                status = (
                    receiver.answers.pop(0) if len(receiver.answers) > 1 else receiver.answers[0]
                )
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made: list[Receiver] = []

    def make(*args, **kwargs) -> Receiver:
        made.append(Receiver(*args, **kwargs))
        return made[-1]

    yield make
    for r in made:
        r.close()


def test_signed_deliveries_are_retried_after_a_500(app, client, session, dummy_event, receiver):
    hook = receiver([500, 200])
    made = subscribe(session, dummy_event, hook.url, KINDS, allow_private=True)
    key = create_key(session, dummy_event, "crm", False).text
    session.commit()
    body = [{"id": "r9", "from": "acme", "to": "cell", "status": "requested"}]
    response = client.put(
        "/api/v1/events/tiny/requests", json=body, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 200
    # written with the change, sent at once after the commit (the tests' queue runs it now)
    assert len(hook.seen) == 1
    session.rollback()
    row = session.scalar(select(WebhookDelivery))
    assert (row.status, row.attempts, row.response_status) == ("queued", 1, 500)
    assert (
        deliver_webhooks(app.extensions["partnering.engine"], utc_now() + timedelta(minutes=2)) == 1
    )
    assert len(hook.seen) == 2
    for path, headers, raw in hook.seen:
        assert path == "/hook" and verify(made.secret, headers, raw)
        assert not verify(made.secret, headers, raw + b" ")  # a changed body fails the check
        payload = json.loads(raw)
        assert payload["type"] == "request.created" and payload["data"]["request"] == "r9"
    assert hook.seen[0][1]["webhook-id"] == hook.seen[1][1]["webhook-id"]  # one message
    session.rollback()
    row = session.get(WebhookDelivery, row.id)
    assert (row.status, row.response_status, row.response_body) == ("delivered", 200, "ok")


def test_the_log_shows_answers_and_replays(app, organiser, session, dummy_event, receiver):
    hook = receiver([200], body=b"x" * 100_000)
    made = subscribe(session, dummy_event, hook.url, ["request.answered"], allow_private=True)
    session.commit()
    request = session.scalar(select(MeetingRequest).where(MeetingRequest.external_id == "r1"))
    answer(session, request, "declined", request.version_id, "organiser:tiny")
    session.commit()
    deliver_webhooks(app.extensions["partnering.engine"])
    session.rollback()
    row = session.scalar(select(WebhookDelivery))
    assert row.status == "delivered" and len(row.response_body) == delivery.KEPT_ANSWER
    page = organiser.get(f"/events/tiny/webhooks/{made.row.id}/").get_data(as_text=True)
    assert row.message_id in page and "200" in page
    replay = f"/events/tiny/webhooks/{made.row.id}/deliveries/{row.id}/replay"
    assert organiser.post(replay).status_code == 302
    assert len(hook.seen) == 2
    assert hook.seen[1][1]["webhook-id"] == hook.seen[0][1]["webhook-id"] == row.message_id


def test_redirects_are_not_followed(app, session, dummy_event, receiver):
    hook = receiver([302])
    subscribe(session, dummy_event, hook.url, KINDS, allow_private=True)
    request = session.scalar(select(MeetingRequest).where(MeetingRequest.external_id == "r1"))
    answer(session, request, "declined", request.version_id, "organiser:tiny")
    session.commit()
    deliver_webhooks(app.extensions["partnering.engine"])
    assert [path for path, _h, _b in hook.seen] == ["/hook"]
    session.rollback()
    row = session.scalar(select(WebhookDelivery))
    assert row.status == "queued" and row.response_status == 302


def test_a_slow_receiver_times_out_and_is_retried(app, session, dummy_event, receiver, monkeypatch):
    monkeypatch.setattr(delivery, "READ_TIMEOUT", 0.3)
    hook = receiver([200], delay=2.0)
    subscribe(session, dummy_event, hook.url, KINDS, allow_private=True)
    request = session.scalar(select(MeetingRequest).where(MeetingRequest.external_id == "r1"))
    answer(session, request, "declined", request.version_id, "organiser:tiny")
    session.commit()
    deliver_webhooks(app.extensions["partnering.engine"])
    session.rollback()
    row = session.scalar(select(WebhookDelivery))
    assert row.status == "queued" and "timed out" in row.last_error


def test_a_killed_worker_leaves_its_claim_for_the_next(app, session, dummy_event, receiver):
    hook = receiver([200])
    subscribe(session, dummy_event, hook.url, KINDS, allow_private=True)
    request = session.scalar(select(MeetingRequest).where(MeetingRequest.external_id == "r1"))
    answer(session, request, "declined", request.version_id, "organiser:tiny")
    session.commit()
    row = session.scalar(select(WebhookDelivery))
    row.status, row.claimed_at = "sending", utc_now()  # claimed, then the worker was killed
    session.commit()
    engine = app.extensions["partnering.engine"]
    assert deliver_webhooks(engine) == 0 and hook.seen == []
    assert deliver_webhooks(engine, utc_now() + CLAIM_TIMEOUT + timedelta(minutes=1)) == 1
    assert len(hook.seen) == 1


@pytest.mark.parametrize(
    "url",
    [
        "https://10.1.2.3/hook",
        "https://192.168.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[fe80::1]/hook",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
    ],
)
def test_private_addresses_are_refused_unless_allowed(url):
    with pytest.raises(Refused):
        resolve(url, allow_private=False)
    if "localhost" in url or "127.0.0.1" in url or "::1" in url:
        assert resolve(url, allow_private=True).scheme == "https"


def test_plain_http_only_to_loopback_and_only_when_allowed(session, dummy_event):
    with pytest.raises(Refused):
        resolve("http://127.0.0.1/hook", allow_private=False)
    with pytest.raises(Refused):
        resolve("http://10.0.0.1/hook", allow_private=True)  # private, but not this machine
    assert resolve("http://127.0.0.1:9/hook", allow_private=True).address == "127.0.0.1"
    for bad in ("http://example.org/hook", "ftp://example.org/", "https://u:p@example.org/", "x"):
        with pytest.raises(BadTarget):
            subscribe(session, dummy_event, bad, KINDS)
    with pytest.raises(BadTarget):
        subscribe(session, dummy_event, "https://example.org/hook", [])


def test_a_refused_target_fails_without_retrying(app, session, dummy_event):
    subscribe(session, dummy_event, "https://127.0.0.1:9/hook", KINDS)  # not allowed
    request = session.scalar(select(MeetingRequest).where(MeetingRequest.external_id == "r1"))
    answer(session, request, "declined", request.version_id, "organiser:tiny")
    session.commit()
    deliver_webhooks(app.extensions["partnering.engine"])
    session.rollback()
    row = session.scalar(select(WebhookDelivery))
    assert row.status == "failed" and "private" in row.last_error


def test_publishing_tells_schedule_published_and_each_changed_meeting(engine, session, dummy_event):
    subscribe(session, dummy_event, "https://example.org/hook", KINDS)
    for step in range(2):
        run = queue_run(session, dummy_event, SolverSettings(time_limit=5), keep_published=True)
        session.commit()
        assert run_solver(engine, run.id) == "succeeded"
        session.expire_all()
        publish(
            session, session.scalar(select(ScheduleVersion).order_by(ScheduleVersion.id.desc()))
        )
        session.commit()
        if step == 0:
            request = session.scalar(
                select(MeetingRequest).where(MeetingRequest.external_id == "r1")
            )
            answer(
                session, request, "declined", request.version_id, "organiser:tiny", confirmed=True
            )
            session.commit()
    kinds = [
        (d.kind, d.payload["data"].get("change"), d.payload["data"].get("request"))
        for d in session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))
    ]
    assert kinds == [
        ("schedule.published", None, None),
        ("request.answered", None, "r1"),
        ("schedule.published", None, None),
        ("meeting.changed", "cancelled", "r1"),
    ]


def test_a_port_out_of_range_is_refused_and_never_stops_the_other_deliveries(
    app, session, dummy_event, receiver
):
    """A webhook with a port no socket takes (saved before the check read ports) fails
    alone: the good webhook of the same batch is delivered, the bad one is failed."""
    with pytest.raises(BadTarget):
        subscribe(session, dummy_event, "https://example.org:99999/hook", KINDS)
    hook = receiver([200])
    subscribe(session, dummy_event, hook.url, KINDS, allow_private=True)
    bad = subscribe(session, dummy_event, hook.url, KINDS, allow_private=True)
    session.flush()
    bad.row.url = "https://example.org:99999/hook"  # as an older version could have stored
    request = session.scalar(select(MeetingRequest).where(MeetingRequest.external_id == "r1"))
    answer(session, request, "declined", request.version_id, "organiser:tiny")
    session.commit()
    assert deliver_webhooks(app.extensions["partnering.engine"]) == 1
    assert len(hook.seen) == 1
    session.rollback()
    states = {row.subscription_id: row.status for row in session.scalars(select(WebhookDelivery))}
    assert states[bad.row.id] == "failed"
