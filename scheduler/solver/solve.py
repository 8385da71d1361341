"""From an instance to a schedule: the steps, in order, that `partnering solve` runs.

1. prepare: candidate starts per request, who is free when;
2. greedy: a first-come-first-served schedule, the baseline never to fall below;
3. session relaxation: the problem counted per session, a proven upper bound and a schedule
   rounded from its LP solution, in seconds even at BIO size;
4. where the slot-by-slot model is small enough to build in time (up to a few thousand
   requests): its LP relaxation (a tighter bound, a better rounding), then CP-SAT started from
   the best schedule so far, searching until the bound or the time limit; booking hands out
   tables and attendees for its meetings, then fills any gap left; where it is too big
   (BioJapan and BIO size), a large-neighbourhood search (`lns`) for the rest of the limit;
5. keep the best schedule seen by `Booking.score` (guaranteed meetings first, then the
   count; `entitlements` gives them right after the first schedules); explain every
   unscheduled request and every company left short of its guarantee.

The summary's `stage_seconds` says how long each of these steps took (`stages`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from scheduler.domain import Instance, Meeting, Schedule, Unscheduled
from scheduler.formats.problems import InvalidInput, Problem
from scheduler.solver.answers import placed_keys, realize
from scheduler.solver.booking import Booking
from scheduler.solver.compact import add_breaks, minimise_breaks
from scheduler.solver.compact_lns import fewer_breaks_by_neighbourhoods
from scheduler.solver.compact_maxsat import MAXSAT_LIMIT, encode, solve_formula
from scheduler.solver.cpsat import Cancelled, CpSatModel, ModelAnswer, Progress, SolverSettings
from scheduler.solver.entitlements import meet_entitlements, unavoidable_shortfall
from scheduler.solver.fairness import make_fair
from scheduler.solver.fillin import check_cut, fill_in_instance, fill_in_summary, tell_the_cut
from scheduler.solver.formulation import build_formulation
from scheduler.solver.greedy import greedy_order, greedy_schedule
from scheduler.solver.lns import UNITS_PER_SECOND, improve, repair_shortfall, search_units
from scheduler.solver.prepare import Prepared
from scheduler.solver.quality import over_break_limit, quality_figures
from scheduler.solver.reasons import FreeTables, explain_unscheduled, short_of_entitlement
from scheduler.solver.relaxation import round_relaxation, solve_relaxation
from scheduler.solver.session_relaxation import round_session_relaxation, solve_session_relaxation
from scheduler.solver.stability import (
    PublishedPlan,
    changes,
    keeping,
    make_room,
    plan_published,
    rebook,
)
from scheduler.solver.stages import StageTimer

ENTITLEMENTS_SHARE = 0.1  # of the time limit at most, for giving guaranteed meetings first
# Of the time left, at most, for the session relaxation (building its LP and GLOP), but never
# less than RELAXATION_FLOOR seconds of it (a short limit is the bound's): BioJapan and BIO
# size need a third to a half; at twice BIO it does not finish in the whole limit, and the
# search then has the rest to improve on first come, first served.
RELAXATION_SHARE = 0.75
RELAXATION_FLOOR = 30.0
# per unscheduled request, about twice what they took (2 cores: BioJapan size 0.6-1.0 s idle
# and 2.4 s at load 1.8 for 18,500 of them; BIO 1.9 s idle for ~45,000)
REASON_SECONDS = 0.0001
REASONS_SHARE = 0.15  # of the time limit at most, kept for them
MIN_SEARCH_SECONDS = 1.0  # or 5% of a short limit: less, and CP-SAT would overrun (_Clock)
FAIRNESS_SHARE = 0.15  # of the time limit, kept for the fairness pass when it is asked for
# With compact agendas asked for, the shares of the time limit by which each step ends:
COUNT_ENDS = 0.5  # the search for the most meetings, before fewer breaks
# At event scale the neighbourhoods gain breaks much faster than meetings (BioJapan size,
# seed 11: 20% fewer breaks in 20 s; 0.01% more count in 30 s): breaks get most of the time.
COUNT_ENDS_AT_SCALE = 0.35
EXACT_FIRST_ENDS = 0.8  # small events where every request may fit: the exact answer at once
COUNT_AFTER_EXACT_ENDS = 0.88  # the count's search, when that answer did not come
EXACT_ENDS = 0.93  # the exact answer after the count; CP-SAT's search for fewer breaks after


class _Clock:
    """The solve's time budget, its progress reports and the seconds of each step."""

    def __init__(self, settings: SolverSettings, on_progress) -> None:
        self.settings = settings
        self.on_progress = on_progress
        self.started = time.monotonic()
        self.timer = StageTimer()
        self.reserve = 0.0  # seconds kept at the end for the reasons (`keep_for_reasons`)

    def keep_for_reasons(self, unscheduled: int) -> None:
        """Explaining every unscheduled request takes seconds at event scale (BioJapan size:
        18,000 of them, 1-2.4 s on 2 cores): the search ends that much before the limit."""
        self.reserve = min(REASONS_SHARE * self.settings.time_limit, REASON_SECONDS * unscheduled)

    def remaining(self, until: float | None = None) -> float:
        """Seconds left for this step: until `until` times the time limit; by default until
        the count's share ends (the whole limit, unless compact agendas come after it).
        Fairness keeps its share at the end."""
        if until is None:
            until = COUNT_ENDS if compact_asked(self.settings) else 1.0
        return max(0.1, self.share(until) - self.elapsed())

    def share(self, until: float | None = None) -> float:
        """Seconds of the time limit for the steps up to `until`, from the start: what
        `remaining` counts down from, without reading the clock."""
        if until is None:
            until = COUNT_ENDS if compact_asked(self.settings) else 1.0
        limit = self.settings.time_limit
        fairness = FAIRNESS_SHARE * limit if self.settings.fair else 0.0
        return until * limit - fairness - self.reserve

    def has_time_for_search(self, until: float | None = None) -> bool:
        """Whether enough is left of this step for CP-SAT: loading the slot model alone takes
        seconds at mid size (10 s over the limit when 0.1 s were left)."""
        enough = min(MIN_SEARCH_SECONDS, 0.05 * self.settings.time_limit)
        return self.remaining(until) >= enough

    def deadline(self) -> float:
        """The monotonic time at which the whole solve must end."""
        return self.started + self.settings.time_limit

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def stage(self, name: str, best: Booking | None = None, bound: float | None = None):
        """Report the step starting now, with the best schedule so far; stop here if the
        caller asked to. After "done" comes the summary, its reasons the slow part."""
        if self.settings.should_stop is not None and self.settings.should_stop():
            raise Cancelled()
        self.timer.start("explaining" if name == "done" else name)
        if self.on_progress is not None:
            objective = best.objective() if best else None
            scheduled = len(best.placements) if best else None
            self.on_progress(Progress(name, self.elapsed(), objective, bound, scheduled))


def solve(
    instance: Instance,
    settings: SolverSettings | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    published: Sequence[Meeting] = (),
    allow_moves: int = 0,
    fill_from: datetime | None = None,
) -> Schedule:
    """The best schedule found within the time limit, never worse than first come, first
    served. With `published` meetings (a re-solve), those still requested stay exactly where
    they are, but for at most `allow_moves` of them moved to make room for more meetings.
    With `fill_from` (a same-day fill-in, `fillin`), nothing moves and new meetings start at
    or after that instant only."""
    clock = _Clock(settings or SolverSettings(), on_progress)
    if fill_from is not None:
        return _fill_in(instance, published, fill_from, clock)
    plan = plan_published(instance, published) if published else None
    working = keeping(instance, plan) if plan else instance
    settings = clock.settings
    prepared, best, bound, greedy_objective, favourite = _first_schedules(working, clock)
    clock.keep_for_reasons(len(prepared.requests) - len(best.placements))
    best, bound = _most_meetings_then_fewest_breaks(prepared, best, bound, clock, favourite)
    if settings.fair and settings.max_breaks is None:
        clock.stage("fairness", best, bound)
        make_fair(best, clock.deadline(), floor=greedy_objective)
    if plan and allow_moves > 0:
        prepared, best, bound = _move_published(instance, plan, best, allow_moves, clock)
    clock.stage("done", best, bound)
    schedule = to_schedule(prepared, best, bound, greedy_objective, clock.elapsed())
    if settings.max_breaks is not None:
        schedule.summary["break_limit"] = settings.max_breaks
        schedule.summary["people_over_break_limit"] = over_break_limit(best, settings.max_breaks)
    if plan:
        schedule.summary["changes"] = changes(plan, schedule.meetings)
    schedule.summary["stage_seconds"] = clock.timer.stop()
    return schedule


def _fill_in(
    instance: Instance, published: Sequence[Meeting], cut: datetime, clock: _Clock
) -> Schedule:
    """The same-day fill-in (`fillin`): the published meetings held, the waiting requests
    placed first come, first served in the free slots after the cut (guaranteed meetings
    first), then neighbourhoods while the time limit lasts. No session relaxation: at
    BioJapan size it alone takes seconds the fair cannot wait for, so no bound either."""
    check_cut(instance, cut)
    clock.stage("preparing")
    plan = plan_published(instance, published, collisions=False)
    prepared = Prepared(fill_in_instance(instance, plan, cut))
    clock.stage("first come, first served")
    best = greedy_schedule(prepared)
    if any(f.request not in best.placements for f in prepared.instance.fixed):
        plan = plan_published(instance, published)  # the slow way: say which collide
        prepared = Prepared(fill_in_instance(instance, plan, cut))
        best = greedy_schedule(prepared)
    greedy_objective = best.objective()
    _require_fixed_meetings_placed(prepared.instance, best)
    if prepared.min_meetings:
        clock.stage("guaranteed meetings", best)
        meet_entitlements(best, time.monotonic() + clock.remaining() / 2)
    clock.keep_for_reasons(len(prepared.requests) - len(best.placements))
    best = _neighbourhoods(best, None, clock, None, {})
    clock.stage("done", best)
    schedule = to_schedule(prepared, best, None, greedy_objective, clock.elapsed())
    tell_the_cut(schedule, prepared, cut)
    schedule.summary["changes"] = changes(plan, schedule.meetings)
    schedule.summary["fill_in"] = fill_in_summary(instance, plan, schedule.meetings, cut)
    schedule.summary["stage_seconds"] = clock.timer.stop()
    return schedule


def _first_schedules(
    instance: Instance, clock: _Clock
) -> tuple[Prepared, Booking, int | None, int, dict[int, int]]:
    """First come, first served, and the session relaxation's bound and rounding; also the
    session in which the LP mostly met each request, for the neighbourhoods."""
    clock.stage("preparing")
    prepared = Prepared(instance)
    clock.stage("first come, first served")
    greedy = greedy_schedule(prepared)
    greedy_objective = greedy.objective()  # before any step changes the booking in place
    _require_fixed_meetings_placed(instance, greedy)
    best, bound, favourite = greedy, None, {}
    clock.stage("session relaxation", greedy)
    left = clock.remaining()
    budget = min(left, max(RELAXATION_FLOOR, left * RELAXATION_SHARE))
    sessions = solve_session_relaxation(prepared, budget)
    candidates = [greedy]
    if sessions is not None:
        bound = sessions.bound
        # Own rooms first gains most where the tables are full and owners many (other
        # generator, BioJapan size: 0.42% -> 0.08% from the bound), but lost 0.08% on one of
        # this project's events with packages: both roundings, the better kept.
        roundings = [round_session_relaxation(prepared, sessions, first) for first in (True, False)]
        candidates.extend(roundings)
        favourite = {i: sessions.preferences[i][0] for i, w in sessions.weight.items() if w >= 0.5}
    if prepared.min_meetings:
        # Each first schedule gets its guaranteed meetings before they are compared: the
        # rounding often leaves a few more companies short than first come, first served,
        # which would otherwise win on the guarantees and throw away the rounding's count
        # (other generator, BioJapan size: 725 more, benchmarks/UNSEEN.md).
        clock.stage("guaranteed meetings", best, bound)
        seconds = min(clock.remaining() / 2, ENTITLEMENTS_SHARE * clock.settings.time_limit)
        for booking in candidates:
            meet_entitlements(booking, time.monotonic() + seconds / len(candidates))
        leader = max(candidates, key=Booking.score)
        for booking in candidates:
            more, short = booking.objective() > leader.objective(), booking.shortfall()
            if more and short > leader.shortfall():
                # a higher count is worth a few CP-SAT calls on the last guaranteed meetings
                deadline = time.monotonic() + seconds
                units = UNITS_PER_SECOND * seconds
                repair_shortfall(booking, clock.settings, deadline, units, leader.shortfall())
    best = max(candidates, key=Booking.score)  # greedy wins ties
    if prepared.min_meetings and best.shortfall() > unavoidable_shortfall(prepared):
        # then the rest of the guarantees that single swaps could not give, before the
        # search for the count (which finds them by chance only: other generator, seed 1)
        repair_shortfall(
            best,
            clock.settings,
            time.monotonic() + seconds,
            UNITS_PER_SECOND * seconds,
            unavoidable_shortfall(prepared),
        )
    return prepared, best, bound, greedy_objective, favourite


def _most_meetings_then_fewest_breaks(
    prepared: Prepared,
    best: Booking,
    bound: int | None,
    clock: _Clock,
    favourite: dict[int, int],
) -> tuple[Booking, int | None]:
    """The search for the highest priority-weighted count, then, if asked, fewer breaks. On
    small events where every request may fit, the exact answer with all of them comes first."""
    settings = clock.settings
    until = None
    if _exact_breaks_first(prepared, best, bound, settings):
        clock.stage("fewer breaks", best, bound)
        compacted = _fewest_breaks_exactly(prepared, best, clock, True, EXACT_FIRST_ENDS)
        if compacted is not None and _places_every_request(prepared, compacted):
            return compacted, compacted.objective()  # optimal
        until = COUNT_AFTER_EXACT_ENDS  # not every request fits, or no answer in time
    if _below(best, bound) and slot_model_size(prepared) <= settings.slot_model_limit:
        best, bound = _slot_by_slot(prepared, best, bound, clock, until)
    elif _below(best, bound):
        if compact_asked(settings):
            until = COUNT_ENDS_AT_SCALE
        best = _neighbourhoods(best, bound, clock, until, favourite)
    if compact_asked(settings):
        best = _compact(prepared, best, bound, clock)
    return best, bound


def _neighbourhoods(
    best: Booking,
    bound: int | None,
    clock: _Clock,
    until: float | None,
    favourite: dict[int, int],
) -> Booking:
    """Where the slot-by-slot model is too big: CP-SAT on one neighbourhood at a time, for
    the rest of the count's share of the time limit (`lns`)."""
    if not clock.has_time_for_search(until):
        return best
    clock.stage("improving", best, bound)
    report = None
    if clock.on_progress is not None:

        def report(progress: Progress) -> None:
            clock.on_progress(replace(progress, seconds=clock.elapsed()))

    deadline = time.monotonic() + clock.remaining(until)
    units = search_units(best.prepared, clock.share(until))
    return improve(best, clock.settings, bound, deadline, units, report, favourite)


def _exact_breaks_first(
    prepared: Prepared, best: Booking, bound: int | None, settings: SolverSettings
) -> bool:
    """On a small event where the bound says every request may fit, the exact answer with
    every request placed comes faster than CP-SAT's search for the count."""
    if not compact_asked(settings) or slot_model_size(prepared) > MAXSAT_LIMIT:
        return False
    everything = sum(r.request.priority for r in prepared.requests if r.starts)
    return best.objective() >= everything or bound is None or bound >= everything


def _places_every_request(prepared: Prepared, booking: Booking) -> bool:
    return all(r.id in booking.placements for r in prepared.requests if r.starts)


def compact_asked(settings: SolverSettings) -> bool:
    return settings.compact or settings.max_breaks is not None


def _compact(prepared: Prepared, best: Booking, bound: int | None, clock: _Clock) -> Booking:
    """Fewest breaks with the priority-weighted count held, and no one over `max_breaks`
    where that costs no meeting: exactly (MaxSAT) on small events, else (or when that answer
    does not come in time) by CP-SAT's search from the best schedule; on the largest events
    one session's neighbourhood at a time (`compact_lns`, the count held exactly; a
    `max_breaks` limit is not pursued there)."""
    size = slot_model_size(prepared)
    clock.stage("fewer breaks", best, bound)
    if size > clock.settings.slot_model_limit:
        deadline = time.monotonic() + clock.remaining(1.0)
        start = clock.share(COUNT_ENDS_AT_SCALE)
        units = search_units(prepared, clock.share(1.0)) - search_units(prepared, start)
        return fewer_breaks_by_neighbourhoods(best, clock.settings, deadline, units)
    compacted = None
    if size <= MAXSAT_LIMIT:
        every = _places_every_request(prepared, best)
        compacted = _fewest_breaks_exactly(prepared, best, clock, every, EXACT_ENDS)
    if compacted is None:
        compacted = _fewer_breaks(prepared, best, clock)
    if compacted is None or compacted.score() < best.score():
        return best
    return compacted


def _fewest_breaks_exactly(
    prepared: Prepared, best: Booking, clock: _Clock, every_request: bool, until: float
) -> Booking | None:
    """The MaxSAT optimum by `until` (a share of the time limit), or None. With
    `every_request` every request is placed (the strongest model). A per-person limit is
    first tried as a rule; only where no schedule keeps it (fixed meetings that already
    leave someone more breaks, say) does it become a goal that yields to the count."""
    settings = clock.settings
    formulation = build_formulation(prepared)
    limited = settings.max_breaks is not None
    tries = [True, False] if every_request and limited else [False]
    deadline = time.monotonic() + clock.remaining(until)
    for limit_is_hard in tries:
        formulas = [
            encode(prepared, formulation, every_request, settings.max_breaks, limit_is_hard, p)
            for p in (True, False)[: max(1, settings.workers)]
        ]
        answer = solve_formula(formulas, deadline, settings.should_stop)
        if answer is None:
            return None  # out of time
        if not answer.impossible:
            chosen = ModelAnswer(answer.chosen, "OPTIMAL", 0, None, answer.seconds)
            compacted = realize(prepared, chosen, compact=True, fill_gaps=not every_request)
            return compacted if compacted.score() >= best.score() else None
    return None


def _fewer_breaks(prepared: Prepared, best: Booking, clock: _Clock) -> Booking | None:
    """CP-SAT from the best schedule: its priority-weighted count held, fewer breaks (and
    breaks over `max_breaks` weigh more than all others)."""
    if not clock.has_time_for_search(1.0):
        return None
    model = CpSatModel(build_formulation(prepared))
    breaks = add_breaks(model, prepared)
    model.add_hint(placed_keys(prepared, best))
    minimise_breaks(
        model, prepared, breaks, best.objective(), clock.settings.max_breaks, best.shortfall()
    )
    answer = model.solve(clock.settings, clock.remaining(until=1.0), None)
    return realize(prepared, answer, compact=True) if answer.chosen else None


def _move_published(
    instance: Instance, plan: PublishedPlan, best: Booking, allow_moves: int, clock: _Clock
) -> tuple[Prepared, Booking, int | None]:
    """Let up to `allow_moves` published meetings move where that places more requests. The
    bound is then the one of the instance without the published meetings held in place."""
    clock.stage("moving published meetings", best)
    prepared = Prepared(instance)
    booking = rebook(prepared, best.placements.values())
    waiting = greedy_order(r for r in prepared.requests if r.id not in booking.placements)
    deadline = time.monotonic() + clock.remaining()
    make_room(booking, waiting, plan.published, allow_moves, deadline)
    relaxation = solve_session_relaxation(prepared, time_limit=clock.remaining())
    return prepared, booking, relaxation.bound if relaxation else None


def _below(best: Booking, bound: int | None) -> bool:
    """Whether the search may still gain: the count below the bound, or a guarantee short
    that some schedule could give."""
    if bound is None or best.objective() < bound:
        return True
    return bool(best.prepared.min_meetings) and best.shortfall() > unavoidable_shortfall(
        best.prepared
    )


def slot_model_size(prepared: Prepared) -> int:
    """Variables of the slot-by-slot model: one per request, candidate start and pool."""
    return sum(len(r.starts) * len(r.pools) for r in prepared.requests)


def _slot_by_slot(
    prepared: Prepared, best: Booking, bound: int | None, clock: _Clock, until: float | None
) -> tuple[Booking, int | None]:
    """The slot-by-slot LP (bound, rounding), then CP-SAT from the best schedule so far."""
    clock.stage("building the model", best, bound)
    formulation = build_formulation(prepared)
    clock.stage("LP relaxation", best, bound)
    relaxation = solve_relaxation(formulation, time_limit=clock.remaining(until))
    if relaxation is not None:
        bound = relaxation.bound if bound is None else min(bound, relaxation.bound)
        rounded = round_relaxation(prepared, formulation, relaxation)
        best = max(best, rounded, key=Booking.score)
    if not _below(best, bound):
        return best, bound
    if not clock.has_time_for_search(until):
        if not compact_asked(clock.settings) or not clock.has_time_for_search(1.0):
            return best, bound
        until = 1.0  # the count's share is spent: the count comes first, breaks get the rest
    clock.stage("searching", best, bound)
    model = CpSatModel(formulation)
    model.add_hint(placed_keys(prepared, best))
    answer = model.solve(
        clock.settings, clock.remaining(until), clock.on_progress, known_bound=bound
    )
    if answer.chosen:
        best = max(best, realize(prepared, answer), key=Booking.score)
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
    tables = FreeTables(booking)
    unscheduled = [
        Unscheduled(r.id, explain_unscheduled(booking, r, tables))
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
    if prepared.min_meetings:
        summary["entitlements_short"] = booking.entitlements_short()
        summary["entitlements"] = short_of_entitlement(booking)
    return Schedule(booking.meetings(), unscheduled, summary)
