"""Sending webhook deliveries, as a job on the queue: at least once, signed, retried with
backoff, and never to an address the organiser did not allow.

Signed as Standard Webhooks (standardwebhooks.com) writes it: `webhook-id`,
`webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of
"id.timestamp.body" under the secret's bytes>`; the receiver checks it and the timestamp's age
(docs/api.md has the snippet).

Targets (SECURITY.md): https, or plain http to loopback where the subscription allows private
addresses; the host is resolved and every address checked (no private, loopback, link-local,
shared or reserved one unless allowed), then the connection goes to the address checked, so a
second DNS answer cannot point it elsewhere; redirects are not followed (a 3xx is a failed
attempt); connect and read time out; at most MAX_ANSWER bytes of the answer are read.

Claimed, retried and reclaimed after a killed worker as the mail outbox is (web.claiming)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine

from web.claiming import claim_due, give_up, retry_later
from web.db import transaction, utc_now
from web.webhooks.models import WebhookDelivery

MAX_ATTEMPTS = 8  # 1, 2, 4, ... 64 minutes between them (about two hours in all)
BATCH = 50
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0
MAX_ANSWER = 64 * 1024  # bytes of the receiver's answer read at most
KEPT_ANSWER = 500  # characters of it kept in the log
USER_AGENT = "partnering-webhooks/1"


class Refused(Exception):
    """The target may not be called (its scheme or one of its addresses)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked address connected to


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def is_loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def resolve(url: str, allow_private: bool) -> Target:
    """Where `url` may be delivered, or Refused saying why not."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise Refused(f"not an https URL: {url[:100]}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port out of range, saved before check_url read it
        raise Refused(f"not a port from 1 to 65535: {url[:100]}") from None
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise ConnectionError(f"cannot resolve {parts.hostname}: {error}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise ConnectionError(f"{parts.hostname} has no address")
    private = [a for a in addresses if is_private(a)]
    if private and not allow_private:
        raise Refused(
            f"{parts.hostname} resolves to a private, loopback or link-local address "
            f"({private[0]}); allow private addresses for this webhook if that is intended"
        )
    if parts.scheme == "http" and not (allow_private and all(is_loopback(a) for a in addresses)):
        raise Refused("plain http is sent only to this machine (loopback); use https")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])


class _Pinned(http.client.HTTPConnection):
    """A connection to the address that was checked, whatever the name resolves to now."""

    def __init__(self, target: Target) -> None:
        super().__init__(target.host, target.port, timeout=READ_TIMEOUT)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), CONNECT_TIMEOUT)
        self.sock.settimeout(READ_TIMEOUT)


class _PinnedTLS(_Pinned):
    default_port = 443

    def connect(self) -> None:
        super().connect()
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)


def post(target: Target, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST once; (status, the first KEPT_ANSWER characters of the answer)."""
    connection = (_PinnedTLS if target.scheme == "https" else _Pinned)(target)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(MAX_ANSWER)
        return response.status, answer.decode("utf-8", errors="replace")[:KEPT_ANSWER]
    finally:
        connection.close()


def deliver_webhooks(engine: Engine, now: datetime | None = None) -> int:
    """Send what is due, batch after batch; return how many were delivered."""
    delivered = 0
    while True:
        claimed = claim_due(engine, WebhookDelivery, now or utc_now(), BATCH)
        if not claimed:
            return delivered
        delivered += sum(_deliver_one(engine, row_id, now) for row_id in claimed)


def _deliver_one(engine: Engine, row_id: int, now: datetime | None) -> int:
    """Read the claimed row, post it with no transaction open (a slow receiver holds no
    lock on the database), then record what the receiver answered."""
    with transaction(engine) as session:
        row = session.get(WebhookDelivery, row_id)
        if row is None or row.status != "sending":
            return 0
        subscription = row.subscription
        if subscription.removed_at is not None:
            give_up(row, "the subscription was removed")
            return 0
        url, allow_private, secret = (
            subscription.url,
            subscription.allow_private,
            subscription.secret,
        )
        message_id, payload = row.message_id, row.payload
    outcome = _attempt(url, allow_private, secret, message_id, payload)
    with transaction(engine) as session:
        row = session.get(WebhookDelivery, row_id)
        if row is None or row.status != "sending":
            return 0
        return _record(row, outcome, now)


Outcome = tuple[str, int | None, str]  # ("answered" | "refused" | "unreachable", status, text)


def _attempt(url: str, allow_private: bool, secret: str, message_id: str, payload: dict) -> Outcome:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    stamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": signature(secret, message_id, stamp, body),
    }
    try:
        status, answer = post(resolve(url, allow_private), body, headers)
    except Refused as error:
        return "refused", None, str(error)
    except (OSError, http.client.HTTPException) as error:
        return "unreachable", None, f"cannot reach the receiver: {error}"[:500]
    except Exception as error:
        return "unreachable", None, f"cannot deliver: {type(error).__name__}: {error}"[:500]
    return "answered", status, answer


def _record(row: WebhookDelivery, outcome: Outcome, now: datetime | None) -> int:
    kind, status, text = outcome
    if kind == "refused":
        give_up(row, text)
        return 0
    if kind == "unreachable":
        retry_later(row, text, MAX_ATTEMPTS, now)
        return 0
    row.response_status, row.response_body = status, text
    if status is not None and 200 <= status < 300:
        row.status, row.delivered_at, row.last_error = "delivered", utc_now(), None
        row.attempts += 1
        return 1
    retry_later(row, f"the receiver answered {status}", MAX_ATTEMPTS, now)
    return 0
