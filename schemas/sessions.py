"""My sessions: the apps I am signed in to."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from api.services.sessions import APPS
from schemas.common import Schema


class SessionSchema(Schema):
    id = ma.fields.Integer(required=True)
    device = ma.fields.String(required=True, metadata={
        "description": "From the User-Agent at sign-in, e.g. \"Chrome on Android\"", "example": "Safari on iPhone"})
    app = ma.fields.String(required=True, validate=validate.OneOf(APPS), metadata={
        "description": "From the X-Client header at sign-in (staff-app, console), else staff_app for a page of "
                       "this site, else other"})
    created_at = ma.fields.DateTime(required=True, metadata={"description": "When I signed in"})
    last_used_at = ma.fields.DateTime(required=True, metadata={
        "description": "The last sign-in or token refresh (the app refreshes about every 15 minutes while in use)"})
    current = ma.fields.Boolean(required=True, metadata={"description": "The session of the token of this request"})


class SessionListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(SessionSchema), required=True, metadata={
        "description": "Live sessions, most recently used first"})
