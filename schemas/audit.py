"""The audit log as admins read it."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate, validates_schema

from api.services.audit import KINDS
from schemas.common import PageArgsSchema, Schema


def _person() -> ma.fields.Integer:
    return ma.fields.Integer(validate=validate.Range(min=1, max=2**31 - 1), metadata={
        "description": "Only events about this person (their user id)"})


def _kind() -> ma.fields.String:
    return ma.fields.String(validate=validate.OneOf(KINDS), metadata={"description": "Only events of this kind"})


class AuditQueryArgsSchema(PageArgsSchema):
    person = _person()
    kind = _kind()


class AuditExportArgsSchema(Schema):
    """The list's filters, and an optional window of calendar days (ORG_TIMEZONE); no window: every
    event still kept."""

    person = _person()
    kind = _kind()
    from_ = ma.fields.Date(data_key="from", metadata={
        "description": "First day, in the organisation's timezone (default: the oldest event kept); "
                       "must not be after `to`"})
    to = ma.fields.Date(metadata={"description": "Last day, inclusive (default: today)"})

    @validates_schema
    def _order(self, data: dict, **kwargs: object) -> None:
        start, end = data.get("from_"), data.get("to")
        if start and end and start > end:
            raise ma.ValidationError("`from` must not be after `to`.", "from")


class AuditEventSchema(Schema):
    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": list(KINDS)})
    actor_id = ma.fields.Integer(allow_none=True, required=True, metadata={
        "description": "Who did it; null for an identity provider (SCIM) or a failed sign-in"})
    subject_user_id = ma.fields.Integer(allow_none=True, required=True, metadata={
        "description": "Whom it was about"})
    at = ma.fields.DateTime(required=True)
    detail = ma.fields.Dict(required=True, metadata={
        "description": "What changed (never a password or token)"})
