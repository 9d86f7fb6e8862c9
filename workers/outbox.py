"""The transactional outbox: rows committed with the data, handed to the queue afterwards.

`publish(session, topic, ref_id)` adds a row inside the caller's transaction and, once
that commits, enqueues the topic's handler right away (the fast path). `sweep_outbox`
(periodic, every few seconds) re-enqueues rows that are still unprocessed after a grace
period — the enqueue failed, Redis lost its queue, a worker died mid-job — so an
accepted activity is never lost. Handlers are idempotent and call `mark_processed`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.db import db
from api.models.activity import OutboxMessage
from workers.queues import DEFAULT, enqueue, enqueue_after_commit, job

log = logging.getLogger(__name__)

GRACE = timedelta(seconds=20)  # how long a dispatched row may stay unprocessed before it is re-sent
SWEEP_BATCH = 1000


@dataclass(frozen=True)
class Handler:
    """How a topic is processed: `batch` jobs take no args and drain all pending work
    (e.g. tally); otherwise the job takes the row's ref_id (e.g. a notification id)."""

    func: Callable[..., Any]
    queue: str = DEFAULT
    batch: bool = False
    job_id_prefix: str | None = None


HANDLERS: dict[str, Handler] = {}


def register_handler(topic: str, handler: Handler) -> None:
    HANDLERS[topic] = handler


def _load_handlers() -> None:
    from workers.registry import load_all

    load_all()


def _batch_options(topic: str) -> dict[str, Any]:
    """One queued batch job per topic at a time: while one waits, more events need no new job
    (it drains everything when it runs). The id is freed as soon as the job ends (result_ttl 0,
    failure_ttl 60 s) so the next event — or the sweeper — can queue it again."""
    return {"job_id": f"{topic}-batch", "result_ttl": 0, "failure_ttl": 60}


def _jobs(topic: str, ref_ids: Iterable[int]) -> list[tuple[Callable[..., Any], tuple, dict[str, Any]]]:
    """(function, args, enqueue options) for the rows of `topic`: one job for a batch topic, else
    one per row."""
    handler = HANDLERS.get(topic)
    if handler is None:
        _load_handlers()
        handler = HANDLERS.get(topic)
    if handler is None:
        log.error("no handler for outbox topic %s", topic)
        return []
    if handler.batch:
        return [(handler.func, (), {"queue": handler.queue, **_batch_options(topic)})]
    prefix = handler.job_id_prefix
    return [(handler.func, (ref_id,), {"queue": handler.queue, "job_id": f"{prefix}-{ref_id}" if prefix else None})
            for ref_id in ref_ids]


def dispatch(topic: str, ref_ids: Iterable[int]) -> None:
    """Queue the topic's handler now for rows already committed (raises if the queue is down)."""
    for func, args, options in _jobs(topic, ref_ids):
        enqueue(func, *args, **options)


def publish(session: Session, topic: str, ref_id: int) -> OutboxMessage:
    """Add an outbox row in the current transaction; dispatch it after the commit."""
    message = OutboxMessage(topic=topic, ref_id=ref_id, dispatched_at=utcnow())
    session.add(message)
    dispatch_after_commit(topic, ref_id)
    return message


def dispatch_after_commit(topic: str, ref_id: int) -> None:
    """Queue the topic's handler once the transaction that wrote the outbox row commits."""
    for func, args, options in _jobs(topic, [ref_id]):
        enqueue_after_commit(func, *args, **options)


def mark_processed(session: Session, topic: str, ref_ids: Iterable[int]) -> None:
    ids = list(ref_ids)
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.pending(topic), OutboxMessage.ref_id.in_(ids))
            .values(processed_at=utcnow())
        )


@job
def sweep_outbox() -> int:
    """Re-enqueue outbox rows not processed within the grace period; returns how many."""
    session = db.session
    cutoff = utcnow() - GRACE
    rows = session.execute(
        select(OutboxMessage.id, OutboxMessage.topic, OutboxMessage.ref_id)
        .where(OutboxMessage.processed_at.is_(None), OutboxMessage.dispatched_at < cutoff)
        .order_by(OutboxMessage.id)
        .limit(SWEEP_BATCH)
    ).all()
    if not rows:
        return 0
    by_topic: dict[str, list[int]] = {}
    for _id, topic, ref_id in rows:
        by_topic.setdefault(topic, []).append(ref_id)
    for topic, ref_ids in by_topic.items():
        dispatch(topic, ref_ids)  # raises if Redis is down: nothing marked, the next sweep retries
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_([r[0] for r in rows]))
        .values(dispatched_at=utcnow(), attempts=OutboxMessage.attempts + 1)
    )
    db.commit()
    log.info("outbox sweep re-sent %d message(s)", len(rows))
    return len(rows)
