"""The mobile feed: what I may see, in a stable order, with my own state — in constant queries.

Order: pinned first, then newest (`publish_at`), then id; the keyset cursor carries all
three, so posts published while someone scrolls never duplicate or shift the next page.
A page costs the same few statements whatever its size: the posts, then one grouped query
each over its shares and its comments (stats and my state together).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from api.models._common import NETWORKS
from api.models.comments import Comment
from api.models.posts import Post
from api.models.shares import Share
from api.pagination import SortKey, paginate
from api.services.scoring import current_rules, points_on_offer
from api.services.visibility import get_visible_post, visible_posts

# The raw columns, in the order of ix_posts_feed_order, so the database walks the index.
FEED_KEYS = [SortKey(Post.pinned), SortKey(Post.publish_at), SortKey(Post.id)]


def _counts(session: Session, user_id: int, post_ids: list[int]) -> tuple[dict[int, dict[str, int]],
                                                                         dict[int, dict[str, Any]]]:
    """Stats and my state for a page in two grouped queries: ({post_id: {shares, comments}},
    {post_id: {shared_on, commented}})."""
    stats = {pid: {"shares": 0, "comments": 0} for pid in post_ids}
    mine: dict[int, dict[str, Any]] = {pid: {"shared_on": [], "commented": False} for pid in post_ids}
    if not post_ids:
        return stats, mine
    mine_on = [func.sum(case((and_(Share.user_id == user_id, Share.network == n), 1), else_=0)) for n in NETWORKS]
    for pid, shares, *on in session.execute(select(Share.post_id, func.count(), *mine_on)
                                            .where(Share.post_id.in_(post_ids)).group_by(Share.post_id)):
        stats[pid]["shares"] = shares
        mine[pid]["shared_on"] = sorted(n for n, k in zip(NETWORKS, on, strict=True) if k)
    live = Comment.deleted_at.is_(None)
    for pid, comments, my_comments in session.execute(
        select(Comment.post_id, func.sum(case((live, 1), else_=0)),
               func.sum(case((and_(live, Comment.user_id == user_id), 1), else_=0)))
        .where(Comment.post_id.in_(post_ids)).group_by(Comment.post_id)
    ):
        stats[pid]["comments"] = int(comments or 0)
        mine[pid]["commented"] = bool(my_comments)
    return stats, mine


def items(session: Session, user_id: int, posts: list[Post]) -> list[dict[str, Any]]:
    stats, mine = _counts(session, user_id, [p.id for p in posts])
    _version, rules = current_rules(session)
    return [
        {
            "id": p.id, "title": p.title, "body": p.body, "link_url": p.link_url, "media": p.media,
            "suggested_captions": p.suggested_captions, "networks": p.networks, "campaign": p.campaign,
            "published_at": p.publish_at, "expires_at": p.expires_at, "pinned": p.pinned,
            "points_on_offer": points_on_offer(rules, p.networks), "stats": stats[p.id], "me": mine[p.id],
        }
        for p in posts
    ]


def feed_page(session: Session, user_id: int, *, limit: int, cursor: str | None) -> dict[str, Any]:
    from sqlalchemy.orm import lazyload

    # A feed item does not show targets: don't load them.
    stmt = visible_posts(user_id).options(lazyload(Post.targets))
    rows, next_cursor = paginate(session, stmt, FEED_KEYS, lambda p: [p.pinned, p.publish_at, p.id],
                                 limit=limit, cursor=cursor, scope=f"feed:{user_id}")
    return {"items": items(session, user_id, rows), "next_cursor": next_cursor}


def one_post(session: Session, user_id: int, post_id: int) -> dict[str, Any]:
    return items(session, user_id, [get_visible_post(session, user_id, post_id)])[0]
