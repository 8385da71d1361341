"""The event's video links, from its setup, as the calendar writers take them: plain data
(`scheduler.calendars.video.VideoLinks`), read where a page, a feed or a file is made, so
that a change in the setup shows at once on every agenda."""

from __future__ import annotations

from scheduler.calendars.video import VideoLinks
from web.events.models import Event

DEFAULT_LABEL = "Video"


def video_links(event: Event | None) -> VideoLinks | None:
    """None where the event has no video links (or no template or table link is set)."""
    from web.schedules.operations import event_key

    if event is None or event.video_mode == "none":
        return None
    label = event.video_label or DEFAULT_LABEL
    if event.video_mode == "meeting":
        if not event.video_template:
            return None
        return VideoLinks(event_key(event), label, template=event.video_template)
    by_location = {loc.external_id: loc.video_url for loc in event.locations if loc.video_url}
    return VideoLinks(event_key(event), label, by_location=by_location) if by_location else None
