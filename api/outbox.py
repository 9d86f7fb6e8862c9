"""The transactional outbox: rows committed with the data, handed to the job system afterwards.

`publish(session, topic, ref_id)` adds a row inside the caller's transaction and, once that
commits, asks the app's job gateway (api.jobs) to run the topic's handler right away (the fast
path). The workers' sweep (workers/outbox.py) re-dispatches rows still unprocessed after a grace
period — the enqueue failed, Redis lost its queue, a worker died mid-job — so an accepted
activity is never lost. Handlers are idempotent and call `mark_processed`.

The topics are named here; which job handles each is the workers' table (workers/registry.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from api import jobs
from api.clock import utcnow
from api.db import after_commit
from api.models.activity import OutboxMessage

log = logging.getLogger(__name__)

TALLY = "tally"  # an activity event to tally (ref_id: the event); one batch job drains them all
PUSH = "push"  # a notification to push (ref_id: the notification); one batch job sends them all
ANNOUNCE = "post_published"  # a post to announce to everyone it targets (ref_id: the post)
MAIL = "mail"  # a mail to send (ref_id: the mail_messages row)
TOPICS = (TALLY, PUSH, ANNOUNCE, MAIL)


class _DispatchAfterCommit:
    """The ids one transaction published on one topic, dispatched together once it commits."""

    def __init__(self, topic: str) -> None:
        self.topic = topic
        self.ref_ids: list[int] = []

    def __call__(self) -> None:
        try:
            dispatch(self.topic, self.ref_ids)
        except Exception:  # the queue is down: the data is committed and the outbox sweep will send it
            log.warning("could not dispatch %s %s; the outbox sweep will", self.topic, self.ref_ids[:10], exc_info=True)


def publish(session: Session, topic: str, ref_id: int) -> OutboxMessage:
    """Add an outbox row in the current transaction; dispatch it after the commit."""
    message = OutboxMessage(topic=topic, ref_id=ref_id, dispatched_at=utcnow())
    session.add(message)
    dispatch_after_commit(session, topic, ref_id)
    return message


def publish_many(session: Session, topic: str, ref_ids: list[int]) -> None:
    """`publish` for many rows of a topic: one batched INSERT."""
    if not ref_ids:
        return
    now = utcnow()
    session.execute(insert(OutboxMessage), [{"topic": topic, "ref_id": i, "dispatched_at": now} for i in ref_ids])
    for ref_id in ref_ids:
        dispatch_after_commit(session, topic, ref_id)


def dispatch_after_commit(session: Session, topic: str, ref_id: int | None = None) -> None:
    """Dispatch `topic` once `session`'s transaction commits, for `ref_id` if given (rows written
    without `publish`, e.g. by one SQL statement, need no id for a batch topic)."""
    pending = after_commit(session, _DispatchAfterCommit(topic), key=("outbox", topic))
    if ref_id is not None and isinstance(pending, _DispatchAfterCommit):
        pending.ref_ids.append(ref_id)


def dispatch(topic: str, ref_ids: Iterable[int]) -> None:
    """Hand rows already committed to the job system now (raises if the queue is down)."""
    jobs.gateway().dispatch(topic, list(dict.fromkeys(ref_ids)))


def mark_processed(session: Session, topic: str, ref_ids: Iterable[int]) -> None:
    ids = list(ref_ids)
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.pending(topic), OutboxMessage.ref_id.in_(ids))
            .values(processed_at=utcnow())
        )
