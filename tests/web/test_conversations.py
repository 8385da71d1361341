"""Requests as conversations, as the companies and the organiser use them: asking with a
message, replying without answering, declining with a reason; who sees what; the rules'
refusals on the page; the mails (replied to, the decline's reason, expiry, the reminder);
hostile text (CR/LF, NUL, bidi overrides, markup, formulas, very long) everywhere it goes."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.web.test_mail import _emails, _text, inbox  # noqa: F401 - the SMTP fixture
from web.companies.models import Company
from web.meeting_requests.conversation import clean_message
from web.meeting_requests.models import (
    MESSAGE_LONGEST,
    MeetingRequest,
    RequestMessage,
    RequestRules,
)
from web.notifications.models import Notification

HOSTILE = "Hello\r\nBcc: all@x.example\x00 <script>alert(1)</script> \u202egnp.exe\u202c done"
# A form with a NUL in it is refused whole before any view (web.security): the rest as typed.
TYPED = HOSTILE.replace("\x00", "")


def _companies(session) -> dict[str, Company]:
    session.rollback()
    session.expire_all()
    return {c.external_id: c for c in session.scalars(select(Company))}


def _fresh(session):
    """No requests yet: cell and acme may both ask big."""
    session.execute(MeetingRequest.__table__.delete())
    session.commit()
    return _companies(session)


def _request(session, requester: Company, requested: Company) -> MeetingRequest:
    session.rollback()
    session.expire_all()
    return session.scalar(
        select(MeetingRequest).where(
            MeetingRequest.requester_id == requester.id,
            MeetingRequest.requested_id == requested.id,
        )
    )


def _page(client, company: Company) -> str:
    return client.get(f"/c/{company.access_token}/").get_data(as_text=True)


def test_clean_message_drops_what_could_disguise_or_break_a_message():
    assert clean_message(HOSTILE) == (
        "Hello\nBcc: all@x.example <script>alert(1)</script> gnp.exe done"
    )
    assert clean_message("  \r\n \x00 ") is None
    assert clean_message("x" * MESSAGE_LONGEST) == "x" * MESSAGE_LONGEST
    with pytest.raises(ValueError, match="at most 2000 characters"):
        clean_message("x" * (MESSAGE_LONGEST + 1))


def test_ask_reply_and_decline_with_a_reason_seen_by_both_sides_only(
    client, organiser, session, dummy_event
):
    c = _fresh(session)
    cell, big, acme = c["cell"], c["big"], c["acme"]
    with_nul = {"to": big.id, "priority": 4, "message": HOSTILE}
    assert client.post(f"/c/{cell.access_token}/requests", data=with_nul).status_code == 400
    assert _request(session, cell, big) is None
    sent = client.post(
        f"/c/{cell.access_token}/requests",
        data={"to": big.id, "priority": 4, "message": TYPED},
        follow_redirects=True,
    )
    assert "Request sent to Big Pharma." in sent.get_data(as_text=True)
    row = _request(session, cell, big)
    assert row.message == clean_message(HOSTILE) and "\x00" not in row.message
    page = _page(client, big)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "\u202e" not in page
    # Big replies without answering: the request still waits; Cell reads it and replies too.
    client.post(f"/c/{big.access_token}/requests/{row.id}/reply", data={"text": "Which assets?"})
    client.post(f"/c/{cell.access_token}/requests/{row.id}/reply", data={"text": "Two, in ADC."})
    session.rollback()
    row = _request(session, cell, big)
    assert row.status == "requested"
    assert [m.text for m in row.replies] == ["Which assets?", "Two, in ADC."]
    cell_page = _page(client, cell)
    assert cell_page.index("Which assets?") < cell_page.index("Two, in ADC.")
    # A decline from the company must say why.
    refused = client.post(
        f"/c/{big.access_token}/requests/{row.id}/answer",
        data={"status": "declined", "version": row.version_id},
        follow_redirects=True,
    )
    assert "Choose why you decline" in refused.get_data(as_text=True)
    assert _request(session, cell, big).status == "requested"
    client.post(
        f"/c/{big.access_token}/requests/{row.id}/answer",
        data={"status": "declined", "version": row.version_id, "reason": "no_time",
              "note": "Fully booked this year."},
    )  # fmt: skip
    row = _request(session, cell, big)
    assert (row.status, row.decline_reason) == ("declined", "no_time")
    cell_page = _page(client, cell)
    assert "our agenda is full" in cell_page and "Fully booked this year." in cell_page
    # The conversation is closed now, and says so.
    closed = client.post(
        f"/c/{cell.access_token}/requests/{row.id}/reply",
        data={"text": "Please?"},
        follow_redirects=True,
    )
    assert "This request is declined: its conversation is closed." in closed.get_data(as_text=True)
    # A third company sees none of it; the organiser sees all of it.
    acme_page = _page(client, acme)
    assert "Which assets?" not in acme_page and "Fully booked" not in acme_page
    desk = organiser.get(f"/events/tiny/requests/{row.id}/").get_data(as_text=True)
    for words in ("Which assets?", "Two, in ADC.", "Fully booked this year.", "our agenda is full"):
        assert words in desk
    assert "&lt;script&gt;" in desk


def test_a_company_cannot_write_in_another_pairs_conversation(client, session, dummy_event):
    c = _companies(session)
    r1 = _request(session, c["acme"], c["big"])
    response = client.post(
        f"/c/{c['cell'].access_token}/requests/{r1.id}/reply", data={"text": "hi"}
    )
    assert response.status_code == 404
    session.rollback()
    assert session.scalars(select(RequestMessage)).all() == []


def test_the_page_refuses_a_late_request_with_the_date_in_either_language(
    client, session, dummy_event
):
    c = _fresh(session)
    closes = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    session.add(RequestRules(event_id=dummy_event.id, closes_at=closes, pending_cap=1))
    session.commit()
    tokyo = closes.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo"))
    page = client.post(
        f"/c/{c['cell'].access_token}/requests",
        data={"to": c["big"].id, "priority": 3},
        follow_redirects=True,
    ).get_data(as_text=True)
    english = f"{tokyo:%b} {tokyo.day} {tokyo:%H:%M}"
    assert f"Requests to meet closed on {english} (Asia/Tokyo)" in page
    client.post("/language", data={"language": "ja"})
    page = client.post(
        f"/c/{c['cell'].access_token}/requests",
        data={"to": c["big"].id, "priority": 3},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert f"{tokyo.month}月{tokyo.day}日 {tokyo:%H:%M}" in page
    assert _request(session, c["cell"], c["big"]) is None


def test_the_cap_on_the_page_says_the_cap_and_how_many_wait(client, session, dummy_event):
    c = _fresh(session)
    session.add(RequestRules(event_id=dummy_event.id, pending_cap=1))
    session.commit()
    first = client.post(
        f"/c/{c['acme'].access_token}/requests", data={"to": c["big"].id, "priority": 3}
    )
    assert first.status_code == 302
    page = client.post(
        f"/c/{c['acme'].access_token}/requests",
        data={"to": c["cell"].id, "priority": 3},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "You have 1 requests awaiting an answer, and the organiser allows 1 at once" in page
    assert "You have 1 of at most 1 requests awaiting an answer." in page


def test_the_organiser_sets_the_rules_in_the_setup(organiser, session, dummy_event):
    page = organiser.get("/events/tiny/setup").get_data(as_text=True)
    assert 'id="request-rules"' in page
    backwards = organiser.post(
        "/events/tiny/setup/requests",
        data={"opens_at": "2026-10-01T09:00", "closes_at": "2026-09-01T09:00",
              "ask_again": "both", "at_solve": "wait"},
        follow_redirects=True,
    )  # fmt: skip
    assert "Requests would close (Sep 1 09:00 (Asia/Tokyo)) before they open" in (
        backwards.get_data(as_text=True)
    )
    organiser.post(
        "/events/tiny/setup/requests",
        data={"opens_at": "2026-09-01T09:00", "closes_at": "2026-10-01T18:00",
              "pending_cap": "5", "expire_days": "7", "ask_again": "both", "at_solve": "expire"},
    )  # fmt: skip
    session.rollback()
    rules = session.get(RequestRules, dummy_event.id)
    assert rules.closes_at == datetime(2026, 10, 1, 9, 0, tzinfo=UTC)  # 18:00 in Tokyo
    assert (rules.pending_cap, rules.expire_days, rules.ask_again) == (5, 7, "both")
    page = organiser.get("/events/tiny/setup").get_data(as_text=True)
    assert 'value="2026-10-01T18:00"' in page


def test_the_solve_page_counts_waiting_requests_and_the_rule_expires_them(
    organiser, session, dummy_event
):
    r2 = session.scalar(select(MeetingRequest).where(MeetingRequest.external_id == "r2"))
    r2.status = "requested"
    session.add(RequestRules(event_id=dummy_event.id, at_solve="expire"))
    session.commit()
    page = organiser.get("/events/tiny/runs/").get_data(as_text=True)
    assert "1 request still awaits an answer: it is left out, and declined as expired" in page
    organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    session.expire_all()  # no transaction since the commit: a rollback would expire nothing
    r2 = session.scalar(select(MeetingRequest).where(MeetingRequest.external_id == "r2"))
    assert (r2.status, r2.decline_reason) == ("declined", "expired")
    cell_page = _page(organiser, _companies(session)["cell"])
    assert "expired: not answered in time" in cell_page


def test_mails_of_a_conversation(client, session, dummy_event, inbox):  # noqa: F811
    _emails(session, **{"big-1": "bo@big.example", "cell-1": "cy@cell.example"})
    c = _fresh(session)
    cell, big = c["cell"], c["big"]
    big.language = "ja"
    session.commit()
    client.post(
        f"/c/{cell.access_token}/requests",
        data={"to": big.id, "priority": 3, "message": "Let us meet <b>soon</b>"},
    )
    (asked,) = inbox.to("bo@big.example")
    assert "> Let us meet <b>soon</b>" in _text(asked)
    html = asked.get_body(preferencelist=("html",)).get_content()
    assert "Let us meet &lt;b&gt;soon&lt;/b&gt;" in html
    row = _request(session, cell, big)
    client.post(f"/c/{big.access_token}/requests/{row.id}/reply", data={"text": TYPED})
    (replied,) = inbox.to("cy@cell.example")
    assert replied["Subject"] == "Tiny partnering: Big Pharma replied about your request"
    assert "Bcc" not in replied and "\n" not in replied["Subject"]
    body = _text(replied).replace("\r\n", "\n")
    assert "> Hello\n> Bcc: all@x.example <script>alert(1)</script> gnp.exe done" in body
    assert f"https://fair.example/c/{cell.access_token}/#request-{row.id}" in body
    html = replied.get_body(preferencelist=("html",)).get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert "\u202e" not in html and "\x00" not in html
    # Cell replies: Big is told in Japanese.
    client.post(f"/c/{cell.access_token}/requests/{row.id}/reply", data={"text": "Thanks"})
    assert len(inbox.to("bo@big.example")) == 2
    assert "Cell Co" in str(inbox.to("bo@big.example")[1]["Subject"])
    # The decline's reason and words go to the asking company.
    row = _request(session, cell, big)
    client.post(
        f"/c/{big.access_token}/requests/{row.id}/answer",
        data={"status": "declined", "version": row.version_id, "reason": "in_touch",
              "note": "We talk already."},
    )  # fmt: skip
    answered = inbox.to("cy@cell.example")[-1]
    assert answered["Subject"] == "Tiny partnering: Big Pharma declined your request"
    text = _text(answered).replace("\r\n", "\n")
    assert "Big Pharma declined the request to meet Cell Co: we are already in touch." in text
    assert "> We talk already." in text


def test_a_company_switches_replies_off(client, session, dummy_event, inbox):  # noqa: F811
    _emails(session, **{"cell-1": "cy@cell.example"})
    c = _fresh(session)
    kinds = ["request", "answer", "expired", "reminder", "schedule", "digest"]
    client.post(f"/c/{c['cell'].access_token}/mail", data={"kind": kinds, "language": "en"})
    client.post(f"/c/{c['cell'].access_token}/requests", data={"to": c["big"].id, "priority": 3})
    row = _request(session, c["cell"], c["big"])
    client.post(f"/c/{c['big'].access_token}/requests/{row.id}/reply", data={"text": "Hi"})
    assert inbox.to("cy@cell.example") == []
    session.rollback()
    assert session.scalars(select(RequestMessage.text)).all() == ["Hi"]  # the reply is kept


def test_expiry_and_reminder_mails(engine, session, dummy_event, inbox):  # noqa: F811
    from web.meeting_requests.deadlines import apply_rules
    from web.notifications.delivery import deliver_due, mail_server

    _emails(session, **{"big-1": "bo@big.example", "cell-1": "cy@cell.example"})
    c = _fresh(session)
    closes = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    session.add(RequestRules(event_id=dummy_event.id, closes_at=closes, expire_days=5))
    c["big"].language = "ja"
    asked = closes - timedelta(days=5, hours=1)
    session.add_all(
        [
            MeetingRequest(event_id=dummy_event.id, external_id="old", requester=c["cell"],
                           requested=c["big"], status="requested", asked_at=asked),
            MeetingRequest(event_id=dummy_event.id, external_id="new", requester=c["acme"],
                           requested=c["big"], status="requested", asked_at=closes),
        ]
    )  # fmt: skip
    session.commit()
    assert apply_rules(engine, closes - timedelta(hours=1)) == (1, 1)
    deliver_due(engine, mail_server())
    (expired,) = inbox.to("cy@cell.example")
    assert expired["Subject"] == "Tiny partnering: your request to Big Pharma expired unanswered"
    assert "within 5 days, so it has expired" in _text(expired)
    (reminder,) = inbox.to("bo@big.example")
    assert "10月1日" in reminder["Subject"] and "1" in reminder["Subject"]
    assert "18:00" in _text(reminder)
    assert apply_rules(engine, closes - timedelta(minutes=30)) == (0, 0)
    session.rollback()
    assert sorted(session.scalars(select(Notification.kind))) == ["expired", "reminder"]


def test_the_sheet_carries_the_message_and_never_as_a_formula(organiser, session, dummy_event):
    r1 = session.scalar(select(MeetingRequest).where(MeetingRequest.external_id == "r1"))
    r1.message = '=HYPERLINK("http://evil.example","click")\nsecond line'
    session.commit()
    body = organiser.get("/events/tiny/export.zip").data
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        text = archive.read("requests.csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["message"] == "'" + r1.message
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(organiser.get("/events/tiny/export.xlsx").data))
    sheet = workbook["requests"]
    heading = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=heading.index("message") + 1)
    assert cell.data_type == "s" and cell.value == r1.message
    # Imported back, nothing changes; a message too long is refused at its cell.
    from tests.web.conftest import upload

    again = upload(organiser, "/events/tiny/import", "requests.csv", text.encode("utf-8-sig"))
    assert again.status_code == 302
    session.rollback()
    assert session.get(MeetingRequest, r1.id).message == r1.message
    long = re.sub(r"'=HYPERLINK[^\r]*?second line", "x" * 2001, text, flags=re.S)
    refused = upload(organiser, "/events/tiny/import", "requests.csv", long.encode("utf-8-sig"))
    assert refused.status_code == 422
    assert "column message" in refused.get_data(as_text=True)


def test_the_organiser_enters_a_request_with_its_message_after_the_window(
    organiser, session, dummy_event
):
    c = _fresh(session)
    past = datetime(2026, 9, 1, tzinfo=UTC)
    session.add(RequestRules(event_id=dummy_event.id, closes_at=past, pending_cap=1))
    session.commit()
    page = organiser.get(f"/events/tiny/companies/{c['cell'].id}").get_data(as_text=True)
    assert 'name="message"' in page
    organiser.post(
        f"/events/tiny/companies/{c['cell'].id}/requests",
        data={"to": c["big"].id, "priority": 3, "message": "Asked at the desk.\r\nTwice."},
    )
    row = _request(session, c["cell"], c["big"])
    assert (row.status, row.message) == ("requested", "Asked at the desk.\nTwice.")
    too_long = organiser.post(
        f"/events/tiny/companies/{c['cell'].id}/requests",
        data={"to": c["acme"].id, "priority": 3, "message": "x" * (MESSAGE_LONGEST + 1)},
        follow_redirects=True,
    )
    assert "A message may be at most 2000 characters" in too_long.get_data(as_text=True)
    assert _request(session, c["cell"], c["acme"]) is None
