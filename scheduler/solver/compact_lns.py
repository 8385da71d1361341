"""Compact agendas at event scale: fewer breaks, one session's neighbourhood at a time.

At BioJapan and BIO size the slot-by-slot model that `compact` searches is too big to build.
Breaks are local, though: a person's breaks in a session depend only on their meetings in
it. So, session after session, a group of companies joined by their meetings there (breadth
first over the meetings, so that the meetings that could swap slots come together) has its
meetings in that session taken out and placed again by CP-SAT: every one of them exactly once
(the count does not change by a single point), the rest of the schedule held, fewest breaks
of the people the model can count (a named attendee, or the only attendee of a company; the
others are handed out by `Booking` in compact mode, next to their own meetings). A new
placement is kept only if every meeting finds its table and people again and the breaks of
everyone it touches fall; otherwise the neighbourhood is put back exactly as it was.

Deterministic for a seed and worker count as `lns` is: sessions in order, companies breadth
first in a seeded order, CP-SAT on its deterministic clock, a budget of units.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

from ortools.sat.python import cp_model

from scheduler.solver.booking import Booking
from scheduler.solver.cpsat import SolverSettings
from scheduler.solver.lns import UNITS_PER_VARIABLE, SubModel, booking_order
from scheduler.solver.prepare import PreparedRequest, bits
from scheduler.solver.quality import breaks_per_attendee

MEETINGS_PER_NEIGHBOURHOOD = 15
ITERATION_UNITS = 0.4
SAFETY_SECONDS = 0.3


def fewer_breaks_by_neighbourhoods(
    booking: Booking, settings: SolverSettings, deadline: float, units: float
) -> Booking:
    """Lower the breaks of `booking` in place, its meetings and count unchanged, until the
    units are spent, every session has been gone through twice, or the deadline is near."""
    rng = random.Random(settings.seed)
    spent, iteration = 0.0, 0
    booking.compact = True
    for _round in range(2):
        for session in booking.prepared.session_masks:
            for group in _groups(booking, session, rng):
                seconds = deadline - time.monotonic() - SAFETY_SECONDS
                if spent >= units or seconds < 0.2:
                    return booking
                spent += _recompact(booking, group, session, settings, iteration, seconds)
                iteration += 1
    return booking


def _groups(booking: Booking, session: int, rng: random.Random) -> Iterator[list[str]]:
    """The session's meetings in groups of about MEETINGS_PER_NEIGHBOURHOOD, breadth first
    over the companies that hold them, from a seeded order of companies."""
    prepared = booking.prepared
    mine: dict[str, list[str]] = {}
    for request_id, placement in booking.placements.items():
        if session >> placement.start & 1 and placement.request.fixed_start is None:
            for company_id in placement.request.request.companies:
                mine.setdefault(company_id, []).append(request_id)
    order = sorted(mine)
    rng.shuffle(order)
    taken: set[str] = set()
    group: list[str] = []
    for seed in order:
        queue = [seed]
        visited = {seed}
        while queue:
            company_id = queue.pop(0)
            for request_id in mine.get(company_id, []):
                if request_id in taken:
                    continue
                taken.add(request_id)
                group.append(request_id)
                for partner in prepared.by_id[request_id].request.companies:
                    if partner not in visited:
                        visited.add(partner)
                        queue.append(partner)
            if len(group) >= MEETINGS_PER_NEIGHBOURHOOD:
                yield group
                group = []
    if group:
        yield group


def _recompact(
    booking: Booking,
    group: list[str],
    session: int,
    settings: SolverSettings,
    iteration: int,
    seconds: float,
) -> float:
    """One neighbourhood: its meetings out, CP-SAT's fewest breaks, kept only if better.
    Returns the units charged."""
    people = _people_touched(booking, group)
    before = _breaks(booking, people)
    taken = [booking.remove(request_id) for request_id in group]
    free = [p.request for p in taken]
    model = SubModel(booking, free, session, weight=0, every=True)
    model.hint(taken)
    _minimise_breaks(model, booking, session)
    chosen, used, _optimal = model.solve(settings, iteration, seconds, ITERATION_UNITS)
    placed = _place(booking, chosen, session) if len(chosen) == len(free) else False
    if not placed or _breaks(booking, people) >= before:
        for request in free:
            if request.id in booking.placements:
                booking.remove(request.id)
        for placement in taken:
            booking.book(placement)
    return used + UNITS_PER_VARIABLE * len(model.keys)


def _place(booking: Booking, chosen: list[tuple[int, int, str]], session: int) -> bool:
    """The chosen starts (`booking_order`); one that finds no table or person there goes to
    its earliest start in the session that fits. False if one fits nowhere."""
    requests = booking.prepared.requests
    chosen = booking_order(booking, chosen)
    for index, start, _pool in chosen:
        booking.reserve_named(requests[index], start)
    missed = [
        requests[i] for i, start, _pool in chosen if not booking.try_place(requests[i], start)
    ]
    booking.reserved.clear()
    return all(booking.place_earliest(request, session) for request in missed)


def _people_touched(booking: Booking, group: list[str]) -> set[str]:
    """Everyone of the companies in the group's meetings: whose breaks may change (a
    company's meetings may go to another of its attendees)."""
    companies = booking.prepared.instance.company_by_id
    return {
        a.id
        for request_id in group
        for company_id in booking.placements[request_id].request.request.companies
        for a in companies[company_id].attendees
    }


def _breaks(booking: Booking, people: set[str]) -> int:
    busy = {a: booking.attendee_busy.get(a, 0) for a in people}
    return sum(breaks_per_attendee(booking.prepared, busy).values())


def _counted(booking: Booking, request: PreparedRequest) -> list[str]:
    """The people whose slots the model decides for this request: those it names, or the
    only attendee of a company."""
    people = []
    for company_id, named in request.named.items():
        attendees = booking.prepared.instance.company_by_id[company_id].attendees
        people += named or ([attendees[0].id] if len(attendees) == 1 else [])
    return people


def _minimise_breaks(model: SubModel, booking: Booking, session: int) -> None:
    """Per counted person: busy at each slot of the session (held by a kept meeting, or by
    one of the model's), and a break wherever a run of free slots lies between two busy
    ones; the objective is their sum."""
    m = model.model
    covering: dict[str, dict[int, list[int]]] = {}
    for v, (index, start, _pool) in enumerate(model.keys):
        request = booking.prepared.requests[index]
        for person in _counted(booking, request):
            for slot in range(start, start + request.length):
                covering.setdefault(person, {}).setdefault(slot, []).append(v)
    slots = bits(session)
    total = []
    for person, by_slot in covering.items():
        kept = booking.attendee_busy.get(person, 0)
        busy = {}
        for slot in slots:
            if kept >> slot & 1:
                busy[slot] = m.new_constant(1)
            elif by_slot.get(slot):
                busy[slot] = m.new_bool_var("")
                m.add(sum(model.x[v] for v in by_slot[slot]) == busy[slot])
            else:
                busy[slot] = m.new_constant(0)
        total += _gaps(m, slots, busy)
    m.minimize(sum(total))


def _gaps(m: cp_model.CpModel, slots: list[int], busy: dict) -> list:
    """gap_s = busy_(s-1) and not busy_s and (busy at s+1 or later): a break starts at s."""
    later = {slots[-1] + 1: m.new_constant(0)}
    for slot in reversed(slots):
        either = m.new_bool_var("")
        m.add_bool_or([busy[slot], later[slot + 1]]).only_enforce_if(either)
        m.add_implication(busy[slot], either)
        m.add_implication(later[slot + 1], either)
        later[slot] = either
    gaps = []
    for slot in slots[1:-1]:
        gap = m.new_bool_var("")
        parts = [busy[slot - 1], busy[slot].Not(), later[slot + 1]]
        m.add_bool_and(parts).only_enforce_if(gap)
        m.add_bool_or([p.Not() for p in parts] + [gap])
        gaps.append(gap)
    return gaps
