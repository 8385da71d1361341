"""The API's bodies as marshmallow schemas: one source for checking a body's shape and for
the OpenAPI document. The collections' fields are made from the sheets' columns
(web.importing.columns.SHEETS), so a column added there (a company's profile, say) is a field
here without more code; what a value must be (ranges, references, duplicates) is the
import's check, not the schema's, so a body is refused with the same problems as a file."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from web.importing.columns import SHEETS, Column
from web.importing.sheets import LIMITS
from web.meeting_requests.models import STATUSES
from web.webhooks.models import KINDS as WEBHOOK_KINDS

CHOICES = {"corporate or delegation": ("corporate", "delegation")}
CHOICES["requested, accepted, declined or cancelled"] = STATUSES


class Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class WindowSchema(Strict):
    start = fields.String(required=True, metadata={"example": "2026-10-15T13:30"})
    end = fields.String(required=True, metadata={"example": "2026-10-15T17:30"})


def column_field(column: Column) -> fields.Field:
    """The field of one sheet column: its type from the column's kind, its meaning and
    example as the sheets' documentation gives them."""
    metadata: dict[str, object] = {"description": column.meaning}
    if column.kind in CHOICES:
        metadata["enum"] = list(CHOICES[column.kind])
    options = {"required": column.required, "allow_none": not column.required}
    if column.kind == "whole number":  # the range is the import's check, told here
        metadata |= {"minimum": 1, "maximum": LIMITS[column.name]}
        return fields.Integer(
            strict=True, metadata={**metadata, "example": int(column.example)}, **options
        )
    if column.kind == "list of attendee ids":
        return fields.List(
            fields.String(), metadata={**metadata, "example": column.example.split("; ")}, **options
        )
    if column.kind == "list of windows":
        return fields.List(fields.Nested(WindowSchema), metadata=metadata, **options)
    return fields.String(metadata={**metadata, "example": column.example}, **options)


def sheet_schema(sheet: str, name: str, extra: dict[str, fields.Field] | None = None) -> type:
    """A schema with one field per column of `sheet` (JSON keys as the column headings)."""
    declared = {c.name: column_field(c) for c in SHEETS[sheet]} | (extra or {})
    return Strict.from_dict(declared, name=name)


CompanySchema = sheet_schema("companies", "Company")
AttendeeSchema = sheet_schema("attendees", "Attendee")
BlockedTimeSchema = sheet_schema("availability", "BlockedTime")
RequestSchema = sheet_schema(
    "requests",
    "Request",
    {
        "answered_by": fields.String(
            dump_only=True,
            allow_none=True,
            metadata={"description": "who answered: company:<id> or organiser:<event>"},
        ),
        "answered_at": fields.String(
            dump_only=True, allow_none=True, metadata={"description": "when, UTC"}
        ),
    },
)


class LinksSchema(ma.Schema):
    self = fields.String()
    next = fields.String(
        allow_none=True, metadata={"description": "the next page, null on the last"}
    )


def page_schema(item: type, name: str) -> type:
    return ma.Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item)),
            "total": fields.Integer(),
            "links": fields.Nested(LinksSchema),
        },
        name=name,
    )


CompanyPage = page_schema(CompanySchema, "CompanyPage")
AttendeePage = page_schema(AttendeeSchema, "AttendeePage")
BlockedTimePage = page_schema(BlockedTimeSchema, "BlockedTimePage")
RequestPage = page_schema(RequestSchema, "RequestPage")


class CountsSchema(ma.Schema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()


class PutResultSchema(ma.Schema):
    changed = fields.Boolean()
    counts = fields.Dict(keys=fields.String(), values=fields.Nested(CountsSchema))


class PageArgs(ma.Schema):
    limit = fields.Integer(
        validate=ma.validate.Range(1, 1000), metadata={"description": "items per page (100)"}
    )
    cursor = fields.String(metadata={"description": "from links.next of the page before"})


class ProblemEntrySchema(ma.Schema):
    place = fields.String(
        metadata={"description": "as the file import names it: sheet, row, column"}
    )
    row = fields.Integer(metadata={"description": "the item's place in the body, from 1"})
    field = fields.String()
    pointer = fields.String(metadata={"description": "JSON pointer into the body"})
    detail = fields.String()


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.List(fields.Nested(ProblemEntrySchema))


class EventSchema(ma.Schema):
    slug = fields.String()
    name = fields.String()
    timezone = fields.String()
    slot_minutes = fields.Integer()
    days = fields.List(fields.String())
    venue = fields.String(allow_none=True)


class AnswerSchema(Strict):
    status = fields.String(required=True, metadata={"enum": ["accepted", "declined", "cancelled"]})
    confirm = fields.Boolean(
        load_default=False, metadata={"description": "needed to take back a published meeting"}
    )


class RunSettingsSchema(Strict):
    time_limit = fields.Float(load_default=30.0, validate=ma.validate.Range(1, 3600))
    seed = fields.Integer(strict=True, load_default=0, validate=ma.validate.Range(0, 2**31 - 1))
    keep_published = fields.Boolean(load_default=True)
    allow_moves = fields.Integer(strict=True, load_default=0, validate=ma.validate.Range(0, 100000))
    fair = fields.Boolean(load_default=False)
    compact = fields.Boolean(load_default=False)
    max_breaks = fields.Integer(
        strict=True, load_default=None, allow_none=True, validate=ma.validate.Range(0, 100)
    )


class RunSchema(ma.Schema):
    id = fields.Integer()
    status = fields.String(
        metadata={"enum": ["queued", "running", "succeeded", "failed", "cancelled"]}
    )
    settings = fields.Dict()
    stage = fields.String(allow_none=True)
    objective = fields.Integer(allow_none=True)
    bound = fields.Integer(allow_none=True)
    gap = fields.Float(allow_none=True, metadata={"description": "percent"})
    seconds = fields.Float(allow_none=True)
    requests = fields.Integer(allow_none=True)
    scheduled = fields.Integer(allow_none=True)
    cancel_requested = fields.Boolean()
    error = fields.String(allow_none=True)
    version = fields.Integer(
        allow_none=True, metadata={"description": "the schedule version it wrote"}
    )


class VersionSchema(ma.Schema):
    number = fields.Integer()
    created_at = fields.String()
    published_at = fields.String(allow_none=True)
    current = fields.Boolean(metadata={"description": "what companies see now"})
    scheduled = fields.Integer()
    unscheduled = fields.Integer()


class VersionList(ma.Schema):
    items = fields.List(fields.Nested(VersionSchema))


class PublishSchema(Strict):
    confirm = fields.Boolean(
        required=True,
        validate=ma.validate.Equal(True),
        metadata={"description": "true: publishing changes the companies' agendas"},
    )


class MeetingSchema(ma.Schema):
    request = fields.String()
    start = fields.String()
    end = fields.String()
    location = fields.String()
    location_name = fields.String(allow_none=True)
    with_company = fields.String(
        data_key="with", metadata={"description": "the other company's id"}
    )
    attendees = fields.List(fields.String())


class MeetingList(ma.Schema):
    items = fields.List(fields.Nested(MeetingSchema))
    published_at = fields.String(allow_none=True)


class ScheduleDocument(ma.Schema):
    """partnering-schedule/1 (../shared/spec/FORMAT.md)."""

    class Meta:
        unknown = ma.INCLUDE

    format = fields.String(metadata={"example": "partnering-schedule/1"})
    meetings = fields.List(fields.Dict())
    unscheduled = fields.List(fields.Dict())
    summary = fields.Dict()


class InstanceDocument(ma.Schema):
    """partnering-instance/1 (../shared/spec/FORMAT.md)."""

    class Meta:
        unknown = ma.INCLUDE

    format = fields.String(metadata={"example": "partnering-instance/1"})


WEBHOOK_EVENT_KINDS = WEBHOOK_KINDS
