"""Sharing posts and commenting on them."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from api.auth import current_user, require_role
from api.db import db
from api.extensions import Blueprint
from api.idempotency import idempotent
from api.models.comments import Comment
from api.pagination import SortKey, paginate
from api.services import comments, shares
from api.services.visibility import get_visible_post
from schemas.common import PageArgsSchema, page_of
from schemas.shares import (
    CaptionCheckResultSchema,
    CaptionCheckSchema,
    CommentCreateSchema,
    CommentSchema,
    ShareCreateSchema,
    ShareSchema,
)

URL_PREFIX = ""
blp = Blueprint("shares", __name__, description="Sharing and comments")


@blp.route("/posts/<int:post_id>/shares")
class Shares(MethodView):
    @require_role("staff")
    @blp.arguments(ShareCreateSchema)
    @idempotent
    @blp.response(201, ShareSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data: dict, post_id: int):
        """Record that I shared a post; returns my tracked link

        Post `tracked_url` with my caption: clicks on it count for me. Writing the caption
        in my own words (not the suggested one, lightly edited) earns a bonus.
        Send an `Idempotency-Key` so a retry never shares twice.
        """
        user = current_user()
        item = shares.share(db.session, user, post_id, data["network"], data["caption"])
        return shares.view(db.session, item, user, current_app.config["PUBLIC_BASE_URL"])


@blp.route("/posts/<int:post_id>/caption-check")
class CaptionCheck(MethodView):
    @require_role("staff")
    @blp.arguments(CaptionCheckSchema)
    @blp.response(200, CaptionCheckResultSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data: dict, post_id: int):
        """Check a caption before sharing: is it in my own words, and what would the share earn?

        Changes nothing; the staff app calls it as I type (debounced) to show the bonus hint.
        """
        return shares.caption_check(db.session, current_user(), post_id, data["network"], data["caption"])


@blp.route("/posts/<int:post_id>/comments")
class Comments(MethodView):
    @require_role("staff")
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, page_of(CommentSchema))
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict, post_id: int):
        """Comments on a post, newest first"""
        get_visible_post(db.session, current_user().id, post_id)
        rows, next_cursor = paginate(db.session, comments.listing(post_id), [SortKey(Comment.id)], lambda c: [c.id],
                                     limit=args["limit"], cursor=args["cursor"], scope=f"comments:{post_id}")
        return {"items": comments.views(db.session, rows), "next_cursor": next_cursor}

    @require_role("staff")
    @blp.arguments(CommentCreateSchema)
    @idempotent
    @blp.response(201, CommentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data: dict, post_id: int):
        """Comment on a post (1 to 2000 characters)"""
        comment = comments.add(db.session, current_user(), post_id, data["body"])
        return comments.views(db.session, [comment])[0]


@blp.route("/comments/<int:comment_id>")
class OneComment(MethodView):
    @require_role("staff")
    @blp.response(204)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, comment_id: int):
        """Delete a comment (its author or an admin); its points are reversed"""
        comments.remove(db.session, current_user(), comment_id)
        return None
