"""Compact agendas: fewer idle gaps ("breaks") between a person's meetings in a session.

A break is a maximal run of free slots between two of a person's meetings in one session
(FORMAT.md; the measure of the B2B scheduling literature). Only people whose meetings the
model decides are counted: an attendee the request names, or the only attendee of their
company. For companies with several attendees the model counts seats, not people; `Booking`
then hands their meetings out so that one person's meetings stay together where it can.

Small events get the exact answer from `compact_maxsat.py`. This is the CP-SAT model for
larger ones: with the count of the best schedule held, CP-SAT searches from it for fewer
breaks, each break over `max_breaks` weighing more than all the others.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from scheduler.solver.cpsat import CpSatModel
from scheduler.solver.formulation import Key
from scheduler.solver.prepare import Prepared, bits


def covering(prepared: Prepared, keys: list[Key]) -> dict[str, dict[int, list[int]]]:
    """Counted person -> slot -> the variables (indices into `keys`) of their meetings that
    cover the slot."""
    sole = {c.id: c.attendees[0].id for c in prepared.instance.companies if len(c.attendees) == 1}
    result: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for variable, (index, start, _pool) in enumerate(keys):
        request = prepared.requests[index]
        for company_id, named in request.named.items():
            people = set(named) or ({sole[company_id]} if company_id in sole else set())
            for person in people:
                for slot in range(start, start + request.length):
                    result[person][slot].append(variable)
    return result


def add_breaks(model: CpSatModel, prepared: Prepared) -> dict[str, cp_model.LinearExpr]:
    """Count each person's breaks in the model; return them by person."""
    slots_of = covering(prepared, model.formulation.keys)
    return {person: _breaks_of(model, prepared, slots_of[person]) for person in sorted(slots_of)}


def _breaks_of(
    model: CpSatModel, prepared: Prepared, slots: dict[int, list[int]]
) -> cp_model.LinearExpr:
    """Per session: busy_s (in a meeting at s), later_s (in a meeting at s or after) and
    gap_s = busy_(s-1) and not busy_s and later_(s+1): a break starts at s. All literals
    tied by clauses both ways, which CP-SAT propagates far better than counts over sums."""
    m, x = model.model, model.x
    false = m.new_constant(0)
    total = []
    for session in prepared.session_masks:
        in_session = bits(session)
        if not any(slots.get(s) for s in in_session):
            continue
        busy = {}
        for slot in in_session:
            if slots.get(slot):
                busy[slot] = m.new_bool_var("")
                m.add(sum(x[v] for v in slots[slot]) == busy[slot])
            else:
                busy[slot] = false
        later = {in_session[-1] + 1: false}
        for slot in reversed(in_session):
            later[slot] = _either(m, busy[slot], later[slot + 1])
        for slot in in_session[1:-1]:
            gap = m.new_bool_var("")
            parts = [busy[slot - 1], busy[slot].Not(), later[slot + 1]]
            m.add_bool_and(parts).only_enforce_if(gap)
            m.add_bool_or([p.Not() for p in parts] + [gap])
            total.append(gap)
    return sum(total)


def _either(m: cp_model.CpModel, a, b):
    """A literal equal to (a or b)."""
    result = m.new_bool_var("")
    m.add_bool_or([a, b]).only_enforce_if(result)
    m.add_implication(a, result)
    m.add_implication(b, result)
    return result


def minimise_breaks(
    model: CpSatModel,
    prepared: Prepared,
    breaks: dict[str, cp_model.LinearExpr],
    objective_at_least: int,
    max_breaks: int | None = None,
    shortfall_at_most: int = 0,
) -> None:
    """Hold the guaranteed meetings given and the priority-weighted count; then fewest
    breaks in all, each break over `max_breaks` weighing more than all the others together."""
    m = model.model
    m.add(model.count >= objective_at_least)
    if model.weight:
        m.add(model.shortfall <= shortfall_at_most)
    m.clear_objective()
    total = sum(breaks.values())
    if max_breaks is None:
        m.minimize(total)
        return
    slots = len(prepared.grid)
    over = []
    for expression in breaks.values():
        excess = m.new_int_var(0, slots, "")
        m.add(excess >= expression - max_breaks)
        over.append(excess)
    m.minimize(total + (slots * len(breaks) + 1) * sum(over))
