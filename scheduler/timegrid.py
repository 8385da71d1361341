"""The event's slots: every session cut into back-to-back slots from its start.

Slots are numbered 0..n-1 in time order over the whole event; a meeting of k slots starting
at slot i occupies i..i+k-1, which must all lie in the same session.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta

from scheduler.domain import Event, Interval


@dataclass(frozen=True)
class Slot:
    index: int
    day: int  # index into event.days
    session: int  # global session number
    start: datetime
    end: datetime


class TimeGrid:
    """Slot lookups for one event."""

    def __init__(self, event: Event) -> None:
        step = timedelta(minutes=event.slot_minutes)
        self.slot_minutes = event.slot_minutes
        self.slots: list[Slot] = []
        session_number = 0
        for day_index, day in enumerate(event.days):
            for session in sorted(day.sessions, key=lambda s: s.start):
                start = session.start
                while start + step <= session.end:
                    self.slots.append(
                        Slot(len(self.slots), day_index, session_number, start, start + step)
                    )
                    start += step
                session_number += 1
        self.slots.sort(key=lambda s: s.start)
        self._starts = [s.start for s in self.slots]
        self._ends = [s.end for s in self.slots]
        self._index_by_start = {s.start: s.index for s in self.slots}
        self.days = len(event.days)

    def __len__(self) -> int:
        return len(self.slots)

    def slot_starting_at(self, start: datetime) -> int | None:
        return self._index_by_start.get(start)

    def fits(self, first: int, length: int) -> bool:
        """Whether slots first..first+length-1 exist and lie in one session."""
        last = first + length - 1
        if first < 0 or last >= len(self.slots):
            return False
        return self.slots[first].session == self.slots[last].session

    def span(self, first: int, length: int) -> Interval:
        return Interval(self.slots[first].start, self.slots[first + length - 1].end)

    def slots_overlapping(self, start: datetime, end: datetime) -> range:
        """Indices of the slots that overlap [start, end)."""
        return range(bisect_right(self._ends, start), bisect_left(self._starts, end))
