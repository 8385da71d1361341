"""The fair on the pages: attendance from a company's agenda (in its window, refused with the
times outside it) and from the desk at any time, the live board at chosen moments, a table's
sheet with its QR code, feedback that the other company never sees, the outcomes report and
its CSV (formulas written as text), no-show rates."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from scheduler.calendars.details import JOIN
from tests.web.fairdays_builders import ELEVEN, HALF_PAST_TEN, TEN, company, published_fair
from web.fairdays.models import Attendance, Feedback
from web.fairdays.outcomes import outcomes
from web.meeting_requests.models import MeetingRequest


@pytest.fixture
def fair(session, app):
    event = published_fair(session)
    moment = {"now": TEN + timedelta(minutes=5)}
    app.config["CLOCK"] = lambda: moment["now"]
    r1 = session.scalar(select(MeetingRequest).where(MeetingRequest.external_id == "r1"))
    return {"event": event, "moment": moment, "r1": r1.id}


def marks(session) -> set[tuple[int, str]]:
    session.rollback()
    return {(a.company_id, a.status) for a in session.scalars(select(Attendance))}


def test_a_company_marks_its_meeting_held_in_one_tap(client, session, fair):
    acme, big = company(session, "acme"), company(session, "big")
    page = client.get(f"/c/{acme.access_token}/").get_data(as_text=True)
    assert f"/fair/meetings/{fair['r1']}/attendance" in page  # the buttons under r1
    answer = client.post(
        f"/c/{acme.access_token}/fair/meetings/{fair['r1']}/attendance",
        data={"status": "held"},
        follow_redirects=True,
    )
    assert "Marked: held." in answer.get_data(as_text=True)
    assert marks(session) == {(acme.id, "held"), (big.id, "held")}


def test_a_no_show_is_the_other_side_s(client, session, fair):
    acme, big = company(session, "acme"), company(session, "big")
    client.post(
        f"/c/{big.access_token}/fair/meetings/{fair['r1']}/attendance", data={"status": "no_show"}
    )
    assert marks(session) == {(acme.id, "no_show"), (big.id, "held")}


def test_marking_outside_the_window_is_refused_with_its_times(client, session, fair):
    fair["moment"]["now"] = ELEVEN + timedelta(hours=3)  # 14:00 in Tokyo: r1 ended at 10:30
    acme = company(session, "acme")
    answer = client.post(
        f"/c/{acme.access_token}/fair/meetings/{fair['r1']}/attendance",
        data={"status": "held"},
        follow_redirects=True,
    )
    text = answer.get_data(as_text=True)
    assert "can be marked from Oct 14 09:50 to Oct 14 12:30" in text
    assert marks(session) == set()


def test_another_company_s_meeting_cannot_be_marked_or_rated(client, session, fair):
    cell = company(session, "cell")  # r1 is acme x big
    base = f"/c/{cell.access_token}/fair/meetings/{fair['r1']}"
    assert client.post(f"{base}/attendance", data={"status": "held"}).status_code == 404
    assert client.get(f"{base}/feedback").status_code == 404
    assert client.post(f"{base}/feedback", data={"rating": 5}).status_code == 404
    assert marks(session) == set()


def person(session, external_id: str):
    from web.companies.models import Attendee

    return session.scalar(select(Attendee).where(Attendee.external_id == external_id))


def test_a_person_checks_in_their_own_meeting_from_their_own_link(client, session, fair):
    """r1 is acme-1 with big-1 at 10:00; r2 is cell-1 with big-2 at 10:30."""
    acme, big = company(session, "acme"), company(session, "big")
    big_1 = person(session, "big-1")
    page = client.get(f"/p/{big_1.access_token}/").get_data(as_text=True)
    assert f"/p/{big_1.access_token}/fair/meetings/{fair['r1']}/attendance" in page
    assert "Rate this meeting" not in page  # the rating is the company's, on its page
    answer = client.post(
        f"/p/{big_1.access_token}/fair/meetings/{fair['r1']}/attendance",
        data={"status": "no_show"},
        follow_redirects=True,
    )
    assert "Marked: the other side did not come." in answer.get_data(as_text=True)
    assert marks(session) == {(acme.id, "no_show"), (big.id, "held")}
    row = session.get(Attendance, (fair["r1"], big.id))
    assert row.marked_by == f"person:{big_1.id}"
    # The company's page shows what its person marked.
    assert "no-show" in client.get(f"/c/{big.access_token}/").get_data(as_text=True)


def test_a_person_cannot_mark_a_meeting_they_do_not_attend(client, session, fair):
    big_2, acme_1 = person(session, "big-2"), person(session, "acme-1")
    r2 = session.scalar(select(MeetingRequest.id).where(MeetingRequest.external_id == "r2"))
    page = client.get(f"/p/{big_2.access_token}/").get_data(as_text=True)
    assert f"/fair/meetings/{fair['r1']}/attendance" not in page  # their colleague's meeting
    for who, request_id in ((big_2, fair["r1"]), (acme_1, r2)):  # a colleague's, another's
        url = f"/p/{who.access_token}/fair/meetings/{request_id}/attendance"
        assert client.post(url, data={"status": "held"}).status_code == 404
    assert client.post(f"/p/not-a-token/fair/meetings/{fair['r1']}/attendance").status_code == 404
    fair["moment"]["now"] = ELEVEN + timedelta(hours=3)  # r1's window has closed
    acme_url = f"/p/{acme_1.access_token}/fair/meetings/{fair['r1']}/attendance"
    answer = client.post(acme_url, data={"status": "held"}, follow_redirects=True)
    assert "can be marked from Oct 14 09:50 to Oct 14 12:30" in answer.get_data(as_text=True)
    assert marks(session) == set()


def test_the_desk_marks_at_any_time_and_sees_no_show_rates(organiser, session, fair):
    fair["moment"]["now"] = TEN + timedelta(days=3)
    acme = company(session, "acme")
    slug = fair["event"].slug
    organiser.post(
        f"/events/{slug}/fair/meetings/{fair['r1']}/attendance", data={"absent": acme.id}
    )
    page = organiser.get(f"/events/{slug}/fair/").get_data(as_text=True)
    assert "1 no-shows of 2 attendances marked (50%)" in page
    assert "Acme Bio" in page and "100%" in page


def test_the_live_board_shows_now_next_free_and_late(organiser, session, fair):
    slug = fair["event"].slug
    at_five_past = organiser.get(f"/events/{slug}/board?at=2026-10-14T10:05").get_data(as_text=True)
    assert f"Acme Bio{JOIN}Big Pharma" in at_five_past and "not checked in" in at_five_past
    assert f"Cell Co{JOIN}Big Pharma" in at_five_past  # next
    late = organiser.get(f"/events/{slug}/board?at=2026-10-14T10:20&fragment=1")
    text = late.get_data(as_text=True)
    assert "1 late" in text and "<html" not in text  # the fragment board.js re-fetches
    free = organiser.get(f"/events/{slug}/board?at=2026-10-14T11:05&layout=wall")
    text = free.get_data(as_text=True)
    assert "1 table free" in text and 'class="wall"' in text and "board.js" in text
    closed = organiser.get(f"/events/{slug}/board?at=2026-10-14T12:05").get_data(as_text=True)
    assert "No session is running now." in closed


def test_the_board_follows_the_server_clock_and_check_ins(organiser, session, fair):
    slug = fair["event"].slug
    fair["moment"]["now"] = HALF_PAST_TEN + timedelta(minutes=1)
    page = organiser.get(f"/events/{slug}/board").get_data(as_text=True)
    assert "10:31" in page and f"Cell Co{JOIN}Big Pharma" in page
    assert "1 meeting not checked in" in page


def test_a_table_sheet_has_its_meetings_and_a_qr_code_without_scripts(organiser, session, fair):
    slug, table = fair["event"].slug, fair["event"].locations[0].id
    page = organiser.get(f"/events/{slug}/board/tables/{table}").get_data(as_text=True)
    assert "<svg" in page and "segno" in page
    assert f"Acme Bio{JOIN}Big Pharma" in page and f"Cell Co{JOIN}Big Pharma" in page
    assert "<script>" not in page and "style=" not in page
    bare = organiser.get(f"/events/{slug}/board/tables/{table}?qr=0").get_data(as_text=True)
    assert "<svg" not in bare


def test_feedback_is_private_to_its_side_and_the_organiser(client, organiser, session, fair):
    fair["moment"]["now"] = HALF_PAST_TEN
    acme, big = company(session, "acme"), company(session, "big")
    secret = "Their pipeline is thin; do not partner"
    answer = client.post(
        f"/c/{acme.access_token}/fair/meetings/{fair['r1']}/feedback",
        data={"rating": 2, "follow_up": "y", "note": secret},
        follow_redirects=True,
    )
    assert "your feedback is saved" in answer.get_data(as_text=True)
    session.rollback()
    saved = session.get(Feedback, (fair["r1"], acme.id))
    assert (saved.rating, saved.follow_up, saved.note) == (2, True, secret)
    for path in ("/", f"/fair/meetings/{fair['r1']}/feedback", "/fair/book", "/agenda"):
        body = client.get(f"/c/{big.access_token}{path}").get_data(as_text=True)
        assert secret not in body and "2 of 5" not in body, path
    own = client.get(f"/c/{acme.access_token}/").get_data(as_text=True)
    assert "Your rating: 2 of 5" in own
    slug = fair["event"].slug
    page = organiser.get(f"/events/{slug}/fair/companies/{acme.id}/feedback").get_data(as_text=True)
    assert secret in page


def test_feedback_before_the_meeting_or_out_of_range_is_refused(client, session, fair):
    fair["moment"]["now"] = TEN - timedelta(hours=1)
    acme = company(session, "acme")
    path = f"/c/{acme.access_token}/fair/meetings/{fair['r1']}/feedback"
    assert "Feedback opens when the meeting starts" in client.get(path).get_data(as_text=True)
    fair["moment"]["now"] = HALF_PAST_TEN
    client.post(path, data={"rating": 9})
    session.rollback()
    assert session.scalar(select(Feedback)) is None


def test_the_outcomes_report_counts_and_its_csv_guards_formulas(organiser, session, fair):
    acme = company(session, "acme")
    acme.name = '=HYPERLINK("http://evil")'
    session.commit()
    slug = fair["event"].slug
    organiser.post(f"/events/{slug}/fair/meetings/{fair['r1']}/attendance", data={"absent": ""})
    session.rollback()
    session.add(
        Feedback(
            request_id=fair["r1"],
            company_id=acme.id,
            event_id=fair["event"].id,
            rating=4,
            follow_up=True,
        )
    )
    session.commit()
    report = outcomes(session, fair["event"])
    assert (report.total.meetings, report.total.held, report.total.follow_ups) == (2, 1, 1)
    [delegation] = report.by_delegation
    assert (delegation.name, delegation.meetings, delegation.held) == ("San Diego", 2, 1)
    page = organiser.get(f"/events/{slug}/fair/outcomes").get_data(as_text=True)
    assert "San Diego" in page and "Big Pharma" in page
    rows = list(
        csv.reader(
            io.StringIO(
                organiser.get(f"/events/{slug}/fair/outcomes.csv").get_data().decode("utf-8-sig")
            )
        )
    )
    assert rows[0][:3] == ["kind", "name", "meetings"]
    names = [r[1] for r in rows]
    assert '\'=HYPERLINK("http://evil")' in names
    assert ["company", '\'=HYPERLINK("http://evil")', "1", "1", "0", "1", "4.0"] in rows


def test_a_company_books_a_free_time_from_its_page(client, session, fair):
    fair["moment"]["now"] = TEN - timedelta(hours=1)
    acme, cell = company(session, "acme"), company(session, "cell")
    page = client.get(f"/c/{acme.access_token}/fair/book?with={cell.id}").get_data(as_text=True)
    assert ELEVEN.isoformat() in page
    answer = client.post(
        f"/c/{acme.access_token}/fair/book",
        data={"with": cell.id, "start": ELEVEN.isoformat()},
        follow_redirects=True,
    )
    text = answer.get_data(as_text=True)
    assert "It is on your agenda" in text and "Cell Co" in text
    again = client.post(
        f"/c/{company(session, 'big').access_token}/fair/book",
        data={"with": company(session, "dell").id, "start": ELEVEN.isoformat()},
        follow_redirects=True,
    )
    assert "no longer free" in again.get_data(as_text=True)


def test_the_analytics_page_plots_attendance_and_ratings_once_the_fair_has_run(
    organiser, session, fair
):
    """Before anything is marked the page says "after the fair"; then the attendance per
    delegation and the ratings are plotted, their numbers those of the outcomes report."""
    slug = fair["event"].slug
    before = organiser.get(f"/events/{slug}/analytics/").get_data(as_text=True)
    assert 'id="plot-attendance"' not in before and 'id="plot-ratings"' not in before
    organiser.post(f"/events/{slug}/fair/meetings/{fair['r1']}/attendance", data={"absent": ""})
    session.rollback()
    acme = company(session, "acme")
    session.add(
        Feedback(request_id=fair["r1"], company_id=acme.id, event_id=fair["event"].id, rating=4)
    )
    session.commit()
    page = organiser.get(f"/events/{slug}/analytics/").get_data(as_text=True)
    assert 'id="plot-attendance"' in page and 'id="plot-ratings"' in page
    assert "Of 2 meetings: 1 held, 0 with a no-show (0.0%)." in page
    rows = list(
        csv.reader(
            io.StringIO(
                organiser.get(f"/events/{slug}/analytics/attendance.csv")
                .get_data()
                .decode("utf-8-sig")
            )
        )
    )
    assert rows[1] == ["San Diego", "1", "0", "1"]  # held r1; r2 not marked
    ratings = organiser.get(f"/events/{slug}/analytics/ratings.csv").get_data().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(ratings)))[1:] == [
        ["1", "0"],
        ["2", "0"],
        ["3", "0"],
        ["4", "1"],
        ["5", "0"],
    ]
    svg = organiser.get(f"/events/{slug}/analytics/ratings.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
