"""The social media policy and accepting it."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from api.services.policy import TEXT_MAX
from schemas.common import Schema, Text


class PolicyWriteSchema(Schema):
    text = Text(required=True, validate=validate.Length(min=1, max=TEXT_MAX), metadata={
        "description": "The whole policy (plain text; blank lines separate paragraphs)"})


class PublishedPolicySchema(Schema):
    version = ma.fields.Integer(required=True, metadata={"description": "Goes up by one with each changed text"})
    text = ma.fields.String(required=True)
    published_at = ma.fields.DateTime(required=True)


class PolicySchema(Schema):
    version = ma.fields.Integer(allow_none=True, required=True, metadata={
        "description": "The current version; null while the organisation has no policy (then nothing is gated)"})
    text = ma.fields.String(allow_none=True, required=True)
    published_at = ma.fields.DateTime(allow_none=True, required=True)
    accepted = ma.fields.Boolean(required=True, metadata={
        "description": "Whether I accepted this version (true when there is no policy). Until then sharing "
                       "answers 409 policy-not-accepted"})


class PolicyAcceptanceSchema(Schema):
    version = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1),
                                metadata={"description": "The version I read: must be the current one"})


class PolicyStatusSchema(Schema):
    version = ma.fields.Integer(allow_none=True, required=True, metadata={
        "description": "The current policy version; null: there is no policy"})
    accepted = ma.fields.Boolean(required=True, metadata={
        "description": "false: show the policy (GET /policy) and ask me to accept it before I share"})
