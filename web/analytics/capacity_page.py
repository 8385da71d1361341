"""The capacity page's figures: the tables curve from the bound, with the smallest number of
tables below which no schedule reaches the target, as the capacity job stored them
(`web.analytics.capacity_job`: the queue's worker works them out, the page shows its progress
until then). `partnering capacity` adds the quick schedules, the other options and the real
solves that confirm the number."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from web.analytics.figures import Figure
from web.analytics.models import CapacityRun


@dataclass(frozen=True)
class CapacityView:
    requests: int
    tables: int
    target: float
    target_requests: int
    at_least: int | None  # fewest tables the bound allows to reach the target; None: none do
    unlimited: int  # the most requests any schedule meets with unlimited tables
    rows: list[list[int]]  # tables, at most met, target

    @property
    def figure(self) -> Figure:
        """The plot, in the visitor's words."""
        return Figure(
            "capacity",
            str(_l("Requests that can be met, by number of tables")),
            "lines",
            [str(_l("Tables")), str(_l("At most met")), str(_l("Target"))],
            [list(row) for row in self.rows],
            x_label=str(_l("Tables")),
            y_label=str(_l("Requests")),
            note=str(_l("An upper bound: no schedule meets more with that many tables.")),
        )


def view_of(run: CapacityRun | None) -> CapacityView | None:
    if run is None or run.status != "succeeded" or not run.result:
        return None
    return CapacityView(**run.result)
