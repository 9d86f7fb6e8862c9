"""Sign-in, refresh, sign-out and activation."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from api.services import passwords
from api.services.accounts import USERNAME_PATTERN
from schemas.common import Schema, Text
from schemas.users import MeSchema


class LoginSchema(Schema):
    """Either `email` or `username` (people without a work email sign in with the username they
    chose when joining with a code), and the password."""

    email = ma.fields.String(validate=validate.Length(min=3, max=254), metadata={
        "description": "Give `email` or `username`, exactly one of them (else 422 naming `email`)"})
    username = ma.fields.String(validate=[validate.Length(min=3, max=32), validate.Regexp(USERNAME_PATTERN)],
                                metadata={"description": "Instead of email; letters, digits, '.', '_', '-'; "
                                                         "case does not matter"})
    password = ma.fields.String(required=True, validate=validate.Length(min=1, max=256))

    @ma.validates_schema
    def _one_name(self, data: dict, **_kw: object) -> None:
        if ("email" in data) == ("username" in data):
            raise ma.ValidationError("Give your email or your username (one of them).", "email")


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
