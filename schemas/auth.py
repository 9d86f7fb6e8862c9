"""Sign-in, refresh, sign-out and activation."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from api.services import passwords
from schemas.common import Schema, Text
from schemas.users import MeSchema


class LoginSchema(Schema):
    email = ma.fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = ma.fields.String(required=True, validate=validate.Length(min=1, max=256))


class RefreshSchema(Schema):
    refresh_token = ma.fields.String(required=True, validate=validate.Length(min=1, max=512))


class ActivateSchema(Schema):
    invite_token = ma.fields.String(required=True, validate=validate.Length(min=1, max=512))
    password = ma.fields.String(required=True, validate=validate.Length(min=passwords.MIN_LENGTH,
                                                                         max=passwords.MAX_LENGTH))
    display_name = Text(validate=validate.Length(min=1, max=80),
                        metadata={"description": "Not the name of an admin (422: impersonation)"})


class TokenPairSchema(Schema):
    access_token = ma.fields.String(required=True)
    refresh_token = ma.fields.String(required=True)
    token_type = ma.fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = ma.fields.Integer(required=True, metadata={"description": "Seconds the access token is valid"})
    user = ma.fields.Nested(MeSchema, required=True)
