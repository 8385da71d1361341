"""The LP relaxation of the formulation: a proven upper bound, and a schedule rounded from it.

Every valid schedule satisfies the formulation's rows, so no schedule can score more than the
optimum of their linear relaxation: that is the bound we report. GLOP (OR-Tools' simplex)
solves it in seconds where CP-SAT's own bound may still be far off. Its solution is nearly
integral on these problems, so placing requests in order of their LP value, each at the start
the LP likes best, gives a schedule close to the bound: a much better start than first come,
first served.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass

from ortools.linear_solver import pywraplp

from scheduler.solver.booking import Booking
from scheduler.solver.formulation import Formulation
from scheduler.solver.greedy import fill, greedy_order, place_fixed
from scheduler.solver.prepare import Prepared


@dataclass(frozen=True)
class Relaxation:
    bound: int  # the LP optimum, rounded down: no schedule scores more
    values: list[float]  # the LP value of each formulation variable


def solve_relaxation(formulation: Formulation, time_limit: float = 60.0) -> Relaxation | None:
    """The LP optimum and solution, or None if GLOP does not finish in time. The time limit
    covers building the LP too (GLOP's own limit covers only its solve)."""
    deadline = time.monotonic() + time_limit
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:  # pragma: no cover - GLOP ships with every OR-Tools wheel
        return None
    x = _build(solver, formulation)
    left = deadline - time.monotonic()
    if left <= 0:
        return None
    solver.SetTimeLimit(int(left * 1000))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    bound = math.floor(solver.Objective().Value() + 1e-6)
    return Relaxation(bound, [v.solution_value() for v in x])


def _build(solver: pywraplp.Solver, formulation: Formulation) -> list[pywraplp.Variable]:
    """The formulation's rows, coefficient by coefficient: building them as Python sums of
    terms took four times as long (19 s of 27 at mid size)."""
    x = [solver.NumVar(0.0, 1.0, "") for _ in formulation.keys]
    rows = [(variables, 1, 1) for variables in formulation.exactly_one]
    rows += [(variables, -solver.infinity(), 1) for variables in formulation.at_most_one]
    for variables, low, high in rows:
        constraint = solver.Constraint(low, high)
        for v in variables:
            constraint.SetCoefficient(x[v], 1)
    for row in formulation.rows:
        constraint = solver.Constraint(-solver.infinity(), row.limit)
        for v, coefficient in zip(row.variables, row.coefficients, strict=True):
            constraint.SetCoefficient(x[v], coefficient)
    objective = solver.Objective()
    for priority, variable in zip(formulation.priorities, x, strict=True):
        objective.SetCoefficient(variable, priority)
    objective.SetMaximization()
    return x


def round_relaxation(
    prepared: Prepared, formulation: Formulation, relaxation: Relaxation
) -> Booking:
    """Place requests by decreasing LP value, each at its best LP start that still fits."""
    weight: dict[int, float] = defaultdict(float)
    preferred: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for key, value in zip(formulation.keys, relaxation.values, strict=True):
        weight[key[0]] += value
        preferred[key[0]].append((-value, key[1]))
    booking = Booking(prepared)
    place_fixed(booking)
    order = sorted(
        prepared.requests,
        key=lambda r: (-round(weight[r.index], 6), -r.request.priority, len(r.starts), r.index),
    )
    for request in order:
        if request.id in booking.placements:
            continue
        for _, start in sorted(preferred[request.index]):
            if booking.try_place(request, start):
                break
    fill(booking, greedy_order(prepared.requests))
    return booking
