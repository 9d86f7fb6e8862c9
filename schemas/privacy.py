"""Wire format of the personal-data export."""

from __future__ import annotations

from marshmallow import Schema, fields


class ExportSchema(Schema):
    exported_at = fields.String()
    profile = fields.Dict()
    devices = fields.List(fields.Dict())
    notification_preferences = fields.Dict(allow_none=True)
    shares = fields.List(fields.Dict())
    comments = fields.List(fields.Dict())
    suggestions = fields.List(fields.Dict())
    ledger = fields.List(fields.Dict())
    badges = fields.List(fields.Dict())
    redemptions = fields.List(fields.Dict())
    notifications = fields.List(fields.Dict())
    sessions = fields.List(fields.Dict(), metadata={"description": "Where I signed in (device, app, times)"})
    policy_acceptances = fields.List(fields.Dict(), metadata={
        "description": "Which versions of the social media policy I accepted, and when"})
