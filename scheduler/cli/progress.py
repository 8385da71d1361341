"""The progress bar of a long solve, on stderr: stage, objective, bound, gap, elapsed."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress_bar import ProgressBar
from rich.text import Text

from scheduler.solver.cpsat import Progress as SolverProgress


class _Figures(ProgressColumn):
    """objective / bound / gap as the solver last reported them."""

    def render(self, task: Task) -> Text:
        objective, bound = task.fields.get("objective"), task.fields.get("bound")
        if objective is None:
            return Text("")
        if bound is None:
            return Text(f"obj {objective:g}")
        gap = (bound - objective) / bound * 100 if bound else 0.0
        return Text(f"obj {objective:g} bound {bound:g} gap {gap:.2f}%")


class _TimeBar(BarColumn):
    """Fills with elapsed time against the time limit, between solver reports too."""

    def __init__(self, time_limit: float) -> None:
        super().__init__(bar_width=20)
        self.time_limit = time_limit

    def render(self, task: Task) -> ProgressBar:
        done = task.fields.get("finished", False)
        elapsed = self.time_limit if done else min(task.elapsed or 0.0, self.time_limit)
        return ProgressBar(total=self.time_limit, completed=elapsed, width=self.bar_width)


class SolveProgress:
    """A context manager whose `update` is given to the solver as its progress callback."""

    def __init__(
        self, time_limit: float, enabled: bool = True, console: Console | None = None
    ) -> None:
        self.time_limit = time_limit
        self.enabled = enabled
        self._progress = Progress(
            TextColumn("{task.description:<18}"),
            _TimeBar(time_limit),
            _Figures(),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
            transient=False,
            disable=not enabled,
        )
        self._task = None

    def __enter__(self) -> SolveProgress:
        self._progress.start()
        self._task = self._progress.add_task("starting", total=self.time_limit)
        return self

    def update(self, report: SolverProgress) -> None:
        fields = {}
        if report.objective is not None:
            fields = {"objective": report.objective, "bound": report.bound}
        self._progress.update(self._task, description=report.stage, **fields)

    def render(self) -> None:
        """Draw now (the display also redraws itself in the background)."""
        self._progress.refresh()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._progress.update(self._task, description="done", finished=True)
        self._progress.stop()
