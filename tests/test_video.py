"""Video links for hybrid meetings: a link per table or one per meeting from a template,
checked before it is kept, and the same link seen by icalendar and by ical.js (CONFERENCE,
RFC 7986, and in the description), on the printable agenda too; nothing a pattern holds can
start an iCalendar property of its own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scheduler.calendars.agenda import company_agenda_html
from scheduler.calendars.export import write_calendars
from scheduler.calendars.ical import company_calendar
from scheduler.calendars.revisions import publish
from scheduler.calendars.uids import meeting_uid
from scheduler.calendars.video import VideoLinks, check_label, check_link
from scheduler.formats.instance_reader import instance_from_document
from scheduler.formats.schedule_io import schedule_from_document
from scheduler.words import Refusal
from tests.calendar_readers import content_lines, read_with_icalendar, read_with_icaljs
from tests.conftest import make_instance, solve_document

STAMP = datetime(2026, 10, 1, tzinfo=UTC)
TEMPLATE = "https://meet.example.com/j/{meeting}?table={table}"


def solved():
    document = make_instance()
    instance, _ = instance_from_document(document)
    schedule = schedule_from_document(solve_document(document), instance)
    return instance, schedule


def test_a_template_gives_each_meeting_its_own_stable_link():
    links = VideoLinks("fair-2026", "Zoom", template=TEMPLATE)
    first = links.link("r1", "T 1")
    uuid = meeting_uid("fair-2026", "r1").split("@")[0]
    assert first == f"https://meet.example.com/j/{uuid}?table=T%201"
    assert links.link("r1", "T 1") == first != links.link("r2", "T 1")
    assert VideoLinks("other", "Zoom", template=TEMPLATE).link("r1", "T 1") != first


def test_a_link_per_table():
    links = VideoLinks("k", "Teams", by_location={"T1": "https://teams.example.com/t1"})
    assert links.link("r1", "T1") == "https://teams.example.com/t1"
    assert links.link("r1", "T2") is None


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("http://meet.example.com/{meeting}", "https://"),
        ("javascript:alert(1)", "https://"),
        ("https:///{meeting}", "https://"),
        ("https://meet.example.com/{room}", "unknown placeholder {room}"),
        ("https://meet.example.com/{meeting", "a brace without its pair"),
        ("https://meet.example.com/{meeting!r}", "a bare name in braces"),
        ("https://meet.example.com/{0}", "a bare name in braces"),
        ("https://meet.example.com/a\r\nATTENDEE:mailto:x@example.com", "line breaks"),
        ("https://meet.example.com/a b", "spaces"),
    ],
)
def test_bad_templates_are_refused_with_the_fix(text, said):
    with pytest.raises(Refusal) as refused:
        check_link(text, ("meeting", "table"))
    assert said in str(refused.value)


def test_a_table_link_takes_no_placeholder():
    with pytest.raises(Refusal, match="unknown placeholder"):
        check_link("https://meet.example.com/{meeting}")
    assert check_link(" https://meet.example.com/room-1 ") == "https://meet.example.com/room-1"


def test_labels_stay_on_one_line():
    for bad in ('Zoom"; X-INJECT=1', "Zoom\r\nX-EVIL:1"):
        with pytest.raises(Refusal):
            check_label(bad)
    assert check_label(" Zoom, Webex; Meet ") == "Zoom, Webex; Meet"


def test_both_readers_see_the_same_conference_link(tmp_path):
    instance, schedule = solved()
    links = VideoLinks("k", "Zoom, hall A", template=TEMPLATE)
    publication = publish(schedule, "k", None)
    paths = write_calendars(tmp_path, instance, schedule, publication, STAMP, None, links)
    acme = next(p for p in paths if p.name == "acme.ics")
    by_python = read_with_icalendar(acme)
    by_icaljs = read_with_icaljs([acme])[acme]
    assert by_python and len(by_python) == len(by_icaljs)
    for python_event, js_event in zip(by_python, by_icaljs, strict=True):
        request = next(
            m.request
            for m in schedule.meetings
            if meeting_uid("k", m.request) == python_event["uid"]
        )
        expected = links.link(
            request, next(m.location for m in schedule.meetings if m.request == request)
        )
        assert python_event["conferences"] == [
            {"uri": expected, "feature": "VIDEO", "label": "Zoom, hall A"}
        ]
        assert js_event["conferences"] == python_event["conferences"]
        assert f"Zoom, hall A: {expected}" in python_event["description"]
        assert expected in js_event["description"]
    lines = content_lines(acme.read_bytes())
    assert any(line.startswith("CONFERENCE;") and "VALUE=URI" in line for line in lines)


def test_no_property_injection_even_from_an_unchecked_pattern():
    """The setup refuses CR/LF; the writer refuses them again rather than write them."""
    instance, schedule = solved()
    publication = publish(schedule, "k", None)
    evil = VideoLinks("k", "Zoom", by_location={"T1": "https://x.example.com/\r\nATTENDEE:x"})
    with pytest.raises(Refusal):
        company_calendar(instance, publication, "acme", STAMP, None, evil)


def test_without_a_pattern_no_conference_is_written(tmp_path):
    instance, schedule = solved()
    publication = publish(schedule, "k", None)
    data = company_calendar(instance, publication, "acme", STAMP)
    assert b"CONFERENCE" not in data


def test_the_printable_agenda_shows_the_link():
    instance, schedule = solved()
    links = VideoLinks("k", "Zoom", template=TEMPLATE)
    html = company_agenda_html(instance, schedule, "acme", video=links)
    meeting = next(m for m in schedule.meetings if m.request == "r1")
    link = links.link("r1", meeting.location).replace("&", "&amp;")
    assert f'<a href="{link}">Zoom</a>' in html
    assert "meet.example.com" not in company_agenda_html(instance, schedule, "acme")
