"""The signed-in person: profile, settings, social profiles."""

from __future__ import annotations

from flask.views import MethodView

from api.auth import current_user, require_role
from api.db import db
from api.extensions import Blueprint
from api.services import users
from schemas.users import MePatchSchema, MeSchema

URL_PREFIX = "/me"
blp = Blueprint("me", __name__, description="The signed-in person")


@blp.route("")
class Me(MethodView):
    @require_role("staff")
    @blp.response(200, MeSchema)
    def get(self):
        """My profile, teams, points, level and settings"""
        return users.profile(db.session, current_user())

    @require_role("staff")
    @blp.arguments(MePatchSchema)
    @blp.response(200, MeSchema)
    def patch(self, data: dict):
        """Change my display name, language, privacy settings or follower counts

        `settings.gamification_enabled=false` leaves points, badges, challenges and
        leaderboards; `settings.leaderboard_visible=false` keeps earning but hides me
        from leaderboards others see. `social_profiles` replaces the list.
        """
        user = current_user()
        users.update_profile(
            db.session,
            user,
            display_name=data.get("display_name"),
            settings=data.get("settings"),
            social_profiles=data.get("social_profiles"),
            locale=data.get("locale"),
        )
        return users.profile(db.session, user)
