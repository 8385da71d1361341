"""The seconds each step of a solve took, in the order the steps ran.

The summary carries them (`stage_seconds`) so that a run says where its time went, and a
benchmark which step dominates at each size (`benchmarks/growth.py`). The steps are those the
solve reports as its progress (`_Clock.stage`), and "explaining" last (the reasons for every
unscheduled request and the summary's figures). Every instant of the solve belongs to one
step, so the steps add up to the solve's time; a step that runs twice keeps its first place
and adds its seconds.
"""

from __future__ import annotations

import time

FIRST_STAGE = "preparing"


class StageTimer:
    """Running from its creation: the step `FIRST_STAGE` until `start` names another."""

    def __init__(self) -> None:
        self._seconds: dict[str, float] = {}
        self._current: str | None = FIRST_STAGE
        self._since = time.monotonic()

    def start(self, name: str) -> None:
        """End the step running now and start `name`."""
        self._close()
        self._current = name

    def stop(self) -> dict[str, float]:
        """End the step running now; the seconds of every step so far, in order."""
        self._close()
        self._current = None
        return {name: round(seconds, 3) for name, seconds in self._seconds.items()}

    def _close(self) -> None:
        now = time.monotonic()
        if self._current is not None:
            spent = now - self._since
            self._seconds[self._current] = self._seconds.get(self._current, 0.0) + spent
        self._since = now
