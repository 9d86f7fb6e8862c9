"""`tally_events`: the outbox handler for topic "tally" — drain untallied activity events in batches.

Each batch is one transaction: ledger entries, projections, daily-cap usage, badges
for the batch's users, and the events' outbox rows' `processed_at` (which marks them tallied).
A worker killed mid-batch commits nothing of it; the next run (or the outbox sweep)
takes the same events again. The decisions live in `api.services.tally`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from sqlalchemy.exc import DBAPIError

from api.db import db
from api.services import badges
from api.services import tally as tally_service
from workers.queues import TALLY, enqueue, job

log = logging.getLogger(__name__)

MAX_BATCHES_PER_JOB = 20  # 100,000 events, then hand over to a fresh job, well inside RQ's job timeout
RESCANS = 3  # scans from the start for what a scan skipped, before leaving it to the outbox sweep
TRANSIENT_SQLSTATES = {"40001", "40P01", "55P03", "57P01", "08000", "08003", "08006"}
T = TypeVar("T")


def is_transient(exc: BaseException) -> bool:
    """Deadlock, serialization failure, lock timeout, lost connection: worth another try."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return sqlstate in TRANSIENT_SQLSTATES or "database is locked" in str(exc.orig)


def with_db_retry(work: Callable[[], T], attempts: int = 4, base_delay: float = 0.2) -> T:
    """Run one transaction, retrying transient DB errors with exponential backoff (0.2 s, 0.4 s, 0.8 s).

    The transaction is rolled back before each retry, so nothing half-done survives; past the
    last attempt the error propagates and RQ's `Retry` (workers.queues.DEFAULT_RETRY) takes over.
    """
    for attempt in range(attempts):
        try:
            return work()
        except DBAPIError as exc:
            db.rollback()
            if not is_transient(exc) or attempt == attempts - 1:
                raise
            log.warning("transient database error in tally (attempt %d): %s", attempt + 1, exc.orig)
            time.sleep(base_delay * 2**attempt)
    raise AssertionError("unreachable")


def tally_one_batch(after_id: int, *, wait: bool = False) -> tally_service.BatchResult:
    """One batch in its own transaction (committed here)."""

    def work() -> tally_service.BatchResult:
        session = db.session
        timezone = current_app.config["ORG_TIMEZONE"]
        result = tally_service.tally_batch(session, timezone=timezone, after_id=after_id,
                                           limit=tally_service.BATCH_SIZE, wait=wait)
        if result.user_ids:
            badges.evaluate_after_tally(session, sorted(result.user_ids), timezone=timezone)
        db.commit()
        return result

    return with_db_retry(work)


@job
def tally_events() -> int:
    """Tally every untallied activity event, a batch per transaction; returns how many were tallied.

    The first scan skips events other transactions hold (another worker's batch, the outbox
    sweep re-dispatching them), so workers share a backlog, and defers a comment deletion whose
    comment another worker holds. A scan that found work is followed by one from the start that
    waits for held events instead of skipping them, until a scan finds nothing (at most
    `RESCANS` times; anything left then stays in the outbox for the sweep).
    """
    after_id, total, rescans, found = 0, 0, 0, False
    for _ in range(MAX_BATCHES_PER_JOB):
        result = tally_one_batch(after_id, wait=rescans > 0)
        if result.events:
            total += len(result.tallied)
            after_id, found = result.last_id, True
            continue
        if not found or rescans == RESCANS:
            return total
        after_id, rescans, found = 0, rescans + 1, False
    enqueue(tally_events, queue=TALLY)  # a backlog: continue in a fresh job
    return total

