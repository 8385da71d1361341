"""From an instance to a schedule: the steps, in order, that `partnering solve` runs.

1. prepare: candidate starts per request, who is free when;
2. greedy: a first-come-first-served schedule, the baseline never to fall below;
3. session relaxation: the problem counted per session, a proven upper bound and a schedule
   rounded from its LP solution, in seconds even at BIO size;
4. where the slot-by-slot model is small enough to build in time (up to a few thousand
   requests): its LP relaxation (a tighter bound, a better rounding), then CP-SAT started from
   the best schedule so far, searching until the bound or the time limit; booking hands out
   tables and attendees for its meetings, then fills any gap left;
5. keep the best schedule seen; explain every unscheduled request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from scheduler.booking import Booking
from scheduler.cpsat import CpSatModel, ModelAnswer, Progress, SolverSettings
from scheduler.domain import Instance, Schedule, Unscheduled
from scheduler.formats.problems import InvalidInput, Problem
from scheduler.formulation import build_formulation
from scheduler.greedy import fill, greedy_order, greedy_schedule, place_fixed
from scheduler.prepare import Prepared
from scheduler.quality import quality_figures
from scheduler.reasons import explain_unscheduled
from scheduler.relaxation import round_relaxation, solve_relaxation
from scheduler.session_relaxation import round_session_relaxation, solve_session_relaxation


def solve(
    instance: Instance,
    settings: SolverSettings | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> Schedule:
    settings = settings or SolverSettings()
    started = time.monotonic()

    def remaining() -> float:
        return max(0.1, settings.time_limit - (time.monotonic() - started))

    def stage(name: str, objective: float | None = None, bound: float | None = None) -> None:
        if on_progress is not None:
            on_progress(Progress(name, time.monotonic() - started, objective, bound))

    stage("preparing")
    prepared = Prepared(instance)
    stage("first come, first served")
    greedy = greedy_schedule(prepared)
    _require_fixed_meetings_placed(instance, greedy)
    best, bound = greedy, None
    stage("session relaxation", greedy.objective())
    sessions = solve_session_relaxation(prepared, time_limit=remaining())
    if sessions is not None:
        bound = sessions.bound
        rounded = round_session_relaxation(prepared, sessions)
        best = max(best, rounded, key=Booking.objective)  # greedy wins ties
    if _below(best, bound) and slot_model_size(prepared) <= settings.slot_model_limit:
        best, bound = _slot_by_slot(prepared, best, bound, settings, remaining, stage, on_progress)
    stage("done", best.objective(), bound)
    return to_schedule(prepared, best, bound, greedy.objective(), time.monotonic() - started)


def _below(best: Booking, bound: int | None) -> bool:
    return bound is None or best.objective() < bound


def slot_model_size(prepared: Prepared) -> int:
    """Variables of the slot-by-slot model: one per request, candidate start and pool."""
    return sum(len(r.starts) * len(r.pools) for r in prepared.requests)


def _slot_by_slot(prepared, best, bound, settings, remaining, stage, on_progress):
    """The slot-by-slot LP (bound, rounding), then CP-SAT from the best schedule so far."""
    stage("building the model", best.objective(), bound)
    formulation = build_formulation(prepared)
    stage("LP relaxation", best.objective(), bound)
    relaxation = solve_relaxation(formulation, time_limit=remaining())
    if relaxation is not None:
        bound = relaxation.bound if bound is None else min(bound, relaxation.bound)
        rounded = round_relaxation(prepared, formulation, relaxation)
        best = max(best, rounded, key=Booking.objective)
    if not _below(best, bound):
        return best, bound
    stage("searching", best.objective(), bound)
    model = CpSatModel(formulation)
    model.add_hint(placed_keys(prepared, best))
    answer = model.solve(settings, remaining(), on_progress, known_bound=bound)
    if answer.chosen:
        best = max(best, realize(prepared, answer), key=Booking.objective)
    if answer.bound is not None:
        bound = answer.bound if bound is None else min(bound, answer.bound)
    return best, bound


def _require_fixed_meetings_placed(instance: Instance, booking: Booking) -> None:
    """Fixed meetings that do not fit together (say, more at one time than tables) make every
    schedule invalid: say which, rather than fail inside the solver."""
    problems = [
        Problem(
            f"fixed[{index}]",
            f'request "{fixed.request}" cannot be placed at its fixed time: no table or room it '
            "may use is free then, or its attendees are taken by other fixed meetings; "
            "move it or give it a location",
        )
        for index, fixed in enumerate(instance.fixed)
        if fixed.request not in booking.placements
    ]
    if problems:
        raise InvalidInput(problems)


def placed_keys(prepared: Prepared, booking: Booking) -> set[tuple[int, int, str]]:
    return {
        (p.request.index, p.start, prepared.pool_of_location(p.location))
        for p in booking.placements.values()
    }


def realize(prepared: Prepared, answer: ModelAnswer) -> Booking:
    """Give the model's meetings their tables and people, in time order, then fill gaps."""
    booking = Booking(prepared)
    place_fixed(booking)
    requests = prepared.requests
    chosen = sorted(answer.chosen, key=lambda k: (k[1], not k[2].startswith("rooms:"), k[0]))
    for index, start, _pool in chosen:
        booking.reserve_named(requests[index], start)
    for index, start, _pool in chosen:
        booking.try_place(requests[index], start)
    fill(booking, greedy_order(requests))
    return booking


def to_schedule(
    prepared: Prepared,
    booking: Booking,
    bound: int | None,
    greedy_objective: int,
    seconds: float,
) -> Schedule:
    unscheduled = [
        Unscheduled(r.id, explain_unscheduled(booking, r))
        for r in prepared.requests
        if r.id not in booking.placements
    ]
    objective = booking.objective()
    proven_optimal = bound is not None and objective >= bound
    summary: dict[str, object] = {
        "requests": len(prepared.requests),
        "scheduled": len(booking.placements),
        "objective": objective,
        "status": "OPTIMAL" if proven_optimal else "FEASIBLE",
        "seconds": round(seconds, 2),
        "greedy_objective": greedy_objective,
    }
    if bound is not None:
        summary["bound"] = bound
    summary.update(quality_figures(prepared, booking.attendee_busy, set(booking.placements)))
    return Schedule(booking.meetings(), unscheduled, summary)
