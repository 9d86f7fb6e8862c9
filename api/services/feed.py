"""The mobile feed: what I may see, in a stable order, with my own state — in constant queries.

Order: pinned first, then newest (`publish_at`), then id; the keyset cursor carries all
three, so posts published while someone scrolls never duplicate or shift the next page.
A page is one statement whatever its size: the posts with their stats and my state
(correlated subqueries, evaluated for the page's rows only) and the current scoring rules.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, exists, func, select
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.db import UTCDateTime
from api.errors import NotFound
from api.models.comments import Comment
from api.models.posts import Post
from api.models.shares import Share
from api.pagination import SortKey, paginate
from api.services.scoring import newest_rules_column, points_on_offer, with_defaults
from api.services.visibility import visible_posts

# The raw columns, in the order of ix_posts_feed_order, so the database walks the index.
FEED_KEYS = [SortKey(Post.pinned), SortKey(Post.publish_at), SortKey(Post.id)]


ITEM_COLUMNS = (Post.id, Post.title, Post.body, Post.link_url, Post.media, Post.suggested_captions, Post.networks,
                Post.campaign, Post.publish_at, Post.expires_at, Post.pinned)


def _with_stats_and_mine(stmt: Select, user_id: int) -> Select:
    """The item columns plus, per post, its stats and my state — correlated subqueries on the
    (post_id, user_id) indexes, evaluated only for the rows of the page."""
    shares = select(func.count()).where(Share.post_id == Post.id).correlate(Post).scalar_subquery()
    comments = (select(func.count()).where(Comment.post_id == Post.id, Comment.deleted_at.is_(None))
                .correlate(Post).scalar_subquery())
    my_networks = (select(func.aggregate_strings(Share.network, ","))
                   .where(Share.post_id == Post.id, Share.user_id == user_id).correlate(Post).scalar_subquery())
    commented = (exists().where(Comment.post_id == Post.id, Comment.user_id == user_id, Comment.deleted_at.is_(None))
                 .correlate(Post))
    return stmt.with_only_columns(*ITEM_COLUMNS, shares.label("n_shares"), comments.label("n_comments"),
                                  my_networks.label("my_networks"), commented.label("commented"),
                                  newest_rules_column().label("rules"))


def _item(row: Any, rules: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row.id, "title": row.title, "body": row.body, "link_url": row.link_url, "media": row.media,
        "suggested_captions": row.suggested_captions, "networks": row.networks, "campaign": row.campaign,
        "published_at": row.publish_at, "expires_at": row.expires_at, "pinned": row.pinned,
        "points_on_offer": points_on_offer(rules, row.networks),
        "stats": {"shares": row.n_shares or 0, "comments": row.n_comments or 0},
        "me": {"shared_on": sorted(set(row.my_networks.split(","))) if row.my_networks else [],
               "commented": bool(row.commented)},
    }


@cache
def _page_statement() -> Select:
    """Built once: constructing this statement costs more Python than running it."""
    user_id = bindparam("feed_user_id", type_=Integer)
    return _with_stats_and_mine(visible_posts(user_id, bindparam("feed_now", type_=UTCDateTime)), user_id)


def feed_page(session: Session, user_id: int, *, limit: int, cursor: str | None) -> dict[str, Any]:
    rows, next_cursor = paginate(session, _page_statement(), FEED_KEYS, lambda r: [r.pinned, r.publish_at, r.id],
                                 limit=limit, cursor=cursor, scope=f"feed:{user_id}", scalars=False,
                                 params={"feed_user_id": user_id, "feed_now": utcnow()})
    rules = with_defaults(rows[0].rules) if rows else {}
    return {"items": [_item(r, rules) for r in rows], "next_cursor": next_cursor}


def one_post(session: Session, user_id: int, post_id: int) -> dict[str, Any]:
    row = session.execute(_page_statement().where(Post.id == post_id),
                          {"feed_user_id": user_id, "feed_now": utcnow()}).first()
    if row is None:
        raise NotFound(f"There is no post {post_id} in your feed.")
    return _item(row, with_defaults(row.rules))
