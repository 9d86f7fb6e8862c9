"""Leaderboards on the wire."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from schemas.common import Id, RefSchema, Schema, UserRefSchema

PERIODS = ("week", "month", "all_time")


class LeaderboardArgsSchema(Schema):
    scope = ma.fields.String(load_default="org", validate=validate.OneOf(("org", "team")))
    team_id = Id(strict=False, metadata={"description": "Required with scope=team (422 otherwise)"})
    period = ma.fields.String(load_default="week", validate=validate.OneOf(PERIODS))
    limit = ma.fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    offset = ma.fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))


class TeamBoardArgsSchema(Schema):
    period = ma.fields.String(load_default="week", validate=validate.OneOf(PERIODS))


class PeriodSchema(Schema):
    start = ma.fields.Date(required=True)
    end = ma.fields.Date(allow_none=True, required=True, metadata={"description": "Exclusive; null for all time"})


class EntrySchema(Schema):
    rank = ma.fields.Integer(required=True)
    user = ma.fields.Nested(UserRefSchema, required=True)
    points = ma.fields.Integer(required=True)


class MyRankSchema(Schema):
    rank = ma.fields.Integer(required=True)
    points = ma.fields.Integer(required=True)


class LeaderboardSchema(Schema):
    period = ma.fields.Nested(PeriodSchema, required=True)
    scope = ma.fields.String(required=True)
    team_id = ma.fields.Integer(allow_none=True, required=True)
    entries = ma.fields.List(ma.fields.Nested(EntrySchema), required=True)
    me = ma.fields.Nested(MyRankSchema, allow_none=True, required=True,
                          metadata={"description": "My place (even when I hide myself); null if I left gamification"})


class TeamEntrySchema(Schema):
    rank = ma.fields.Integer(required=True)
    team = ma.fields.Nested(RefSchema, required=True)
    points = ma.fields.Integer(required=True)
    active_members = ma.fields.Integer(required=True)
    points_per_member = ma.fields.Float(required=True)


class TeamBoardSchema(Schema):
    period = ma.fields.Nested(PeriodSchema, required=True)
    entries = ma.fields.List(ma.fields.Nested(TeamEntrySchema), required=True)
