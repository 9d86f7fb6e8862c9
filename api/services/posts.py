"""Curating posts: create, edit, delete, list, and announcing them when they go live.

A post is *live* when published, its `publish_at` has come and it has not expired; the feed
follows that rule by itself (api/services/visibility.py), so a scheduled post appears at
`publish_at` with nobody touching it. Announcing (the `notify` push fan-out) happens exactly
once per post: a conditional UPDATE of `notified_at` decides who announces, either the
request that publishes it now or the periodic `publish_due_posts` job.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from api import outbox
from api.clock import utcnow
from api.db import after_commit
from api.errors import NotFound, field_error
from api.models.comments import Comment
from api.models.posts import Post, PostTarget
from api.models.shares import Share
from api.models.teams import Team
from api.services.clicks import forget_links
from api.services.feed import forget_pages

EDITABLE = ("title", "body", "link_url", "media", "suggested_captions", "networks", "campaign", "pinned", "status",
            "publish_at", "expires_at", "notify")


def state_of(post: Post, now: datetime | None = None) -> str:
    now = now or utcnow()
    if post.status == "draft":
        return "draft"
    if post.publish_at is not None and post.publish_at > now:
        return "scheduled"
    if post.expires_at is not None and post.expires_at <= now:
        return "expired"
    return "live"


def get_post(session: Session, post_id: int) -> Post:
    post = session.scalar(select(Post).where(Post.id == post_id, Post.deleted_at.is_(None)))
    if post is None:
        raise NotFound(f"There is no post {post_id}.")
    return post


def _check_targets(session: Session, team_ids: list[int]) -> list[int]:
    wanted = sorted(set(team_ids))
    if not wanted:
        return []
    found = set(session.scalars(select(Team.id).where(Team.id.in_(wanted))))
    missing = [t for t in wanted if t not in found]
    if missing:
        raise field_error("target_team_ids", f"No such team: {', '.join(map(str, missing))}.")
    return wanted


def _check_consistency(post: Post) -> None:
    unknown = sorted(set(post.suggested_captions) - set(post.networks))
    if unknown:
        raise field_error("suggested_captions", f"Captions for networks the post does not allow: {', '.join(unknown)}.")
    if post.expires_at is not None and post.publish_at is not None and post.expires_at <= post.publish_at:
        raise field_error("expires_at", "expires_at must be after publish_at.")


def _apply(session: Session, post: Post, data: dict[str, Any]) -> None:
    for name in EDITABLE:
        if name in data:
            setattr(post, name, data[name])
    if "target_team_ids" in data:
        post.targets = [PostTarget(team_id=t) for t in _check_targets(session, data["target_team_ids"])]
    if post.status == "published" and post.publish_at is None:
        post.publish_at = utcnow()
    _check_consistency(post)


def create_post(session: Session, data: dict[str, Any], author_id: int | None) -> Post:
    post = Post(author_id=author_id, targets=[])
    _apply(session, post, data)
    session.add(post)
    session.flush()
    announce_if_due(session, post.id)
    _posts_changed(session)
    return post


def update_post(session: Session, post: Post, data: dict[str, Any]) -> Post:
    _apply(session, post, data)
    session.flush()
    announce_if_due(session, post.id)
    _posts_changed(session)
    return post


def delete_post(session: Session, post: Post) -> None:
    """Soft delete: shares, clicks and points earned on it stay in the ledger and analytics."""
    post.deleted_at = utcnow()
    session.flush()
    _posts_changed(session)


def _posts_changed(session: Session) -> None:
    """This process forgets its feed pages and link targets once the change commits."""
    after_commit(session, forget_pages, key="forget-feed-pages")
    after_commit(session, forget_links, key="forget-link-targets")


def announce_if_due(session: Session, post_id: int) -> bool:
    """Hand a live `notify` post to the push fan-out, once; True if this call did it."""
    now = utcnow()
    claimed = session.execute(
        update(Post)
        .where(Post.id == post_id, Post.notify.is_(True), Post.notified_at.is_(None), Post.status == "published",
               Post.deleted_at.is_(None), Post.publish_at <= now)
        .where((Post.expires_at.is_(None)) | (Post.expires_at > now))
        .values(notified_at=now)
        .execution_options(synchronize_session=False)
        .returning(Post.id)
    ).first()
    if claimed is None:
        return False
    outbox.publish(session, outbox.ANNOUNCE, post_id)
    return True


def due_announcements(session: Session, limit: int = 500) -> list[int]:
    now = utcnow()
    return list(session.scalars(
        select(Post.id).where(Post.notify.is_(True), Post.notified_at.is_(None), Post.status == "published",
                              Post.deleted_at.is_(None), Post.publish_at <= now)
        .order_by(Post.publish_at).limit(limit)
    ))


def admin_list_query(state: str | None = None, campaign: str | None = None) -> Select:
    now = utcnow()
    stmt = select(Post).where(Post.deleted_at.is_(None))
    if campaign:
        stmt = stmt.where(Post.campaign == campaign)
    if state == "draft":
        stmt = stmt.where(Post.status == "draft")
    elif state == "scheduled":
        stmt = stmt.where(Post.status == "published", Post.publish_at > now)
    elif state == "expired":
        stmt = stmt.where(Post.status == "published", Post.expires_at <= now)
    elif state == "live":
        stmt = stmt.where(Post.status == "published", Post.publish_at <= now,
                          (Post.expires_at.is_(None)) | (Post.expires_at > now))
    return stmt


def stats_for(session: Session, post_ids: list[int]) -> dict[int, dict[str, int]]:
    """{post_id: {shares, comments}} in two grouped queries."""
    stats = {pid: {"shares": 0, "comments": 0} for pid in post_ids}
    if not post_ids:
        return stats
    for pid, n in session.execute(select(Share.post_id, func.count()).where(Share.post_id.in_(post_ids))
                                  .group_by(Share.post_id)):
        stats[pid]["shares"] = n
    for pid, n in session.execute(select(Comment.post_id, func.count())
                                  .where(Comment.post_id.in_(post_ids), Comment.deleted_at.is_(None))
                                  .group_by(Comment.post_id)):
        stats[pid]["comments"] = n
    return stats


def admin_views(session: Session, posts: list[Post]) -> list[dict[str, Any]]:
    stats = stats_for(session, [p.id for p in posts])
    now = utcnow()
    return [
        {
            **{name: getattr(p, name) for name in (*EDITABLE, "id", "notified_at", "suggestion_id", "created_at",
                                                   "updated_at")},
            "target_team_ids": p.target_team_ids,
            "state": state_of(p, now),
            "stats": stats[p.id],
        }
        for p in posts
    ]
