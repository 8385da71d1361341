"""Simultaneous bookings at a running server (waitress, its own threads and database
connections), on SQLite and PostgreSQL: of two companies booking the last table at 11:00,
and of one person booked twice at 11:00, exactly one wins and the other is told clearly."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import func, select

from tests.web.fairdays_builders import ELEVEN, TEN, company, published_fair
from web.fairdays.models import Booking
from web.schedules.operations import published_state

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def server(app):
    from waitress import create_server

    app.config["CLOCK"] = lambda: TEN.replace(hour=0)  # 09:00 in Tokyo, the morning of the fair
    httpd = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=httpd.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.effective_port}"
    httpd.close()


def booker(server: str, token: str, other_id: int):
    """A browser of its own (cookies, form token) with the booking page open on `other`."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    page = opener.open(f"{server}/c/{token}/fair/book?with={other_id}", timeout=30).read()
    token_value = CSRF.search(page.decode()).group(1)
    body = urllib.parse.urlencode(
        {"csrf_token": token_value, "with": other_id, "start": ELEVEN.isoformat()}
    ).encode()

    def send() -> str:
        with opener.open(f"{server}/c/{token}/fair/book", data=body, timeout=60) as answer:
            return answer.read().decode()

    return send


def race(sends) -> list[str]:
    start = threading.Barrier(len(sends))
    pages: list[str] = [""] * len(sends)

    def run(i: int) -> None:
        start.wait()
        pages[i] = sends[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(sends))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return pages


def meetings_at_eleven(session, event) -> int:
    session.rollback()
    published = published_state(session, event)
    return sum(1 for m in published.schedule.meetings if m.start == ELEVEN)


def outcome(pages: list[str]) -> tuple[int, int]:
    won = sum("It is on your agenda" in p for p in pages)
    lost = sum("no longer free" in p for p in pages)
    return won, lost


def test_two_companies_booking_the_last_table_at_once_one_wins(server, session):
    event = published_fair(session, tables=1)
    acme, cell, big, dell = (company(session, c) for c in ("acme", "cell", "big", "dell"))
    pages = race(
        [booker(server, acme.access_token, cell.id), booker(server, big.access_token, dell.id)]
    )
    assert outcome(pages) == (1, 1)
    assert meetings_at_eleven(session, event) == 1
    assert session.scalar(select(func.count()).select_from(Booking)) == 1


def test_one_person_booked_twice_at_once_is_booked_once(server, session):
    """Two tables are free, but acme has one person: its two bookings at 11:00 cannot both
    stand."""
    event = published_fair(session, tables=2)
    acme, cell, dell = (company(session, c) for c in ("acme", "cell", "dell"))
    pages = race(
        [booker(server, acme.access_token, cell.id), booker(server, acme.access_token, dell.id)]
    )
    assert outcome(pages) == (1, 1)
    assert meetings_at_eleven(session, event) == 1
    assert session.scalar(select(func.count()).select_from(Booking)) == 1


def test_the_database_refuses_a_second_booking_of_a_table_past_the_application(session):
    """The unique constraint alone, without the lock or the check: a second row for the same
    publication, time and table is refused by the database."""
    from sqlalchemy.exc import IntegrityError

    event = published_fair(session, tables=1, mode="accept")
    publication = published_state(session, event).key.id
    table = event.locations[0].id
    ids = [company(session, c).id for c in ("acme", "cell", "big", "dell")]
    session.add(
        Booking(
            event_id=event.id,
            publication_id=publication,
            requester_id=ids[0],
            requested_id=ids[1],
            start=ELEVEN,
            end=ELEVEN.replace(minute=30),
            location_id=table,
        )
    )
    session.commit()
    session.add(
        Booking(
            event_id=event.id,
            publication_id=publication,
            requester_id=ids[2],
            requested_id=ids[3],
            start=ELEVEN,
            end=ELEVEN.replace(minute=30),
            location_id=table,
        )
    )
    with pytest.raises(IntegrityError):
        session.commit()
