"""Story suggestions from staff and the admin's review."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from schemas.common import HttpUrl, PageArgsSchema, Schema, Text, UserRefSchema

STATUSES = ("pending", "approved", "declined")


class SuggestionCreateSchema(Schema):
    title = Text(required=True, validate=validate.Length(min=1, max=200))
    body = Text(required=True, validate=validate.Length(min=1, max=5000))
    link_url = HttpUrl(allow_none=True, load_default=None)
    image_url = HttpUrl(allow_none=True, load_default=None)


class SuggestionSchema(Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    body = ma.fields.String(required=True)
    link_url = ma.fields.String(allow_none=True, required=True)
    image_url = ma.fields.String(allow_none=True, required=True)
    status = ma.fields.String(required=True, validate=validate.OneOf(STATUSES))
    note = ma.fields.String(allow_none=True, required=True, metadata={"description": "The reviewer's note"})
    post_id = ma.fields.Integer(allow_none=True, required=True, metadata={"description": "Draft made from it"})
    created_at = ma.fields.DateTime(required=True)
    reviewed_at = ma.fields.DateTime(allow_none=True, required=True)


class CreatedSuggestionSchema(Schema):
    id = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True)


class AdminSuggestionSchema(SuggestionSchema):
    author = ma.fields.Nested(UserRefSchema, allow_none=True, required=True)


class ReviewSchema(Schema):
    status = ma.fields.String(required=True, validate=validate.OneOf(("approved", "declined")))
    note = Text(allow_none=True, load_default=None, validate=validate.Length(max=2000))


class AdminSuggestionQueryArgsSchema(PageArgsSchema):
    status = ma.fields.String(load_default="pending", validate=validate.OneOf(STATUSES))
