"""The mobile feed: what I may see, in a stable order, with my own state — in constant queries.

Order: pinned first, then newest (`publish_at`), then id; the keyset cursor carries all
three, so posts published while someone scrolls never duplicate or shift the next page.
A page costs the same few statements whatever its size: the posts, then one grouped query
each for stats, my shares and my comments.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models.comments import Comment
from api.models.posts import Post
from api.models.shares import Share
from api.pagination import SortKey, paginate
from api.services import posts as posts_service
from api.services.scoring import current_rules, points_on_offer
from api.services.visibility import get_visible_post, visible_posts

# The raw columns, in the order of ix_posts_feed_order, so the database walks the index.
FEED_KEYS = [SortKey(Post.pinned), SortKey(Post.publish_at), SortKey(Post.id)]


def _my_state(session: Session, user_id: int, post_ids: list[int]) -> dict[int, dict[str, Any]]:
    state: dict[int, dict[str, Any]] = {pid: {"shared_on": [], "commented": False} for pid in post_ids}
    if not post_ids:
        return state
    for pid, network in session.execute(
        select(Share.post_id, Share.network).where(Share.user_id == user_id, Share.post_id.in_(post_ids))
        .group_by(Share.post_id, Share.network).order_by(Share.network)
    ):
        state[pid]["shared_on"].append(network)
    for pid in session.scalars(
        select(Comment.post_id).where(Comment.user_id == user_id, Comment.post_id.in_(post_ids),
                                      Comment.deleted_at.is_(None)).group_by(Comment.post_id)
    ):
        state[pid]["commented"] = True
    return state


def items(session: Session, user_id: int, posts: list[Post]) -> list[dict[str, Any]]:
    ids = [p.id for p in posts]
    stats = posts_service.stats_for(session, ids)
    mine = _my_state(session, user_id, ids)
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


def etag_of(payload: Any) -> str:
    import json

    raw = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":")).encode()
    return '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'


def total_visible(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(visible_posts(user_id).subquery())) or 0
