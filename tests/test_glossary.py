"""The Japanese catalogues keep to docs/glossary.md: one word per concept everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = (
    ROOT / "web/translations/ja/LC_MESSAGES/messages.po",
    ROOT / "scheduler/calendars/translations/ja/LC_MESSAGES/agenda.po",
)


def _glossary() -> list[tuple[str, str, list[str]]]:
    """(English, Japanese, ruled-out words) per row of the glossary's table."""
    rows = []
    for line in (ROOT / "docs/glossary.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("concept", "---"):
            ruled_out = [w.split(" (")[0].strip() for w in cells[3].split(",") if w.strip()]
            rows.append((cells[1], cells[2], [w for w in ruled_out if " " not in w]))
    return rows


def _messages() -> list[tuple[str, str, str]]:
    found = []
    for path in CATALOGUES:
        with path.open("rb") as po:
            for entry in read_po(po):
                if not entry.id:
                    continue
                ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
                strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
                found.extend((path.name, i, s) for i in ids for s in strings)
    return found


def test_the_glossary_is_read():
    rows = _glossary()
    assert ("meeting", "商談", ["面談", "ミーティング"]) in rows
    assert len(rows) >= 10


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: p.name)
def test_no_ruled_out_word_in_a_catalogue(catalogue):
    ruled_out = {word for _en, _ja, words in _glossary() for word in words if word != "企業"}
    bad = [
        (message, translation, word)
        for name, message, translation in _messages()
        if name == catalogue.name
        for word in ruled_out
        if word in translation
    ]
    assert bad == []


def test_a_term_alone_is_translated_by_the_glossary():
    """A message that is only the term ("Corporate", "Delegation member") is the glossary's."""
    terms = {en.lower(): ja for en, ja, _ in _glossary() if "/" not in en}
    wrong = [
        (name, message, translation)
        for name, message, translation in _messages()
        if message.lower() in terms and translation and translation != terms[message.lower()]
    ]
    assert wrong == []
