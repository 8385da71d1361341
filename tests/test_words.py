"""Messages as Words: the English text files and the CLI show, and the same message read back
from that text so the web app can tell it in Japanese."""

from __future__ import annotations

import re

import pytest

from scheduler.formats.instance_reader import instance_from_document
from scheduler.formats.problems import InvalidInput
from scheduler.generate.instances import generate_instance
from scheduler.solver.cpsat import SolverSettings
from scheduler.solver.reasons import read_reason
from scheduler.solver.solve import solve
from scheduler.words import Words, join, read_back
from tests.conftest import make_instance


def UPPER(template: str) -> str:
    """A stand-in translation: a template's words in capitals, its {fields} as they are."""
    return re.sub(r"[^{}]+(?=\{|$)|(?<=\})[^{}]+", lambda m: m[0].upper(), template)


def test_values_go_into_the_translation_and_words_inside_words_are_translated_too():
    hint = Words.of(' (did you mean "{word}"?)', word="takeda")
    words = Words.of('unknown company "{id}"{hint}', id="tkd", hint=hint)
    assert str(words) == 'unknown company "tkd" (did you mean "takeda"?)'
    # The values (names, ids) are kept as given; only the templates are translated.
    assert words.translated(UPPER) == 'UNKNOWN COMPANY "tkd" (DID YOU MEAN "takeda"?)'


def test_a_translation_that_lost_a_field_falls_back_to_english():
    words = Words.of("needs {minutes} minutes", minutes=30)
    assert words.translated(lambda t: "{minuten} Minuten") == "needs 30 minutes"


def test_text_is_read_back_into_its_template_and_values():
    found = read_back("Co has 3; Co again", ["{company} has {count}; {company} again"])
    assert found == Words(
        "{company} has {count}; {company} again", (("company", "Co"), ("count", "3"))
    )
    assert read_back("Co has 3; Bo again", ["{company} has {count}; {company} again"]) is None
    assert str(join(["a", "b", "c"], "; ")) == "a; b; c"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_reason_the_solver_writes_reads_back_to_the_same_text(seed):
    """Reasons are stored as text in a schedule: each is read back whole (names with ';' and
    braces included), so none is shown in English on a Japanese page."""
    document = generate_instance(40, 300, days=1, tables=4, seed=seed)
    document["companies"][0]["name"] = "Odd; {Co} at all 3 times"
    document["companies"][0]["unavailable"] = [
        {"start": "2026-10-14T10:00", "end": "2026-10-14T11:00"}
    ]
    instance, _ = instance_from_document(document)
    schedule = solve(instance, SolverSettings(time_limit=5, workers=1))
    assert len(schedule.unscheduled) > 20
    for unscheduled in schedule.unscheduled:
        words = read_reason(unscheduled.reason)
        assert words is not None, unscheduled.reason
        assert str(words) == unscheduled.reason
        assert words.translated(UPPER) != unscheduled.reason  # its words can be translated


def test_import_problems_keep_their_words_for_translation():
    document = make_instance()
    document["event"]["timezone"] = "Asia/Tokio"
    document["requests"][0]["to"] = "bgi"
    with pytest.raises(InvalidInput) as raised:
        instance_from_document(document)
    problems = {p.place: p for p in raised.value.problems}
    zone = problems["event.timezone"]
    assert zone.message.startswith('unknown time zone "Asia/Tokio" (did you mean "Asia/Tokyo"?)')
    assert zone.translated(UPPER)[1].startswith('UNKNOWN TIME ZONE "Asia/Tokio" (DID YOU MEAN')
    assert problems["requests[0].to"].words is not None
