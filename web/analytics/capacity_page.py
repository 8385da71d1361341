"""The capacity page's figures: the tables curve from the bound (fast at any size: one view
of the event, a maximum flow per point), with the smallest number of tables below which no
schedule reaches the target. `partnering capacity` adds the quick schedules, the other
options and the real solves that confirm the number."""

from __future__ import annotations

from dataclasses import dataclass

from cachetools import TTLCache
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from scheduler.capacity import (
    TARGET,
    _bound_at,
    count_bound,
    needed_count,
    shared_tables,
    smallest_tables_by_bound,
)
from web.analytics.figures import Figure
from web.analytics.loads import EventLoads

STEPS = (0, 10, 25, 50, 100, 200, 400)  # percent more tables


@dataclass(frozen=True)
class CapacityView:
    requests: int
    tables: int
    target: float
    target_requests: int
    at_least: int | None  # fewest tables the bound allows to reach the target; None: none do
    unlimited: int  # the most requests any schedule meets with unlimited tables
    figure: Figure


_VIEWS: TTLCache = TTLCache(maxsize=16, ttl=600)  # id(loads) -> (loads, view)


def capacity_view(loads: EventLoads, target: float = TARGET) -> CapacityView:
    """The page's figures; kept while the event's figures are (a few dozen flows at
    BioJapan size take seconds)."""
    key = (id(loads), target, str(get_locale()))  # the figure's words are the visitor's
    kept = _VIEWS.get(key)
    if kept is None or kept[0] is not loads:
        kept = (loads, _capacity_view(loads, target))
        _VIEWS[key] = kept
    return kept[1]


def _capacity_view(loads: EventLoads, target: float) -> CapacityView:
    prepared = loads.prepared
    owned = sum(1 for loc in loads.instance.locations if loc.owner)
    tables = len(shared_tables(loads.instance))
    requests = len(loads.instance.requests)
    needed = needed_count(target, requests)
    at_least = smallest_tables_by_bound(prepared, owned, needed)
    unlimited = count_bound(prepared).met
    figure = Figure(
        "capacity",
        str(_l("Requests that can be met, by number of tables")),
        "lines",
        [str(_l("Tables")), str(_l("At most met")), str(_l("Target"))],
        x_label=str(_l("Tables")),
        y_label=str(_l("Requests")),
        note=str(_l("An upper bound: no schedule meets more with that many tables.")),
    )
    points = sorted(
        {tables + tables * s // 100 for s in STEPS} | ({at_least} if at_least else set())
    )
    for count in points:
        figure.rows.append([count, _bound_at(prepared, owned, count), needed])
    return CapacityView(requests, tables, target, needed, at_least, unlimited, figure)
