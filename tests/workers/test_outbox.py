"""The outbox on real Redis + PostgreSQL: accepted work survives a lost queue."""

from __future__ import annotations

import pytest
from redis import Redis
from sqlalchemy import select

from api import outbox
from api.db import db
from api.models.activity import OutboxMessage
from tests.helpers import run_jobs
from workers import registry
from workers.outbox import sweep_outbox
from workers.queues import job

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

CALLS: list[int] = []


@job
def record_ref(ref_id: int) -> None:
    CALLS.append(ref_id)
    outbox.mark_processed(db.session, "test-topic", [ref_id])
    db.commit()


def test_sweeper_re_enqueues_what_the_queue_lost(rq_app, redis_url, monkeypatch):
    """An outbox row whose job vanished (Redis flushed) is re-sent by the sweep and processed once."""
    from datetime import timedelta

    import time_machine

    from api.clock import utcnow

    monkeypatch.setitem(registry.HANDLERS, "test-topic", registry.Handler(record_ref))
    with rq_app.app_context():
        outbox.publish(db.session, "test-topic", 41)
        db.commit()
    Redis.from_url(redis_url).flushdb()  # the queue is gone, the row is not
    assert run_jobs(rq_app) == 0
    with time_machine.travel(utcnow() + timedelta(minutes=1)):
        with rq_app.app_context():
            assert sweep_outbox() == 1
    run_jobs(rq_app)
    assert CALLS == [41]
    with rq_app.app_context():
        row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.ref_id == 41))
        assert row.processed_at is not None
        with time_machine.travel(utcnow() + timedelta(minutes=5)):
            assert sweep_outbox() == 0
