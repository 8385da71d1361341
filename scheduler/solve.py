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
from collections.abc import Callable, Sequence

from scheduler.answers import placed_keys, realize
from scheduler.booking import Booking
from scheduler.compact import add_breaks, minimise_breaks, schedule_within_break_limit
from scheduler.cpsat import Cancelled, CpSatModel, Progress, SolverSettings
from scheduler.domain import Instance, Meeting, Schedule, Unscheduled
from scheduler.fairness import make_fair
from scheduler.formats.problems import InvalidInput, Problem
from scheduler.formulation import build_formulation
from scheduler.greedy import greedy_order, greedy_schedule
from scheduler.prepare import Prepared
from scheduler.quality import quality_figures
from scheduler.reasons import explain_unscheduled
from scheduler.relaxation import round_relaxation, solve_relaxation
from scheduler.session_relaxation import round_session_relaxation, solve_session_relaxation
from scheduler.stability import PublishedPlan, changes, keeping, make_room, plan_published, rebook

FAIRNESS_SHARE = 0.15  # of the time limit, kept for the fairness pass when it is asked for
COMPACT_SHARE = 0.4  # kept for minimising breaks after the count (`--compact`)


class _Clock:
    """The solve's time budget and its progress reports."""

    def __init__(self, settings: SolverSettings, on_progress) -> None:
        self.settings = settings
        self.on_progress = on_progress
        self.started = time.monotonic()

    def remaining(self, for_breaks: bool = False) -> float:
        """Seconds left for this step. The optional goals that come after the count keep a
        share of the limit for themselves: fairness, and compact agendas (unless the step is
        the one that minimises breaks)."""
        limit = self.settings.time_limit
        reserve = FAIRNESS_SHARE * limit if self.settings.fair else 0.0
        if self.settings.compact and self.settings.max_breaks is None and not for_breaks:
            reserve += COMPACT_SHARE * limit
        return max(0.1, limit - reserve - self.elapsed())

    def deadline(self) -> float:
        """The monotonic time at which the whole solve must end."""
        return self.started + self.settings.time_limit

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def stage(self, name: str, objective: float | None = None, bound: float | None = None):
        """Report the step starting now; stop here if the caller asked to."""
        if self.settings.should_stop is not None and self.settings.should_stop():
            raise Cancelled()
        if self.on_progress is not None:
            self.on_progress(Progress(name, self.elapsed(), objective, bound))


def solve(
    instance: Instance,
    settings: SolverSettings | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    published: Sequence[Meeting] = (),
    allow_moves: int = 0,
) -> Schedule:
    """The best schedule found within the time limit, never worse than first come, first
    served. With `published` meetings (a re-solve), those still requested stay exactly where
    they are, but for at most `allow_moves` of them moved to make room for more meetings."""
    clock = _Clock(settings or SolverSettings(), on_progress)
    plan = plan_published(instance, published) if published else None
    working = keeping(instance, plan) if plan else instance
    settings = clock.settings
    if settings.max_breaks is not None:
        prepared, best, bound, greedy_objective = _compact_within_limit(working, clock)
    else:
        prepared, best, bound, greedy_objective = _optimise(working, clock)
        if settings.compact:
            best = _fewer_breaks(prepared, best, clock)
    if settings.fair and settings.max_breaks is None:
        clock.stage("fairness", best.objective(), bound)
        make_fair(best, clock.deadline())
    if plan and allow_moves > 0:
        prepared, best, bound = _move_published(instance, plan, best, allow_moves, clock)
    clock.stage("done", best.objective(), bound)
    schedule = to_schedule(prepared, best, bound, greedy_objective, clock.elapsed())
    if plan:
        schedule.summary["changes"] = changes(plan, schedule.meetings)
    return schedule


def _optimise(instance: Instance, clock: _Clock) -> tuple[Prepared, Booking, int | None, int]:
    clock.stage("preparing")
    prepared = Prepared(instance)
    clock.stage("first come, first served")
    greedy = greedy_schedule(prepared)
    _require_fixed_meetings_placed(instance, greedy)
    best, bound = greedy, None
    clock.stage("session relaxation", greedy.objective())
    sessions = solve_session_relaxation(prepared, time_limit=clock.remaining())
    if sessions is not None:
        bound = sessions.bound
        rounded = round_session_relaxation(prepared, sessions)
        best = max(best, rounded, key=Booking.objective)  # greedy wins ties
    if _below(best, bound) and slot_model_size(prepared) <= clock.settings.slot_model_limit:
        best, bound = _slot_by_slot(prepared, best, bound, clock)
    return prepared, best, bound, greedy.objective()


def _compact_within_limit(
    instance: Instance, clock: _Clock
) -> tuple[Prepared, Booking, int | None, int]:
    """With a per-person limit on breaks only CP-SAT's schedules count: the greedy and LP
    ones do not know the limit (they still give the bound and the first hint)."""
    clock.stage("preparing")
    prepared = Prepared(instance)
    greedy = greedy_schedule(prepared)
    _require_fixed_meetings_placed(instance, greedy)
    clock.stage("building the model", greedy.objective())
    formulation = build_formulation(prepared)
    relaxation = solve_relaxation(formulation, time_limit=clock.remaining())
    bound = relaxation.bound if relaxation else None
    clock.stage("searching", None, bound)
    answer, bound = schedule_within_break_limit(
        prepared, formulation, greedy, bound, clock.settings, clock.remaining()
    )
    best = realize(prepared, answer, compact=True, fill_gaps=False) if answer else Booking(prepared)
    return prepared, best, bound, greedy.objective()


def _fewer_breaks(prepared: Prepared, best: Booking, clock: _Clock) -> Booking:
    """Hold the best schedule's priority-weighted count; search for fewer breaks."""
    if slot_model_size(prepared) > clock.settings.slot_model_limit:
        return best  # too large for the slot model: the count stands, breaks as they are
    clock.stage("fewer breaks", best.objective())
    model = CpSatModel(build_formulation(prepared))
    breaks = add_breaks(model, prepared)
    model.add_hint(placed_keys(prepared, best))
    minimise_breaks(model, breaks, best.objective())
    answer = model.solve(clock.settings, clock.remaining(for_breaks=True), None)
    if not answer.chosen:
        return best
    compacted = realize(prepared, answer, compact=True)
    return compacted if compacted.objective() >= best.objective() else best


def _move_published(
    instance: Instance, plan: PublishedPlan, best: Booking, allow_moves: int, clock: _Clock
) -> tuple[Prepared, Booking, int | None]:
    """Let up to `allow_moves` published meetings move where that places more requests. The
    bound is then the one of the instance without the published meetings held in place."""
    clock.stage("moving published meetings", best.objective())
    prepared = Prepared(instance)
    booking = rebook(prepared, best.placements.values())
    waiting = greedy_order(r for r in prepared.requests if r.id not in booking.placements)
    deadline = time.monotonic() + clock.remaining()
    make_room(booking, waiting, plan.published, allow_moves, deadline)
    relaxation = solve_session_relaxation(prepared, time_limit=clock.remaining())
    return prepared, booking, relaxation.bound if relaxation else None


def _below(best: Booking, bound: int | None) -> bool:
    return bound is None or best.objective() < bound


def slot_model_size(prepared: Prepared) -> int:
    """Variables of the slot-by-slot model: one per request, candidate start and pool."""
    return sum(len(r.starts) * len(r.pools) for r in prepared.requests)


def _slot_by_slot(
    prepared: Prepared, best: Booking, bound: int | None, clock: _Clock
) -> tuple[Booking, int | None]:
    """The slot-by-slot LP (bound, rounding), then CP-SAT from the best schedule so far."""
    clock.stage("building the model", best.objective(), bound)
    formulation = build_formulation(prepared)
    clock.stage("LP relaxation", best.objective(), bound)
    relaxation = solve_relaxation(formulation, time_limit=clock.remaining())
    if relaxation is not None:
        bound = relaxation.bound if bound is None else min(bound, relaxation.bound)
        rounded = round_relaxation(prepared, formulation, relaxation)
        best = max(best, rounded, key=Booking.objective)
    if not _below(best, bound):
        return best, bound
    clock.stage("searching", best.objective(), bound)
    model = CpSatModel(formulation)
    model.add_hint(placed_keys(prepared, best))
    answer = model.solve(clock.settings, clock.remaining(), clock.on_progress, known_bound=bound)
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
    summary.update(quality_figures(booking))
    return Schedule(booking.meetings(), unscheduled, summary)
