"""Realistic synthetic partnering instances (``partnering-instance/1``, see FORMAT.md).

``generate_instance(companies, requests, ...)`` returns a plain dict ready for ``json.dump``.
It uses only the standard library and one ``random.Random(seed)``, so the same seed and
arguments always give the same instance, and it is fast (4,100 companies / 100,000 requests
in a few seconds). Every instance is valid by FORMAT.md.

Realism built in, each choice with why:

- Roles: 25-32% corporates, the rest delegation companies -- partnering events are mostly
  start-ups and academic spin-offs that travel in regional delegations, courting fewer pharma.
- Delegations: a handful (3-12) of regional groups ("San Diego", "Boston", "Basel", "Osaka"...)
  of uneven size -- a few big clusters send most of the start-ups.
- Ids ``c0001``, ``c0001-1``, ``r000001``, ``T001``: short, unique, sortable -- like registration
  exports, and attendee ids are unique across the instance because they embed the company id.
- Names: syllable stems ("Nova" + "gen") with a suffix ("Therapeutics", "Pharma"), people from
  an international list -- plausible in a UI without naming real companies or people.
- Attendees: corporates 2-6 (more for popular ones), start-ups 1-2, scaled to the requested
  total (default 1.5 per company) -- big pharma sends BD teams, start-ups send the founder.
- Request mix: ~58% delegation->corporate, ~30% corporate->delegation, ~12%
  delegation->delegation -- start-ups seek licensees, pharma scouts assets, some peers partner.
- Skewed popularity: targets drawn with a Zipf weight (exponent 1.0 for corporates, 0.6 for
  delegation companies), capped at 40% of possible requesters -- a few big pharma are wanted
  by hundreds (far beyond their capacity) while most companies get a few requests.
- Senders: log-normal activity -- some companies send dozens of requests, most only a few.
- Never a request to oneself and at most one request per unordered pair of companies -- a
  mutual interest is one meeting; asking for more pairs than exist raises ``ValueError``.
- Priorities 1-5 skewed low (38/27/18/11/6%) -- most requests are "nice to have".
- ~5% of requests name 1-2 attendees -- "I want to meet your head of oncology BD".
- ~3% are two-slot meetings -- deep-dive meetings under confidentiality are longer.
- ~5% have a ``within`` window (one session, one whole day, or two sessions on different
  days) -- people who arrive late or leave early; every window can hold the meeting.
- Days: consecutive dates from ``start_date``; two sessions around a lunch break, 09:30-12:30
  and 13:30-17:30, the first day opening at 10:00 after the keynote and the last day closing at
  16:00 for departures; sessions are cut to a whole number of slots.
- ~10% of companies and ~10% of attendees have 1-2 ``unavailable`` blocks (a 1-2 hour block,
  a whole session, or a whole day on multi-day events) -- panels, pitches, travel.
- ~12% of companies have ``max_meetings_per_day`` of 6-12 -- small teams protect their day.
- Locations: ``tables`` shared tables plus an own room for ~5% of corporates (the popular
  ones, at least one; ``rooms`` of them where given) -- big pharma rent private meeting
  rooms.
- Packages, only when asked (``entitlements``): a share of companies guaranteed 3-8
  meetings, half of them with an allowance of meetings over the event -- fairs sell both.
- ``fixed``: ~0.5% of requests (at least 1 when there are 50 or more), placed at a valid time:
  slot boundary inside a session and inside ``within``, both companies and named attendees
  free, no attendee or location double-booked among fixed meetings (each is built with a
  concrete witness: an attendee per company and a location), ``max_meetings_per_day`` kept;
  about half name their location, a quarter name their attendees -- published meetings.
"""

from __future__ import annotations

import itertools
import random
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, timedelta

FORMAT = "partnering-instance/1"

__all__ = ["FORMAT", "generate_instance"]

_PREFIXES = (
    "Nova", "Thera", "Gen", "Bio", "Cyto", "Immu", "Onco", "Neuro", "Cardio", "Vita", "Axo",
    "Heli", "Lumi", "Aria", "Ortho", "Medi", "Vire", "Kyo", "Sora", "Zen", "Astra", "Cela",
    "Prota", "Myo", "Nephro", "Derma", "Pheno", "Quanta", "Evo", "Synth", "Aqua", "Hepa",
    "Osteo", "Regen", "Kine", "Pulmo", "Ocu", "Tera",
)  # fmt: skip
_STEMS = (
    "gen", "vax", "cura", "thera", "lix", "mab", "zyme", "gene", "cell", "nova", "dyne",
    "pharm", "tide", "sys", "vir", "onix", "rna", "cyte", "gon", "logic", "medix", "sana",
    "vance", "tek", "bion", "plex", "mune", "gram",
)  # fmt: skip
_STARTUP_SUFFIXES = (
    "Therapeutics", "Bio", "Biosciences", "Biotherapeutics", "Labs", "Medicines", "Oncology",
    "Genomics", "Diagnostics", "Sciences", "Biologics", "Health",
)  # fmt: skip
_CORPORATE_SUFFIXES = (
    "Pharma", "Pharmaceutical", "Pharmaceuticals", "Holdings", "Life Sciences", "Healthcare",
    "Biopharma", "Group",
)  # fmt: skip
_DISAMBIGUATORS = ("Alpha", "Beta", "Gamma", "Delta", "Sigma", "Omega", "Prime", "One")
_DELEGATIONS = (
    "San Diego", "Boston", "Basel", "Osaka", "Kobe", "Cambridge", "Seoul", "Toronto",
    "Munich", "Copenhagen", "Singapore", "Lyon", "Kyoto", "Taipei", "Tel Aviv", "Melbourne",
)  # fmt: skip
_FIRST_NAMES = (
    "Yuki", "Haruto", "Aoi", "Sota", "Mei", "Ren", "Emily", "James", "Sarah", "Michael",
    "Laura", "David", "Anna", "Thomas", "Sophie", "Lukas", "Marie", "Jonas", "Chloe", "Pierre",
    "Min-jun", "Seo-yeon", "Wei", "Li", "Priya", "Arjun", "Elena", "Marco", "Ingrid", "Lars",
    "Olivia", "Daniel", "Hannah", "Noah", "Camille", "Mateo", "Aisha", "Omar", "Nina", "Kenji",
)  # fmt: skip
_LAST_NAMES = (
    "Tanaka", "Suzuki", "Sato", "Takahashi", "Watanabe", "Yamamoto", "Nakamura", "Kobayashi",
    "Smith", "Johnson", "Brown", "Miller", "Davis", "Garcia", "Wilson", "Anderson", "Müller",
    "Schmidt", "Fischer", "Weber", "Dubois", "Martin", "Bernard", "Rossi", "Bianchi", "Kim",
    "Lee", "Park", "Chen", "Wang", "Zhang", "Patel", "Sharma", "Nielsen", "Hansen", "Berg",
    "Cohen", "Levi", "Novak", "Silva",
)  # fmt: skip

# Request mix: (delegation->corporate, corporate->delegation); the rest delegation->delegation.
_SHARE_D2C = 0.58
_SHARE_C2D = 0.30
_ZIPF_CORPORATE = 1.0
_ZIPF_DELEGATION = 0.6
_TARGET_CAP = 0.4  # a target gets at most this share of its possible requesters, in expectation
_PRIORITY_WEIGHTS = (38, 27, 18, 11, 6)
_P_NAMED_ATTENDEES = 0.05
_P_TWO_SLOTS = 0.03
_P_WITHIN = 0.05
_P_FIXED = 0.005
_P_UNAVAILABLE = 0.10
_P_MAX_PER_DAY = 0.12
_ROOM_SHARE = 0.05
_DEFAULT_ATTENDEES_PER_COMPANY = 1.5
_MAX_PAIRS_TO_ENUMERATE = 2_000_000

Interval = tuple[int, int]  # minutes from midnight of the first day, [start, end)


@dataclass
class _Calendar:
    """Event days cut into sessions and slots; times are minutes from midnight of day 0."""

    slot: int
    dates: list[date]
    days: list[list[Interval]]  # sessions per day
    sessions: list[tuple[int, int, int, int]]  # (day, start, end, number of slots)
    slot_start: list[int] = field(default_factory=list)
    slot_day: list[int] = field(default_factory=list)
    slot_left: list[int] = field(default_factory=list)  # slots left in its session, itself incl.

    def fmt(self, minute: int) -> str:
        d, m = divmod(minute, 1440)
        return f"{self.dates[d].isoformat()}T{m // 60:02d}:{m % 60:02d}"

    def windows(self, intervals: list[Interval]) -> list[dict]:
        return [{"start": self.fmt(a), "end": self.fmt(b)} for a, b in intervals]


def generate_instance(
    companies: int,
    requests: int,
    days: int = 3,
    tables: int = 40,
    seed: int = 0,
    *,
    slot_minutes: int = 30,
    timezone: str = "Asia/Tokyo",
    start_date: str = "2026-10-14",
    attendees: int | None = None,
    entitlements: float = 0.0,
    rooms: int | None = None,
) -> dict:
    """Return a random but realistic valid instance in ``partnering-instance/1`` format.

    ``companies``, ``requests``, ``days`` and ``tables`` are met exactly; ``attendees`` is the
    total number of attendees over all companies (default about 1.5 per company). The same
    arguments always give the same dict. Raises ``ValueError`` for impossible arguments, e.g.
    more requests than distinct pairs of companies or fewer attendees than companies.
    ``entitlements`` is the share of companies given a package (see `_entitlements`); it
    draws from a random stream of its own, so the rest of the instance does not change.
    ``rooms``, where given, is the number of corporates with an own room (default about 5% of
    them); it must not exceed the corporates drawn (25-32% of the companies).
    """
    first = _check_args(
        companies, requests, days, tables, slot_minutes, timezone, start_date, attendees
    )
    n_attendees = (
        attendees
        if attendees is not None
        else max(companies, round(companies * _DEFAULT_ATTENDEES_PER_COMPANY))
    )
    rng = random.Random(seed)
    cal = _calendar(first, days, slot_minutes)

    # Companies: roles, delegations, popularity.
    n = companies
    n_corp = round(n * rng.uniform(0.25, 0.32)) if n > 1 else 1
    n_corp = min(max(n_corp, 1), n - 1) if n > 1 else 1
    is_corp = [True] * n_corp + [False] * (n - n_corp)
    rng.shuffle(is_corp)
    corps = [i for i in range(n) if is_corp[i]]
    dels = [i for i in range(n) if not is_corp[i]]
    pop = [0.0] * n  # popularity as a request target
    for group, exponent in ((corps, _ZIPF_CORPORATE), (dels, _ZIPF_DELEGATION)):
        ranks = list(range(1, len(group) + 1))
        rng.shuffle(ranks)
        for i, r in zip(group, ranks, strict=True):
            pop[i] = r**-exponent
    activity = [rng.lognormvariate(0.0, 0.7) for _ in range(n)]  # propensity to send requests
    delegation_of = _delegations(rng, dels)

    width = max(4, len(str(n)))
    cids = [f"c{i + 1:0{width}d}" for i in range(n)]
    names = _company_names(rng, is_corp)
    n_att = _attendee_counts(rng, is_corp, pop, n_attendees)
    att_ids = [[f"{cids[i]}-{k + 1}" for k in range(n_att[i])] for i in range(n)]

    # Requests.
    pairs = _request_pairs(rng, n, requests, corps, dels, pop, activity)
    m = len(pairs)
    priorities = rng.choices(range(1, 6), weights=_PRIORITY_WEIGHTS, k=m)
    max_session_slots = max(s[3] for s in cal.sessions)
    req_named: list[list[str] | None] = [None] * m
    req_slots = [1] * m
    req_within: list[list[Interval] | None] = [None] * m
    for r, (s, t) in enumerate(pairs):
        if rng.random() < _P_NAMED_ATTENDEES:
            side = att_ids[s if rng.random() < 0.5 else t]
            k = 2 if len(side) >= 3 and rng.random() < 0.2 else 1
            req_named[r] = sorted(rng.sample(side, k))
        if max_session_slots >= 2 and rng.random() < _P_TWO_SLOTS:
            req_slots[r] = 2
        if rng.random() < _P_WITHIN:
            req_within[r] = _within(rng, cal, req_slots[r])

    # Availability and limits.
    comp_unavail: list[list[Interval]] = [
        _unavailable(rng, cal) if rng.random() < _P_UNAVAILABLE else [] for _ in range(n)
    ]
    att_unavail: dict[str, list[Interval]] = {}
    for ids in att_ids:
        for a in ids:
            if rng.random() < _P_UNAVAILABLE:
                att_unavail[a] = _unavailable(rng, cal)
    max_per_day: list[int | None] = [
        rng.randint(6, 12) if rng.random() < _P_MAX_PER_DAY else None for _ in range(n)
    ]

    # Locations: shared tables, and own rooms for a few popular corporates.
    twidth = max(3, len(str(tables)))
    locations = [
        {"id": f"T{k + 1:0{twidth}d}", "name": f"Partnering table {k + 1}", "kind": "table"}
        for k in range(tables)
    ]
    n_rooms = _room_count(len(corps)) if rooms is None else _checked_rooms(rooms, len(corps))
    room_owners = _weighted_sample(rng, corps, [pop[i] for i in corps], n_rooms)
    rooms_of: dict[int, list[str]] = {}
    for i in sorted(room_owners):
        rid = f"R-{cids[i]}"
        rooms_of[i] = [rid]
        locations.append(
            {"id": rid, "name": f"{names[i]} meeting room", "kind": "room", "owner": cids[i]}
        )

    fixed = _fixed_meetings(
        rng,
        cal,
        pairs,
        req_named,
        req_slots,
        req_within,
        att_ids,
        comp_unavail,
        att_unavail,
        max_per_day,
        [loc["id"] for loc in locations[:tables]],
        rooms_of,
    )

    packages = _entitlements(seed, n, entitlements, fixed, pairs)

    # Assemble the document.
    company_docs = []
    for i in range(n):
        people = []
        slug = "".join(ch for ch in names[i].split(" ")[0].lower() if ch.isalnum())
        for a in att_ids[i]:
            first_name = rng.choice(_FIRST_NAMES)
            last_name = rng.choice(_LAST_NAMES)
            local = f"{first_name}.{last_name}".lower().replace("ü", "ue").replace("-", "")
            person: dict = {
                "id": a,
                "name": f"{first_name} {last_name}",
                "email": f"{local}@{slug}.example",
            }
            if a in att_unavail:
                person["unavailable"] = cal.windows(att_unavail[a])
            people.append(person)
        doc: dict = {"id": cids[i], "name": names[i]}
        if is_corp[i]:
            doc["role"] = "corporate"
        else:
            doc["role"] = "delegation"
            doc["delegation"] = delegation_of[i]
        doc["attendees"] = people
        if comp_unavail[i]:
            doc["unavailable"] = cal.windows(comp_unavail[i])
        if max_per_day[i] is not None:
            doc["max_meetings_per_day"] = max_per_day[i]
        doc.update(packages.get(i, {}))
        company_docs.append(doc)

    rwidth = max(4, len(str(m)))
    rids = [f"r{r + 1:0{rwidth}d}" for r in range(m)]
    request_docs = []
    for r, (s, t) in enumerate(pairs):
        req: dict = {"id": rids[r], "from": cids[s], "to": cids[t], "priority": priorities[r]}
        if req_named[r]:
            req["attendees"] = req_named[r]
        if req_slots[r] != 1:
            req["slots"] = req_slots[r]
        if req_within[r]:
            req["within"] = cal.windows(req_within[r])
        request_docs.append(req)

    fixed_docs = []
    for r, start, loc, who in fixed:
        doc = {"request": rids[r], "start": cal.fmt(start)}
        if loc is not None:
            doc["location"] = loc
        if who is not None:
            doc["attendees"] = who
        fixed_docs.append(doc)

    return {
        "format": FORMAT,
        "event": {
            "name": f"Synthetic Bio Partnering {first.year} (seed {seed})",
            "timezone": timezone,
            "slot_minutes": slot_minutes,
            "days": [
                {
                    "date": d.isoformat(),
                    "sessions": [
                        {"start": _hhmm(a - k * 1440), "end": _hhmm(b - k * 1440)}
                        for a, b in cal.days[k]
                    ],
                }
                for k, d in enumerate(cal.dates)
            ],
        },
        "locations": locations,
        "companies": company_docs,
        "requests": request_docs,
        "fixed": fixed_docs,
    }


def _entitlements(
    seed: int, n: int, share: float, fixed: list, pairs: list[tuple[int, int]]
) -> dict[int, dict[str, int]]:
    """Packages for `share` of the companies: each is guaranteed 3-8 meetings
    (`min_meetings`); half of them also have an allowance (`max_meetings`) 2-20 above that,
    and never below their fixed meetings -- a guaranteed-meetings package and a capped one,
    as fairs sell them."""
    if share <= 0:
        return {}
    rng = random.Random(f"{seed}-entitlements")
    held = [0] * n
    for r, *_ in fixed:
        for c in pairs[r]:
            held[c] += 1
    packages = {}
    for i in sorted(rng.sample(range(n), round(min(share, 1.0) * n))):
        package = {"min_meetings": rng.randint(3, 8)}
        if rng.random() < 0.5:
            package["max_meetings"] = max(package["min_meetings"] + rng.randint(2, 20), held[i])
        packages[i] = package
    return packages


# --------------------------------------------------------------------------- arguments, time


def _check_args(
    companies: int,
    requests: int,
    days: int,
    tables: int,
    slot_minutes: int,
    timezone: str,
    start_date: str,
    attendees: int | None,
) -> date:
    for name, value, low in (
        ("companies", companies, 1),
        ("requests", requests, 0),
        ("days", days, 1),
        ("tables", tables, 0),
        ("slot_minutes", slot_minutes, 1),
    ):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{name} must be an integer, got {value!r}")
        if value < low:
            raise ValueError(f"{name} must be at least {low}, got {value}")
    if slot_minutes > 150:
        raise ValueError(
            f"slot_minutes must be at most 150 (the shortest session), got {slot_minutes}"
        )
    max_pairs = companies * (companies - 1) // 2
    if requests > max_pairs:
        raise ValueError(
            f"cannot generate {requests} requests between {companies} companies: at most "
            f"{max_pairs} are possible (one request per pair of different companies)"
        )
    if attendees is not None:
        if not isinstance(attendees, int) or isinstance(attendees, bool):
            raise ValueError(f"attendees must be an integer, got {attendees!r}")
        if attendees < companies:
            raise ValueError(
                f"attendees must be at least companies ({companies}): every company has at "
                f"least one attendee, got {attendees}"
            )
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown time zone {timezone!r}") from exc
    try:
        return date.fromisoformat(start_date)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"start_date must be YYYY-MM-DD, got {start_date!r}") from exc


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _calendar(first: date, days: int, slot: int) -> _Calendar:
    cal = _Calendar(slot=slot, dates=[], days=[], sessions=[])
    for d in range(days):
        base = d * 1440
        morning = (10 * 60 if d == 0 and days > 1 else 9 * 60 + 30, 12 * 60 + 30)
        afternoon = (13 * 60 + 30, 16 * 60 if d == days - 1 and days > 1 else 17 * 60 + 30)
        sessions = []
        for start, nominal_end in (morning, afternoon):
            k = (nominal_end - start) // slot  # >= 1 since slot <= 150
            sessions.append((base + start, base + start + k * slot))
            cal.sessions.append((d, base + start, base + start + k * slot, k))
            for j in range(k):
                cal.slot_start.append(base + start + j * slot)
                cal.slot_day.append(d)
                cal.slot_left.append(k - j)
        cal.dates.append(first + timedelta(days=d))
        cal.days.append(sessions)
    return cal


def _within(rng: random.Random, cal: _Calendar, slots: int) -> list[Interval]:
    """One session, one whole day, or two sessions on different days; each fits the meeting."""
    eligible = [s for s in cal.sessions if s[3] >= slots]
    u = rng.random()
    if u < 0.5 or (len(cal.dates) == 1 and u < 0.8):
        _, a, b, _ = rng.choice(eligible)
        return [(a, b)]
    if u < 0.8:
        d = rng.choice(eligible)[0]
        return [(cal.days[d][0][0], cal.days[d][-1][1])]
    first = rng.choice(eligible)
    others = [s for s in eligible if s[0] != first[0]] or [first]
    second = rng.choice(others)
    return sorted({(first[1], first[2]), (second[1], second[2])})


def _unavailable(rng: random.Random, cal: _Calendar) -> list[Interval]:
    """1-2 blocks: a 1-2 hour block inside a session, a whole session, or a whole day."""
    blocks = []
    for _ in range(1 if rng.random() < 0.75 else 2):
        u = rng.random()
        if u < 0.55:
            _, a, _, k = rng.choice(cal.sessions)
            length = min(k, max(1, round(rng.choice((60, 90, 120)) / cal.slot)))
            start = a + rng.randrange(k - length + 1) * cal.slot
            blocks.append((start, start + length * cal.slot))
        elif u < 0.85 or len(cal.dates) == 1:
            _, a, b, _ = rng.choice(cal.sessions)
            blocks.append((a, b))
        else:  # arrives a day late or leaves a day early
            d = 0 if rng.random() < 0.5 else len(cal.dates) - 1
            blocks.append((cal.days[d][0][0], cal.days[d][-1][1]))
    blocks.sort()
    merged: list[Interval] = []
    for a, b in blocks:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


# --------------------------------------------------------------------------- companies


def _delegations(rng: random.Random, dels: list[int]) -> dict[int, str]:
    if not dels:
        return {}
    k = min(len(_DELEGATIONS), len(dels), 3 + len(dels) // 100, 12)
    groups = rng.sample(_DELEGATIONS, k)
    weights = [(r + 1) ** -0.7 for r in range(k)]
    chosen = rng.choices(groups, weights=weights, k=len(dels))
    return dict(zip(dels, chosen, strict=True))


def _company_names(rng: random.Random, is_corp: list[bool]) -> list[str]:
    seen: set[str] = set()
    names = []
    for corp in is_corp:
        suffixes = _CORPORATE_SUFFIXES if corp else _STARTUP_SUFFIXES
        name = ""
        for attempt in range(40):
            prefix = rng.choice(_PREFIXES)
            stem = rng.choice(_STEMS)
            if stem in prefix.lower():
                continue
            name = f"{prefix}{stem} {rng.choice(suffixes)}"
            if attempt >= 20:
                name = f"{name} {rng.choice(_DISAMBIGUATORS)}"
            if name not in seen:
                break
        base, k = name, 2
        while not name or name in seen:
            name = f"{base or 'Nova'} {k}"
            k += 1
        seen.add(name)
        names.append(name)
    return names


def _attendee_counts(
    rng: random.Random, is_corp: list[bool], pop: list[float], total: int
) -> list[int]:
    """Everyone 1; corporates 2 next; then up to 6 (corporates) and 2 (start-ups), weighted."""
    n = len(is_corp)
    counts = [1] * n
    rest = total - n
    corps = [i for i in range(n) if is_corp[i]]
    corps.sort(key=lambda i: -pop[i])
    for i in corps[:rest]:
        counts[i] = 2
    rest -= min(rest, len(corps))
    if rest <= 0:
        return counts
    top = max((pop[i] for i in corps), default=1.0)
    keyed = []  # weighted sampling without replacement (Efraimidis-Spirakis keys)
    for i in range(n):
        if is_corp[i]:
            w = 3.0 * (1.0 + 4.0 * pop[i] / top)
            for extra in range(4):  # 3rd..6th attendee, each less likely
                keyed.append((rng.random() ** (1.0 / (w * 0.55**extra)), i))
        else:
            keyed.append((rng.random(), i))  # 2nd attendee of a start-up
    keyed.sort(reverse=True)
    for _, i in keyed[:rest]:
        counts[i] += 1
    rest -= min(rest, len(keyed))
    if rest > 0:  # more attendees than the usual team sizes: spread, corporates first
        weights = [4.0 if c else 1.0 for c in is_corp]
        for i in rng.choices(range(n), weights=weights, k=rest):
            counts[i] += 1
    return counts


def _room_count(n_corp: int) -> int:
    return max(1, round(n_corp * _ROOM_SHARE)) if n_corp else 0


def _checked_rooms(rooms: int, n_corp: int) -> int:
    """At most one own room per corporate: a room needs an owner."""
    if not isinstance(rooms, int) or isinstance(rooms, bool) or rooms < 0:
        raise ValueError(f"rooms must be an integer of at least 0, got {rooms!r}")
    if rooms > n_corp:
        raise ValueError(f"cannot give {rooms} own rooms to {n_corp} corporates: one each at most")
    return rooms


def _weighted_sample(
    rng: random.Random, items: list[int], weights: list[float], k: int
) -> list[int]:
    keyed = [(rng.random() ** (1.0 / w), x) for x, w in zip(items, weights, strict=True)]
    keyed.sort(reverse=True)
    return [x for _, x in keyed[:k]]


# --------------------------------------------------------------------------- requests


def _cap_weights(weights: list[float], draws: float, cap: float) -> list[float]:
    """Rescale so that no item expects more than ``cap`` of ``draws`` (water-filling)."""
    n = len(weights)
    if n == 0 or draws <= 0:
        return weights
    if cap * n <= draws:
        return [1.0] * n
    clipped = [False] * n
    while True:
        free_total = sum(w for w, c in zip(weights, clipped, strict=True) if not c)
        budget = draws - cap * sum(clipped)
        if free_total <= 0:
            break
        changed = False
        for i, w in enumerate(weights):
            if not clipped[i] and w / free_total * budget > cap:
                clipped[i] = True
                changed = True
        if not changed:
            break
    return [cap if c else w / free_total * budget for w, c in zip(weights, clipped, strict=True)]


def _draw_pairs(
    rng: random.Random,
    n: int,
    used: set[int],
    out: list[tuple[int, int]],
    src: list[int],
    src_w: list[float],
    dst: list[int],
    dst_w: list[float],
    count: int,
) -> None:
    """Rejection-sample ``count`` new (from, to) pairs; may stop short when saturated."""
    if count <= 0 or not src or not dst:
        return
    scw = list(itertools.accumulate(src_w))
    dcw = list(itertools.accumulate(dst_w))
    goal = len(out) + count
    attempts, limit = 0, 20 * count + 1000
    while len(out) < goal and attempts < limit:
        batch = min(limit - attempts, max(64, int((goal - len(out)) * 1.3)))
        attempts += batch
        senders = rng.choices(src, cum_weights=scw, k=batch)
        targets = rng.choices(dst, cum_weights=dcw, k=batch)
        for s, t in zip(senders, targets, strict=True):
            if s == t:
                continue
            key = s * n + t if s < t else t * n + s
            if key in used:
                continue
            used.add(key)
            out.append((s, t))
            if len(out) == goal:
                return


def _request_pairs(
    rng: random.Random,
    n: int,
    count: int,
    corps: list[int],
    dels: list[int],
    pop: list[float],
    activity: list[float],
) -> list[tuple[int, int]]:
    used: set[int] = set()
    out: list[tuple[int, int]] = []
    n_d2c = round(count * _SHARE_D2C) if corps and dels else 0
    n_c2d = round(count * _SHARE_C2D) if corps and dels else 0
    n_d2d = count - n_d2c - n_c2d if len(dels) >= 2 else 0
    plan = (
        (dels, corps, n_d2c, len(dels)),
        (corps, dels, n_c2d, len(corps)),
        (dels, dels, n_d2d, len(dels) - 1),
    )
    for src, dst, k, requesters in plan:
        if k <= 0:
            continue
        dst_w = _cap_weights([pop[i] for i in dst], k, _TARGET_CAP * requesters)
        _draw_pairs(rng, n, used, out, src, [activity[i] for i in src], dst, dst_w, k)
    missing = count - len(out)
    if missing > 0:  # degenerate role mix or saturated pools: any free pair
        everyone = list(range(n))
        _draw_pairs(rng, n, used, out, everyone, activity, everyone, pop, missing)
    missing = count - len(out)
    if missing > 0:
        _fill_any(rng, n, used, out, missing)
    rng.shuffle(out)
    return out


def _fill_any(
    rng: random.Random, n: int, used: set[int], out: list[tuple[int, int]], count: int
) -> None:
    if n * (n - 1) // 2 <= _MAX_PAIRS_TO_ENUMERATE:
        free = [i * n + j for i in range(n) for j in range(i + 1, n) if i * n + j not in used]
        chosen = rng.sample(free, count)
    else:
        chosen = []
        while len(chosen) < count:
            i, j = rng.randrange(n), rng.randrange(n)
            key = min(i, j) * n + max(i, j)
            if i != j and key not in used:
                used.add(key)
                chosen.append(key)
    for key in chosen:
        used.add(key)
        i, j = divmod(key, n)
        out.append((i, j) if rng.random() < 0.5 else (j, i))


# --------------------------------------------------------------------------- fixed meetings


def _overlaps(intervals: list[Interval] | None, a: int, b: int) -> bool:
    return bool(intervals) and any(x < b and a < y for x, y in intervals)


def _fixed_meetings(
    rng: random.Random,
    cal: _Calendar,
    pairs: list[tuple[int, int]],
    req_named: list[list[str] | None],
    req_slots: list[int],
    req_within: list[list[Interval] | None],
    att_ids: list[list[str]],
    comp_unavail: list[list[Interval]],
    att_unavail: dict[str, list[Interval]],
    max_per_day: list[int | None],
    table_ids: list[str],
    rooms_of: dict[int, list[str]],
) -> list[tuple[int, int, str | None, list[str] | None]]:
    """Place ~0.5% of the requests at valid, mutually compatible times and locations."""
    m = len(pairs)
    target = round(m * _P_FIXED)
    if m >= 50:
        target = max(1, target)
    if target == 0:
        return []
    n_slots = len(cal.slot_start)
    busy: dict[str, list[Interval]] = {}  # attendee or location -> fixed meeting intervals
    per_day: dict[tuple[int, int], int] = {}
    placed: list[tuple[int, int, str | None, list[str] | None]] = []

    def starts(r: int) -> list[int]:
        length = req_slots[r]
        out = []
        for g in range(n_slots):
            if cal.slot_left[g] < length:
                continue
            a = cal.slot_start[g]
            b = a + length * cal.slot
            if req_within[r] and not any(x <= a and b <= y for x, y in req_within[r]):
                continue
            out.append(g)
        return out

    def free(key: str, a: int, b: int) -> bool:
        return not _overlaps(busy.get(key), a, b) and not _overlaps(att_unavail.get(key), a, b)

    def attempt(r: int, g: int) -> bool:
        s, t = pairs[r]
        a = cal.slot_start[g]
        b = a + req_slots[r] * cal.slot
        day = cal.slot_day[g]
        for c in (s, t):
            limit = max_per_day[c]
            if limit is not None and per_day.get((c, day), 0) >= limit:
                return False
            if _overlaps(comp_unavail[c], a, b):
                return False
        named = req_named[r] or []
        if not all(free(x, a, b) for x in named):
            return False
        witness = list(named)
        for c in (s, t):
            if any(x in att_ids[c] for x in named):
                continue
            options = [x for x in att_ids[c] if free(x, a, b)]
            if not options:
                return False
            witness.append(rng.choice(options))
        rooms = [x for c in (s, t) for x in rooms_of.get(c, ())]
        location = None
        if rooms and rng.random() < 0.3:
            location = next((x for x in rooms if not _overlaps(busy.get(x), a, b)), None)
        if location is None and table_ids:
            k0 = rng.randrange(len(table_ids))
            for k in range(len(table_ids)):
                x = table_ids[(k0 + k) % len(table_ids)]
                if not _overlaps(busy.get(x), a, b):
                    location = x
                    break
        if location is None:
            location = next((x for x in rooms if not _overlaps(busy.get(x), a, b)), None)
        if location is None:
            return False
        for key in [*witness, location]:
            busy.setdefault(key, []).append((a, b))
        for c in (s, t):
            per_day[(c, day)] = per_day.get((c, day), 0) + 1
        shown_location = location if rng.random() < 0.5 else None
        shown_people = sorted(witness) if rng.random() < 0.25 else None
        placed.append((r, a, shown_location, shown_people))
        return True

    for r in rng.sample(range(m), min(m, 50 * target + 200)):
        if len(placed) >= target:
            break
        options = starts(r)
        for g in rng.sample(options, min(len(options), 8)):
            if attempt(r, g):
                break
    if not placed:  # exhaustive fallback, practically never needed
        for r in range(m):
            if any(attempt(r, g) for g in starts(r)):
                break
    placed.sort(key=lambda p: (p[1], p[0]))
    return placed
