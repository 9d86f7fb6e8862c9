"""Admin: the rewards catalog and the redemption queue."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import select

from api.auth import current_user, require_role
from api.db import db
from api.extensions import Blueprint
from api.models.rewards import Redemption, Reward
from api.pagination import SortKey, paginate
from api.services import rewards
from schemas.common import page_of
from schemas.rewards import (
    AdminRedemptionQueryArgsSchema,
    AdminRedemptionSchema,
    AdminRewardQueryArgsSchema,
    AdminRewardSchema,
    RedemptionDecisionSchema,
    RewardPatchSchema,
    RewardWriteSchema,
)

URL_PREFIX = "/admin"
blp = Blueprint("admin_rewards", __name__, description="Admin: rewards catalog and redemptions")


@blp.route("/rewards")
class AdminRewards(MethodView):
    @require_role("admin")
    @blp.arguments(AdminRewardQueryArgsSchema, location="query")
    @blp.response(200, page_of(AdminRewardSchema))
    def get(self, args: dict):
        """Every reward, active or not"""
        stmt = select(Reward)
        if "active" in args:
            stmt = stmt.where(Reward.active.is_(args["active"]))
        rows, next_cursor = paginate(db.session, stmt, [SortKey(Reward.id)], lambda r: [r.id],
                                     limit=args["limit"], cursor=args["cursor"], scope="admin-rewards")
        return {"items": rewards.reward_views(db.session, rows), "next_cursor": next_cursor}

    @require_role("admin")
    @blp.arguments(RewardWriteSchema)
    @blp.response(201, AdminRewardSchema)
    def post(self, data: dict):
        """Add a reward (stock null = unlimited, per_user_limit null = no limit)"""
        return rewards.reward_views(db.session, [rewards.create_reward(db.session, data)])[0]


@blp.route("/rewards/<int:reward_id>")
class AdminReward(MethodView):
    @require_role("admin")
    @blp.response(200, AdminRewardSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, reward_id: int):
        """One reward"""
        return rewards.reward_views(db.session, [rewards.get_reward(db.session, reward_id)])[0]

    @require_role("admin")
    @blp.arguments(RewardPatchSchema)
    @blp.response(200, AdminRewardSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data: dict, reward_id: int):
        """Edit a reward: price, stock, limit, activation"""
        reward = rewards.update_reward(db.session, rewards.get_reward(db.session, reward_id), data)
        return rewards.reward_views(db.session, [reward])[0]

    @require_role("admin")
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, reward_id: int):
        """Remove a reward (deactivated instead when it has redemptions)"""
        rewards.retire_reward(db.session, rewards.get_reward(db.session, reward_id))
        return None


@blp.route("/redemptions")
class AdminRedemptions(MethodView):
    @require_role("admin")
    @blp.arguments(AdminRedemptionQueryArgsSchema, location="query")
    @blp.response(200, page_of(AdminRedemptionSchema))
    def get(self, args: dict):
        """The redemption queue, oldest first, optionally by status"""
        stmt = select(Redemption)
        if args.get("status"):
            stmt = stmt.where(Redemption.status == args["status"])
        rows, next_cursor = paginate(db.session, stmt, [SortKey(Redemption.id, False)], lambda r: [r.id],
                                     limit=args["limit"], cursor=args["cursor"], scope="admin-redemptions")
        return {"items": rewards.views(db.session, rows, with_user=True), "next_cursor": next_cursor}


@blp.route("/redemptions/<int:redemption_id>")
class AdminRedemption(MethodView):
    @require_role("admin")
    @blp.response(200, AdminRedemptionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, redemption_id: int):
        """One redemption"""
        return rewards.views(db.session, [rewards.get_redemption(db.session, redemption_id)], with_user=True)[0]

    @require_role("admin")
    @blp.arguments(RedemptionDecisionSchema)
    @blp.response(200, AdminRedemptionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data: dict, redemption_id: int):
        """Approve, mark fulfilled, or reject (refunds the points and restores stock)

        pending → approved | rejected; approved → fulfilled | rejected. Anything else is 409.
        """
        redemption = rewards.decide(db.session, rewards.get_redemption(db.session, redemption_id),
                                    status=data["status"], note=data["note"], admin_id=current_user().id)
        return rewards.views(db.session, [redemption], with_user=True)[0]
