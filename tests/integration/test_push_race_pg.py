"""Overlapping deliverers (a deferred sweep running twice, a fan-out and a single send) on real
PostgreSQL: each notification is pushed once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.clock import utcnow
from api.models.notifications import Device, Notification, NotificationPreference
from tests.factories import UserFactory
from tests.helpers import run_concurrently
from workers import fcm

pytestmark = [pytest.mark.postgres]


def test_four_deliverers_at_once_push_each_notification_once(pg_app, pg_session):
    from workers.jobs.push import deliver

    people = [UserFactory() for _ in range(30)]
    for i, person in enumerate(people):
        pg_session.add(Device(user_id=person.id, token=f"tok-{i}", token_hash=f"{i:064d}", platform="android"))
        pg_session.add(NotificationPreference(user_id=person.id, push_enabled=True, max_per_day=20))
        pg_session.add(Notification(user_id=person.id, category="challenges", title="Go", body="", data={},
                                    delivery_status="pending", attempts=0, created_at=utcnow()))
    pg_session.commit()
    ids = list(pg_session.scalars(select(Notification.id)))
    recorder = fcm.RecordingTransport()
    fcm.set_transport(recorder)
    try:
        run_concurrently(pg_app, lambda: deliver(ids), workers=4)
    finally:
        fcm.set_transport(None)

    tokens = sorted(m.token for m in recorder.sent)
    assert tokens == sorted(f"tok-{i}" for i in range(30))  # each once, none twice
    pg_session.expire_all()
    assert set(pg_session.scalars(select(Notification.delivery_status))) == {"sent"}
