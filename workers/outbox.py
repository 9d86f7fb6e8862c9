"""The outbox sweep: rows the fast path did not deliver are dispatched again.

Writing outbox rows and dispatching them after the commit belongs to the API (api/outbox.py).
`sweep_outbox` (periodic, every few seconds) re-dispatches rows still unprocessed after a grace
period — the enqueue failed, Redis lost its queue, a worker died mid-job — so an accepted
activity is never lost. Handlers are idempotent and call `api.outbox.mark_processed`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select, update

from api import outbox
from api.clock import utcnow
from api.db import db
from api.models.activity import OutboxMessage
from workers.queues import job

log = logging.getLogger(__name__)

GRACE = timedelta(seconds=20)  # how long a dispatched row may stay unprocessed before it is re-sent
SWEEP_BATCH = 1000


@job
def sweep_outbox() -> int:
    """Re-dispatch outbox rows not processed within the grace period; returns how many."""
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
        outbox.dispatch(topic, ref_ids)  # raises if Redis is down: nothing marked, the next sweep retries
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_([r[0] for r in rows]))
        .values(dispatched_at=utcnow(), attempts=OutboxMessage.attempts + 1)
    )
    db.commit()
    log.info("outbox sweep re-sent %d message(s)", len(rows))
    return len(rows)
