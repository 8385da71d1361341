"""Same-day fill-in: during the fair, give the freed and free slots after a cut to the
accepted requests still waiting, and change nothing else.

By the middle of a fair day meetings have been held, some cancelled, some people have gone
home. The organiser wants the slots freed this afternoon and tomorrow used, but what has
been held cannot change and what people have in their calendars for later must not move. So
every published meeting that can still be held stays exactly where it is (as in any re-solve
with `stability`), and every other request may only start at or after the cut: its `within`
windows are cut to the part after it. A slot freed before the cut (a meeting cancelled this
morning) stays empty: nothing is revived in the past. The instance is changed, not the
solver: the same pipeline then places the waiting requests, and `partnering check` judges
the result against the unchanged instance.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from scheduler.domain import Instance, Interval, Meeting, Request, Schedule
from scheduler.solver.prepare import Prepared
from scheduler.solver.reasons import AFTER_CUT, reason_kind
from scheduler.solver.stability import PublishedPlan
from scheduler.times import format_local_time
from scheduler.words import N_, Refusal, Words

FILL_IN_TIME_LIMIT = 3.0  # seconds, when the organiser does not say: the fair is running


def event_span(instance: Instance) -> Interval:
    """From the first session's start to the last session's end."""
    sessions = [s for day in instance.event.days for s in day.sessions]
    return Interval(min(s.start for s in sessions), max(s.end for s in sessions))


def check_cut(instance: Instance, cut: datetime) -> None:
    """A cut at or after the event's end would leave nothing to fill: say so."""
    refuse_cut_after(event_span(instance).end, cut, ZoneInfo(instance.event.timezone))


def refuse_cut_after(end: datetime, cut: datetime, zone: ZoneInfo) -> None:
    """The Refusal of a cut at or after `end`, the end of the event's last session."""
    if cut >= end:
        raise Refusal(
            N_("{cut} is at or after the end of the event's last session; nothing is left to fill"),
            cut=format_local_time(cut, zone),
        )


def fill_in_instance(instance: Instance, plan: PublishedPlan, cut: datetime) -> Instance:
    """The instance with the kept published meetings fixed and every other request allowed
    only at or after `cut`. An organiser's fixed meeting before the cut that was never
    published is not placed there either: it waits like any other request."""
    kept = {f.request for f in plan.kept}
    organisers = tuple(f for f in instance.fixed if f.request not in kept and f.start >= cut)
    held = kept | {f.request for f in organisers}
    end = event_span(instance).end
    requests = tuple(r if r.id in held else after_cut(r, cut, end) for r in instance.requests)
    return replace(instance, requests=requests, fixed=(*organisers, *plan.kept))


def after_cut(request: Request, cut: datetime, end: datetime) -> Request:
    """The request with its windows cut to [cut, end): none left means it cannot be placed."""
    windows = request.within or (Interval(cut, end),)
    later = tuple(Interval(max(w.start, cut), w.end) for w in windows if w.end > max(w.start, cut))
    return replace(request, within=later or (Interval(cut, cut),))


def tell_the_cut(schedule: Schedule, prepared: Prepared, cut: datetime) -> None:
    """A request the fill-in leaves out because no time after the cut fits says so, rather
    than that its own windows hold none (the fill-in narrowed them, not the organiser)."""
    text = format_local_time(cut, prepared.zone)
    for index, waiting in enumerate(schedule.unscheduled):
        if reason_kind(waiting.reason) != "window":
            continue
        minutes = prepared.by_id[waiting.request].length * prepared.grid.slot_minutes
        reason = str(Words.of(AFTER_CUT, minutes=minutes, cut=text))
        schedule.unscheduled[index] = replace(waiting, reason=reason)


def fill_in_summary(
    instance: Instance, plan: PublishedPlan, meetings: Sequence[Meeting], cut: datetime
) -> dict[str, object]:
    """What the fill-in did, for the schedule's summary and the organiser: the meetings
    added, per day of the event, and the companies that get one (the ones to tell)."""
    zone = ZoneInfo(instance.event.timezone)
    added = [m for m in meetings if m.request not in plan.published]
    per_day = Counter(m.start.astimezone(zone).date().isoformat() for m in added)
    companies = {c for m in added for c in instance.request_by_id[m.request].companies}
    return {
        "from": format_local_time(cut, zone),
        "kept": len(plan.kept),
        "added": len(added),
        "added_per_day": dict(sorted(per_day.items())),
        "companies": len(companies),
    }
