"""Tests for the synthetic instance generator (scheduler.generate.instances)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from scheduler.generate.instances import generate_instance


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _overlap(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _windows(items: list[dict]) -> list[tuple[datetime, datetime]]:
    return [(_dt(w["start"]), _dt(w["end"])) for w in items]


def check_instance(doc: dict) -> None:
    """Structural validity by FORMAT.md, written independently of the generator."""
    assert doc["format"] == "partnering-instance/1"
    json.loads(json.dumps(doc))  # plain JSON data
    event = doc["event"]
    slot = timedelta(minutes=event["slot_minutes"])
    assert event["slot_minutes"] > 0 and event["timezone"]

    # Days and sessions.
    dates = [date.fromisoformat(d["date"]) for d in event["days"]]
    assert dates == [dates[0] + timedelta(days=k) for k in range(len(dates))]
    sessions: list[tuple[datetime, datetime]] = []
    for day in event["days"]:
        previous_end = None
        assert len(day["sessions"]) == 2
        for s in day["sessions"]:
            start = _dt(f"{day['date']}T{s['start']}")
            end = _dt(f"{day['date']}T{s['end']}")
            assert start < end
            assert (end - start) % slot == timedelta(0), "session not a whole number of slots"
            if previous_end is not None:
                assert previous_end <= start, "sessions of one day overlap"
            previous_end = end
            sessions.append((start, end))
    event_dates = set(dates)

    def check_windows(items: list[dict]) -> list[tuple[datetime, datetime]]:
        spans = _windows(items)
        assert spans
        for a, b in spans:
            assert a < b
            assert a.date() in event_dates and b.date() in event_dates
        return spans

    # Locations.
    companies = {c["id"]: c for c in doc["companies"]}
    assert len(companies) == len(doc["companies"]), "duplicate company id"
    location_ids = [loc["id"] for loc in doc["locations"]]
    assert len(set(location_ids)) == len(location_ids), "duplicate location id"
    owner_of = {}
    for loc in doc["locations"]:
        assert loc["kind"] in {"table", "room", "booth"}
        assert loc["id"] and loc["name"]
        if "owner" in loc:
            assert loc["owner"] in companies
            owner_of[loc["id"]] = loc["owner"]

    # Companies and attendees.
    attendee_company: dict[str, str] = {}
    unavailable: dict[str, list[tuple[datetime, datetime]]] = {}
    for c in doc["companies"]:
        assert c["id"] and c["name"]
        assert c["role"] in {"delegation", "corporate"}
        if c["role"] == "delegation":
            assert c["delegation"]
        assert c["attendees"], "company without attendees"
        for a in c["attendees"]:
            assert a["id"] and a["name"]
            assert a["id"] not in attendee_company, "attendee id not unique across instance"
            attendee_company[a["id"]] = c["id"]
            if "unavailable" in a:
                unavailable[a["id"]] = check_windows(a["unavailable"])
        if "unavailable" in c:
            unavailable[c["id"]] = check_windows(c["unavailable"])
        if "max_meetings_per_day" in c:
            assert isinstance(c["max_meetings_per_day"], int) and c["max_meetings_per_day"] > 0

    # Requests.
    requests = {r["id"]: r for r in doc["requests"]}
    assert len(requests) == len(doc["requests"]), "duplicate request id"
    pairs = set()
    for r in doc["requests"]:
        assert r["from"] in companies and r["to"] in companies
        assert r["from"] != r["to"], "request to itself"
        pair = frozenset((r["from"], r["to"]))
        assert pair not in pairs, "two requests for the same pair of companies"
        pairs.add(pair)
        assert isinstance(r["priority"], int) and 1 <= r["priority"] <= 5
        assert isinstance(r.get("slots", 1), int) and r.get("slots", 1) >= 1
        for a in r.get("attendees", []):
            assert attendee_company[a] in (r["from"], r["to"])
        if "within" in r:
            check_windows(r["within"])

    # Fixed meetings: valid times, no collisions, a witness assignment exists.
    fixed_requests = [f["request"] for f in doc["fixed"]]
    assert len(set(fixed_requests)) == len(fixed_requests), "request fixed twice"
    placed = []  # (request, span, location, named attendees)
    per_day: Counter = Counter()
    for f in doc["fixed"]:
        r = requests[f["request"]]
        start = _dt(f["start"])
        span = (start, start + r.get("slots", 1) * slot)
        home = [s for s in sessions if s[0] <= span[0] and span[1] <= s[1]]
        assert home, f"fixed {f} not inside one session"
        assert (span[0] - home[0][0]) % slot == timedelta(0), f"fixed {f} off slot boundary"
        if "within" in r:
            assert any(a <= span[0] and span[1] <= b for a, b in _windows(r["within"]))
        named = set(r.get("attendees", [])) | set(f.get("attendees", []))
        assert set(r.get("attendees", [])) <= named
        for a in named:
            assert attendee_company[a] in (r["from"], r["to"])
            assert not any(_overlap(span, w) for w in unavailable.get(a, []))
        if "attendees" in f:
            assert {attendee_company[a] for a in f["attendees"]} == {r["from"], r["to"]}
        for c in (r["from"], r["to"]):
            assert not any(_overlap(span, w) for w in unavailable.get(c, []))
            per_day[(c, span[0].date())] += 1
        if "location" in f:
            assert f["location"] in location_ids
            assert owner_of.get(f["location"], r["from"]) in (r["from"], r["to"])
        placed.append((r, span, f.get("location"), named))
    for (c, _day), k in per_day.items():
        assert k <= companies[c].get("max_meetings_per_day", k)
    for i, (_r1, s1, l1, n1) in enumerate(placed):
        for _r2, s2, l2, n2 in placed[i + 1 :]:
            if not _overlap(s1, s2):
                continue
            assert l1 is None or l1 != l2, "location double-booked among fixed meetings"
            assert not (n1 & n2), "attendee double-booked among fixed meetings"
    # No company over its free attendee count at any moment (checked at each fixed start).
    for _r, span, _l, _n in placed:
        moment = span[0]
        for c in companies.values():
            busy = [
                p
                for p in placed
                if c["id"] in (p[0]["from"], p[0]["to"]) and p[1][0] <= moment < p[1][1]
            ]
            free = [
                a
                for a in c["attendees"]
                if not any(w[0] <= moment < w[1] for w in unavailable.get(a["id"], []))
            ]
            assert len(busy) <= len(free)


def _total_attendees(doc: dict) -> int:
    return sum(len(c["attendees"]) for c in doc["companies"])


def test_determinism() -> None:
    a = generate_instance(200, 1500, seed=7)
    b = generate_instance(200, 1500, seed=7)
    c = generate_instance(200, 1500, seed=8)
    assert a == b
    assert json.dumps(a) == json.dumps(b)
    assert a != c
    assert a["requests"] != c["requests"]


@pytest.mark.parametrize(
    ("companies", "requests", "days", "tables", "attendees"),
    [(400, 3000, 3, 40, None), (120, 900, 2, 15, 300), (60, 60, 1, 5, 60), (2, 1, 4, 1, 2)],
)
def test_counts_and_validity(
    companies: int, requests: int, days: int, tables: int, attendees: int | None
) -> None:
    doc = generate_instance(companies, requests, days, tables, seed=3, attendees=attendees)
    check_instance(doc)
    assert len(doc["companies"]) == companies
    assert len(doc["requests"]) == requests
    assert len(doc["event"]["days"]) == days
    assert sum(loc["kind"] == "table" for loc in doc["locations"]) == tables
    expected = attendees if attendees is not None else round(companies * 1.5)
    assert _total_attendees(doc) == expected
    assert doc["event"]["days"][0]["date"] == "2026-10-14"
    assert doc["event"]["timezone"] == "Asia/Tokyo"


@pytest.mark.parametrize("seed", range(5))
def test_validity_many_seeds(seed: int) -> None:
    doc = generate_instance(300, 2500, 3, 30, seed=seed)
    check_instance(doc)
    assert doc["fixed"], "at least one fixed meeting when requests >= 50"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"slot_minutes": 20, "days": 1, "tables": 0},
        {"slot_minutes": 150, "days": 2},
        {"slot_minutes": 15, "timezone": "Europe/Zurich", "start_date": "2027-06-01"},
    ],
)
def test_other_calendars(kwargs: dict) -> None:
    doc = generate_instance(150, 1200, seed=1, **kwargs)
    check_instance(doc)
    assert doc["event"]["slot_minutes"] == kwargs["slot_minutes"]


def test_realism_mix() -> None:
    doc = generate_instance(1000, 10000, 3, 80, seed=11)
    comps = {c["id"]: c for c in doc["companies"]}
    corps = [c for c in comps.values() if c["role"] == "corporate"]
    assert 0.25 <= len(corps) / len(comps) <= 1 / 3
    delegations = {c["delegation"] for c in comps.values() if c["role"] == "delegation"}
    assert 3 <= len(delegations) <= 12
    corp_sizes = [len(c["attendees"]) for c in corps]
    startup_sizes = [len(c["attendees"]) for c in comps.values() if c["role"] == "delegation"]
    assert min(corp_sizes) >= 2 and max(corp_sizes) <= 6
    assert max(startup_sizes) <= 2
    kinds = Counter((comps[r["from"]]["role"], comps[r["to"]]["role"]) for r in doc["requests"])
    assert kinds[("delegation", "corporate")] + kinds[("corporate", "delegation")] > 0.8 * 10000
    assert kinds[("delegation", "delegation")] > 0
    reqs = doc["requests"]
    prio = Counter(r["priority"] for r in reqs)
    assert prio[1] > prio[2] > prio[3] > prio[4] > prio[5] > 0
    for key, share in (("attendees", 0.05), ("within", 0.05)):
        assert share / 2 < sum(key in r for r in reqs) / len(reqs) < share * 2
    assert 0.015 < sum(r.get("slots", 1) == 2 for r in reqs) / len(reqs) < 0.06
    assert 0.05 < sum("unavailable" in c for c in comps.values()) / len(comps) < 0.15
    rooms = [loc for loc in doc["locations"] if loc["kind"] == "room"]
    assert rooms and all(comps[loc["owner"]]["role"] == "corporate" for loc in rooms)
    assert any("max_meetings_per_day" in c for c in comps.values())
    assert 25 <= len(doc["fixed"]) <= 50
    assert any("location" in f for f in doc["fixed"])
    assert any("location" not in f for f in doc["fixed"])


def test_popularity_skew() -> None:
    doc = generate_instance(400, 3000, seed=0)
    received = Counter(r["to"] for r in doc["requests"])
    top = sum(k for _, k in received.most_common(400 // 20))
    assert top >= 0.25 * 3000
    # ...while many companies get few requests.
    few = sum(1 for c in doc["companies"] if received[c["id"]] <= 3)
    assert few >= 100


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((10, 46), {}, "at most 45"),
        ((1, 1), {}, "at most 0"),
        ((100, 10), {"attendees": 99}, "attendees"),
        ((10, 5), {"days": 0}, "days"),
        ((10, 5), {"slot_minutes": 0}, "slot_minutes"),
        ((10, 5), {"slot_minutes": 151}, "slot_minutes"),
        ((10, 5), {"timezone": "Mars/Olympus"}, "time zone"),
        ((10, 5), {"start_date": "14/10/2026"}, "start_date"),
        ((10, 5), {"rooms": 9}, "own rooms"),
        ((10, 5), {"rooms": -1}, "rooms"),
    ],
)
def test_impossible_arguments(args: tuple, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_instance(*args, **kwargs)


def test_rooms_as_asked_one_per_corporate_the_requests_unchanged() -> None:
    default = generate_instance(400, 3000, 3, 40, seed=3)
    doc = generate_instance(400, 3000, 3, 40, seed=3, rooms=30)
    check_instance(doc)
    roles = {c["id"]: c["role"] for c in doc["companies"]}
    owners = [loc["owner"] for loc in doc["locations"] if loc["kind"] == "room"]
    assert len(owners) == len(set(owners)) == 30
    assert {roles[o] for o in owners} == {"corporate"}
    assert roles == {c["id"]: c["role"] for c in default["companies"]}
    assert doc["requests"] == default["requests"]  # drawn before the rooms
    assert generate_instance(400, 3000, 3, 40, seed=3, rooms=None) == default


def test_dense_instance_uses_every_pair() -> None:
    doc = generate_instance(10, 45, seed=2)
    check_instance(doc)
    assert len({frozenset((r["from"], r["to"])) for r in doc["requests"]}) == 45


def test_size() -> None:
    doc = generate_instance(1500, 35000, 3, 100, seed=5, attendees=2400)
    assert len(doc["companies"]) == 1500
    assert len(doc["requests"]) == 35000
    assert _total_attendees(doc) == 2400
    pairs = {frozenset((r["from"], r["to"])) for r in doc["requests"]}
    assert len(pairs) == 35000
