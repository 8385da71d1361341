"""Files of a schedule version, made by scheduler.calendars: every calendar (zip), the
meetings sheet (CSV, XLSX), the exchange JSON and the printable agendas (zip). The zips are
streamed: a fair's are thousands of files."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable, Iterator

from sqlalchemy.orm import Session

from scheduler.calendars.export import agenda_files, calendar_files
from scheduler.calendars.revisions import Publication as CalendarPublication
from scheduler.calendars.revisions import publish as revise
from scheduler.calendars.video import VideoLinks
from scheduler.domain import Instance, Schedule
from scheduler.formats.schedule_io import schedule_to_document
from web.schedules.models import ScheduleVersion
from web.schedules.operations import event_key, published_state


def calendar_state(session: Session, version: ScheduleVersion, schedule: Schedule):
    """The calendars' state for this version: as published if it is the current one, else
    as publishing it now would make it (so downloads before publishing already update)."""
    published = published_state(session, version.event)
    if published is not None and published.schedule_version_id == version.id:
        return published.calendars
    before = published.calendars if published else None
    return revise(schedule, event_key(version.event), before)


def calendars_zip(
    instance: Instance,
    schedule: Schedule,
    state: CalendarPublication,
    version: ScheduleVersion,
    video: VideoLinks | None = None,
) -> Iterator[bytes]:
    """Every calendar of the version as a zip, streamed as the files are made."""
    files = calendar_files(instance, schedule, state, version.created_at, video=video)
    return stream_zip(files)


def agendas_zip(
    instance: Instance, schedule: Schedule, language: str = "en", video: VideoLinks | None = None
) -> Iterator[bytes]:
    """Every printable agenda and their index as a zip, streamed as the pages are made."""
    return stream_zip(agenda_files(instance, schedule, language, video))


def schedule_json(instance: Instance, schedule: Schedule) -> bytes:
    document = schedule_to_document(schedule, instance)
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


class _Chunks(io.RawIOBase):
    """Where the zip is written: what came since the last `take`, handed on at once."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


def stream_zip(files: Iterable[tuple[str, bytes]]) -> Iterator[bytes]:
    """A zip of `files` (path, bytes) in pieces as each file is added: a fair's thousands of
    calendars start downloading at once instead of after the last is made. File names in
    UTF-8 (the zip flag for it is set by Python for non-ASCII names)."""
    sink = _Chunks()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
            yield sink.take()
    yield sink.take()
