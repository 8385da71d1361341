"""Reading a JSON document from a file, with messages that point at the line and column."""

from __future__ import annotations

import json
from pathlib import Path

from scheduler.formats.problems import InvalidInput, Problem


def read_json_file(path: Path) -> object:
    """Parse the file as JSON; raise InvalidInput naming the place of any problem."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput([Problem(str(path), "no such file; check the path")]) from None
    except IsADirectoryError:
        raise InvalidInput([Problem(str(path), "is a folder; give the JSON file in it")]) from None
    except OSError as error:
        raise InvalidInput([Problem(str(path), f"cannot be read: {error.strerror}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InvalidInput(
            [Problem(f"{path}:{line}", "is not UTF-8 text; save the file as UTF-8 and try again")]
        ) from None
    return parse_json_text(text, str(path))


def parse_json_text(text: str, name: str = "input") -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            [
                Problem(
                    f"{name}:{error.lineno}:{error.colno}",
                    f"not valid JSON: {error.msg}; fix the syntax at that line and column",
                )
            ]
        ) from None
