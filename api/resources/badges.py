"""Badges: the catalog, mine, and the admin's management."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import select

from api.auth import current_user, require_role
from api.db import db
from api.extensions import Blueprint
from api.models.badges import Badge
from api.services import badges
from schemas.badges import (
    AdminBadgeListSchema,
    AdminBadgeSchema,
    BadgeListSchema,
    BadgePatchSchema,
    BadgeWriteSchema,
    EarnedListSchema,
    RevocationSchema,
)

URL_PREFIX = ""
blp = Blueprint("badges", __name__, description="Badges")


@blp.route("/badges")
class Catalog(MethodView):
    @require_role("staff")
    @blp.response(200, BadgeListSchema)
    def get(self):
        """Every badge there is to earn, with when I earned it (or null)"""
        return {"items": badges.catalog(db.session, current_user().id)}


@blp.route("/me/badges")
class MyBadges(MethodView):
    @require_role("staff")
    @blp.response(200, EarnedListSchema)
    def get(self):
        """The badges I earned, newest first"""
        return {"items": badges.mine(db.session, current_user().id)}


@blp.route("/admin/badges")
class AdminBadges(MethodView):
    @require_role("admin")
    @blp.response(200, AdminBadgeListSchema)
    def get(self):
        """All badges with their criteria and how many people hold them"""
        rows = db.session.scalars(select(Badge).order_by(Badge.id))
        return {"items": [badges.admin_view(db.session, b) for b in rows]}

    @require_role("admin")
    @blp.arguments(BadgeWriteSchema)
    @blp.response(201, AdminBadgeSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict):
        """Create a badge: `count` (N actions, optionally within a window) or `streak` (N days in a row)"""
        return badges.admin_view(db.session, badges.create_badge(db.session, data))


@blp.route("/admin/badges/<int:badge_id>")
class AdminBadge(MethodView):
    @require_role("admin")
    @blp.arguments(BadgePatchSchema)
    @blp.response(200, AdminBadgeSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT", description="Another badge has this code")
    def patch(self, data: dict, badge_id: int):
        """Edit a badge (people who earned it keep it)"""
        return badges.admin_view(db.session, badges.update_badge(db.session, badges.get_badge(db.session, badge_id),
                                                                 data))

    @require_role("admin")
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, badge_id: int):
        """Retire a badge: no longer awarded; people who earned it keep it"""
        badges.get_badge(db.session, badge_id).active = False
        return None


@blp.route("/admin/badges/<int:badge_id>/revocations")
class Revocations(MethodView):
    @require_role("admin")
    @blp.arguments(RevocationSchema)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data: dict, badge_id: int):
        """Take a badge back from someone, with a reason kept for audit"""
        badges.revoke(db.session, badges.get_badge(db.session, badge_id), data["user_id"], data["reason"],
                      current_user().id)
        return None
