"""The problem counted per session: a proven bound and a good schedule at event scale.

At BioJapan size (35,000 requests, 38 slots) the slot-by-slot formulation has over a million
variables, too many to build in a minute. Counting per session instead of per slot gives one
variable per (request, session, pool of locations) and these rows, each the sum of the
slot-by-slot rows over the session's slots, so every valid schedule satisfies them:

- a company holds at most as many meeting-slots in a session as its attendees have free
  slots there (a meeting takes the attendees it names, else one per company);
- a named attendee at most as many as their free slots there;
- a pool at most (its locations x the session's slots);
- a company at most its `max_meetings_per_day` over the day's sessions, and its
  `max_meetings` over all of them.

Its LP optimum is therefore a proven upper bound (GLOP solves it in seconds). Within one
session what remains is packing meetings into slots, which rarely loses much, so placing
requests by decreasing LP value, each in the session the LP chose (at a slot where an own
room is free first, for an owner's meeting), lands close to the bound.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass

from ortools.linear_solver import pywraplp

from scheduler.solver.booking import Booking
from scheduler.solver.greedy import fill, greedy_order, place_fixed
from scheduler.solver.prepare import SHARED, Prepared, PreparedRequest, bits

Key = tuple[int, int, str]  # (request index, session number, pool)
# The LP is highly degenerate (thousands of requests of equal priority, most rows tight):
# GLOP's default primal simplex stalls on it once people rather than tables are the limit
# (BioJapan size at 611 tables: 56 s). The dual simplex with perturbed costs does not
# (18 s there; 6.9 s instead of 11.5 s at the event's own 420 tables).
GLOP_PARAMETERS = "use_dual_simplex: true perturb_costs_in_dual_simplex: true"


@dataclass(frozen=True)
class SessionRelaxation:
    bound: int  # the LP optimum, rounded down: no schedule scores more
    preferences: dict[int, list[int]]  # request index -> sessions, the LP's favourite first
    weight: dict[int, float]  # request index -> how much of it the LP schedules (0..1)


class _Rows:
    """Rows of the LP, gathered as (variable, coefficient) lists keyed by what they limit."""

    def __init__(self) -> None:
        self.terms: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
        self.limits: dict[tuple, int] = {}

    def add(self, row: tuple, limit: int, variable: int, coefficient: int) -> None:
        self.terms[row].append((variable, coefficient))
        self.limits[row] = limit

    def binding(self):
        """Only the rows that can be violated: the others cost time and prove nothing."""
        for row, terms in self.terms.items():
            if sum(c for _, c in terms) > self.limits[row]:
                yield terms, self.limits[row]


def _variables(prepared: Prepared) -> list[Key]:
    keys = []
    for request in prepared.requests:
        for session, mask in enumerate(prepared.session_masks):
            if request.start_mask & mask:
                keys.extend((request.index, session, pool) for pool in request.pools)
    return keys


def _rows(prepared: Prepared, keys: list[Key]) -> _Rows:
    rows = _Rows()
    sessions = prepared.session_masks
    capacity = prepared.company_capacity
    day_of_session = [prepared.day_of(mask.bit_length() - 1) for mask in sessions]
    company_slots: dict[tuple[str, int], int] = {}
    for variable, (index, session, pool) in enumerate(keys):
        request = prepared.requests[index]
        length = request.length
        for company_id, named in request.named.items():
            key = (company_id, session)
            if key not in company_slots:
                company_slots[key] = sum(capacity[company_id][s] for s in bits(sessions[session]))
            weight = length * request.weight(company_id)
            rows.add(("company", *key), company_slots[key], variable, weight)
            limit = prepared.instance.company_by_id[company_id].max_meetings_per_day
            if limit is not None:
                rows.add(("day", company_id, day_of_session[session]), limit, variable, 1)
            if company_id in prepared.max_meetings:
                rows.add(("event", company_id), prepared.max_meetings[company_id], variable, 1)
            for attendee_id in named:
                free = (prepared.attendee_free[attendee_id] & sessions[session]).bit_count()
                rows.add(("person", attendee_id, session), free, variable, length)
        tables = len(prepared.pool_locations[pool]) * sessions[session].bit_count()
        rows.add(("pool", pool, session), tables, variable, length)
    return rows


def solve_session_relaxation(
    prepared: Prepared, time_limit: float = 60.0
) -> SessionRelaxation | None:
    """The per-session LP's bound and solution, or None if it is not solved in `time_limit`
    seconds, which count building the LP too (at twice BIO size, a minute and a half)."""
    deadline = time.monotonic() + time_limit
    keys = _variables(prepared)
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:  # pragma: no cover - GLOP ships with every OR-Tools wheel
        return None
    x = [solver.NumVar(0.0, 1.0, "") for _ in keys]
    objective = solver.Objective()
    by_request: dict[int, list[int]] = defaultdict(list)
    for variable, key in enumerate(keys):
        objective.SetCoefficient(x[variable], prepared.requests[key[0]].request.priority)
        by_request[key[0]].append(variable)
    objective.SetMaximization()
    for index, variables in by_request.items():  # each request met at most once, fixed once
        low = 1.0 if prepared.requests[index].fixed_start is not None else 0.0
        row = solver.RowConstraint(low, 1.0, "")
        for variable in variables:
            row.SetCoefficient(x[variable], 1)
    for terms, limit in _rows(prepared, keys).binding():
        row = solver.RowConstraint(-solver.infinity(), limit, "")
        for variable, coefficient in terms:
            row.SetCoefficient(x[variable], coefficient)
    left = deadline - time.monotonic()
    if left <= 0:
        return None
    solver.SetTimeLimit(int(left * 1000))
    solver.SetSolverSpecificParametersAsString(GLOP_PARAMETERS)
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    values = [v.solution_value() for v in x]
    return _relaxation(keys, values, math.floor(objective.Value() + 1e-6))


def _relaxation(keys: list[Key], values: list[float], bound: int) -> SessionRelaxation:
    weight: dict[int, float] = defaultdict(float)
    by_session: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for (index, session, _pool), value in zip(keys, values, strict=True):
        weight[index] += value
        by_session[index][session] += value
    preferences = {
        index: sorted(sessions, key=lambda s: (-sessions[s], s))
        for index, sessions in by_session.items()
    }
    return SessionRelaxation(bound, preferences, dict(weight))


def round_session_relaxation(
    prepared: Prepared, relaxation: SessionRelaxation, rooms_first: bool = True
) -> Booking:
    """Place requests by decreasing LP value, each in the first session it fits of those the
    LP liked best (`rooms_first`: an owner's meeting at a slot where its own room is free,
    if there is one); then fill the gaps first come, first served."""
    booking = Booking(prepared)
    place_fixed(booking)
    weight = relaxation.weight
    order = sorted(
        prepared.requests,
        key=lambda r: (-round(weight.get(r.index, 0.0), 6), -r.request.priority, len(r.starts)),
    )
    sessions = prepared.session_masks
    for request in order:
        if request.id in booking.placements or weight.get(request.index, 0.0) < 1e-6:
            continue
        for session in relaxation.preferences.get(request.index, []):
            room = _own_room_starts(booking, request, sessions[session]) if rooms_first else 0
            if room and booking.place_earliest(request, room):
                break
            if booking.place_earliest(request, sessions[session]):
                break
    fill(booking, greedy_order(prepared.requests))
    return booking


def _own_room_starts(booking: Booking, request: PreparedRequest, session: int) -> int:
    """Starts in the session at which one of the request's own rooms is free for the whole
    meeting. An owner's meeting goes there before an earlier start at a shared table: with
    the tables full, a table it takes is a meeting lost to everyone else, and its room left
    empty at a later slot is one lost to it (other generator, BioJapan size: the rounding
    came within 0.08% of the bound instead of 0.42%, benchmarks/UNSEEN.md)."""
    rooms = [pool for pool in request.pools if pool != SHARED]
    if not rooms:
        return 0
    starts = booking.fitting_starts(request) & session
    return sum(
        1 << s
        for s in bits(starts)
        if any(booking.free_in_pool(pool, s, request.length) for pool in rooms)
    )
