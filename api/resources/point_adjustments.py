"""Admin: point adjustments."""

from __future__ import annotations

from flask.views import MethodView

from api.auth import current_user, require_role
from api.db import db
from api.extensions import Blueprint
from api.idempotency import idempotent
from api.services import adjustments
from schemas.points import AdjustmentCreateSchema, AdjustmentSchema

URL_PREFIX = "/admin/points/adjustments"
blp = Blueprint("point_adjustments", __name__, description="Admin: point adjustments")


@blp.route("")
class PointAdjustments(MethodView):
    @require_role("admin")
    @blp.arguments(AdjustmentCreateSchema)
    @idempotent
    @blp.response(201, AdjustmentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict):
        """Add or take away points for someone, with a reason

        Writes a ledger entry with action `adjustment`. It counts as earned points
        (lifetime, level, leaderboards); a negative one may leave a negative balance.
        Send an `Idempotency-Key` so a retried request adds it once.
        """
        return adjustments.adjust(db.session, user_id=data["user_id"], amount=data["amount"],
                                  reason=data["reason"], admin_id=current_user().id)
