"""My points history."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import select

from api.auth import current_user, require_role
from api.db import db
from api.extensions import Blueprint
from api.models.ledger import LedgerEntry
from api.pagination import SortKey, paginate
from schemas.common import PageArgsSchema, page_of
from schemas.points import LedgerEntrySchema

URL_PREFIX = "/me/points"
blp = Blueprint("my_points", __name__, description="My points history")


@blp.route("")
class MyPoints(MethodView):
    @require_role("staff")
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, page_of(LedgerEntrySchema))
    def get(self, args: dict):
        """My ledger entries, newest first

        Every change to my points: shares, bonuses, comments, clicks, accepted
        suggestions, reversals, adjustments, challenge prizes, redemptions and refunds.
        """
        stmt = select(LedgerEntry).where(LedgerEntry.user_id == current_user().id)
        rows, next_cursor = paginate(
            db.session, stmt, [SortKey(LedgerEntry.created_at), SortKey(LedgerEntry.id)],
            lambda e: [e.created_at, e.id], limit=args["limit"], cursor=args["cursor"], scope="my-points",
        )
        return {"items": rows, "next_cursor": next_cursor}
