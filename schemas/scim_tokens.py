"""SCIM tokens as admins manage them."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from schemas.common import Schema


class ScimTokenCreateSchema(Schema):
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=80), metadata={
        "description": "Which identity provider uses it", "example": "Microsoft Entra ID"})


class ScimTokenSchema(Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)
    last_used_at = ma.fields.DateTime(allow_none=True, required=True)
    revoked_at = ma.fields.DateTime(allow_none=True, required=True)


class ScimTokenCreatedSchema(ScimTokenSchema):
    token = ma.fields.String(required=True, metadata={
        "description": "The bearer token for the identity provider: shown only in this answer"})
