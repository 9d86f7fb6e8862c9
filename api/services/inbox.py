"""Writing to a person's inbox. Every notification lands here; pushing is decided later,
at send time, by the push worker (preferences, quiet hours, daily cap)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import outbox
from api.db import insert_ignore
from api.models.notifications import Notification


def notify(
    session: Session,
    user_id: int,
    category: str,
    title: str,
    body: str = "",
    data: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Add an inbox notification (once per `dedupe_key`) and queue its push decision.

    `data` should carry `deep_link` (e.g. "stafet://posts/12"); values become strings in the push.
    Returns None when a notification with this dedupe_key already exists.
    """
    session.flush()
    row = session.execute(
        insert_ignore(Notification.__table__, session)
        .values(user_id=user_id, category=category, title=title[:200], body=body, data=data or {},
                dedupe_key=dedupe_key, delivery_status="pending", attempts=0)
        .returning(Notification.__table__.c.id)
    ).first()
    if row is None:
        return None
    outbox.publish(session, outbox.PUSH, row[0])
    return session.scalar(select(Notification).where(Notification.id == row[0]))
