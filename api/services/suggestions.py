"""Stories proposed by staff: the pipeline's most authentic source.

Approving turns a suggestion into a *draft* post (the admin edits, targets and publishes
it) and records a `suggestion_accepted` event, from which the tally awards the suggester.
A suggestion is reviewed once: reviewing it again is a 409.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.errors import Conflict, NotFound
from api.models.posts import Post, Suggestion
from api.models.users import User
from api.services.activity import record_event


def propose(session: Session, user_id: int, data: dict[str, Any]) -> Suggestion:
    suggestion = Suggestion(user_id=user_id, status="pending", **data)
    session.add(suggestion)
    session.flush()
    return suggestion


def get(session: Session, suggestion_id: int) -> Suggestion:
    suggestion = session.get(Suggestion, suggestion_id)
    if suggestion is None:
        raise NotFound(f"There is no suggestion {suggestion_id}.")
    return suggestion


def review(session: Session, suggestion: Suggestion, *, status: str, note: str | None, reviewer_id: int) -> Suggestion:
    claimed = session.execute(
        update(Suggestion).where(Suggestion.id == suggestion.id, Suggestion.status == "pending")
        .values(status=status, note=note, reviewed_by_id=reviewer_id, reviewed_at=utcnow())
        .execution_options(synchronize_session=False).returning(Suggestion.id)
    ).first()
    if claimed is None:
        raise Conflict(f"Suggestion {suggestion.id} was already {suggestion.status}.")
    session.refresh(suggestion)
    if status == "approved":
        media = [{"type": "image", "url": suggestion.image_url}] if suggestion.image_url else []
        session.add(Post(title=suggestion.title, body=suggestion.body, link_url=suggestion.link_url, media=media,
                         status="draft", author_id=reviewer_id, suggestion_id=suggestion.id, targets=[]))
        record_event(session, "suggestion_accepted", f"suggestion:{suggestion.id}", user_id=suggestion.user_id,
                     suggestion_id=suggestion.id)
    session.flush()
    return suggestion


def views(session: Session, rows: list[Suggestion], *, with_author: bool = False) -> list[dict[str, Any]]:
    ids = [s.id for s in rows]
    drafts = {sid: pid for sid, pid in session.execute(
        select(Post.suggestion_id, Post.id).where(Post.suggestion_id.in_(ids)))} if ids else {}
    authors: dict[int, User] = {}
    if with_author:
        user_ids = {s.user_id for s in rows if s.user_id}
        authors = {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    out = []
    for s in rows:
        item = {name: getattr(s, name) for name in ("id", "title", "body", "link_url", "image_url", "status", "note",
                                                   "created_at", "reviewed_at")}
        item["post_id"] = drafts.get(s.id)
        if with_author:
            author = authors.get(s.user_id) if s.user_id else None
            item["author"] = {"id": author.id, "display_name": author.display_name} if author else None
        out.append(item)
    return out
