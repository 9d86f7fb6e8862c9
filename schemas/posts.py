"""Posts: the admin's editing view and the feed item staff see."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate, validates_schema

from api.models._common import CAPTION_LIMITS, NETWORKS
from schemas.common import Bool, HttpUrl, Id, PageArgsSchema, PatchSchema, Schema, Text


class MediaSchema(Schema):
    type = ma.fields.String(required=True, validate=validate.OneOf(("image", "video")))
    url = HttpUrl(required=True)


class PostWriteSchema(Schema):
    """Fields an admin sets; on PATCH every field is optional."""

    title = Text(required=True, validate=validate.Length(min=1, max=200))
    body = Text(load_default="", validate=validate.Length(max=10_000))
    link_url = HttpUrl(allow_none=True, load_default=None)
    media = ma.fields.List(ma.fields.Nested(MediaSchema), load_default=list, validate=validate.Length(max=10))
    suggested_captions = ma.fields.Nested(
        Schema.from_dict({n: Text(validate=validate.Length(
            max=CAPTION_LIMITS.get(n, 63206), error=f"The {n} caption is too long: {n} allows at most {{max}} "
                                                    "characters.")) for n in NETWORKS}, name="SuggestedCaptions"),
        load_default=dict,
        metadata={"description": "Caption per network, only for networks in `networks` (422 otherwise), each "
                                 "within its network's limit: " + ", ".join(f"{k} {v}" for k, v in
                                                                            CAPTION_LIMITS.items())},
    )
    networks = ma.fields.List(ma.fields.String(validate=validate.OneOf(NETWORKS)), load_default=lambda: list(NETWORKS),
                              validate=validate.Length(min=1, max=len(NETWORKS)), metadata={"uniqueItems": True})
    target_team_ids = ma.fields.List(Id(), load_default=list, validate=validate.Length(max=200),
                                     metadata={"description": "Empty = everyone; else existing teams (422 otherwise)"})
    campaign = Text(allow_none=True, load_default=None, validate=validate.Length(max=80))
    pinned = Bool(load_default=False)
    status = ma.fields.String(load_default="published", validate=validate.OneOf(("draft", "published")))
    publish_at = ma.fields.AwareDateTime(allow_none=True, load_default=None,
                                         metadata={"description": "Null = now; a future time schedules the post"})
    expires_at = ma.fields.AwareDateTime(allow_none=True, load_default=None,
                                         metadata={"description": "Null = never; after publish_at (422 otherwise)"})
    notify = Bool(load_default=False,
                               metadata={"description": "Push to targeted, opted-in staff when it goes live"})

    @validates_schema
    def _captions_fit(self, data: dict, **kwargs: object) -> None:
        errors: dict[str, list[str]] = {}
        for network, caption in (data.get("suggested_captions") or {}).items():
            limit = CAPTION_LIMITS.get(network)
            if limit is not None and len(caption) > limit:
                errors[f"suggested_captions.{network}"] = [
                    f"The {network} caption is {len(caption)} characters; {network} allows at most {limit}."]
        networks = data.get("networks")
        if networks is not None and len(set(networks)) != len(networks):
            errors["networks"] = ["List each network once."]
        if errors:
            raise ma.ValidationError(errors)


class PostPatchSchema(PatchSchema, PostWriteSchema):
    """Every field optional, at least one; fields left out keep their value (no defaults applied)."""


class PointsOnOfferSchema(Schema):
    share = ma.fields.Integer(required=True)
    personal_caption_bonus = ma.fields.Integer(required=True)
    comment = ma.fields.Integer(required=True)


class PostStatsSchema(Schema):
    shares = ma.fields.Integer(required=True)
    comments = ma.fields.Integer(required=True)


class MyPostStateSchema(Schema):
    shared_on = ma.fields.List(ma.fields.String(), required=True)
    commented = Bool(required=True)


class FeedItemSchema(Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    body = ma.fields.String(required=True)
    link_url = ma.fields.String(allow_none=True, required=True)
    media = ma.fields.List(ma.fields.Nested(MediaSchema), required=True)
    suggested_captions = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True)
    networks = ma.fields.List(ma.fields.String(), required=True)
    campaign = ma.fields.String(allow_none=True)
    published_at = ma.fields.DateTime(required=True)
    expires_at = ma.fields.DateTime(allow_none=True, required=True)
    pinned = Bool(required=True)
    points_on_offer = ma.fields.Nested(PointsOnOfferSchema, required=True)
    stats = ma.fields.Nested(PostStatsSchema, required=True)
    me = ma.fields.Nested(MyPostStateSchema, required=True)


class AdminPostSchema(Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    body = ma.fields.String(required=True)
    link_url = ma.fields.String(allow_none=True, required=True)
    media = ma.fields.List(ma.fields.Nested(MediaSchema), required=True)
    suggested_captions = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True)
    networks = ma.fields.List(ma.fields.String(), required=True)
    target_team_ids = ma.fields.List(ma.fields.Integer(), required=True)
    campaign = ma.fields.String(allow_none=True, required=True)
    pinned = Bool(required=True)
    status = ma.fields.String(required=True)
    state = ma.fields.String(required=True, metadata={"description": "draft, scheduled, live, expired"})
    publish_at = ma.fields.DateTime(allow_none=True, required=True)
    expires_at = ma.fields.DateTime(allow_none=True, required=True)
    notify = Bool(required=True)
    notified_at = ma.fields.DateTime(allow_none=True, required=True)
    suggestion_id = ma.fields.Integer(allow_none=True, required=True)
    stats = ma.fields.Nested(PostStatsSchema, required=True)
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)


class AdminPostQueryArgsSchema(PageArgsSchema):
    state = ma.fields.String(validate=validate.OneOf(("draft", "scheduled", "live", "expired")))
    campaign = ma.fields.String(validate=validate.Length(max=80))
