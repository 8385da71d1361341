"""Compact agendas on events small enough for an exact answer: fewest breaks as MaxSAT.

On the published B2B instances (Bofill et al., JAIR 2022) a core-guided MaxSAT solver is the
best known method for minimising breaks; CP-SAT on two cores rarely proves, or even finds, a
schedule with no breaks where one exists. Here the slot-by-slot formulation
(`formulation.py`) becomes clauses, solved by PySAT's RC2 (the OLL core-guided algorithm)
over CaDiCaL:

- one variable per formulation key (request, start, pool); at most one per request, exactly
  one when every request is to be placed; every capacity row as a cardinality constraint;
- per counted person (`compact.covering`: the only attendee of a company, or one a request
  names) and slot, `busy` = one of their meetings covers the slot; `later` = one does at or
  after it; a break starts at s when busy at s-1, free at s and busy later in the session;
- two implied constraints that decide how fast it goes (measured on the JAIR files: 19 of
  20 originals solved instead of 12): a person is busy in exactly as many slots as their
  meetings last (when every request is placed), and no more people are busy in one slot
  than the tables can seat;
- the goals as soft clauses with lexicographic weights: each placed request (its priority),
  then each break over the per-person limit, then each break.

CaDiCaL cannot be interrupted from Python, so each solve runs in a child process that is
stopped at the deadline or on cancel. How long a SAT solver takes on these problems varies by
an order of magnitude from one way of writing them to another (measured: 4 s to over 40 s on
one file), so the goals counted per person (with RC2's core exhaustion, the faster on the hardest
files) go first, and with two workers a second child races it on the goals counted break
by break; the first optimum wins.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from scheduler.solver.compact import covering
from scheduler.solver.cpsat import Cancelled
from scheduler.solver.formulation import Formulation, Key
from scheduler.solver.prepare import Prepared, bits

# Above this many formulation variables the clauses take longer to write than CP-SAT needs.
MAXSAT_LIMIT = 60_000
POLL_SECONDS = 0.2


@dataclass
class BreakFormula:
    """Clauses over variables 1..len(keys) (the formulation's keys) and auxiliary ones."""

    keys: list[Key]
    hard: list[list[int]] = field(default_factory=list)
    soft: list[tuple[list[int], int]] = field(default_factory=list)
    top: int = 0
    exhaust_cores: bool = False  # RC2's core exhaustion and minimisation (pays off per person)

    def new(self) -> int:
        self.top += 1
        return self.top


def encode(
    prepared: Prepared,
    formulation: Formulation,
    every_request: bool,
    max_breaks: int | None,
    limit_is_hard: bool,
    per_person: bool = False,
) -> BreakFormula:
    """The MaxSAT problem: hard rules, then soft goals in lexicographic order. The breaks
    are goals one by one, or (`per_person`) as "this person has at least k breaks"."""
    from pysat.card import CardEnc, EncType

    formula = BreakFormula(list(formulation.keys), top=len(formulation.keys))
    formula.exhaust_cores = per_person

    def at_most(literals: list[int], bound: int) -> None:
        if len(literals) <= bound:
            return
        if bound == 0:
            formula.hard.extend([-lit] for lit in literals)
            return
        kind = EncType.pairwise if bound == 1 and len(literals) <= 6 else EncType.kmtotalizer
        if bound == 1 and len(literals) > 6:
            kind = EncType.seqcounter
        encoded = CardEnc.atmost(literals, bound=bound, top_id=formula.top, encoding=kind)
        formula.top = max(formula.top, encoded.nv)
        formula.hard.extend(encoded.clauses)

    def exactly(literals: list[int], bound: int) -> None:
        if bound > len(literals):
            formula.hard.append([])  # more meetings than free slots: nothing can hold
            return
        encoded = CardEnc.equals(
            literals, bound=bound, top_id=formula.top, encoding=EncType.kmtotalizer
        )
        formula.top = max(formula.top, encoded.nv)
        formula.hard.extend(encoded.clauses)

    for variables in formulation.at_most_one:
        at_most([v + 1 for v in variables], 1)
    for variables in formulation.exactly_one:
        at_most([v + 1 for v in variables], 1)
        formula.hard.append([v + 1 for v in variables])
    for row in formulation.rows:
        literals = [
            v + 1 for v, c in zip(row.variables, row.coefficients, strict=True) for _ in range(c)
        ]
        at_most(literals, row.limit)
    people = {
        person: {slot: [v + 1 for v in variables] for slot, variables in slots.items()}
        for person, slots in covering(prepared, formulation.keys).items()
    }
    busy = {person: _busy(formula, slots) for person, slots in people.items()}
    if every_request:
        for person, slots in busy.items():
            exactly(list(slots.values()), _slots_needed(prepared, formulation, person, people))
    _seats(prepared, formulation, busy, at_most)
    gaps = {person: _gaps(prepared, formula, slots) for person, slots in busy.items()}
    goals = _goals_per_person if per_person else _break_goals
    breaks_weight = goals(formula, gaps, max_breaks, limit_is_hard, at_most)
    _requests(prepared, formulation, formula, every_request, breaks_weight + 1)
    return formula


def _requests(prepared, formulation, formula, every_request: bool, unit: int) -> None:
    """Every request placed (hard), or each placed one a soft goal worth its priority times
    `unit`, more than all breaks together: the priority-weighted count comes first."""
    for index, variables in formulation.by_request.items():
        if prepared.requests[index].fixed_start is not None:
            continue  # exactly one already
        literals = [v + 1 for v in variables]
        if every_request:
            formula.hard.append(literals)
            continue
        placed = formula.new()
        formula.hard.append([-placed, *literals])
        formula.soft.append(([placed], prepared.requests[index].request.priority * unit))


def _busy(formula: BreakFormula, slots: dict[int, list[int]]) -> dict[int, int]:
    """Slot -> a literal true exactly when one of the person's meetings covers it."""
    busy = {}
    for slot, variables in sorted(slots.items()):
        if len(variables) == 1:
            busy[slot] = variables[0]
            continue
        literal = formula.new()
        formula.hard.extend([-v, literal] for v in variables)
        formula.hard.append([-literal, *variables])
        busy[slot] = literal
    return busy


def _slots_needed(prepared, formulation, person, people) -> int:
    """With every request placed, the slots the person's meetings take in all."""
    requests = {
        formulation.keys[v - 1][0] for variables in people[person].values() for v in variables
    }
    return sum(prepared.requests[i].length for i in requests)


def _seats(prepared, formulation, busy, at_most) -> None:
    """No more counted people busy in a slot than the locations seat (implied)."""
    per_meeting = max(counted_per_request(prepared, formulation), default=1)
    locations = sum(len(v) for v in prepared.pool_locations.values())
    by_slot: dict[int, list[int]] = defaultdict(list)
    for slots in busy.values():
        for slot, literal in slots.items():
            by_slot[slot].append(literal)
    for literals in by_slot.values():
        at_most(literals, per_meeting * locations)


def counted_per_request(prepared: Prepared, formulation: Formulation) -> list[int]:
    """How many counted people each schedulable request brings together."""
    sole = {c.id for c in prepared.instance.companies if len(c.attendees) == 1}
    return [
        sum(len(named) or (1 if company in sole else 0) for company, named in r.named.items())
        for r in (prepared.requests[i] for i in formulation.by_request)
    ]


def _gaps(prepared: Prepared, formula: BreakFormula, busy: dict[int, int]) -> list[int]:
    """Literals forced true where one of the person's breaks begins."""
    gaps = []
    for session in prepared.session_masks:
        slots = bits(session)
        if not any(s in busy for s in slots):
            continue
        later: dict[int, int] = {}
        for slot in reversed(slots):
            literal = formula.new()
            if slot in busy:
                formula.hard.append([-busy[slot], literal])
            if slot + 1 in later:
                formula.hard.append([-later[slot + 1], literal])
            later[slot] = literal
        for slot in slots[1:-1]:
            if slot - 1 not in busy:
                continue
            gap = formula.new()
            clause = [-busy[slot - 1], -later[slot + 1], gap]
            if slot in busy:
                clause.append(busy[slot])
            formula.hard.append(clause)
            gaps.append(gap)
    return gaps


def _break_goals(formula, gaps, max_breaks, limit_is_hard, at_most) -> int:
    """Each break costs 1; each break over the limit costs more than all breaks together.
    Return the most all break goals can cost."""
    from pysat.card import ITotalizer

    all_gaps = sum(len(g) for g in gaps.values())
    over_weight = all_gaps + 1
    most = all_gaps
    for person_gaps in gaps.values():
        formula.soft.extend(([-gap], 1) for gap in person_gaps)
        if max_breaks is None or len(person_gaps) <= max_breaks:
            continue
        if limit_is_hard:
            at_most(person_gaps, max_breaks)
            continue
        counter = ITotalizer(person_gaps, ubound=len(person_gaps), top_id=formula.top)
        formula.top = max(formula.top, counter.top_id)
        formula.hard.extend(counter.cnf.clauses)
        for over in counter.rhs[max_breaks:]:
            formula.soft.append(([-over], over_weight))
            most += over_weight
        counter.delete()
    return most


def _goals_per_person(formula, gaps, max_breaks, limit_is_hard, _at_most) -> int:
    """The same goals, counted per person: "at least k breaks" costs 1 for each k (and more
    over the limit). The same optimum, another proof: the two race (`solve_formula`)."""
    from pysat.card import ITotalizer

    over_weight = sum(len(g) for g in gaps.values()) + 1
    most = 0
    for person_gaps in gaps.values():
        if not person_gaps:
            continue
        hard_cap = max_breaks if limit_is_hard and max_breaks is not None else None
        levels = len(person_gaps) if hard_cap is None else min(len(person_gaps), hard_cap + 1)
        counter = ITotalizer(person_gaps, ubound=levels, top_id=formula.top)
        formula.top = max(formula.top, counter.top_id)
        formula.hard.extend(counter.cnf.clauses)
        for k, at_least in enumerate(counter.rhs[:levels], start=1):
            if hard_cap is not None and k > hard_cap:
                formula.hard.append([-at_least])
                continue
            weight = 1 if max_breaks is None or k <= max_breaks else over_weight + 1
            formula.soft.append(([-at_least], weight))
            most += weight
        counter.delete()
    return most


# solving, in child processes


@dataclass
class MaxSatAnswer:
    chosen: list[Key]  # the meetings placed
    cost: int
    attempt: int  # which of the formulas answered
    seconds: float

    @property
    def impossible(self) -> bool:
        """The hard clauses cannot all hold (proven)."""
        return self.cost < 0


@dataclass
class _Attempt:
    number: int
    process: multiprocessing.Process
    receiver: object


def solve_formula(
    formulas: list[BreakFormula],
    deadline: float,
    should_stop: Callable[[], bool] | None = None,
) -> MaxSatAnswer | None:
    """The optimum (or, `impossible`, the proof that the hard clauses cannot all hold) from
    the first of `formulas` (the same problem, written differently) to be solved; None if
    none was by `deadline`."""
    context = multiprocessing.get_context("spawn")
    started = time.monotonic()
    running: list[_Attempt] = []
    try:
        for number, formula in enumerate(formulas):
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(
                target=_solve_in_child,
                args=(formula.hard, formula.soft, formula.exhaust_cores, sender),
                daemon=True,
            )
            process.start()
            sender.close()
            running.append(_Attempt(number, process, receiver))
        while running and time.monotonic() < deadline:
            if should_stop is not None and should_stop():
                raise Cancelled()
            for attempt in list(running):
                alive = attempt.process.is_alive()  # asked first: an answer may come as it ends
                wait = POLL_SECONDS / len(running)
                answer = _poll(formulas[attempt.number], attempt, started, wait)
                if answer is not None:
                    return answer
                if not alive:
                    _stop(attempt)
                    running.remove(attempt)
        return None
    finally:
        for attempt in running:
            _stop(attempt)


def _poll(
    formula: BreakFormula, attempt: _Attempt, started: float, wait: float
) -> MaxSatAnswer | None:
    """The attempt's answer if it has one; cost -1 says the hard clauses cannot all hold."""
    if not attempt.receiver.poll(wait):
        return None
    try:
        model, cost = attempt.receiver.recv()
    except EOFError:  # the child died (out of memory, killed)
        return None
    seconds = time.monotonic() - started
    if model is None:
        return MaxSatAnswer([], -1, attempt.number, seconds)
    chosen = [formula.keys[v - 1] for v in model if 0 < v <= len(formula.keys)]
    return MaxSatAnswer(chosen, cost, attempt.number, seconds)


def _stop(attempt: _Attempt) -> None:
    if attempt.process.is_alive():
        attempt.process.kill()
    attempt.process.join()
    attempt.receiver.close()


def _solve_in_child(hard, soft, exhaust_cores: bool, sender) -> None:
    """In a child process: RC2 over CaDiCaL; send back (the positive literals, the cost), or
    (None, None) when the hard clauses cannot all hold. `exhaust_cores`: RC2's core
    exhaustion and reduction (its -x -m), four times faster on the per-person formula of the
    hardest JAIR original (ticf-13crafb: 13.7 s against 51 s), no help on the other."""
    from pysat.examples.rc2 import RC2, RC2Stratified
    from pysat.formula import WCNF

    problem = WCNF()
    problem.extend(hard)
    for clause, weight in soft:
        problem.append(clause, weight=weight)
    algorithm = RC2Stratified if len({weight for _c, weight in soft}) > 1 else RC2
    options = {"exhaust": exhaust_cores, "minz": exhaust_cores}
    with algorithm(problem, solver="cd19", **options) as rc2:
        model = rc2.compute()
        if model is None:
            sender.send((None, None))
        else:
            sender.send(([v for v in model if v > 0], rc2.cost))
    sender.close()
