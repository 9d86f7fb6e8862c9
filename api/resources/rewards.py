"""The rewards catalog, and redeeming points."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import select

from api.auth import current_user, require_role
from api.db import db
from api.extensions import Blueprint
from api.idempotency import idempotent
from api.models.rewards import Redemption, Reward
from api.pagination import SortKey, paginate
from api.services import rewards
from schemas.common import PageArgsSchema, page_of
from schemas.rewards import RedemptionSchema, RewardSchema

URL_PREFIX = ""
blp = Blueprint("rewards", __name__, description="Rewards: spending points")


@blp.route("/rewards")
class Catalog(MethodView):
    @require_role("staff")
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, page_of(RewardSchema))
    def get(self, args: dict):
        """The active rewards catalog, cheapest first"""
        stmt = select(Reward).where(Reward.active.is_(True))
        rows, next_cursor = paginate(db.session, stmt, [SortKey(Reward.cost, False), SortKey(Reward.id, False)],
                                     lambda r: [r.cost, r.id], limit=args["limit"], cursor=args["cursor"],
                                     scope="rewards")
        return {"items": rows, "next_cursor": next_cursor}


@blp.route("/rewards/<int:reward_id>/redemptions")
class Redeem(MethodView):
    @require_role("staff")
    @idempotent
    @blp.response(201, RedemptionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="My balance is too low "
                      "(type insufficient-balance)")
    def post(self, reward_id: int):
        """Redeem a reward: the cost is taken from my balance at once; an admin then approves it

        409 when out of stock or beyond the per-person limit, 422 when my balance is too
        low. Send an `Idempotency-Key`: a retry never redeems twice.
        """
        redemption = rewards.redeem(db.session, current_user(), reward_id)
        return rewards.views(db.session, [redemption])[0]


@blp.route("/me/redemptions")
class MyRedemptions(MethodView):
    @require_role("staff")
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, page_of(RedemptionSchema))
    def get(self, args: dict):
        """My redemptions, newest first, with their status"""
        stmt = select(Redemption).where(Redemption.user_id == current_user().id)
        rows, next_cursor = paginate(db.session, stmt, [SortKey(Redemption.id)], lambda r: [r.id],
                                     limit=args["limit"], cursor=args["cursor"], scope="my-redemptions")
        return {"items": rewards.views(db.session, rows), "next_cursor": next_cursor}
