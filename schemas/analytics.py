"""Analytics on the wire."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validates_schema

from schemas.common import Id, RefSchema, Schema, UserRefSchema

MAX_DAYS = 366


class WindowArgsSchema(Schema):
    from_ = ma.fields.Date(data_key="from", metadata={"description": "First day (default: 29 days before `to`)"})
    to = ma.fields.Date(metadata={"description": "Last day, inclusive (default: today in ORG_TIMEZONE)"})

    @validates_schema
    def _order(self, data: dict, **kwargs: object) -> None:
        start, end = data.get("from_"), data.get("to")
        if start and end and start > end:
            raise ma.ValidationError("`from` must not be after `to`.", "from")
        if start and end and (end - start).days >= MAX_DAYS:
            raise ma.ValidationError(f"The window may span at most {MAX_DAYS} days.", "from")


class SummaryArgsSchema(WindowArgsSchema):
    team_id = Id(strict=False)


class ParticipationSchema(Schema):
    eligible = ma.fields.Integer(required=True)
    active = ma.fields.Integer(required=True)
    rate = ma.fields.Float(required=True)


class MoneySchema(Schema):
    amount = ma.fields.String(required=True)
    currency = ma.fields.String(required=True)
    cpm = ma.fields.String(required=True)



class PostRefSchema(Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)


class TopPostItemSchema(Schema):
    post = ma.fields.Nested(PostRefSchema, required=True)
    shares = ma.fields.Integer(required=True)
    clicks = ma.fields.Integer(required=True)


class AdvocateSchema(Schema):
    user = ma.fields.Nested(UserRefSchema, required=True)
    shares = ma.fields.Integer(required=True)
    clicks = ma.fields.Integer(required=True)


class TeamFiguresSchema(Schema):
    team = ma.fields.Nested(RefSchema, required=True)
    eligible = ma.fields.Integer(required=True)
    shares = ma.fields.Integer(required=True)
    comments = ma.fields.Integer(required=True)
    clicks = ma.fields.Integer(required=True)
    estimated_reach = ma.fields.Integer(required=True)


class DayPointSchema(Schema):
    date = ma.fields.Date(required=True)
    shares = ma.fields.Integer(required=True)
    comments = ma.fields.Integer(required=True)
    clicks = ma.fields.Integer(required=True)
    estimated_reach = ma.fields.Integer(required=True)


class FollowerCapsSchema(Schema):
    default = ma.fields.Integer(required=True, metadata={"description": "Most followers a share counts with"})
    by_network = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True,
                                metadata={"description": "Per-network caps that differ from the default"})


class ReachCheckSchema(Schema):
    """How much of the estimated reach rests on self-declared big follower counts."""

    follower_caps = ma.fields.Nested(FollowerCapsSchema, required=True)
    capped_shares = ma.fields.Integer(required=True, metadata={"description": "Shares whose count exceeded the cap"})
    reach_from_capped_counts = ma.fields.Integer(required=True,
                                                 metadata={"description": "Reach those shares count with (capped)"})
    declared_reach_not_counted = ma.fields.Integer(required=True,
                                                   metadata={"description": "Declared followers above the caps"})
    large_count_shares = ma.fields.Integer(required=True,
                                           metadata={"description": "Shares with a count of at least a fifth of "
                                                                    "the cap (not capped)"})
    reach_from_large_counts = ma.fields.Integer(required=True)


class WindowSchema(Schema):
    from_ = ma.fields.Date(data_key="from", attribute="from", required=True)
    to = ma.fields.Date(required=True)
    timezone = ma.fields.String(required=True)


class SummarySchema(Schema):
    window = ma.fields.Nested(WindowSchema, required=True)
    team_id = ma.fields.Integer(allow_none=True, required=True)
    participation = ma.fields.Nested(ParticipationSchema, required=True)
    shares = ma.fields.Integer(required=True)
    shares_by_network = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)
    comments = ma.fields.Integer(required=True)
    clicks = ma.fields.Integer(required=True)
    estimated_reach = ma.fields.Integer(required=True,
                                        metadata={"description": "Sum of the sharers' follower counts, each capped"})
    reach_check = ma.fields.Nested(ReachCheckSchema, required=True)
    earned_media_value = ma.fields.Nested(MoneySchema, required=True)
    top_posts = ma.fields.List(ma.fields.Nested(TopPostItemSchema), required=True)
    top_advocates = ma.fields.List(ma.fields.Nested(AdvocateSchema), required=True)
    by_team = ma.fields.List(ma.fields.Nested(TeamFiguresSchema), required=True)
    series = ma.fields.List(ma.fields.Nested(DayPointSchema), required=True)
