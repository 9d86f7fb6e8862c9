"""Which posts a person may see: published, live (publish_at reached, not expired, not
deleted) and targeted at one of their teams or at everyone. Anything else is a 404 to them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.errors import NotFound
from api.models.posts import Post, PostTarget
from api.models.teams import TeamMembership
from api.models.users import User


def live_posts(now: Any = None) -> Select:
    """Published posts whose time has come and not yet gone, for anyone."""
    now = utcnow() if now is None else now
    return select(Post).where(
        Post.status == "published",
        Post.deleted_at.is_(None),
        Post.publish_at <= now,
        or_(Post.expires_at.is_(None), Post.expires_at > now),
    )


def targeted_at_teams(team_ids: Any):
    """SQL condition: the post targets everyone, or one of `team_ids` (a list, an expanding
    parameter or a subquery)."""
    untargeted = ~exists().where(PostTarget.post_id == Post.id)
    theirs = exists().where(PostTarget.post_id == Post.id, PostTarget.team_id.in_(team_ids))
    return or_(untargeted, theirs)


def targeted_at(user_id: Any):
    """SQL condition: the post targets everyone, or one of the user's teams."""
    return targeted_at_teams(select(TeamMembership.team_id).where(TeamMembership.user_id == user_id))


def visible_posts(user_id: Any, now: Any = None) -> Select:
    return live_posts(now).where(targeted_at(user_id))


def get_visible_post(session: Session, user_id: int, post_id: int) -> Post:
    post = session.scalar(visible_posts(user_id).where(Post.id == post_id))
    if post is None:
        raise NotFound(f"There is no post {post_id} in your feed.")
    return post


def targeted_user_ids(session: Session, post: Post) -> Select:
    """Active, not erased users a post is for (everyone, or the members of its target teams)."""
    stmt = select(User.id).where(User.is_active, User.erased_at.is_(None))
    team_ids = [t.team_id for t in post.targets]
    if team_ids:
        stmt = stmt.where(User.id.in_(select(TeamMembership.user_id).where(TeamMembership.team_id.in_(team_ids))))
    return stmt
