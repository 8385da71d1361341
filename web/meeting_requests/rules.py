"""The organiser's rules for asking (RequestRules): when a company may ask, how many requests
it may have waiting at once, and whether it may ask again after a withdrawal or a decline.

The service layer checks them where a company asks (`ask`, and asking again in `answer`);
the organiser, who sets them, is not held by them (a request taken at the desk after the
window closed is the organiser's decision). The clock's side of the rules (expiry, the
reminder before the window closes) is web.meeting_requests.deadlines."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.times import describe_time
from scheduler.words import N_, Refusal
from web.companies.models import Company
from web.db import apply_edit, utc_now
from web.events.models import Event
from web.meeting_requests.models import MeetingRequest, RequestRules


class RequestsNotOpen(Refusal):
    """Asked before the request window opens."""


class RequestsClosed(Refusal):
    """Asked after the request window closed."""


class TooManyPending(Refusal):
    """The company already has as many requests waiting for an answer as the cap allows."""


class NoAskingAgain(Refusal):
    """The organiser does not let a withdrawn or declined request be asked again."""


def rules_of(session: Session, event: Event) -> RequestRules:
    """The event's rules; an event without any gets the defaults (not stored)."""
    rules = session.get(RequestRules, event.id)
    return rules or RequestRules(event_id=event.id, ask_again="withdrawn", at_solve="wait")


def when_words(moment: datetime, event: Event) -> str:
    """'Oct 14 18:00 (Asia/Tokyo)': a deadline as a refusal names it, on the event's clock
    (the pages put the month in the reader's language)."""
    return f"{describe_time(moment, ZoneInfo(event.timezone))} ({event.timezone})"


def window_open(rules: RequestRules, now: datetime) -> bool:
    """Whether `now` lies in the request window: from its opening (included) to its close
    (excluded)."""
    if rules.opens_at is not None and now < rules.opens_at:
        return False
    return rules.closes_at is None or now < rules.closes_at


def pending_of(session: Session, company: Company) -> int:
    """How many of the company's own requests await an answer."""
    query = select(func.count()).where(
        MeetingRequest.requester_id == company.id, MeetingRequest.status == "requested"
    )
    return session.scalar(query) or 0


def check_may_ask(
    session: Session, event: Event, company: Company, now: datetime | None = None
) -> None:
    """Refuse, in words, a request `company` makes now: outside the window (with its date),
    or at the cap (saying the cap and how many wait)."""
    rules = rules_of(session, event)
    now = now or utc_now()
    if rules.opens_at is not None and now < rules.opens_at:
        raise RequestsNotOpen(
            N_("Requests to meet open on {when}; ask then."), when=when_words(rules.opens_at, event)
        )
    if rules.closes_at is not None and now >= rules.closes_at:
        raise RequestsClosed(
            N_("Requests to meet closed on {when}; for a late request, ask the organiser's desk."),
            when=when_words(rules.closes_at, event),
        )
    if rules.pending_cap is not None:
        waiting = pending_of(session, company)
        if waiting >= rules.pending_cap:
            raise TooManyPending(
                N_(
                    "You have {pending} requests awaiting an answer, and the organiser allows "
                    "{cap} at once: withdraw one, or ask again when one is answered."
                ),
                pending=waiting,
                cap=rules.pending_cap,
            )


def check_may_ask_again(session: Session, row: MeetingRequest) -> None:
    """Asking again after a withdrawal or a decline, where the organiser allows it; it is
    a new request for the window and the cap."""
    allowed = rules_of(session, row.event).ask_again
    if row.status == "cancelled" and allowed == "never":
        raise NoAskingAgain(N_("The organiser does not let a withdrawn request be asked again."))
    if row.status == "declined" and allowed != "both":
        raise NoAskingAgain(N_("The organiser does not let a declined request be asked again."))
    check_may_ask(session, row.event, row.requester)


def expires_at(rules: RequestRules, row: MeetingRequest) -> datetime | None:
    """When an unanswered request expires: `expire_days` days after it was asked."""
    if rules.expire_days is None or row.status != "requested":
        return None
    return row.asked_at + timedelta(days=rules.expire_days)


class WindowBackwards(Refusal):
    """A request window that closes before (or when) it opens."""


def set_rules(session: Session, event: Event, version: int | None, **values) -> RequestRules:
    """The organiser's rules saved, if still at the `version` the form showed (EditConflict
    otherwise); a window that closes before it opens is refused in words."""
    opens, closes = values.get("opens_at"), values.get("closes_at")
    if opens is not None and closes is not None and closes <= opens:
        raise WindowBackwards(
            N_("Requests would close ({closes}) before they open ({opens}): change one."),
            closes=when_words(closes, event),
            opens=when_words(opens, event),
        )
    rules = session.get(RequestRules, event.id)
    if rules is None:
        rules = RequestRules(event_id=event.id, **values)
        session.add(rules)
        session.flush()
        return rules
    apply_edit(session, rules, version if version is not None else rules.version_id, values)
    return rules
