"""The optimisation problem written once as plain rows, for every engine that reads it.

One 0/1 variable per (request, candidate start, pool of locations). Tables, rooms and
attendees are not chosen here but counted: at every slot a pool holds at most as many meetings
as it has locations, and a company at most as many as it has free attendees (a meeting takes
the attendees it names, else one). Because meetings are intervals on a line these counts
decide feasibility; `Booking` then hands out the actual tables and people. Every valid
schedule satisfies these rows, so the optimum of their LP relaxation is a proven upper bound.

The CP-SAT model (`cpsat`) and the LP bound (`lp_bound`) both translate this; neither
re-derives a rule.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from scheduler.solver.prepare import Prepared

Key = tuple[int, int, str]  # (request index, start slot, pool)


@dataclass
class Row:
    """sum(coefficients[i] * x[variables[i]]) <= limit."""

    variables: list[int]
    coefficients: list[int]
    limit: int
    name: str


@dataclass
class Formulation:
    keys: list[Key] = field(default_factory=list)
    priorities: list[int] = field(default_factory=list)  # objective weight of each variable
    by_request: dict[int, list[int]] = field(default_factory=dict)
    exactly_one: list[list[int]] = field(default_factory=list)  # fixed meetings
    at_most_one: list[list[int]] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    # min_meetings: (the company's variables, its guarantee), a goal ahead of the count
    guaranteed: list[tuple[list[int], int]] = field(default_factory=list)
    shortfall_weight: int = 0  # more than the whole count: one guaranteed meeting outweighs it


def build_formulation(prepared: Prepared) -> Formulation:
    formulation = Formulation()
    _variables(prepared, formulation)
    _one_meeting_per_request(prepared, formulation)
    _attendee_capacity(prepared, formulation)
    _location_capacity(prepared, formulation)
    _max_meetings_per_day(prepared, formulation)
    _max_meetings(prepared, formulation)
    _guaranteed(prepared, formulation)
    return formulation


def _variables(prepared: Prepared, f: Formulation) -> None:
    for request in prepared.requests:
        indices = []
        for start in request.starts:
            for pool in request.pools:
                indices.append(len(f.keys))
                f.keys.append((request.index, start, pool))
                f.priorities.append(request.request.priority)
        if indices:
            f.by_request[request.index] = indices


def _covered(prepared: Prepared, key: Key) -> range:
    return range(key[1], key[1] + prepared.requests[key[0]].length)


def _one_meeting_per_request(prepared: Prepared, f: Formulation) -> None:
    """A request is met at most once; a fixed one exactly once."""
    for index, variables in f.by_request.items():
        if prepared.requests[index].fixed_start is not None:
            f.exactly_one.append(variables)
        elif len(variables) > 1:
            f.at_most_one.append(variables)


def _attendee_capacity(prepared: Prepared, f: Formulation) -> None:
    """A company holds no more meetings at once than it has free attendees; a named attendee
    is in at most one meeting at a time."""
    company_load: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    named_load: dict[tuple[str, int], list[int]] = defaultdict(list)
    for variable, key in enumerate(f.keys):
        request = prepared.requests[key[0]]
        for slot in _covered(prepared, key):
            for company_id, named in request.named.items():
                company_load[(company_id, slot)].append((variable, request.weight(company_id)))
                for attendee_id in named:
                    named_load[(attendee_id, slot)].append(variable)
    capacity = prepared.company_capacity
    for (company_id, slot), load in company_load.items():
        limit = capacity[company_id][slot]
        if sum(weight for _, weight in load) > limit:
            variables = [v for v, _ in load]
            f.rows.append(Row(variables, [w for _, w in load], limit, f"{company_id}@{slot}"))
    for variables in named_load.values():
        if len(variables) > 1:
            f.at_most_one.append(variables)


def _location_capacity(prepared: Prepared, f: Formulation) -> None:
    """A pool of tables or rooms holds no more meetings at once than it has locations."""
    pool_load: dict[tuple[str, int], list[int]] = defaultdict(list)
    for variable, key in enumerate(f.keys):
        for slot in _covered(prepared, key):
            pool_load[(key[2], slot)].append(variable)
    for (pool, slot), variables in pool_load.items():
        limit = len(prepared.pool_locations[pool])
        if len(variables) > limit:
            if limit == 1:
                f.at_most_one.append(variables)
            else:
                f.rows.append(Row(variables, [1] * len(variables), limit, f"{pool}@{slot}"))


def _max_meetings_per_day(prepared: Prepared, f: Formulation) -> None:
    """A company's `max_meetings_per_day`."""
    per_day: dict[tuple[str, int], list[int]] = defaultdict(list)
    for variable, key in enumerate(f.keys):
        for company_id in prepared.requests[key[0]].request.companies:
            per_day[(company_id, prepared.day_of(key[1]))].append(variable)
    for (company_id, day), variables in per_day.items():
        limit = prepared.instance.company_by_id[company_id].max_meetings_per_day
        if limit is not None and len(variables) > limit:
            f.rows.append(Row(variables, [1] * len(variables), limit, f"{company_id}/day{day}"))


def company_variables(prepared: Prepared, f: Formulation, companies: dict[str, int]):
    """The variables of each of `companies`' requests."""
    of_company: dict[str, list[int]] = defaultdict(list)
    for index, variables in f.by_request.items():
        for company_id in prepared.requests[index].request.companies:
            if company_id in companies:
                of_company[company_id].extend(variables)
    return of_company


def _guaranteed(prepared: Prepared, f: Formulation) -> None:
    """`min_meetings`: the goal that comes before the count (see `cpsat`)."""
    if not prepared.min_meetings:
        return
    of_company = company_variables(prepared, f, prepared.min_meetings)
    f.guaranteed = [(of_company[c], wanted) for c, wanted in prepared.min_meetings.items()]
    f.shortfall_weight = shortfall_weight(prepared)


def shortfall_weight(prepared: Prepared) -> int:
    """A weight for one missing guaranteed meeting above every possible count."""
    return sum(r.request.priority for r in prepared.requests) + 1


def _max_meetings(prepared: Prepared, f: Formulation) -> None:
    """A company's `max_meetings` over the whole event (one variable per request is chosen
    at most, so counting variables counts meetings)."""
    if not prepared.max_meetings:
        return
    of_company = company_variables(prepared, f, prepared.max_meetings)
    for company_id, variables in of_company.items():
        limit = prepared.max_meetings[company_id]
        if len(variables) > limit:
            f.rows.append(Row(variables, [1] * len(variables), limit, f"{company_id}/event"))
