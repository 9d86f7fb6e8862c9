"""Join codes, joining with one, and the requests leads decide."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from api.models.join_codes import JOIN_REQUEST_STATUSES
from api.services.accounts import USERNAME_PATTERN
from api.services.join_codes import MAX_LIFETIME, MAX_USES
from schemas.common import PageArgsSchema, RefSchema, Schema, Text

CODE_STATES = ("active", "revoked", "expired", "used_up")


class JoinCodeCreateSchema(Schema):
    expires_at = ma.fields.AwareDateTime(metadata={
        "description": f"When the code stops working: in the future, at most {MAX_LIFETIME.days} days ahead "
                       "(default: 90 days from now)"})
    max_uses = ma.fields.Integer(strict=True, allow_none=True, load_default=None,
                                 validate=validate.Range(min=1, max=MAX_USES),
                                 metadata={"description": "How many people may join with it; null: no limit"})
    auto_approve = ma.fields.Boolean(load_default=False, metadata={
        "description": "Joiners are members at once, without a lead's approval"})


class JoinCodeSchema(Schema):
    id = ma.fields.Integer(required=True)
    team = ma.fields.Nested(RefSchema, required=True)
    code = ma.fields.String(required=True, metadata={
        "description": "As people type it (XXXX-XXXX-XXXX; case, dashes and spaces do not matter)",
        "example": "K7QM-3XHT-P9RD"})
    url = ma.fields.String(required=True, metadata={"description": "The staff app's join screen with the code",
                                                    "example": "https://stafet.example/app/join?code=K7QM-3XHT-P9RD"})
    qr_svg = ma.fields.String(required=True, metadata={"description": "`url` as an SVG QR code (image/svg+xml)"})
    expires_at = ma.fields.DateTime(required=True)
    max_uses = ma.fields.Integer(allow_none=True, required=True)
    uses = ma.fields.Integer(required=True, metadata={"description": "People who joined with it"})
    auto_approve = ma.fields.Boolean(required=True)
    revoked_at = ma.fields.DateTime(allow_none=True, required=True)
    state = ma.fields.String(required=True, validate=validate.OneOf(CODE_STATES))
    created_at = ma.fields.DateTime(required=True)


class JoinSchema(Schema):
    """An email or a username (or both): the person signs in with either."""

    code = ma.fields.String(required=True, validate=validate.Length(min=1, max=32),
                            metadata={"description": "From the poster or the link; case, dashes and spaces "
                                                     "do not matter"})
    display_name = Text(required=True, validate=validate.Length(min=1, max=80))
    password = ma.fields.String(required=True, validate=validate.Length(min=1, max=256),
                                metadata={"description": "At least 10 characters, as at activation"})
    email = ma.fields.Email(validate=validate.Length(max=254))
    username = ma.fields.String(validate=[validate.Length(min=3, max=32), validate.Regexp(USERNAME_PATTERN)],
                                metadata={"description": "Letters, digits, '.', '_', '-'; case does not matter. "
                                                         "Give an email or a username (at least one)"})

    @ma.validates_schema
    def _a_name_to_sign_in_with(self, data: dict, **_kw: object) -> None:
        if not data.get("email") and not data.get("username"):
            raise ma.ValidationError("Give an email or a username to sign in with.", "username")


class JoinPendingSchema(Schema):
    status = ma.fields.String(required=True, validate=validate.OneOf(["pending"]))
    team = ma.fields.Nested(RefSchema, required=True)


class JoinRequestSchema(Schema):
    id = ma.fields.Integer(required=True)
    team_id = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, validate=validate.OneOf(JOIN_REQUEST_STATUSES))
    display_name = ma.fields.String(required=True)
    user_id = ma.fields.Integer(allow_none=True, required=True, metadata={
        "description": "null once declined (the account is deleted)"})
    email = ma.fields.String(allow_none=True, required=True)
    username = ma.fields.String(allow_none=True, required=True)
    join_code_id = ma.fields.Integer(allow_none=True, required=True)
    created_at = ma.fields.DateTime(required=True)
    decided_by_id = ma.fields.Integer(allow_none=True, required=True, metadata={
        "description": "null while pending and for codes that approve by themselves"})
    decided_at = ma.fields.DateTime(allow_none=True, required=True)


class JoinRequestQueryArgsSchema(PageArgsSchema):
    status = ma.fields.String(validate=validate.OneOf(JOIN_REQUEST_STATUSES), metadata={
        "description": "Only requests in this state (default: all)"})
