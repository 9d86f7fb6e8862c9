"""Activity events: the facts points are tallied from, written with the change they record."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api import outbox
from api.db import insert_ignore
from api.models.activity import ActivityEvent


def record_event(
    session: Session,
    kind: str,
    dedupe_key: str,
    *,
    user_id: int | None,
    post_id: int | None = None,
    share_id: int | None = None,
    comment_id: int | None = None,
    suggestion_id: int | None = None,
    network: str | None = None,
    payload: dict[str, Any] | None = None,
) -> int | None:
    """Record one fact exactly once (by `dedupe_key`) plus its outbox row: the event's id, or None
    if it was already recorded."""
    session.flush()
    result = session.execute(
        insert_ignore(ActivityEvent.__table__, session)
        .values(
            kind=kind,
            dedupe_key=dedupe_key,
            user_id=user_id,
            post_id=post_id,
            share_id=share_id,
            comment_id=comment_id,
            suggestion_id=suggestion_id,
            network=network,
            payload=payload or {},
        )
        .returning(ActivityEvent.__table__.c.id)
    ).first()
    if result is None:
        return None
    outbox.publish(session, outbox.TALLY, result[0])
    return int(result[0])
