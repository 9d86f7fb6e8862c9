"""Facts that earn points, recorded the way the feature code records them: the row plus its
activity event in one transaction (`record_event`), so the outbox hands it to the tally."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.db import db
from api.models.activity import ActivityEvent
from api.models.comments import Comment
from api.models.ledger import PeriodTotal, TeamPeriodTotal, UserPoints
from api.models.posts import Post, Suggestion
from api.models.shares import Share
from api.services.activity import record_event
from api.services.shares import shared_before


def _backdate(s: Session, event_id: int | None, at: datetime | None) -> None:
    if at is not None and event_id is not None:
        s.execute(update(ActivityEvent).where(ActivityEvent.id == event_id).values(occurred_at=at))


class Facts:
    """`Facts(app).share(user, post, "linkedin")` → share id; each call commits (and, with the
    inline embedded runner, runs the tally right after the commit)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def _commit(self, build: Any) -> Any:
        with self.app.app_context():
            result = build(db.session)
            db.commit()
            return result

    def post(self, author_id: int | None = None, networks: tuple[str, ...] = ("linkedin", "x")) -> int:
        def build(s: Session) -> int:
            post = Post(title="A story", body="...", networks=list(networks), author_id=author_id)
            s.add(post)
            s.flush()
            return post.id

        return self._commit(build)

    def share(self, user_id: int, post_id: int, network: str = "linkedin", personal: bool = False,
              at: datetime | None = None) -> int:
        def build(s: Session) -> int:
            share = Share(post_id=post_id, user_id=user_id, network=network, personal_caption=personal,
                          caption="mine" if personal else None, code=secrets.token_urlsafe(8),
                          is_repeat=shared_before(s, user_id, post_id, network))
            s.add(share)
            s.flush()
            event = record_event(s, "share_created", f"share:{share.id}", user_id=user_id, post_id=post_id,
                                 share_id=share.id, network=network)
            _backdate(s, event, at)
            return share.id

        return self._commit(build)

    def click(self, share_id: int, at: datetime | None = None) -> int:
        def build(s: Session) -> int:
            share = s.get(Share, share_id)
            assert share is not None
            n = secrets.randbelow(10**12)
            event = record_event(s, "click_counted", f"click:{share_id}-{n}", user_id=share.user_id,
                                 post_id=share.post_id, share_id=share_id, network=share.network)
            assert event is not None
            _backdate(s, event, at)
            return event

        return self._commit(build)

    def comment(self, user_id: int, post_id: int, at: datetime | None = None) -> int:
        def build(s: Session) -> int:
            comment = Comment(post_id=post_id, user_id=user_id, body="Nice")
            s.add(comment)
            s.flush()
            event = record_event(s, "comment_created", f"comment:{comment.id}", user_id=user_id, post_id=post_id,
                                 comment_id=comment.id)
            _backdate(s, event, at)
            return comment.id

        return self._commit(build)

    def delete_comment(self, comment_id: int) -> None:
        def build(s: Session) -> None:
            comment = s.get(Comment, comment_id)
            assert comment is not None
            comment.deleted_at = utcnow()
            record_event(s, "comment_deleted", f"comment_deleted:{comment_id}", user_id=comment.user_id,
                         post_id=comment.post_id, comment_id=comment_id)

        self._commit(build)

    def suggestion_accepted(self, user_id: int) -> int:
        def build(s: Session) -> int:
            suggestion = Suggestion(user_id=user_id, title="Idea", body="...", status="approved")
            s.add(suggestion)
            s.flush()
            record_event(s, "suggestion_accepted", f"suggestion:{suggestion.id}", user_id=user_id,
                         suggestion_id=suggestion.id)
            return suggestion.id

        return self._commit(build)


def tally_all(app: Flask) -> int:
    """Run the tally job in this process (what the worker does)."""
    from workers.jobs.tally import tally_events

    with app.app_context():
        return tally_events()


def projection_rows(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """The ledger's projections as sorted tuples (rows of 0 points are no fact: left out), to compare
    a rebuild with the live state."""
    session.expire_all()
    return {
        "user_points": sorted((r.user_id, r.balance, r.lifetime) for r in session.scalars(select(UserPoints))),
        "period_totals": sorted((r.period, r.period_start, r.user_id, r.points)
                                for r in session.scalars(select(PeriodTotal)) if r.points),
        "team_period_totals": sorted((r.period, r.period_start, r.team_id, r.points)
                                     for r in session.scalars(select(TeamPeriodTotal)) if r.points),
    }
