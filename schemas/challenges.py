"""Challenges on the wire."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from schemas.common import Id, Schema, Text

KINDS = ("individual", "team")
METRICS = ("points", "shares", "comments", "clicks")
STATUSES = ("upcoming", "active", "ended", "cancelled")


class ChallengeWriteSchema(Schema):
    title = Text(required=True, validate=validate.Length(min=1, max=200))
    description = Text(load_default="", validate=validate.Length(max=5000))
    kind = ma.fields.String(required=True, validate=validate.OneOf(KINDS))
    metric = ma.fields.String(required=True, validate=validate.OneOf(METRICS))
    post_ids = ma.fields.List(Id(), load_default=list, validate=validate.Length(max=200),
                              metadata={"description": "Only these posts count (a campaign); empty = all"})
    team_ids = ma.fields.List(Id(), required=True, validate=validate.Length(min=1, max=100))
    starts_at = ma.fields.AwareDateTime(required=True)
    ends_at = ma.fields.AwareDateTime(required=True)
    prize_points = ma.fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=1_000_000))


class ChallengePatchSchema(ChallengeWriteSchema):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class StandingSchema(Schema):
    rank = ma.fields.Integer(required=True)
    user = ma.fields.Dict(metadata={"description": "{id, display_name} (individual challenges)"})
    team = ma.fields.Dict(metadata={"description": "{id, name} (team challenges)"})
    value = ma.fields.Float(required=True, metadata={"description": "The metric; per active member for teams"})
    total = ma.fields.Integer()
    members = ma.fields.Integer()


class ChallengeSchema(Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, validate=validate.OneOf(KINDS))
    metric = ma.fields.String(required=True, validate=validate.OneOf(METRICS))
    post_ids = ma.fields.List(ma.fields.Integer(), required=True)
    team_ids = ma.fields.List(ma.fields.Integer(), required=True)
    starts_at = ma.fields.DateTime(required=True)
    ends_at = ma.fields.DateTime(required=True)
    prize_points = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, validate=validate.OneOf(STATUSES))
    created_by_id = ma.fields.Integer(allow_none=True)
    standings = ma.fields.List(ma.fields.Nested(StandingSchema), required=True)


class ChallengeListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(ChallengeSchema), required=True)


class ChallengeQueryArgsSchema(Schema):
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
