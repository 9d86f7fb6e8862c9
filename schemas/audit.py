"""The audit log as admins read it."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from api.services.audit import KINDS
from schemas.common import PageArgsSchema, Schema


class AuditQueryArgsSchema(PageArgsSchema):
    person = ma.fields.Integer(validate=validate.Range(min=1, max=2**31 - 1), metadata={
        "description": "Only events about this person (their user id)"})
    kind = ma.fields.String(validate=validate.OneOf(KINDS), metadata={"description": "Only events of this kind"})


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
