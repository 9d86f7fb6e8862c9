"""Admin: the review queue of story suggestions."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import select

from api.auth import current_user, require_role
from api.db import db
from api.extensions import Blueprint
from api.models.posts import Suggestion
from api.pagination import SortKey, paginate
from api.services import suggestions
from schemas.common import page_of
from schemas.suggestions import AdminSuggestionQueryArgsSchema, AdminSuggestionSchema, ReviewSchema

URL_PREFIX = "/admin/suggestions"
blp = Blueprint("admin_suggestions", __name__, description="Admin: story suggestions review queue")


@blp.route("")
class AdminSuggestions(MethodView):
    @require_role("admin")
    @blp.arguments(AdminSuggestionQueryArgsSchema, location="query")
    @blp.response(200, page_of(AdminSuggestionSchema))
    def get(self, args: dict):
        """The review queue (pending by default), oldest first"""
        stmt = select(Suggestion).where(Suggestion.status == args["status"])
        rows, next_cursor = paginate(db.session, stmt, [SortKey(Suggestion.id, descending=False)], lambda s: [s.id],
                                     limit=args["limit"], cursor=args["cursor"], scope="admin-suggestions")
        return {"items": suggestions.views(db.session, rows, with_author=True), "next_cursor": next_cursor}


@blp.route("/<int:suggestion_id>")
class AdminSuggestion(MethodView):
    @require_role("admin")
    @blp.arguments(ReviewSchema)
    @blp.response(200, AdminSuggestionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data: dict, suggestion_id: int):
        """Approve (creates a draft post to edit and publish) or decline with a note"""
        suggestion = suggestions.review(db.session, suggestions.get(db.session, suggestion_id),
                                        status=data["status"], note=data["note"], reviewer_id=current_user().id)
        return suggestions.views(db.session, [suggestion], with_author=True)[0]
