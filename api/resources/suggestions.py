"""Staff propose stories from their workday."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import select

from api.auth import current_user, require_role
from api.db import db
from api.extensions import Blueprint
from api.idempotency import idempotent
from api.models.posts import Suggestion
from api.pagination import SortKey, paginate
from api.services import suggestions
from schemas.common import PageArgsSchema, page_of
from schemas.suggestions import CreatedSuggestionSchema, SuggestionCreateSchema, SuggestionSchema

URL_PREFIX = ""
blp = Blueprint("suggestions", __name__, description="Story suggestions from staff")


@blp.route("/posts/suggestions")
class Suggestions(MethodView):
    @require_role("staff")
    @blp.arguments(SuggestionCreateSchema)
    @idempotent
    @blp.response(201, CreatedSuggestionSchema)
    def post(self, data: dict):
        """Propose a story for the feed; an admin reviews it"""
        suggestion = suggestions.propose(db.session, current_user().id, data)
        return {"id": suggestion.id, "status": suggestion.status}


@blp.route("/me/suggestions")
class MySuggestions(MethodView):
    @require_role("staff")
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, page_of(SuggestionSchema))
    def get(self, args: dict):
        """My suggestions, newest first, with their status and the reviewer's note"""
        stmt = select(Suggestion).where(Suggestion.user_id == current_user().id)
        rows, next_cursor = paginate(db.session, stmt, [SortKey(Suggestion.id)], lambda s: [s.id],
                                     limit=args["limit"], cursor=args["cursor"], scope="my-suggestions")
        return {"items": suggestions.views(db.session, rows), "next_cursor": next_cursor}
