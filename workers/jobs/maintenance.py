"""Housekeeping jobs."""

from __future__ import annotations

from api.db import db
from api.idempotency import purge_expired
from workers.queues import job


@job
def purge_idempotency_records() -> int:
    """Delete Idempotency-Key records older than 24 hours."""
    with db.transaction() as session:
        return purge_expired(session)
