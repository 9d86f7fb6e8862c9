"""Invitations and password resets."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from schemas.common import Schema
from schemas.users import InvitedUserSchema


class ReinvitedUserSchema(InvitedUserSchema):
    invitation_mailed = ma.fields.Boolean(required=True, metadata={
        "description": "True when the invitation was mailed; false for someone without an email, who needs "
                       "`invite_url` from you"})


class PasswordResetRequestSchema(Schema):
    email = ma.fields.Email(required=True, validate=validate.Length(max=254))


class PasswordResetAcceptedSchema(Schema):
    detail = ma.fields.String(required=True, metadata={
        "description": "The same text whether or not the address belongs to an account"})


class PasswordResetConfirmSchema(Schema):
    token = ma.fields.String(required=True, validate=validate.Length(min=1, max=512),
                             metadata={"description": "From the link /app/reset?token=…"})
    password = ma.fields.String(required=True, validate=validate.Length(min=1, max=256))


class ResetLinkSchema(Schema):
    url = ma.fields.String(required=True, metadata={"description": "/app/reset?token=…; works once"})
    expires_at = ma.fields.DateTime(required=True)
    qr_svg = ma.fields.String(required=True, metadata={"description": "The link as a QR code (an SVG document)"})
