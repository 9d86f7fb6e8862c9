"""Comments on posts: written and removed with their activity events (points follow in the tally)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.errors import Forbidden, NotFound
from api.models.comments import Comment
from api.models.users import User
from api.services.activity import record_event
from api.services.visibility import get_visible_post


def add(session: Session, user: User, post_id: int, body: str) -> Comment:
    post = get_visible_post(session, user.id, post_id)
    comment = Comment(post_id=post.id, user_id=user.id, body=body)
    session.add(comment)
    session.flush()
    record_event(session, "comment_created", f"comment:{comment.id}", user_id=user.id, post_id=post.id,
                 comment_id=comment.id)
    return comment


def remove(session: Session, user: User, comment_id: int) -> None:
    """The author or an admin removes a comment; its points are reversed by the tally."""
    comment = session.scalar(select(Comment).where(Comment.id == comment_id, Comment.deleted_at.is_(None)))
    if comment is None:
        raise NotFound(f"There is no comment {comment_id}.")
    if comment.user_id != user.id and not user.has_role("admin"):
        raise Forbidden("Only the author or an admin may delete a comment.")
    comment.deleted_at = utcnow()
    comment.deleted_by_id = user.id
    session.flush()
    record_event(session, "comment_deleted", f"comment_deleted:{comment.id}", user_id=comment.user_id,
                 post_id=comment.post_id, comment_id=comment.id)


def listing(post_id: int):
    return select(Comment).where(Comment.post_id == post_id, Comment.deleted_at.is_(None))


def views(session: Session, rows: list[Comment]) -> list[dict[str, Any]]:
    ids = {c.user_id for c in rows if c.user_id}
    rows_ = session.execute(select(User.id, User.display_name).where(User.id.in_(ids))) if ids else []
    names = {uid: name for uid, name in rows_}
    return [{"id": c.id, "author": {"id": c.user_id or 0, "display_name": names.get(c.user_id, "Former colleague")},
             "body": c.body, "created_at": c.created_at} for c in rows]
