"""Teams as admins manage them."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from schemas.common import Id, PatchSchema, Schema, Text, UserRefSchema


class TeamSchema(Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    lead_ids = ma.fields.List(ma.fields.Integer(), required=True)
    leads = ma.fields.List(ma.fields.Nested(UserRefSchema), required=True)
    member_count = ma.fields.Integer(required=True)
    created_at = ma.fields.DateTime(required=True)


LEADS = {"description": "Existing, active people (422 naming lead_ids otherwise); they become members and leads"}


class TeamCreateSchema(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=80))
    lead_ids = ma.fields.List(Id(), load_default=list, validate=validate.Length(max=20), metadata=LEADS)


class TeamPatchSchema(PatchSchema):
    name = Text(validate=validate.Length(min=1, max=80))
    lead_ids = ma.fields.List(Id(), validate=validate.Length(max=20), metadata=LEADS)
