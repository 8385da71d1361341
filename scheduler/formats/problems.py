"""Problems found in input: each names its place and says what to do."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from scheduler.words import N_, Translate, Words, told


@dataclass(frozen=True)
class Problem:
    place: str  # e.g. 'requests[12].to' (prefixed with the file name by the CLI)
    message: str
    severity: Literal["error", "warning"] = "error"
    words: Words | None = None  # the message as a template and values, for translation
    place_words: Words | None = None  # the place likewise, where it has words ("row 5")

    @classmethod
    def of(
        cls,
        place: str | Words,
        template: str,
        severity: Literal["error", "warning"] = "error",
        /,
        **values: object,
    ) -> Problem:
        """A problem whose message (and place) the web app can show in Japanese too."""
        return cls.told(place, Words.of(template, **values), severity)

    @classmethod
    def told(
        cls,
        place: str | Words,
        message: str | Words | Exception,
        severity: Literal["error", "warning"] = "error",
    ) -> Problem:
        """A problem saying what `message` says: Words, text, or an error (a `Refusal`'s
        Words are kept for translation)."""
        if isinstance(message, Exception):
            message = told(message)
        words = message if isinstance(message, Words) else None
        place_words = place if isinstance(place, Words) else None
        return cls(str(place), str(message), severity, words, place_words)

    def translated(self, translate: Translate) -> tuple[str, str]:
        """(place, message) in the language of `translate`."""
        place = self.place_words.translated(translate) if self.place_words else self.place
        message = self.words.translated(translate) if self.words else self.message
        return place, message

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        text = f"{self.place}: {prefix}{self.message}" if self.place else prefix + self.message
        return one_line(text)


_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def one_line(text: str) -> str:
    """Escape every character Python or a terminal would break a line at, so that each problem
    stays one line even when it quotes hostile input."""
    return text.translate({ord(c): f"\\u{ord(c):04x}" for c in _LINE_BREAKS})


class InvalidInput(ValueError):
    """Raised with every problem found, so a person can fix them all in one go."""

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.problems = problems
        self.source = source  # the file the problems are in, where the caller knows it
        super().__init__("\n".join(str(p) for p in problems))


DID_YOU_MEAN = N_(' (did you mean "{word}"?)')
NOTHING = Words("")


def did_you_mean(word: str, candidates: Iterable[str]) -> Words:
    """' (did you mean "takeda"?)' for a near miss, else ''."""
    pool = list(candidates)
    lowered = {c.lower(): c for c in pool}
    if isinstance(word, str) and word.lower() in lowered:
        return Words.of(DID_YOU_MEAN, word=lowered[word.lower()])
    close = difflib.get_close_matches(str(word), pool, n=1, cutoff=0.5)
    if not close:  # "tkd" for "takeda": a subsequence is a likely abbreviation
        close = [c for c in pool if _is_subsequence(str(word).lower(), c.lower())][:1]
    return Words.of(DID_YOU_MEAN, word=close[0]) if close else NOTHING


def _is_subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return bool(short) and all(ch in letters for ch in short)


def quote(value: object, limit: int = 60) -> str:
    """A value as JSON writes it ("tkd", null, true), shortened for a one-line message."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
