"""Challenges on the wire."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from api.models.scoring import CHALLENGE_PRIZE_LIMIT
from schemas.common import Id, PatchSchema, Schema, Text

KINDS = ("individual", "team")
METRICS = ("points", "shares", "comments", "clicks")
STATUSES = ("upcoming", "active", "ended", "cancelled")
PRIZE_STATUSES = ("approved", "awaiting_approval", "withheld")


class ChallengeWriteSchema(Schema):
    title = Text(required=True, validate=validate.Length(min=1, max=200))
    description = Text(load_default="", validate=validate.Length(max=5000))
    kind = ma.fields.String(required=True, validate=validate.OneOf(KINDS))
    metric = ma.fields.String(required=True, validate=validate.OneOf(METRICS))
    post_ids = ma.fields.List(Id(), load_default=list, validate=validate.Length(max=200),
                              metadata={"description": "Only these posts count (a campaign); empty = all. Each must "
                                                       "be live (published, not expired or deleted) for everyone or "
                                                       "for one of the challenge's teams, else 422"})
    team_ids = ma.fields.List(Id(), required=True, validate=validate.Length(min=1, max=100),
                              metadata={"description": "Existing teams the caller leads (admins: any); 422 otherwise"})
    starts_at = ma.fields.AwareDateTime(required=True, metadata={
        "description": "Not more than 5 minutes in the past (422)"})
    ends_at = ma.fields.AwareDateTime(required=True, metadata={
        "description": "At least the server's CHALLENGE_MIN_HOURS (default 24) after starts_at (422)"})
    prize_points = ma.fields.Integer(
        load_default=0, strict=True, validate=validate.Range(min=0, max=CHALLENGE_PRIZE_LIMIT),
        metadata={"description": "Set by a lead above the scoring rules' max_challenge_prize, the prize waits for "
                                 "an admin's approval (prize_status) and is paid only if approved by the end"})


class ChallengePatchSchema(PatchSchema, ChallengeWriteSchema):
    """Every field optional, at least one; fields left out keep their value."""


class StandingUserSchema(Schema):
    id = ma.fields.Integer(required=True, allow_none=True,
                           metadata={"description": "null for someone shown anonymously or erased"})
    display_name = ma.fields.String(required=True, metadata={
        "description": "\"Anonymous colleague\" for someone who hid from leaderboards (except to themselves), "
                       "\"Former colleague\" for an erased account"})


class StandingTeamSchema(Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)


class StandingSchema(Schema):
    rank = ma.fields.Integer(required=True)
    user = ma.fields.Nested(StandingUserSchema, metadata={"description": "Individual challenges"})
    team = ma.fields.Nested(StandingTeamSchema, metadata={"description": "Team challenges"})
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
    prize_status = ma.fields.String(required=True, validate=validate.OneOf(PRIZE_STATUSES), metadata={
        "description": "approved: paid at the end; awaiting_approval: above max_challenge_prize, paid only if an "
                       "admin approves it before the end; withheld: ended unapproved, nothing was paid"})
    status = ma.fields.String(required=True, validate=validate.OneOf(STATUSES))
    created_by_id = ma.fields.Integer(allow_none=True, metadata={
        "description": "The lead or admin who set it up; they run it and take no part in the standings or prizes"})
    standings = ma.fields.List(ma.fields.Nested(StandingSchema), required=True)


class ChallengeListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(ChallengeSchema), required=True)


class ChallengeQueryArgsSchema(Schema):
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
