"""The mobile feed and single posts.

Pages are shared by their audience (everyone in the same teams sees the same posts): this
resource keeps them serialized for FEED_CACHE_SECONDS, so a cached page costs no dumping, and
adds each reader's own state (`me`) per request (api/services/feed.py).
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from api.auth import current_user, require_role
from api.db import db
from api.extensions import Blueprint
from api.models.teams import team_ids_of
from api.responses import json_with_etag
from api.services import feed, ttl_cache
from schemas.common import PageArgsSchema, page_of
from schemas.posts import FeedItemSchema

URL_PREFIX = ""
blp = Blueprint("feed", __name__, description="Feed: the stories I can share")

_SHARED = FeedItemSchema(exclude=("me",), many=True)  # what every reader of a page sees, dumped once per page


def _audience_page(teams: tuple[int, ...], limit: int, cursor: str | None) -> dict[str, Any]:
    items, next_cursor = feed.audience_page(db.session, teams, limit=limit, cursor=cursor)
    return {"items": _SHARED.dump(items), "next_cursor": next_cursor}


def feed_page(limit: int, cursor: str | None) -> dict[str, Any]:
    """My page, serialized (JSON values): the audience's cached page plus my own state."""
    user = current_user()
    teams = team_ids_of(user)
    position, cursor = feed.position(user, cursor)
    page = ttl_cache.cached((feed.PAGE_CACHE, teams, position, limit), current_app.config["FEED_CACHE_SECONDS"],
                            lambda: _audience_page(teams, limit, cursor))
    return {"items": feed.with_my_state(db.session, user.id, page["items"]), "next_cursor": page["next_cursor"]}


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
        return json_with_etag(blp, feed_page(args["limit"], args["cursor"]))


@blp.route("/posts/<int:post_id>")
class OnePost(MethodView):
    @require_role("staff")
    @blp.etag
    @blp.response(200, FeedItemSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, post_id: int):
        """One post from my feed (404 when it is not for me, scheduled, expired or deleted)"""
        user = current_user()
        item = _SHARED.dump([feed.one_post(db.session, user, post_id)])
        return json_with_etag(blp, feed.with_my_state(db.session, user.id, item)[0])
