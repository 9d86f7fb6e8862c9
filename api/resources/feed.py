"""The mobile feed and single posts."""

from __future__ import annotations

from flask.views import MethodView

from api.auth import current_user, require_role
from api.db import db
from api.extensions import Blueprint
from api.responses import json_with_etag
from api.services import feed
from schemas.common import PageArgsSchema, page_of
from schemas.posts import FeedItemSchema

URL_PREFIX = ""
blp = Blueprint("feed", __name__, description="Feed: the stories I can share")


@blp.route("/feed")
class Feed(MethodView):
    @require_role("staff")
    @blp.etag
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, page_of(FeedItemSchema))
    def get(self, args: dict):
        """My feed: live posts for my teams or everyone, pinned first, then newest

        Send the `ETag` back as `If-None-Match` to get a 304 when nothing changed.
        `me` tells on which networks I already shared and whether I commented.
        """
        return json_with_etag(blp, feed.feed_page(db.session, current_user(), limit=args["limit"],
                                                  cursor=args["cursor"]))


@blp.route("/posts/<int:post_id>")
class OnePost(MethodView):
    @require_role("staff")
    @blp.etag
    @blp.response(200, FeedItemSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, post_id: int):
        """One post from my feed (404 when it is not for me, scheduled, expired or deleted)"""
        return json_with_etag(blp, feed.one_post(db.session, current_user(), post_id))
