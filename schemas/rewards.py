"""The rewards catalog and redemptions."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from schemas.common import Bool, HttpUrl, PageArgsSchema, PatchSchema, Schema, Text, UserRefSchema

REDEMPTION_STATUSES = ("pending", "approved", "fulfilled", "rejected")


class RewardWriteSchema(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=120))
    description = Text(load_default="", validate=validate.Length(max=5000))
    cost = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10_000_000))
    stock = ma.fields.Integer(allow_none=True, load_default=None, strict=True,
                              validate=validate.Range(min=0, max=10_000_000),
                              metadata={"description": "null = unlimited"})
    per_user_limit = ma.fields.Integer(allow_none=True, load_default=None, strict=True,
                                       validate=validate.Range(min=1, max=1000),
                                       metadata={"description": "null = no limit"})
    active = Bool(load_default=True)
    image_url = HttpUrl(allow_none=True, load_default=None)


class RewardPatchSchema(PatchSchema, RewardWriteSchema):
    """Every field optional, at least one; fields left out keep their value."""


class RewardSchema(Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    cost = ma.fields.Integer(required=True)
    stock = ma.fields.Integer(allow_none=True, required=True)
    per_user_limit = ma.fields.Integer(allow_none=True, required=True)
    image_url = ma.fields.String(allow_none=True, required=True)


class AdminRewardSchema(RewardSchema):
    active = Bool(required=True)
    redemptions = ma.fields.Integer(required=True, metadata={"description": "Not rejected"})
    created_at = ma.fields.DateTime(required=True)


class RedemptionSchema(Schema):
    id = ma.fields.Integer(required=True)
    reward_id = ma.fields.Integer(required=True)
    reward_name = ma.fields.String(required=True)
    cost = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, validate=validate.OneOf(REDEMPTION_STATUSES))
    note = ma.fields.String(allow_none=True, required=True)
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)


class AdminRedemptionSchema(RedemptionSchema):
    user = ma.fields.Nested(UserRefSchema, required=True)


class RedemptionDecisionSchema(Schema):
    status = ma.fields.String(required=True, validate=validate.OneOf(("approved", "fulfilled", "rejected")))
    note = Text(allow_none=True, load_default=None, validate=validate.Length(max=2000))


class AdminRedemptionQueryArgsSchema(PageArgsSchema):
    status = ma.fields.String(validate=validate.OneOf(REDEMPTION_STATUSES))


class AdminRewardQueryArgsSchema(PageArgsSchema):
    active = ma.fields.Boolean()
