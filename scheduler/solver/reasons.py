"""Why a request is not scheduled, in words an organiser can act on.

Two kinds of reason. Either the two sides are never free together (blocked time, a named
attendee's absence, the request's own window, a meeting longer than any session), or they
are, but at each such time something else is in the way: one side's agenda is full, no table
is free, or a company has reached its maximum for that day. The reason names who and when.
"""

from __future__ import annotations

from collections import Counter

from scheduler.solver.booking import Booking
from scheduler.solver.prepare import Prepared, PreparedRequest, bits
from scheduler.times import describe_clock, describe_time
from scheduler.words import N_, Words, join, read_back

# The reasons' words, in English; the web app shows them in Japanese too (`read_reason`).
NO_ROOM = N_("the event has no table or room this meeting may use; add shared tables")
TOO_LONG = N_(
    "needs {minutes} minutes but no session is that long; shorten the meeting or lengthen a session"
)
NO_WINDOW = N_(
    "needs {minutes} minutes but the times the request asks for hold no {minutes}-minute "
    "stretch of a session; widen them"
)
AFTER_CUT = N_(
    "needs {minutes} minutes but no time from {cut} on holds a {minutes}-minute stretch of a "
    "session; a fill-in gives only the free slots after its time"
)
ATTENDEE_AWAY = N_(
    "needs {minutes} minutes with {attendee} ({attendee_id}), who is free {free}{where}; name "
    "another attendee or free some of their time"
)
COMPANY_AWAY = N_(
    "{company} has no free {minutes}-minute time{where} when the other side is free too "
    "({company} is unavailable {blocked}); free some of its time or add an attendee who is "
    "available"
)
NO_COMMON_SLOT = N_("has no common free slot; check both companies' unavailable times")
STOPPED = N_(
    "fits at a time that is still free; the solver stopped before placing it: run it again "
    "with a longer --time-limit"
)
SEVERAL = N_(
    "at the {total} times both are free: {causes}; raise its priority to have it placed "
    "before others"
)
EVENT_FULL = N_(
    "{company} already has its maximum of {most} meetings for the whole event; raise its "
    "maximum of meetings for the event or this request's priority"
)
DAILY_FULL = N_(
    "{company} already has its maximum of {most} meetings on every day both are free; raise "
    "its daily maximum of meetings or this request's priority"
)
AGENDA_FULL = N_(
    "{company}'s agenda is full: its attendees are in other meetings at {times} both "
    "companies are free; add an attendee to {company} or raise this request's priority"
)
NO_TABLE = N_(
    "no table is free at {times} both companies are free for {minutes} minutes; add tables "
    "or lengthen a session"
)
REASONS = (
    NO_ROOM,
    TOO_LONG,
    NO_WINDOW,
    AFTER_CUT,
    ATTENDEE_AWAY,
    SEVERAL,
    STOPPED,
    NO_COMMON_SLOT,
    NO_TABLE,
    DAILY_FULL,
    EVENT_FULL,
    AGENDA_FULL,
    COMPANY_AWAY,
)
# The parts some reasons are made of.
WITHIN = N_(" within the requested windows")
ONLY = N_("only {times}")
AND_MORE = N_("{times} and {count} more")
AT_NO_TIME = N_("at no time")
WHEN_OTHER_FREE = N_("at the times the other side is free")
ALL_TIMES = N_("all {total} times")
ONE_TIME = N_("the one time")
DAILY_AT = N_("{company} has reached its daily maximum at {count}")
EVENT_AT = N_("{company} has reached its maximum for the event at {count}")
BUSY_AT = N_("{company} is in other meetings at {count}")
TABLES_AT = N_("no table is free at {count}")


def explain_unscheduled(
    booking: Booking, request: PreparedRequest, tables: FreeTables | None = None
) -> str:
    """Why the request is not in the booking. Give one `FreeTables` to a run of calls over
    the same booking: the free tables are then worked out once per pool, not per request."""
    if not request.pools:
        return NO_ROOM
    if not request.starts:
        return str(_never_free_together(booking.prepared, request))
    return str(_blocked_at_every_start(booking, request, tables or FreeTables(booking)))


class FreeTables:
    """Per pool and meeting length, the starts at which one of its locations is free for the
    whole meeting, in a booking that no longer changes (worked out on first use)."""

    def __init__(self, booking: Booking) -> None:
        self.booking = booking
        self._starts: dict[tuple[str, int], int] = {}

    def starts(self, request: PreparedRequest) -> int:
        """Starts at which a location the request may use is free."""
        if request.fixed_location:
            free = self.booking.free_location
            return sum(1 << s for s in request.starts if free(request, s) is not None)
        mask = 0
        for pool in request.pools:
            key = (pool, request.length)
            if key not in self._starts:
                fits = bits(self.booking.prepared.fits_mask(request.length))
                in_pool = self.booking.free_in_pool
                self._starts[key] = sum(1 << s for s in fits if in_pool(pool, s, request.length))
            mask |= self._starts[key]
        return mask


# --- never free together ---------------------------------------------------------------------


def _never_free_together(prepared: Prepared, request: PreparedRequest) -> Words:
    length = request.length
    minutes = length * prepared.grid.slot_minutes
    if not prepared.fits_mask(length):
        return Words.of(TOO_LONG, minutes=minutes)
    names = prepared.instance.company_by_id
    mask = prepared.window_mask(request.request.within, length)
    if request.request.within and not mask:
        return Words.of(NO_WINDOW, minutes=minutes)
    where = Words(WITHIN) if request.request.within else ""
    for company_id, named in request.named.items():
        company = names[company_id]
        for attendee_id in named:
            attendee = prepared.instance.attendee_by_id[attendee_id]
            free = mask & prepared.attendee_starts(attendee_id, length)
            if not free:
                return Words.of(
                    ATTENDEE_AWAY,
                    minutes=minutes,
                    attendee=attendee.name,
                    attendee_id=attendee_id,
                    free=_free_times(prepared, mask, attendee_id),
                    where=where,
                )
            mask = free
        if not named:
            free = mask & prepared.company_starts(company_id, length)
            if not free:
                return Words.of(
                    COMPANY_AWAY,
                    company=company.name,
                    minutes=minutes,
                    where=where,
                    blocked=_blocked_times(prepared, company_id),
                )
            mask = free
    return Words(NO_COMMON_SLOT)


def _free_times(prepared: Prepared, window: int, attendee_id: str) -> Words:
    free = prepared.attendee_free[attendee_id] & window
    if not free:
        return Words(AT_NO_TIME)
    runs = _runs(prepared, free)
    shown: object = join(runs[:3])
    if len(runs) > 3:
        shown = Words.of(AND_MORE, times=shown, count=len(runs) - 3)
    return Words.of(ONLY, times=shown)


def _blocked_times(prepared: Prepared, company_id: str) -> Words:
    company = prepared.instance.company_by_id[company_id]
    zone = prepared.zone
    spans = [
        f"{describe_time(u.start, zone)}-{describe_clock(u.end, zone)}" for u in company.unavailable
    ]
    return join(spans[:3]) if spans else Words(WHEN_OTHER_FREE)


def _runs(prepared: Prepared, mask: int) -> list[str]:
    """Contiguous free slots as 'Oct 14 13:30-14:00'."""
    slots = prepared.grid.slots
    runs: list[list[int]] = []
    for slot in bits(mask):
        if runs and runs[-1][-1] == slot - 1 and slots[slot].session == slots[slot - 1].session:
            runs[-1].append(slot)
        else:
            runs.append([slot])
    zone = prepared.zone
    return [
        f"{describe_time(slots[r[0]].start, zone)}-{describe_clock(slots[r[-1]].end, zone)}"
        for r in runs
    ]


# --- blocked at every start ------------------------------------------------------------------


_TELLING = ("event", "day", "busy", "tables")  # which blocker to name when several stand everywhere


def _blocked_at_every_start(
    booking: Booking, request: PreparedRequest, tables: FreeTables
) -> Words:
    """As bitmasks of the request's starts: each cause (`blockers_at`'s names) blocks some;
    a start that none blocks means the solver stopped early."""
    prepared = booking.prepared
    names = {c: prepared.instance.company_by_id[c].name for c in request.request.companies}
    starts = request.start_mask
    blocked = [(cause, mask & starts) for cause, mask in _cause_masks(booking, request, tables)]
    blocked = [(cause, mask) for cause, mask in blocked if mask]
    total = len(request.starts)
    minutes = request.length * prepared.grid.slot_minutes
    anywhere = 0
    for _, mask in blocked:
        anywhere |= mask
    if starts & ~anywhere:
        return Words(STOPPED)
    everywhere = [cause for cause, mask in blocked if mask == starts]
    if everywhere:  # one thing stands in the way at every time: name just that
        most_telling = min(everywhere, key=lambda b: _TELLING.index(b.split(":")[0]))
        return _single_cause(most_telling, names, total, minutes, prepared)
    counts = sorted(blocked, key=lambda item: -item[1].bit_count())
    parts = [_cause_phrase(c, mask.bit_count(), names) for c, mask in counts]
    return Words.of(SEVERAL, total=total, causes=join(parts, "; "))


def _cause_masks(
    booking: Booking, request: PreparedRequest, tables: FreeTables
) -> list[tuple[str, int]]:
    """Each cause with the slots (as starts) at which it blocks the request."""
    everything = booking.prepared.all_slots
    causes = []
    for c in request.request.companies:
        causes.append((f"event:{c}", everything if booking.event_is_full(c) else 0))
        causes.append((f"day:{c}", booking.full_day_slots(c)))
        causes.append((f"busy:{c}", everything & ~_side_free_starts(booking, request, c)))
    causes.append(("tables", everything & ~tables.starts(request)))
    return causes


def _side_free_starts(booking: Booking, request: PreparedRequest, company_id: str) -> int:
    """Starts at which the side can attend: all its named attendees, else any one of them."""
    named = request.named[company_id]
    if named:
        mask = booking.prepared.all_slots
        for attendee_id in named:
            mask &= booking.free_starts(attendee_id, request.length)
        return mask
    mask = 0
    for attendee in booking.prepared.instance.company_by_id[company_id].attendees:
        mask |= booking.free_starts(attendee.id, request.length)
    return mask


def blockers_at(booking: Booking, request: PreparedRequest, start: int) -> set[str]:
    """What stands in the way of this request at this start: full days, busy sides, tables."""
    found = {f"event:{c}" for c in request.request.companies if booking.event_is_full(c)}
    found |= {f"day:{c}" for c in request.request.companies if booking.day_is_full(c, start)}
    found |= {
        f"busy:{c}" for c in request.request.companies if not _side_free(booking, request, c, start)
    }
    if booking.free_location(request, start) is None:
        found.add("tables")
    return found


def _side_free(booking: Booking, request: PreparedRequest, company_id: str, start: int) -> bool:
    named = request.named[company_id]
    if named:
        return all(booking.is_free(a, start, request.length) for a in named)
    company = booking.prepared.instance.company_by_id[company_id]
    return any(booking.is_free(a.id, start, request.length) for a in company.attendees)


def _single_cause(cause: str, names: dict[str, str], total: int, minutes: int, prepared) -> Words:
    kind, _, who = cause.partition(":")
    times = Words.of(ALL_TIMES, total=total) if total > 1 else Words(ONE_TIME)
    if kind == "event":
        limit = prepared.instance.company_by_id[who].max_meetings
        return Words.of(EVENT_FULL, company=names[who], most=limit)
    if kind == "day":
        limit = prepared.instance.company_by_id[who].max_meetings_per_day
        return Words.of(DAILY_FULL, company=names[who], most=limit)
    if kind == "busy":
        return Words.of(AGENDA_FULL, company=names[who], times=times)
    return Words.of(NO_TABLE, times=times, minutes=minutes)


def _cause_phrase(cause: str, count: int, names: dict[str, str]) -> Words:
    kind, _, who = cause.partition(":")
    if kind == "event":
        return Words.of(EVENT_AT, company=names[who], count=count)
    if kind == "day":
        return Words.of(DAILY_AT, company=names[who], count=count)
    if kind == "busy":
        return Words.of(BUSY_AT, company=names[who], count=count)
    return Words.of(TABLES_AT, count=count)


# --- reading a reason back, to tell it in another language ------------------------------------

# Where a reason's value is itself words, the templates it may be (else it is a name or time).
_PARTS = {
    "where": (WITHIN,),
    "free": (ONLY, AT_NO_TIME),
    "blocked": (WHEN_OTHER_FREE,),
    "times": (ALL_TIMES, ONE_TIME, AND_MORE),
}
_CAUSES = (DAILY_AT, EVENT_AT, BUSY_AT, TABLES_AT)


def read_reason(text: str) -> Words | None:
    """The Words of a reason `explain_unscheduled` wrote (a schedule keeps it as text), so
    that it can be shown in Japanese too; None for a reason from elsewhere."""
    found = read_back(text, REASONS)
    if found is None:
        return None
    return Words(found.template, tuple((k, _read_part(k, v)) for k, v in found.values))


def _read_part(name: str, value: object) -> object:
    if name == "causes" and isinstance(value, str):
        parts = [read_back(p, _CAUSES) or p for p in value.split("; ")]
        return join(parts, "; ")
    if name in _PARTS and isinstance(value, str):
        found = read_back(value, _PARTS[name])
        if found is not None:
            return Words(found.template, tuple((k, _read_part(k, v)) for k, v in found.values))
    return value


# --- kinds, for counting and filtering ----------------------------------------------------------

# The kinds of reason above, worst obstacle named first: the organiser's review groups the
# unscheduled requests by them ("760 no table free" is a capacity answer, not 760 problems).
REASON_KINDS = (
    "tables",  # no table free at any time both sides are free
    "daily",  # a company's daily maximum reached
    "event_max",  # a company's maximum for the whole event (max_meetings) reached
    "busy",  # a side's people are in other meetings
    "several",  # a mix of the three above
    "unavailable",  # the two sides are never free together
    "attendee",  # a named attendee is never free then
    "window",  # the request's own windows hold no time
    "too_long",  # longer than any session
    "no_room",  # no table or room it may use
    "other",  # a reason from elsewhere (a schedule file written by another tool)
)


def reason_kind(reason: str) -> str:
    """The kind (REASON_KINDS) of a reason written by `explain_unscheduled`. Company names
    stand inside some reasons, so the fixed words around a name decide before a beginning
    that a name could imitate."""
    if reason.startswith("the event has no table or room"):
        return "no_room"
    if reason.startswith("needs "):
        for words, kind in (
            (" but no session is that long", "too_long"),
            (" but the times the request asks for hold no ", "window"),
            (" but its `within` windows hold no ", "window"),  # as versions before said it
            (" on holds a ", "window"),  # a fill-in's cut (AFTER_CUT)
            ("; name another attendee or free some of their time", "attendee"),
        ):
            if words in reason:
                return kind
    if reason.startswith("at the ") and " times both are free: " in reason:
        return "several"
    for words, kind in (
        (" meetings on every day both are free; raise its daily maximum", "daily"),
        (" meetings for the whole event; raise its maximum of meetings for", "event_max"),
        (" meetings for the whole event; raise its max_meetings", "event_max"),  # before
        ("'s agenda is full: its attendees are in other meetings at ", "busy"),
        (" when the other side is free too (", "unavailable"),
    ):
        if words in reason:
            return kind
    if reason.startswith("no table is free at "):
        return "tables"
    if reason.startswith("has no common free slot"):
        return "unavailable"
    return "other"


# --- companies short of their guaranteed meetings ------------------------------------------

# Why a company has fewer meetings than its `min_meetings`, worst obstacle first: the web
# review shows these next to the company (English and Japanese texts there).
SHORT_KINDS = (
    "too_few_requests",  # fewer accepted requests than the guarantee
    "no_common_time",  # too few of them have a time both sides are free
    "partners_event_max",  # its partners have their maximum for the whole event
    "partners_daily",  # its partners have their daily maximum on every day free
    "partners_busy",  # its partners' attendees are in other meetings
    "own_agenda",  # its own attendees are in other meetings
    "tables",  # no table free at the times both are free
)


def short_of_entitlement(booking: Booking) -> list[dict[str, object]]:
    """Each company left short of its guarantee: how many it has, the main obstacle (a
    SHORT_KINDS entry) and a sentence an organiser can act on."""
    prepared = booking.prepared
    result = []
    for company_id, wanted in sorted(prepared.min_meetings.items()):
        held = booking.meetings_of_company[company_id]
        if held >= wanted:
            continue
        kind, reason = _why_short(booking, company_id, wanted, held)
        entry = {"company": company_id, "min_meetings": wanted, "meetings": held}
        result.append(entry | {"kind": kind, "reason": reason})
    return result


def _why_short(booking: Booking, company_id: str, wanted: int, held: int) -> tuple[str, str]:
    prepared = booking.prepared
    mine = [r for r in prepared.requests if company_id in r.request.companies]
    schedulable = [r for r in mine if r.starts and r.pools]
    has = f"has {held} of its {wanted} guaranteed meetings"
    if len(mine) < wanted:
        return "too_few_requests", (
            f"{has}: it has only {len(mine)} accepted requests; ask it to send or accept more"
        )
    if len(schedulable) < wanted:
        return "no_common_time", (
            f"{has}: only {len(schedulable)} of its {len(mine)} accepted requests have a time "
            "when both sides are free; free some of its or its partners' time"
        )
    counts: Counter[str] = Counter()
    for request in schedulable:
        if request.id not in booking.placements:
            counts.update(_short_causes(booking, request, company_id))
    if not counts:
        return "own_agenda", f"{has}: its attendees' time is full; add an attendee"
    kind = min(counts, key=lambda k: (-counts[k], SHORT_KINDS.index(k)))
    parts = ", ".join(f"{_SHORT_WORDS[k]} ({n})" for k, n in counts.most_common())
    return kind, f"{has}; its other requests are held back by: {parts}"


_SHORT_WORDS = {
    "partners_event_max": "the partner's maximum for the event",
    "partners_daily": "the partner's daily maximum",
    "partners_busy": "the partner's attendees in other meetings",
    "own_agenda": "its own attendees in other meetings",
    "tables": "no table free",
}


def _short_causes(booking: Booking, request: PreparedRequest, company_id: str) -> set[str]:
    """What holds one unmet request back at every start, in SHORT_KINDS words."""
    seen: set[str] = set()
    for start in request.starts:
        for blocker in blockers_at(booking, request, start):
            what, _, who = blocker.partition(":")
            if what == "tables":
                seen.add("tables")
            elif who == company_id:
                seen.add("own_agenda")
            else:
                seen.add(
                    {"event": "partners_event_max", "day": "partners_daily"}.get(
                        what, "partners_busy"
                    )
                )
    return seen
