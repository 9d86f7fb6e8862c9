"""The mobile feed: what I may see, in a stable order, with my own state — in constant queries.

Order: pinned first, then newest (`publish_at`), then id; the keyset cursor carries all
three, so posts published while someone scrolls never duplicate or shift the next page.

Everyone in the same teams sees the same posts, so a page belongs to its *audience* (the set
of team ids): the posts with their stats and points on offer, read in one statement. The
resource (api/resources/feed.py) keeps serialized pages per audience for FEED_CACHE_SECONDS
under the `PAGE_CACHE` key, which `forget_pages` clears when posts change. Only `me` — the
networks I shared on, whether I commented — is read per request, in one statement for the whole
page. So a new, edited or scheduled post reaches the feed within those seconds (at once in the
process that made the admin change), and `stats` may be as old; `me` is always current.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, null, select, union_all
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.db import UTCDateTime
from api.errors import NotFound
from api.models.comments import Comment
from api.models.posts import Post
from api.models.shares import Share
from api.models.teams import team_ids_of
from api.models.users import User
from api.pagination import InvalidCursor, SortKey, decode_cursor, encode_cursor, paginate
from api.services import ttl_cache
from api.services.scoring import newest_rules_column, points_on_offer, with_defaults
from api.services.visibility import live_posts, targeted_at_teams

# The raw columns, in the order of ix_posts_feed_order, so the database walks the index.
FEED_KEYS = [SortKey(Post.pinned), SortKey(Post.publish_at), SortKey(Post.id)]


ITEM_COLUMNS = (Post.id, Post.title, Post.body, Post.link_url, Post.media, Post.suggested_captions, Post.networks,
                Post.campaign, Post.publish_at, Post.expires_at, Post.pinned)
CURSOR_SCOPE = "feed"  # a position in the one feed order: the same for every reader
PAGE_CACHE = "feed"  # the ttl_cache key prefix of the serialized audience pages


def _shared_item(row: Any, rules: dict[str, Any]) -> dict[str, Any]:
    """What every reader of a post sees."""
    return {
        "id": row.id, "title": row.title, "body": row.body, "link_url": row.link_url, "media": row.media,
        "suggested_captions": row.suggested_captions, "networks": row.networks, "campaign": row.campaign,
        "published_at": row.publish_at, "expires_at": row.expires_at, "pinned": row.pinned,
        "points_on_offer": points_on_offer(rules, row.networks),
        "stats": {"shares": row.n_shares or 0, "comments": row.n_comments or 0},
    }


@cache
def _audience_page_statement() -> Select:
    """Live posts for everyone or for one of `feed_teams`, with their stats (correlated
    subqueries, evaluated for the page's rows only) and the current rules; nothing about the
    reader. Built once: constructing it costs more Python than running it."""
    shares = select(func.count()).where(Share.post_id == Post.id).correlate(Post).scalar_subquery()
    comments = (select(func.count()).where(Comment.post_id == Post.id, Comment.deleted_at.is_(None))
                .correlate(Post).scalar_subquery())
    return (live_posts(bindparam("feed_now", type_=UTCDateTime))
            .where(targeted_at_teams(bindparam("feed_teams", expanding=True)))
            .with_only_columns(*ITEM_COLUMNS, shares.label("n_shares"), comments.label("n_comments"),
                               newest_rules_column().label("rules")))


@cache
def _mine_statement() -> Any:
    """(post_id, network) for each of my shares on the given posts, and (post_id, NULL) where I
    commented: my state for a whole page in one statement."""
    me, ids = bindparam("me", type_=Integer), bindparam("ids", expanding=True)
    shared = select(Share.post_id, Share.network).where(Share.user_id == me, Share.post_id.in_(ids))
    commented = (select(Comment.post_id, null().label("network"))
                 .where(Comment.user_id == me, Comment.post_id.in_(ids), Comment.deleted_at.is_(None)))
    return union_all(shared, commented)


def with_my_state(session: Session, user_id: int, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items (plain or serialized, keyed by "id"), each with `me`: the networks I shared it on,
    whether I commented."""
    networks: dict[int, set[str]] = {item["id"]: set() for item in items}
    commented: set[int] = set()
    if networks:
        for post_id, network in session.execute(_mine_statement(), {"me": user_id, "ids": list(networks)}):
            if network:
                networks[post_id].add(network)
            else:
                commented.add(post_id)
    return [{**item, "me": {"shared_on": sorted(networks[item["id"]]), "commented": item["id"] in commented}}
            for item in items]


def _items(rows: Sequence[Any]) -> list[dict[str, Any]]:
    rules = with_defaults(rows[0].rules) if rows else {}
    return [_shared_item(r, rules) for r in rows]


def position(user: User, cursor: str | None) -> tuple[tuple[Any, ...] | None, str | None]:
    """Where `cursor` points in the feed order (None: the first page), and the cursor in today's
    shared form. A bad cursor is a 400 before anything else is read."""
    if not cursor:
        return None, cursor
    try:
        return tuple(decode_cursor(cursor, CURSOR_SCOPE)), cursor
    except InvalidCursor:  # one issued per reader, before pages were shared: still good
        where = tuple(decode_cursor(cursor, f"feed:{user.id}"))
        return where, encode_cursor(list(where), CURSOR_SCOPE)


def audience_page(session: Session, teams: tuple[int, ...], *, limit: int,
                  cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """The page every member of `teams` sees (nothing about the reader), and the next cursor."""
    rows, next_cursor = paginate(session, _audience_page_statement(), FEED_KEYS,
                                 lambda r: [r.pinned, r.publish_at, r.id], limit=limit, cursor=cursor,
                                 scope=CURSOR_SCOPE, scalars=False,
                                 params={"feed_teams": list(teams), "feed_now": utcnow()})
    return _items(rows), next_cursor


def forget_pages() -> None:
    """Posts changed: this process's cached pages go now (other processes' within the TTL)."""
    ttl_cache.forget(PAGE_CACHE)


def one_post(session: Session, user: User, post_id: int) -> dict[str, Any]:
    """One post of my feed, read fresh (not from a shared page), without `me`."""
    rows = session.execute(_audience_page_statement().where(Post.id == post_id),
                           {"feed_teams": list(team_ids_of(user)), "feed_now": utcnow()}).all()
    if not rows:
        raise NotFound(f"There is no post {post_id} in your feed.")
    return _items(rows)[0]
