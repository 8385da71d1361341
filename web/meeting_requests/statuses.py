"""A request's status in words, as refusals and threads say it (translated by the app)."""

from __future__ import annotations

from scheduler.words import N_, Words

STATUS_WORDS = {
    "requested": N_("awaiting answer"),
    "accepted": N_("accepted"),
    "declined": N_("declined"),
    "cancelled": N_("cancelled"),
}


def status_words(status: str) -> Words:
    return Words(STATUS_WORDS.get(status, status))
