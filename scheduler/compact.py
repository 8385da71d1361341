"""Compact agendas: fewer idle gaps ("breaks") between a person's meetings in a session.

A break is a maximal run of free slots between two of a person's meetings in one session
(FORMAT.md; the measure of the B2B scheduling literature). In CP-SAT, with b_s the number of
the person's meetings covering slot s (0 or 1):

    block starts:  start_s >= b_s - b_(s-1)         (first slot of the session: start_s >= b_s)
    breaks:        sum(start_s) - any_meeting,      any_meeting <= sum(b_s)

Minimising pushes every start_s and any_meeting to their true values, so the expression is the
person's number of breaks; `max_breaks` bounds it per person. Only people whose meetings the
model decides are counted: an attendee the request names, or the only attendee of their
company. For companies with several attendees the model counts seats, not people; `Booking`
then hands their meetings out so that one person's meetings stay together where it can.

Compact mode solves in two phases, as lexicographic goals are best given to CP-SAT: first the
priority-weighted count (with the per-person limit, if any), then, with that count held,
the fewest breaks.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.answers import placed_keys
from scheduler.booking import Booking
from scheduler.cpsat import CpSatModel, ModelAnswer, SolverSettings
from scheduler.formulation import Formulation
from scheduler.prepare import Prepared, bits


def sole_attendees(prepared: Prepared) -> dict[str, str]:
    """Company -> its attendee, for companies that send one person (who is in all its
    meetings, so the model decides their agenda)."""
    return {c.id: c.attendees[0].id for c in prepared.instance.companies if len(c.attendees) == 1}


def add_breaks(model: CpSatModel, prepared: Prepared) -> dict[str, cp_model.LinearExpr]:
    """Add the break counting above; return each counted person's number of breaks."""
    sole = sole_attendees(prepared)
    covering: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for variable, (index, start, _pool) in enumerate(model.formulation.keys):
        request = prepared.requests[index]
        people = set()
        for company_id, named in request.named.items():
            people |= set(named) or ({sole[company_id]} if company_id in sole else set())
        for person in people:
            for slot in range(start, start + request.length):
                covering[person][slot].append(variable)
    return {
        person: _breaks_of(model, prepared, slots) for person, slots in sorted(covering.items())
    }


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


def limit_breaks(model: CpSatModel, breaks: dict[str, cp_model.LinearExpr], limit: int) -> None:
    for expression in breaks.values():
        model.model.add(expression <= limit)


def minimise_breaks(
    model: CpSatModel, breaks: dict[str, cp_model.LinearExpr], objective_at_least: int
) -> None:
    """Second phase: hold the priority-weighted count, then fewest breaks in all."""
    f = model.formulation
    weighted = sum(p * x for p, x in zip(f.priorities, model.x, strict=True))
    model.model.add(weighted >= objective_at_least)
    model.model.clear_objective()
    model.model.minimize(sum(breaks.values()))


def require_every_request(model: CpSatModel) -> None:
    for variables in model.formulation.by_request.values():
        model.model.add_exactly_one(model.x[v] for v in variables)


def schedule_within_break_limit(
    prepared: Prepared,
    formulation: Formulation,
    hint: Booking,
    bound: int | None,
    settings: SolverSettings,
    time_limit: float,
) -> tuple[ModelAnswer | None, int | None]:
    """The most meetings with at most `settings.max_breaks` breaks per person, then the
    fewest breaks. When the LP says every request might fit, first try just that: one
    model with every request placed and fewest breaks is far easier for CP-SAT than
    maximising the count under the limit."""
    started = time.monotonic()
    schedulable = sum(prepared.requests[i].request.priority for i in formulation.by_request)
    if bound is None or bound >= schedulable:
        model = _break_model(prepared, formulation, hint, settings)
        require_every_request(model.cp)
        model.cp.model.minimize(sum(model.breaks.values()))
        answer = model.cp.solve(settings, 0.6 * time_limit)
        if answer.chosen:
            return answer, schedulable
    left = time_limit - (time.monotonic() - started)
    model = _break_model(prepared, formulation, hint, settings)
    first = model.cp.solve(settings, left / 2, known_bound=bound)
    if first.bound is not None:
        bound = first.bound if bound is None else min(bound, first.bound)
    if not first.chosen:
        return None, bound
    model.cp.add_hint(set(first.chosen))
    minimise_breaks(model.cp, model.breaks, first.objective)
    second = model.cp.solve(settings, time_limit - (time.monotonic() - started))
    return (second if second.chosen else first), bound


@dataclass
class _BreakModel:
    cp: CpSatModel
    breaks: dict[str, cp_model.LinearExpr]


def _break_model(
    prepared: Prepared, formulation: Formulation, hint: Booking, settings: SolverSettings
) -> _BreakModel:
    model = CpSatModel(formulation)
    breaks = add_breaks(model, prepared)
    limit_breaks(model, breaks, settings.max_breaks)
    model.add_hint(placed_keys(prepared, hint))
    return _BreakModel(model, breaks)
