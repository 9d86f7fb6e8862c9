"""Badges on the wire."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from api.models.ledger import LEDGER_ACTIONS, SPENDING_ACTIONS
from schemas.common import Bool, HttpUrl, Id, PatchSchema, Schema, Text

EARNING_ACTIONS = tuple(a for a in LEDGER_ACTIONS if a not in SPENDING_ACTIONS and a != "comment_reversal")


class CriteriaSchema(Schema):
    type = ma.fields.String(required=True, validate=validate.OneOf(("count", "streak")))
    action = ma.fields.String(required=True, validate=validate.OneOf(EARNING_ACTIONS))
    threshold = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100_000))
    window_days = ma.fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1, max=3660),
                                    metadata={"description": "count only: only the last N days"})


class BadgeWriteSchema(Schema):
    code = ma.fields.String(required=True, validate=[validate.Length(min=1, max=40),
                                                     validate.Regexp(r"^[a-z0-9][a-z0-9-]*$")])
    name = Text(required=True, validate=validate.Length(min=1, max=80))
    description = Text(load_default="", validate=validate.Length(max=2000))
    icon_url = HttpUrl(allow_none=True, load_default=None)
    criteria = ma.fields.Nested(CriteriaSchema, required=True)
    active = Bool(load_default=True)


class BadgePatchSchema(PatchSchema, BadgeWriteSchema):
    """Every field optional, at least one; fields left out keep their value."""


class BadgeSchema(Schema):
    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    icon_url = ma.fields.String(allow_none=True, required=True)


class CatalogBadgeSchema(BadgeSchema):
    earned_at = ma.fields.DateTime(allow_none=True, required=True)


class AdminBadgeSchema(BadgeSchema):
    criteria = ma.fields.Nested(CriteriaSchema, required=True)
    active = Bool(required=True)
    holders = ma.fields.Integer(required=True)


class EarnedBadgeSchema(Schema):
    badge = ma.fields.Nested(BadgeSchema, required=True)
    awarded_at = ma.fields.DateTime(required=True)


class BadgeListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(CatalogBadgeSchema), required=True)


class EarnedListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(EarnedBadgeSchema), required=True)


class AdminBadgeListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(AdminBadgeSchema), required=True)


class RevocationSchema(Schema):
    user_id = Id(required=True)
    reason = Text(required=True, validate=validate.Length(min=1, max=500))
