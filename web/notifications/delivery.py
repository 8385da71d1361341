"""Sending the outbox through SMTP, as a job on the queue: each message once, retried with
backoff, its state and the server's answer kept for the organiser.

The mail server is configured from the environment: `PARTNERING_SMTP_URL`
(`smtp://user:password@host:port`, `smtps://` for TLS from the start, `?starttls=1` to upgrade,
`&pace=0.5` for seconds between two messages where the server limits the rate, `&per_hour=30`
for how many messages one address may get in an hour; more wait their turn)
and `PARTNERING_MAIL_FROM`. Without them (the embedded default) nothing is sent and every
message stays queued in the outbox, which says so.

Once: a message is claimed (status `sending`, committed) before it is sent and marked sent
right after the server accepts it. A worker killed between the two leaves it `sending`; after
CLAIM_TIMEOUT it is queued again. Only a kill inside that instant, after the server's 250 and
before the commit, can send a message twice, and then with the same Message-ID, so mail
clients show it once."""

from __future__ import annotations

import os
import smtplib
import ssl
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from web.claiming import CLAIM_TIMEOUT as CLAIM_TIMEOUT
from web.claiming import claim_due, give_up, queue_again, retry_later
from web.db import transaction, utc_now
from web.notifications.compose import envelope, letter
from web.notifications.models import Notification
from web.schedules.operations import Published, published_state

MAX_ATTEMPTS = 6  # then failed: 1, 2, 4, 8, 16 minutes between them (half an hour in all)
BATCH = 200  # messages claimed at once; one SMTP connection carries them
TIMEOUT = 30  # seconds the server may take to answer
PER_HOUR = 30  # messages one address may get in an hour (a corporate asked 600 times a week)
HOUR = timedelta(hours=1)
HOLD = timedelta(minutes=10)  # how long a message over that rate waits before it is tried again


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool  # TLS from the start (smtps://)
    starttls: bool
    sender: str
    pace: float = 0.0  # seconds between two messages, for a server that limits the rate
    per_hour: int = PER_HOUR  # messages to one address in an hour; more wait

    def connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.tls:
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=TIMEOUT, context=context
            )
        else:
            server = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT)
            if self.starttls:
                server.starttls(context=context)
        if self.username:
            server.login(self.username, self.password or "")
        return server


def mail_server(environ: dict[str, str] | None = None) -> MailServer | None:
    """The server of `PARTNERING_SMTP_URL` and `PARTNERING_MAIL_FROM`; None if unset."""
    environ = os.environ if environ is None else environ
    url, sender = environ.get("PARTNERING_SMTP_URL"), environ.get("PARTNERING_MAIL_FROM")
    if not url or not sender:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(
            "PARTNERING_SMTP_URL: write smtp://user:password@host:port (or smtps://...)"
        )
    query = parse_qs(parts.query)
    return MailServer(
        host=parts.hostname,
        port=parts.port or (465 if parts.scheme == "smtps" else 25),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        tls=parts.scheme == "smtps",
        starttls=query.get("starttls", ["0"])[0] in ("1", "true", "yes"),
        sender=sender,
        pace=float(query.get("pace", ["0"])[0]),
        per_hour=int(query.get("per_hour", [str(PER_HOUR)])[0]),
    )


def deliver_due(
    engine: Engine,
    server: MailServer | None,
    now: datetime | None = None,
    on_sent: Callable[[int], None] | None = None,
) -> int:
    """Send what is due, batch after batch; return how many were sent. `on_sent(id)` is
    called after each message is marked sent (progress, and the tests' kill switch)."""
    if server is None:
        return 0
    sent = 0
    while True:
        moment = now or utc_now()
        claimed = _claim(engine, moment)
        if not claimed:
            return sent
        sent += _send(engine, server, claimed, on_sent or (lambda _id: None), moment)


def _claim(engine: Engine, now: datetime) -> list[int]:
    return claim_due(engine, Notification, now, BATCH)


@dataclass
class _Batch:
    """What a batch reads once: each event's publication (by event id), and how many
    messages each address was sent in the last hour (the per-recipient rate)."""

    now: datetime
    latest: dict[int, Published | None]
    recent: Counter[str]

    @classmethod
    def read(cls, engine: Engine, now: datetime) -> _Batch:
        with transaction(engine) as session:
            counts = session.execute(
                select(func.lower(Notification.address), func.count())
                .where(Notification.status == "sent", Notification.sent_at > now - HOUR)
                .where(Notification.address.is_not(None))
                .group_by(func.lower(Notification.address))
            )
            return cls(now=now, latest={}, recent=Counter({address: n for address, n in counts}))


def _send(engine: Engine, server: MailServer, ids: list[int], on_sent, now: datetime) -> int:
    sent = 0
    try:
        connection = server.connect()
    except smtplib.SMTPAuthenticationError as error:  # reached, but the login was refused
        _batch_later(engine, ids, f"the mail server refused the login: {_answer(error)}")
        return 0
    except (OSError, smtplib.SMTPException) as error:
        _batch_later(engine, ids, f"cannot reach the mail server: {error}")
        return 0
    batch = _Batch.read(engine, now)
    with connection:
        for row_id in ids:
            if _send_one(engine, server, connection, row_id, batch):
                sent += 1
                on_sent(row_id)
                if server.pace:
                    time.sleep(server.pace)
    return sent


def _send_one(
    engine: Engine,
    server: MailServer,
    connection: smtplib.SMTP,
    row_id: int,
    batch: _Batch,
) -> int:
    latest = batch.latest
    with transaction(engine) as session:
        row = session.get(Notification, row_id)
        if row is None or row.status != "sending":
            return 0
        address = (row.recipient[1] or "").lower()
        if address and batch.recent[address] >= server.per_hour:
            _hold(row, server.per_hour, batch.now)
            return 0
        try:
            if row.kind == "schedule" and row.event_id not in latest:
                latest[row.event_id] = published_state(session, row.event)
            content = letter(session, row, latest.get(row.event_id))
            message = envelope(row, content, server.sender)
        except Exception as error:  # an address no email can carry, a request gone since...
            _fail(row, f"cannot write this message: {error}")  # ...fails alone, not the batch
            return 0
        row.subject, row.address = content.subject, row.recipient[1]
        try:
            connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            _fail(row, _answer(error))
            return 0
        except smtplib.SMTPResponseException as error:
            if 400 <= error.smtp_code < 500:
                _retry_later(row, _answer(error))
            else:
                _fail(row, _answer(error))
            return 0
        except (OSError, smtplib.SMTPException) as error:
            _retry_later(row, str(error))
            return 0
        row.status, row.sent_at, row.last_error = "sent", utc_now(), None
        row.attempts += 1
        batch.recent[address] += 1
    return 1


def _hold(row: Notification, per_hour: int, now: datetime) -> None:
    """Over the per-recipient rate: the message waits, without counting as an attempt."""
    row.status, row.next_attempt_at = "queued", now + HOLD
    row.last_error = f"waiting: {per_hour} messages went to this address in the last hour"


def _batch_later(engine: Engine, ids: list[int], why: str) -> None:
    """No connection for the batch: every message in it waits for its next attempt."""
    with transaction(engine) as session:
        for row in session.scalars(select(Notification).where(Notification.id.in_(ids))):
            _retry_later(row, why)


def _retry_later(row: Notification, why: str) -> None:
    retry_later(row, why, MAX_ATTEMPTS)


def _fail(row: Notification, why: str) -> None:
    give_up(row, why)


def _answer(error: smtplib.SMTPException) -> str:
    """The server's answer, as it gave it ('550 5.1.1 no such user')."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()))
    else:
        code, text = error.smtp_code, error.smtp_error
    text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return f"{code} {text}"


def resend(session: Session, row: Notification) -> None:
    """The organiser queues a message again (failed, or sent and asked for once more)."""
    queue_again(row)
