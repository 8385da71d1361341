"""Files of a schedule version, made by scheduler.calendars: every calendar (zip), the
meetings sheet (CSV, XLSX), the exchange JSON and the printable agendas (zip)."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path

from sqlalchemy.orm import Session

from scheduler.calendars.export import write_agendas, write_calendars
from scheduler.calendars.revisions import Publication as CalendarPublication
from scheduler.calendars.revisions import publish as revise
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
    instance: Instance, schedule: Schedule, state: CalendarPublication, version: ScheduleVersion
) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        write_calendars(Path(folder), instance, schedule, state, version.created_at)
        return _zip(Path(folder))


def agendas_zip(instance: Instance, schedule: Schedule, language: str = "en") -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        write_agendas(Path(folder), instance, schedule, language)
        return _zip(Path(folder))


def schedule_json(instance: Instance, schedule: Schedule) -> bytes:
    document = schedule_to_document(schedule, instance)
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _zip(folder: Path) -> bytes:
    """File names in UTF-8 (the zip flag for it is set by Python for non-ASCII names)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return out.getvalue()
