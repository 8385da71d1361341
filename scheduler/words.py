"""Messages that can be told in another language: an English template and the values put in.

The scheduler speaks English (its files, its CLI); the web app shows the same problems and
reasons in Japanese too. A message made as `Words` keeps its template, so the app looks the
template up in its catalogue (the templates are marked with `N_` and extracted there) and
puts the same values into the translation. `str()` gives the English text, which is what
files and tests see.

Templates use `str.format` fields (`{name}`); a value may itself be `Words` (a hint, a list
of times), translated with its sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

Translate = Callable[[str], str]  # gettext: an English template to its translation


def N_(template: str) -> str:
    """Marks a template for the web app's catalogue; translated where it is shown."""
    return template


@dataclass(frozen=True)
class Words:
    template: str
    values: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, template: str, /, **values: object) -> Words:
        return cls(template, tuple(values.items()))

    def __str__(self) -> str:
        return self.template.format(**{name: str(value) for name, value in self.values})

    def translated(self, translate: Translate) -> str:
        """The message in the language of `translate`; English where it has no entry."""
        values = {
            name: value.translated(translate) if isinstance(value, Words) else value
            for name, value in self.values
        }
        try:
            return translate(self.template).format(**values)
        except (KeyError, IndexError, ValueError):  # a translation with a broken field
            return self.template.format(**values)


def join(parts: Iterable[object], separator: str = ", ") -> Words:
    """Several values as one, each translated with the sentence: 'Oct 14 10:00-11:00, ...'."""
    parts = list(parts)
    fields = (
        separator.replace("{", "{{")
        .replace("}", "}}")
        .join("{p" + str(i) + "}" for i in range(len(parts)))
    )
    return Words(fields, tuple((f"p{i}", part) for i, part in enumerate(parts)))


class Refusal(ValueError):
    """A ValueError told in Words, so that whoever shows it to a person can translate it."""

    def __init__(self, template: str, /, **values: object) -> None:
        self.words = Words.of(template, **values)
        super().__init__(str(self.words))


def told(error: Exception) -> Words | str:
    """What an error says: its Words where it has them, else its English text."""
    return getattr(error, "words", None) or str(error)


# --- reading back a message that was stored as text ------------------------------------------


@cache
def _pattern(template: str) -> re.Pattern[str]:
    """The regular expression that reads values back out of a template's English text."""
    regex, seen = "", set()
    for piece in re.split(r"(\{[a-z_]+\})", template):
        name = piece[1:-1]
        if re.fullmatch(r"\{[a-z_]+\}", piece):  # a field; once more: the same value again
            regex += f"(?P={name})" if name in seen else f"(?P<{name}>.*?)"
            seen.add(name)
        else:
            regex += re.escape(piece.replace("{{", "{").replace("}}", "}"))
    return re.compile(regex + r"\Z", re.DOTALL)


def read_back(text: str, templates: Iterable[str]) -> Words | None:
    """The Words whose English is `text`, for the first of `templates` that reads it: a
    schedule file keeps reasons as text, and the app shows them in Japanese too."""
    for template in templates:
        found = _pattern(template).match(text)
        if found:
            return Words(template, tuple(found.groupdict().items()))
    return None
