"""Workbooks are read in a child process with limits on its memory and CPU time.

openpyxl, opening a crafted sheet that declares no dimension, reads it whole in about 16 bytes
of memory a byte unpacked (a 157 KB upload: 1.6 GB). In a child with an address-space limit it
is the child that runs out, and the organiser is told the file is too large; the server and its
other requests are untouched. One child is kept and reused (a new one costs a second of
imports), and replaced when a limit ended it. Linux only: elsewhere these limits do not hold as
documented, and the workbook is read in the server's own process.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from scheduler.formats.problems import InvalidInput, Problem
from web.importing import workbook
from web.importing.sheets import RawSheet

MEMORY_LIMIT = 1024**3  # bytes of address space; a BIO-size workbook reads in ~135 MB
CPU_SECONDS = 120  # for one workbook; a BIO-size one reads in about 6 s

_child: ProcessPoolExecutor | None = None
_child_lock = threading.Lock()


def read_workbook(path: Path) -> tuple[dict[str, RawSheet], list[Problem]]:
    """The workbook's sheets, and the problems found reading them that need not stop it."""
    if sys.platform != "linux":
        problems: list[Problem] = []
        return workbook.workbook_sheets(path, problems), problems
    try:
        outcome = _pool().submit(_read, str(path), _sheet_limits()).result()
    except BrokenProcessPool:  # a limit ended the child (the kernel's signal, not an error)
        _retire()
        raise workbook.too_large(path) from None
    if outcome[0] == "out of memory":
        _retire()  # a child that ran out may hold on to what it got: the next gets a new one
        raise workbook.too_large(path)
    if outcome[0] == "invalid":
        raise InvalidInput(outcome[1])
    return outcome[1], outcome[2]


def _sheet_limits() -> dict[str, int]:
    """The reader's limits as this process has them, for the child to read by the same."""
    return {name: getattr(workbook, name) for name in SHEET_LIMITS}


SHEET_LIMITS = ("MAX_ROWS", "MAX_COLUMNS", "MAX_CELLS", "MAX_CELLS_IN_A_ROW")


def _read(path: str, limits: dict[str, int]) -> tuple:
    """In the child: read, and hand back plain data (InvalidInput does not survive pickling)."""
    import resource

    for name, value in limits.items():
        setattr(workbook, name, value)

    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(used.ru_utime + used.ru_stime) + CPU_SECONDS  # this file's share of the child
    resource.setrlimit(resource.RLIMIT_CPU, (soft, resource.RLIM_INFINITY))
    problems: list[Problem] = []
    try:
        return ("read", workbook.workbook_sheets(Path(path), problems), problems)
    except InvalidInput as error:
        return ("invalid", error.problems)
    except MemoryError:
        return ("out of memory",)


def _limit_memory() -> None:
    import os
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    # A child that dies of its limit prints the MemoryError of its last gasp: not for the
    # organiser's terminal (the answer says the file is too large). Errors of the reading
    # itself still reach the server: they come back with the task.
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (open for the child's whole life)


def _pool() -> ProcessPoolExecutor:
    global _child
    with _child_lock:
        if _child is None:
            _child = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_limit_memory,
            )
        return _child


def _retire() -> None:
    global _child
    with _child_lock:
        if _child is not None:
            _child.shutdown(wait=False, cancel_futures=True)
            _child = None
