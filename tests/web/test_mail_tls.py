"""Mail over TLS, to a real SMTP server on loopback that speaks it: `smtps://` (TLS from the
first byte) and `?starttls=1` (upgrade), both with a login the server accepts only over TLS,
and a server whose certificate nobody vouches for is refused, the message kept to retry.

The certificates come from trustme (a throwaway CA made for tests); the client trusts it the
way a deployment trusts a private CA, through `SSL_CERT_FILE`, so the product's own default
verification (hostname and chain) is what is tested."""

from __future__ import annotations

import socket
import ssl

import pytest
import trustme
from sqlalchemy import select

from tests.web.test_mail import Inbox, _emails, _row
from web.companies.models import Company
from web.notifications.models import Notification

USER, PASSWORD = "desk", "s3cret pass"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _password_check(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode(),
        auth_data.password.decode(),
    ) == (USER, PASSWORD)
    return AuthResult(success=ok, handled=False)  # aiosmtpd answers 535 itself


def _start(mode: str, server_context: ssl.SSLContext, handler: Inbox):
    """An aiosmtpd server on loopback: "smtps" wraps the socket in TLS, "starttls" offers the
    upgrade and requires it before login and mail."""
    from aiosmtpd.controller import Controller

    port = _free_port()
    options = dict(authenticator=_password_check)
    if mode == "smtps":  # the whole connection is TLS (aiosmtpd's login check cannot see it)
        controller = Controller(
            handler,
            hostname="127.0.0.1",
            port=port,
            ssl_context=server_context,
            server_hostname="localhost",
            auth_require_tls=False,
            **options,
        )
    else:
        controller = Controller(
            handler,
            hostname="127.0.0.1",
            port=port,
            tls_context=server_context,
            require_starttls=True,
            auth_require_tls=True,
            **options,
        )
    controller.start()
    return controller, port


@pytest.fixture
def authority(tmp_path, monkeypatch):
    """A CA the client trusts (as a private CA is trusted), and a server certificate for
    localhost from it."""
    ca = trustme.CA()
    cafile = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    monkeypatch.setenv("SSL_CERT_FILE", str(cafile))
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server_context)
    return server_context


def _configure(monkeypatch, url: str) -> None:
    monkeypatch.setenv("PARTNERING_SMTP_URL", url)
    monkeypatch.setenv("PARTNERING_MAIL_FROM", "Partnering desk <desk@fair.example>")
    monkeypatch.setenv("PARTNERING_BASE_URL", "https://fair.example")


def _send_acme_its_link(organiser, session) -> None:
    _emails(session, **{"acme-1": "ann@acme.example"})
    acme = _row(session, Company, "acme")
    organiser.post(f"/events/tiny/companies/{acme.id}/send-link", follow_redirects=True)


@pytest.mark.parametrize(
    ("mode", "query"), [("smtps", ""), ("starttls", "?starttls=1")], ids=["smtps", "starttls"]
)
def test_mail_goes_over_tls_with_a_login(
    organiser, session, dummy_event, authority, monkeypatch, mode, query
):
    handler = Inbox()
    controller, port = _start(mode, authority, handler)
    try:
        scheme = "smtps" if mode == "smtps" else "smtp"
        _configure(monkeypatch, f"{scheme}://{USER}:s3cret%20pass@localhost:{port}{query}")
        _send_acme_its_link(organiser, session)
    finally:
        controller.stop()
    assert [str(m["To"]) for m in handler.messages] == ["Ann Acme <ann@acme.example>"]
    session.rollback()
    assert session.scalars(select(Notification.status)).all() == ["sent"]


def test_a_refused_login_sends_nothing_and_keeps_the_servers_answer(
    organiser, session, dummy_event, authority, monkeypatch
):
    handler = Inbox()
    controller, port = _start("starttls", authority, handler)
    try:
        _configure(monkeypatch, f"smtp://{USER}:wrong@localhost:{port}?starttls=1")
        _send_acme_its_link(organiser, session)
    finally:
        controller.stop()
    assert handler.messages == []
    session.rollback()
    row = session.scalars(select(Notification)).one()
    assert row.status == "queued" and row.attempts == 1
    assert row.last_error.startswith("the mail server refused the login: 535")


def test_a_certificate_nobody_vouches_for_is_refused(
    organiser, session, dummy_event, authority, monkeypatch, tmp_path
):
    """The server's certificate is from a CA the client does not trust: nothing is sent (not
    even the password), the message waits, and the outbox says why."""
    handler = Inbox()
    controller, port = _start("smtps", authority, handler)
    stranger = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(stranger))
    monkeypatch.setenv("SSL_CERT_FILE", str(stranger))
    try:
        _configure(monkeypatch, f"smtps://{USER}:s3cret%20pass@localhost:{port}")
        _send_acme_its_link(organiser, session)
    finally:
        controller.stop()
    assert handler.messages == []
    session.rollback()
    row = session.scalars(select(Notification)).one()
    assert row.status == "queued"
    assert "CERTIFICATE_VERIFY_FAILED" in row.last_error
