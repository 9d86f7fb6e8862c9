"""Devices, notification preferences and the inbox on the wire."""

from __future__ import annotations

from zoneinfo import ZoneInfo, available_timezones

import marshmallow as ma
from marshmallow import validate, validates, validates_schema

from api.models.notifications import CATEGORIES
from schemas.common import Bool, PageArgsSchema, Schema

_HHMM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="Use 24-hour HH:MM, e.g. 22:00.")
_ZONES = available_timezones()
IANA = {"description": "An IANA timezone name, e.g. Europe/Copenhagen (422 otherwise)"}


def check_timezone(value: str) -> None:
    if value not in _ZONES:
        raise ma.ValidationError(f"{value!r} is not an IANA timezone name (e.g. Europe/Oslo).")
    ZoneInfo(value)


class DeviceCreateSchema(Schema):
    token = ma.fields.String(required=True, validate=[
        validate.Length(min=1, max=4096),
        # FCM registration tokens and installation ids are printable ASCII without spaces.
        validate.Regexp(r"^[!-~]+$", error="The token must be printable ASCII characters without spaces.")])
    platform = ma.fields.String(required=True, validate=validate.OneOf(("ios", "android", "web")))
    app_version = ma.fields.String(allow_none=True, load_default=None, validate=validate.Length(max=40))
    locale = ma.fields.String(allow_none=True, load_default=None, validate=validate.Length(max=35))
    timezone = ma.fields.String(allow_none=True, load_default=None, validate=check_timezone,
                                metadata=IANA)


class DeviceSchema(Schema):
    id = ma.fields.Integer(required=True)
    platform = ma.fields.String(required=True)
    app_version = ma.fields.String(allow_none=True, required=True)
    locale = ma.fields.String(allow_none=True, required=True)
    timezone = ma.fields.String(allow_none=True, required=True)
    active = Bool(required=True)
    created_at = ma.fields.DateTime(required=True)


class QuietHoursSchema(Schema):
    start = ma.fields.String(required=True, validate=_HHMM)
    end = ma.fields.String(required=True, validate=_HHMM)

    @validates_schema
    def _different(self, data: dict, **kwargs: object) -> None:
        if data.get("start") == data.get("end"):
            raise ma.ValidationError("start and end must differ (use null for no quiet hours).", "end")


class CategoriesSchema(Schema):
    new_content = Bool(required=True)
    challenges = Bool(required=True)
    badges = Bool(required=True)
    rewards = Bool(required=True)
    reminders = Bool(required=True)


class PreferencesSchema(Schema):
    push_enabled = Bool(required=True, metadata={"description": "Off until I turn it on"})
    categories = ma.fields.Nested(CategoriesSchema, required=True)
    quiet_hours = ma.fields.Nested(QuietHoursSchema, allow_none=True, required=True,
                                   metadata={"description": "null = none; start and end must differ (422)"})
    timezone = ma.fields.String(required=True, validate=check_timezone, metadata=IANA)
    max_per_day = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=20))

    @validates("categories")
    def _all_categories(self, value: dict, **kwargs: object) -> None:
        missing = [c for c in CATEGORIES if c not in value]
        if missing:
            raise ma.ValidationError(f"Missing categories: {', '.join(missing)}.")


class NotificationSchema(Schema):
    id = ma.fields.Integer(required=True)
    category = ma.fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    title = ma.fields.String(required=True)
    body = ma.fields.String(required=True)
    data = ma.fields.Dict(required=True)
    created_at = ma.fields.DateTime(required=True)
    read_at = ma.fields.DateTime(allow_none=True, required=True)
    delivery = ma.fields.Dict(required=True, metadata={"description": "Whether and why (not) it was pushed"})


class InboxArgsSchema(PageArgsSchema):
    unread = ma.fields.Boolean()
