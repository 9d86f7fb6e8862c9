"""Activity events and the transactional outbox that carries them to the workers.

An event is written in the same transaction as the thing it records (a share, a
comment...), together with an outbox row. After the commit the row is handed to the
queue; the sweeper re-sends rows that were never processed (Redis down, jobs lost),
so an accepted activity is never lost. Events are immutable facts: an event has been
tallied once its "tally" outbox row is processed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, Index, String, and_
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base
from api.models._common import created_at_column

EVENT_KINDS = (
    "share_created",
    "comment_created",
    "comment_deleted",
    "click_counted",
    "suggestion_accepted",
)


class ActivityEvent(Base):
    __tablename__ = "activity_events"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('share_created', 'comment_created', 'comment_deleted', 'click_counted', 'suggestion_accepted')",
            name="kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    # Exactly one event per fact, e.g. "share:42", "click:977".
    dedupe_key: Mapped[str] = mapped_column(String(80), unique=True)
    # Who earns from it (the sharer for a click on their link).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    share_id: Mapped[int | None] = mapped_column(ForeignKey("shares.id", ondelete="SET NULL"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"))
    suggestion_id: Mapped[int | None] = mapped_column(ForeignKey("suggestions.id", ondelete="SET NULL"))
    network: Mapped[str | None] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    occurred_at: Mapped[datetime] = created_at_column()


class OutboxMessage(Base):
    """A unit of work for the queue, committed with the data it refers to."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(32))
    ref_id: Mapped[int]
    created_at: Mapped[datetime] = created_at_column()
    dispatched_at: Mapped[datetime | None]
    processed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))

    @classmethod
    def pending(cls, topic: str) -> ColumnElement[bool]:
        """The topic's rows not processed yet (served by ix_outbox_messages_unprocessed_ref)."""
        return and_(cls.topic == topic, cls.processed_at.is_(None))


Index("ix_outbox_messages_pending", OutboxMessage.processed_at, OutboxMessage.id)
# mark_processed finds a topic's unprocessed rows by ref_id: without this, a scan of the whole outbox.
Index("ix_outbox_messages_unprocessed_ref", OutboxMessage.topic, OutboxMessage.ref_id,
      postgresql_where=OutboxMessage.processed_at.is_(None), sqlite_where=OutboxMessage.processed_at.is_(None))
Index("ix_activity_events_occurred", ActivityEvent.occurred_at)
