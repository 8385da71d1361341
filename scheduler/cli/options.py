"""Arguments and options that several commands share, defined once so that they read, check
and explain themselves the same way everywhere (`solve` today; a fill-in or a capacity run
takes the same search options)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from scheduler.solver.cpsat import SolverSettings

Decorator = Callable[[Callable], Callable]

instance_argument = click.argument("instance", type=click.Path(path_type=Path))
schedule_argument = click.argument("schedule", type=click.Path(path_type=Path))


def output_option(help: str, kind: str = "file", required: bool = True) -> Decorator:
    """`-o/--output`: a file, or with kind="folder" a folder to write into."""
    path = click.Path(path_type=Path, file_okay=kind != "folder", dir_okay=kind != "file")
    if kind == "any":
        path = click.Path(path_type=Path)
    return click.option("-o", "--output", type=path, required=required, help=help)


def _stack(*decorators: Decorator) -> Decorator:
    def apply(command: Callable) -> Callable:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return apply


search_options = _stack(
    click.option(
        "--time-limit",
        type=click.FloatRange(min=0.1),
        default=60.0,
        show_default=True,
        help="Seconds the optimiser may search.",
    ),
    click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=2,
        show_default=True,
        help="Parallel search workers (results are reproducible per seed and count).",
    ),
    click.option("--seed", type=int, default=0, show_default=True),
)

goal_options = _stack(
    click.option(
        "--compact",
        is_flag=True,
        help="Then fewer idle gaps between a person's meetings (the count of meetings stays).",
    ),
    click.option(
        "--max-breaks",
        type=click.IntRange(min=0),
        default=None,
        help="At most this many idle gaps per person wherever that costs no meeting "
        "(implies --compact; the summary counts the people over it).",
    ),
    click.option(
        "--fair",
        is_flag=True,
        help="Then a meeting for every company that can have one, and the lowest shares "
        "raised (may cost priority-weighted meetings).",
    ),
)


def solver_settings(
    time_limit: float,
    workers: int,
    seed: int,
    compact: bool = False,
    max_breaks: int | None = None,
    fair: bool = False,
) -> SolverSettings:
    """The settings that `search_options` and `goal_options` read from the command line."""
    return SolverSettings(
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        compact=compact or max_breaks is not None,
        max_breaks=max_breaks,
        fair=fair,
    )
