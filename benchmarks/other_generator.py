"""A second, independent instance generator, for checking the solver on events it was not
tuned on.

    python benchmarks/other_generator.py --size biojapan --seed 1 -o bj-1.json
    python benchmarks/other_generator.py --companies 1500 --requests 35000 --days 3 \
        --tables 420 --attendees 2400 --seed 1 -o bj-1.json

Written from the exchange format (/work/shared/spec/FORMAT.md), not from
`scheduler/generate/instances.py`, and with different choices on purpose:

- priorities 1-3, mostly 1 (60% / 25% / 15%);
- a strong popularity skew: a corporate's pull is heavy-tailed (Pareto), so a few big
  corporates are wanted by hundreds of companies, with more people but never enough;
- days of different shapes (a short opening afternoon, three sessions on some days, an
  early end on the last day);
- more unavailability: whole days or half days off for companies, late arrivals and early
  departures for people;
- request windows on one request in eight (one day, a day's afternoon, or two days), some
  requests name the people who must attend, some meetings last two slots;
- owned rooms and booths for about a tenth of the corporates;
- `max_meetings_per_day` caps, `max_meetings` allowances and `min_meetings` entitlements
  for a share of the companies;
- a few fixed meetings, placed so that they fit together.

Nothing here imports the scheduler: plain JSON out, deterministic per seed.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import random
import sys
from datetime import date, timedelta
from pathlib import Path

SIZES = {
    "biojapan": dict(companies=1_500, requests=35_000, days=3, tables=420, attendees=2_400),
    "bio": dict(companies=4_100, requests=100_000, days=4, tables=700, attendees=6_400),
    "mid": dict(companies=800, requests=6_000, days=3, tables=80, attendees=1_300),
}

SLOT = 30  # minutes
# Day shapes (sessions as minutes from midnight): the first day opens after lunch, middle
# days have three sessions, the last day ends early.
FIRST_DAY = [(13 * 60, 18 * 60)]
MIDDLE_DAYS = [
    [(9 * 60, 11 * 60), (11 * 60 + 30, 13 * 60), (14 * 60, 18 * 60)],
    [(9 * 60, 12 * 60 + 30), (13 * 60 + 30, 17 * 60 + 30)],
]
LAST_DAY = [(9 * 60, 12 * 60), (13 * 60, 15 * 60 + 30)]

PRIORITIES = (1, 2, 3)
PRIORITY_WEIGHTS = (0.60, 0.25, 0.15)
CITIES = [
    "Boston", "San Diego", "Basel", "Cambridge UK", "Osaka", "Kobe", "Seoul", "Taipei",
    "Singapore", "Munich", "Lyon", "Toronto", "Copenhagen", "Melbourne", "Tel Aviv",
    "Shanghai", "Bangalore", "Sao Paulo", "Dublin", "Leiden",
]  # fmt: skip
SYLLABLES = ["ar", "bio", "cel", "den", "gen", "lum", "nov", "ome", "pha", "qui", "ros",
             "syn", "tek", "umi", "vax", "zyn", "ka", "ren", "mo", "tis"]  # fmt: skip


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _local(day: date, minutes: int) -> str:
    return f"{day.isoformat()}T{_hhmm(minutes)}"


def _day_shapes(days: int) -> list[list[tuple[int, int]]]:
    if days == 1:
        return [MIDDLE_DAYS[1]]
    shapes = [FIRST_DAY]
    for index in range(days - 2):
        shapes.append(MIDDLE_DAYS[index % len(MIDDLE_DAYS)])
    shapes.append(LAST_DAY)
    return shapes


def generate(
    companies: int,
    requests: int,
    days: int,
    tables: int,
    attendees: int | None = None,
    seed: int = 0,
    corporate_share: float = 0.3,
    skew: float = 1.1,
) -> dict:
    rng = random.Random(seed)
    attendees = attendees or round(companies * 1.6)
    first = date(2027, 3, 2)
    dates = [first + timedelta(days=d) for d in range(days)]
    shapes = _day_shapes(days)
    event = {
        "name": f"Other-generator partnering (seed {seed})",
        "timezone": "Europe/Zurich",
        "slot_minutes": SLOT,
        "days": [
            {
                "date": day.isoformat(),
                "sessions": [{"start": _hhmm(a), "end": _hhmm(b)} for a, b in shape],
            }
            for day, shape in zip(dates, shapes, strict=True)
        ],
    }
    # every slot of the event, as (day index, start minute)
    slots = [
        (d, start)
        for d, shape in enumerate(shapes)
        for a, b in shape
        for start in range(a, b, SLOT)
    ]

    # --- companies: roles, pull (how wanted), activity (how much they ask) ---------------
    n_corporate = max(1, round(companies * corporate_share))
    ids = [f"k{index:05d}" for index in range(companies)]
    roles = ["corporate"] * n_corporate + ["delegation"] * (companies - n_corporate)
    rng.shuffle(roles)
    corporates = [i for i in range(companies) if roles[i] == "corporate"]
    pull = [0.0] * companies
    for i in range(companies):
        # Pareto tail for corporates (a few wanted by hundreds), small for delegations
        pull[i] = rng.paretovariate(skew) if roles[i] == "corporate" else 0.08 * rng.random()
    activity = [rng.lognormvariate(0.0, 0.7) for _ in range(companies)]

    # --- attendees: delegations mostly one person, corporates by pull -------------------
    people = [1] * companies
    spare = max(0, attendees - companies)
    corporate_weight = [pull[i] ** 0.6 for i in corporates]
    total_weight = sum(corporate_weight)
    for i, weight in zip(corporates, corporate_weight, strict=True):
        people[i] += min(11, int(spare * 0.8 * weight / total_weight))
    left = attendees - sum(people)
    delegations = [i for i in range(companies) if roles[i] == "delegation"]
    while left > 0:
        i = rng.choice(delegations if rng.random() < 0.6 else corporates)
        if people[i] < 12:
            people[i] += 1
            left -= 1

    def window(d: int, a: int, b: int) -> dict:
        return {"start": _local(dates[d], a), "end": _local(dates[d], b)}

    def day_bounds(d: int) -> tuple[int, int]:
        return shapes[d][0][0], shapes[d][-1][1]

    company_docs = []
    unavailable_slots: list[set[tuple[int, int]]] = []  # per company, slots it cannot meet
    attendee_off: dict[str, set[tuple[int, int]]] = {}
    day_cap: dict[int, int] = {}
    for i in range(companies):
        doc: dict = {"id": ids[i], "name": _name(rng), "role": roles[i]}
        if roles[i] == "delegation":
            doc["delegation"] = rng.choice(CITIES)
        off: set[tuple[int, int]] = set()
        intervals = []
        if rng.random() < 0.18:  # a whole day or half a day away
            d = rng.randrange(days)
            lo, hi = day_bounds(d)
            if rng.random() < 0.4:
                a, b = lo, hi
            elif rng.random() < 0.5:
                a, b = lo, 12 * 60 + 30
            else:
                a, b = 13 * 60, hi
            if a < b:
                intervals.append(window(d, a, b))
                off |= {(dd, s) for dd, s in slots if dd == d and a <= s < b}
        if intervals:
            doc["unavailable"] = intervals
        unavailable_slots.append(off)
        team = []
        for k in range(people[i]):
            person: dict = {"id": f"{ids[i]}-{k + 1}", "name": f"Person {k + 1} of {ids[i]}"}
            person_off: set[tuple[int, int]] = set()
            roll = rng.random()
            if roll < 0.12:  # arrives late on the first day or a day later
                d = 0 if rng.random() < 0.6 else min(1, days - 1)
                lo, hi = day_bounds(d)
                b = lo + SLOT * rng.randrange(2, 8)
                person["unavailable"] = [window(d, lo, min(b, hi))]
                person_off = {(dd, s) for dd, s in slots if dd == d and lo <= s < b}
            elif roll < 0.22:  # leaves early on the last day, or misses a morning
                d = days - 1 if rng.random() < 0.6 else rng.randrange(days)
                lo, hi = day_bounds(d)
                a = max(lo, hi - SLOT * rng.randrange(3, 9))
                person["unavailable"] = [window(d, a, hi)]
                person_off = {(dd, s) for dd, s in slots if dd == d and a <= s < hi}
            attendee_off[person["id"]] = person_off
            team.append(person)
        doc["attendees"] = team
        if rng.random() < 0.2:
            cap = rng.randint(4, 10)
            doc["max_meetings_per_day"] = cap
            day_cap[i] = cap
        company_docs.append(doc)

    # --- locations: shared tables, owned rooms and booths for some corporates ----------
    locations = [
        {"id": f"TB{t + 1:04d}", "name": f"Table {t + 1}", "kind": "table"} for t in range(tables)
    ]
    owners = sorted(corporates, key=lambda i: -pull[i])
    n_owned = max(1, round(len(corporates) * 0.1))
    # the most wanted get rooms more often, but not only they
    owned = set(owners[: n_owned // 2]) | set(rng.sample(corporates, n_owned - n_owned // 2))
    for n, i in enumerate(sorted(owned)):
        kind = "room" if n % 3 else "booth"
        locations.append(
            {"id": f"OWN{n + 1:03d}", "name": f"{kind} of {ids[i]}", "kind": kind, "owner": ids[i]}
        )

    # --- requests --------------------------------------------------------------------
    corporate_cum = list(itertools.accumulate(pull[i] for i in corporates))
    everyone_cum = list(itertools.accumulate(activity))
    delegation_cum = list(itertools.accumulate(activity[i] for i in delegations))
    pairs: set[tuple[int, int]] = set()
    wanted = [0] * companies
    limit_per_target = companies - 1
    request_docs = []
    attempts = 0
    while len(request_docs) < requests and attempts < requests * 50:
        attempts += 1
        roll = rng.random()
        target = corporates[bisect.bisect(corporate_cum, rng.random() * corporate_cum[-1])]
        if roll < 0.72:  # a delegation asks a corporate
            asker = delegations[bisect.bisect(delegation_cum, rng.random() * delegation_cum[-1])]
            frm, to = asker, target
        elif roll < 0.90:  # a corporate asks a delegation (reverse pitch)
            other = delegations[bisect.bisect(delegation_cum, rng.random() * delegation_cum[-1])]
            frm, to = target, other
        else:  # company to corporate, any role
            asker = bisect.bisect(everyone_cum, rng.random() * everyone_cum[-1])
            frm, to = asker, target
        if frm == to or (min(frm, to), max(frm, to)) in pairs:
            continue
        if wanted[to] >= limit_per_target:
            continue
        pairs.add((min(frm, to), max(frm, to)))
        wanted[to] += 1
        doc = {
            "id": f"q{len(request_docs) + 1:06d}",
            "from": ids[frm],
            "to": ids[to],
            "priority": rng.choices(PRIORITIES, PRIORITY_WEIGHTS)[0],
        }
        if rng.random() < 0.05:
            doc["slots"] = 2
        if rng.random() < 0.125:
            doc["within"] = _windows(rng, days, day_bounds, window)
        if rng.random() < 0.08:
            side = frm if rng.random() < 0.5 else to
            if people[side] > 1:
                team = company_docs[side]["attendees"]
                doc["attendees"] = [rng.choice(team)["id"]]
        if doc["priority"] == 1 and doc.get("slots", 1) == 1 and rng.random() < 0.5:
            del doc["priority"]  # the default weight, left out as the format allows
        request_docs.append(doc)

    # --- entitlements: packages for some companies --------------------------------
    counts = [0] * companies
    for doc in request_docs:
        counts[int(doc["from"][1:])] += 1
        counts[int(doc["to"][1:])] += 1
    for i in range(companies):
        if counts[i] == 0:
            continue
        roll = rng.random()
        if roll < 0.12 and roles[i] == "delegation":
            company_docs[i]["min_meetings"] = min(counts[i], rng.randint(2, 6))
        elif roll < 0.22:
            company_docs[i]["max_meetings"] = rng.randint(6, 30)

    fixed = _fixed(
        rng, request_docs, company_docs, slots, unavailable_slots, attendee_off, day_cap,
        tables, dates,
    )  # fmt: skip
    return {
        "format": "partnering-instance/1",
        "event": event,
        "locations": locations,
        "companies": company_docs,
        "requests": request_docs,
        "fixed": fixed,
    }


def _windows(rng, days, day_bounds, window) -> list[dict]:
    kind = rng.random()
    d = rng.randrange(days)
    lo, hi = day_bounds(d)
    if kind < 0.4:  # one day
        return [window(d, lo, hi)]
    if kind < 0.75:  # that day's afternoon (or the whole day if it has none)
        a = max(lo, 13 * 60)
        return [window(d, a, hi)] if a < hi else [window(d, lo, hi)]
    e = (d + 1) % days  # two days
    return [window(d, lo, hi), window(e, *day_bounds(e))] if e != d else [window(d, lo, hi)]


def _fixed(rng, requests, companies, slots, company_off, attendee_off, day_cap, tables, dates):
    """About one request in a thousand already placed (published earlier), on a table, with
    one attendee of each side; placed so that no person, table or cap is overused."""
    wanted = max(1, len(requests) // 1000)
    busy_people: set[tuple[str, tuple[int, int]]] = set()
    busy_tables: dict[tuple[int, int], int] = {}
    per_day: dict[tuple[int, int], int] = {}
    met: set[int] = set()
    out = []
    order = list(range(len(requests)))
    rng.shuffle(order)
    for r in order:
        if len(out) >= wanted:
            break
        doc = requests[r]
        if "within" in doc or "attendees" in doc or doc.get("slots", 1) != 1:
            continue
        a, b = int(doc["from"][1:]), int(doc["to"][1:])
        if a in met or b in met:  # at most one fixed meeting per company: caps stay easy
            continue
        if "max_meetings" in companies[a] or "max_meetings" in companies[b]:
            continue
        pa = companies[a]["attendees"][0]["id"]
        pb = companies[b]["attendees"][0]["id"]
        for slot in rng.sample(slots, min(20, len(slots))):
            if slot in company_off[a] or slot in company_off[b]:
                continue
            if slot in attendee_off[pa] or slot in attendee_off[pb]:
                continue
            if (pa, slot) in busy_people or (pb, slot) in busy_people:
                continue
            if busy_tables.get(slot, 0) >= tables:
                continue
            table = busy_tables.get(slot, 0)
            busy_tables[slot] = table + 1
            busy_people |= {(pa, slot), (pb, slot)}
            met |= {a, b}
            for c in (a, b):
                per_day[c, slot[0]] = per_day.get((c, slot[0]), 0) + 1
            day, minute = slot
            out.append(
                {
                    "request": doc["id"],
                    "start": _local(dates[day], minute),
                    "location": f"TB{table + 1:04d}",
                    "attendees": [pa, pb],
                }
            )
            break
    return out


def _name(rng) -> str:
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
    return word.capitalize() + rng.choice([" Therapeutics", " Bio", " Pharma", " Labs", " AG"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES))
    parser.add_argument("--companies", type=int)
    parser.add_argument("--requests", type=int)
    parser.add_argument("--days", type=int)
    parser.add_argument("--tables", type=int)
    parser.add_argument("--attendees", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skew", type=float, default=1.1, help="Pareto shape of the pull")
    parser.add_argument("-o", "--output", type=Path)
    args = parser.parse_args(argv)
    size = dict(SIZES[args.size]) if args.size else {}
    for key in ("companies", "requests", "days", "tables", "attendees"):
        if getattr(args, key) is not None:
            size[key] = getattr(args, key)
    missing = {"companies", "requests", "days", "tables"} - set(size)
    if missing:
        parser.error(f"give --size or {', '.join('--' + m for m in sorted(missing))}")
    instance = generate(**size, seed=args.seed, skew=args.skew)
    text = json.dumps(instance, ensure_ascii=False)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(
            f"{args.output}: {len(instance['companies'])} companies, "
            f"{len(instance['requests'])} requests",
            file=sys.stderr,
        )
    else:
        print(text)


if __name__ == "__main__":
    main()
