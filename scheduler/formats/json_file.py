"""Reading a JSON document from a file, with messages that point at the line and column."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from scheduler.formats.problems import InvalidInput, Problem
from scheduler.words import N_


def read_json_file(path: Path) -> object:
    """Parse the file as JSON; raise InvalidInput naming the place of any problem."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput([Problem.of(str(path), N_("no such file; check the path"))]) from None
    except IsADirectoryError:
        raise InvalidInput(
            [Problem.of(str(path), N_("is a folder; give the JSON file in it"))]
        ) from None
    except OSError as error:
        raise InvalidInput(
            [Problem.of(str(path), N_("cannot be read: {why}"), why=error.strerror)]
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InvalidInput(
            [
                Problem.of(
                    f"{path}:{line}", N_("is not UTF-8 text; save the file as UTF-8 and try again")
                )
            ]
        ) from None
    return parse_json_text(text, str(path))


def parse_json_text(text: str, name: str = "input") -> object:
    if not text.strip():
        raise InvalidInput([Problem.of(name, N_("is empty; expected a JSON document {{...}}"))])
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            [
                Problem.of(
                    f"{name}:{error.lineno}:{error.colno}",
                    N_("not valid JSON: {why}; fix the syntax at that line and column"),
                    why=error.msg,
                )
            ]
        ) from None
    except RecursionError:
        raise InvalidInput(
            [
                Problem.of(
                    name,
                    N_("nests lists or objects too deeply to read; an instance needs a few levels"),
                )
            ]
        ) from None
    except ValueError:  # a number with more digits than Python converts
        raise InvalidInput([_long_number(text, name)]) from None


def _long_number(text: str, name: str) -> Problem:
    limit = sys.get_int_max_str_digits()
    found = re.search(rf"[0-9]{{{limit + 1},}}", text)
    start = found.start() if found else 0
    line = text.count("\n", 0, start) + 1
    column = start - text.rfind("\n", 0, start)
    return Problem.of(f"{name}:{line}:{column}", N_("a number has far too many digits; shorten it"))
