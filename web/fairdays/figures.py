"""The analytics page's figures after the fair: attendance per delegation (held, no-shows)
and the ratings the companies gave, from the same figures as the outcomes report
(`web.fairdays.outcomes`), so that the plot, its table and the report never disagree.
Each is empty, and not shown, until its data exists."""

from __future__ import annotations

from collections import Counter

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from web.analytics.figures import Figure, after_fair
from web.events.models import Event
from web.fairdays.outcomes import Outcome, outcomes

RATINGS = range(1, 6)


@after_fair("attendance")
def attendance(session: Session, event: Event) -> Figure:
    """Per delegation: meetings held and meetings its companies did not come to; the rest
    (not marked, or the other side missed it) beside them. Empty until one is marked."""
    report = outcomes(session, event)
    figure = Figure(
        "attendance",
        str(_l("Meetings held and no-shows per delegation")),
        "barh",
        [
            str(_l("Delegation")),
            str(_l("Held")),
            str(_l("No-show")),
            str(_l("Not marked, or the other side missed it")),
        ],
        x_label=str(_l("Meetings")),
        series=[1, 2],
    )
    total = report.total
    if total.held + total.no_shows == 0:
        return figure
    figure.rows = [_attendance_row(d) for d in report.by_delegation if d.meetings]
    figure.note = str(
        _l(
            "Of %(meetings)d meetings: %(held)d held, %(missed)d with a no-show (%(rate)s).",
            meetings=total.meetings,
            held=total.held,
            missed=total.no_shows,
            rate=f"{total.no_show_rate:.1%}",
        )
    )
    return figure


def _attendance_row(delegation: Outcome) -> list:
    rest = delegation.meetings - delegation.held - delegation.no_shows
    return [delegation.name, delegation.held, delegation.no_shows, max(rest, 0)]


@after_fair("ratings")
def ratings(session: Session, event: Event) -> Figure:
    """How many meetings got each rating (1 to 5), with the follow-ups planned. Empty until
    the first rating."""
    total = outcomes(session, event).total
    figure = Figure(
        "ratings",
        str(_l("Ratings of the meetings")),
        "stacked",
        [str(_l("Rating (1 to 5)")), str(_l("Ratings given"))],
        x_label=str(_l("Rating (1 to 5)")),
        y_label=str(_l("Ratings given")),
    )
    if not total.ratings:
        return figure
    given = Counter(total.ratings)
    figure.rows = [[rating, given[rating]] for rating in RATINGS]
    figure.note = str(
        _l(
            "%(num)d ratings, %(average)s on average; a follow-up planned after %(follow)d.",
            num=len(total.ratings),
            average=f"{total.average_rating:.2f}",
            follow=total.follow_ups,
        )
    )
    return figure
