"""Shares and comments on the wire."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from api.models._common import NETWORKS
from schemas.common import Schema, Text, UserRefSchema


class ShareCreateSchema(Schema):
    network = ma.fields.String(required=True, validate=validate.OneOf(NETWORKS), metadata={
        "description": "One of the networks this post allows (the post's `networks`); another is a 422"})
    caption = Text(allow_none=True, load_default=None, validate=validate.Length(max=63206),
                   metadata={"description": "What I actually posted; my own words earn a bonus"})


class CaptionCheckSchema(ShareCreateSchema):
    """The share I am about to make, to check before making it."""


class CaptionCheckResultSchema(Schema):
    personal = ma.fields.Boolean(required=True, metadata={
        "description": "Whether the caption counts as my own words (at least 3 words, not a light edit of a "
                       "suggested caption)"})
    points_on_offer = ma.fields.Integer(required=True, metadata={
        "description": "What sharing it now would earn, bonus included (0 for a repeat of a share on this "
                       "network, or when I do not earn points); daily caps may still cut it"})
    caption_max_length = ma.fields.Integer(allow_none=True, required=True, metadata={
        "description": "The network's caption limit in characters, for a counter"})


class ShareSchema(Schema):
    id = ma.fields.Integer(required=True)
    post_id = ma.fields.Integer(required=True)
    network = ma.fields.String(required=True)
    caption = ma.fields.String(allow_none=True)
    tracked_url = ma.fields.String(required=True, metadata={"description": "Post this link: clicks earn points"})
    personal_caption = ma.fields.Boolean(required=True)
    points_pending = ma.fields.Integer(required=True, metadata={"description": "Expected points, awarded shortly"})
    created_at = ma.fields.DateTime(required=True)


class CommentCreateSchema(Schema):
    body = Text(required=True, validate=validate.Length(min=1, max=2000))


class CommentSchema(Schema):
    id = ma.fields.Integer(required=True)
    author = ma.fields.Nested(UserRefSchema, required=True)
    body = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)
