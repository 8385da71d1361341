"""From an instance to a schedule: the steps, in order, that `partnering solve` runs.

1. prepare: candidate starts per request, who is free when;
2. greedy: a first-come-first-served schedule, the baseline and the starting hint;
3. CP-SAT: the best set of (request, start, pool) it can prove or find in the time limit;
4. booking: hand out tables and attendees for those meetings, then fill any gap left;
5. keep the better of that and the greedy schedule; explain every unscheduled request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from scheduler.booking import Booking
from scheduler.domain import Instance, Schedule, Unscheduled
from scheduler.greedy import fill, greedy_order, greedy_schedule, place_fixed
from scheduler.model import MeetingModel, ModelAnswer, Progress, SolverSettings
from scheduler.prepare import Prepared
from scheduler.quality import quality_figures
from scheduler.reasons import explain_unscheduled


def solve(
    instance: Instance,
    settings: SolverSettings | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> Schedule:
    settings = settings or SolverSettings()
    started = time.monotonic()

    def stage(name: str) -> None:
        if on_progress is not None:
            on_progress(Progress(name, time.monotonic() - started))

    stage("preparing")
    prepared = Prepared(instance)
    stage("first come, first served")
    greedy = greedy_schedule(prepared)
    stage("building the model")
    model = MeetingModel(prepared)
    model.add_hint(greedy)
    answer = model.solve(settings, on_progress)
    stage("assigning tables and attendees")
    booking = realize(prepared, answer)
    chosen = booking if booking.objective() >= greedy.objective() else greedy
    return to_schedule(prepared, chosen, answer, greedy.objective(), time.monotonic() - started)


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
    prepared: Prepared, booking: Booking, answer: ModelAnswer, greedy_objective: int,
    seconds: float,
) -> Schedule:
    unscheduled = [
        Unscheduled(r.id, explain_unscheduled(booking, r))
        for r in prepared.requests
        if r.id not in booking.placements
    ]
    objective = booking.objective()
    status = answer.status
    if status == "OPTIMAL" and objective < answer.objective:
        status = "FEASIBLE"
    summary: dict[str, object] = {
        "requests": len(prepared.requests),
        "scheduled": len(booking.placements),
        "objective": objective,
        "bound": max(answer.bound, objective),
        "status": status,
        "seconds": round(seconds, 2),
        "greedy_objective": greedy_objective,
    }
    summary.update(quality_figures(prepared, booking.attendee_busy, set(booking.placements)))
    return Schedule(booking.meetings(), unscheduled, summary)
