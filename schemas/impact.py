"""My impact and our results on the wire."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from schemas.analytics import ParticipationSchema
from schemas.common import Schema
from schemas.leaderboards import PERIODS


class ReportArgsSchema(Schema):
    period = ma.fields.String(load_default="week", validate=validate.OneOf(PERIODS),
                              metadata={"description": "ISO week, calendar month (UTC) or all time"})


class ReportPeriodSchema(Schema):
    key = ma.fields.String(required=True, validate=validate.OneOf(PERIODS))
    start = ma.fields.Date(required=True)
    end = ma.fields.Date(allow_none=True, required=True, metadata={"description": "Exclusive; null for all time"})


class ImpactSchema(Schema):
    period = ma.fields.Nested(ReportPeriodSchema, required=True)
    shares = ma.fields.Integer(required=True, metadata={"description": "My shares in the period"})
    clicks = ma.fields.Integer(required=True, metadata={"description": "Counted clicks on my tracked links"})
    estimated_reach = ma.fields.Integer(required=True, metadata={
        "description": "Sum of my follower counts on the networks I shared to (each capped per network)"})
    streak_days = ma.fields.Integer(required=True, metadata={
        "description": "Consecutive days with a share, up to today (or yesterday)"})
    rank = ma.fields.Integer(allow_none=True, required=True, metadata={
        "description": "My place on the organisation's board for the period (also when I hid myself: only I "
                       "see it); null when I left gamification"})
    on_leaderboard = ma.fields.Boolean(required=True, metadata={
        "description": "Whether others see me on leaderboards"})


class TopPostSchema(Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    shares = ma.fields.Integer(required=True)
    clicks = ma.fields.Integer(required=True)


class ResultsSchema(Schema):
    period = ma.fields.Nested(ReportPeriodSchema, required=True)
    participation = ma.fields.Nested(ParticipationSchema, required=True)
    shares = ma.fields.Integer(required=True)
    clicks = ma.fields.Integer(required=True)
    estimated_reach = ma.fields.Integer(required=True)
    top_posts = ma.fields.List(ma.fields.Nested(TopPostSchema), required=True)
