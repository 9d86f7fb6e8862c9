"""Team leads nudge their team."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from marshmallow import validate

from api.auth import current_user, require_role
from api.db import db
from api.extensions import Blueprint
from api.services import nudges
from schemas.common import Id, Schema, Text

URL_PREFIX = "/teams"
blp = Blueprint("nudges", __name__, description="Leads: nudging a team")


class NudgeSchema(Schema):
    title = Text(required=True, validate=validate.Length(min=1, max=120))
    body = Text(load_default="", validate=validate.Length(max=500))
    post_id = Id(allow_none=True, load_default=None,
                 metadata={"description": "A post live for this team (422 otherwise); null = the feed"})


class NudgeResultSchema(Schema):
    notified = ma.fields.Integer(required=True)


@blp.route("/<int:team_id>/nudges")
class Nudges(MethodView):
    @require_role("lead")
    @blp.arguments(NudgeSchema)
    @blp.response(201, NudgeResultSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, data: dict, team_id: int):
        """Send my team a friendly reminder (category `reminders`), once per team per day"""
        count = nudges.nudge(db.session, current_user(), team_id, title=data["title"], body=data["body"],
                             post_id=data["post_id"], timezone=current_app.config["ORG_TIMEZONE"])
        return {"notified": count}
