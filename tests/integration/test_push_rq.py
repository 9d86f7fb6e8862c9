"""Push end to end on real PostgreSQL + Redis + RQ workers + the real firebase-admin SDK (fake FCM):
a lead's nudge reaches opted-in phones only; FCM answering 503 for a while loses nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from api.clock import utcnow
from api.models.notifications import Device, Notification, NotificationPreference
from tests.factories import TeamFactory, UserFactory
from tests.fake_fcm import FakeFCM, serving_fcm
from tests.helpers import ApiClient, run_jobs


@pytest.fixture
def fake() -> Iterator[FakeFCM]:
    with serving_fcm() as server:
        yield server


def _phone(session, user, token, push=True):
    session.add(Device(user_id=user.id, token=token, token_hash=token.ljust(64, "0"), platform="android"))
    if push:
        session.add(NotificationPreference(user_id=user.id, push_enabled=True))
    session.commit()


def test_nudge_pushes_through_rq_workers_to_opted_in_phones_only(rq_app, pg_session, fake):
    team = TeamFactory()
    lead = UserFactory(role="lead", teams=[team], teams__lead=True)
    keen, quiet = UserFactory(teams=[team]), UserFactory(teams=[team])
    _phone(pg_session, keen, "tok-keen")
    _phone(pg_session, quiet, "tok-quiet", push=False)

    r = ApiClient(rq_app).as_(lead).post(f"/teams/{team.id}/nudges", json={"title": "Share today's story"})
    assert r.status_code == 201 and fake.received == []  # nothing sent in the request itself
    run_jobs(rq_app)

    assert [m["token"] for m in fake.received] == ["tok-keen"]
    statuses = {u: s for u, s in pg_session.execute(select(Notification.user_id, Notification.delivery_status))}
    assert statuses == {keen.id: "sent", quiet.id: "skipped"}


def test_fcm_down_for_a_while_then_everything_is_delivered_once(rq_app, pg_session, fake):
    """FCM answers 503 to every call; nothing is lost or doubled once it recovers."""
    from workers.jobs.push import send_deferred

    team = TeamFactory()
    lead = UserFactory(role="lead", teams=[team], teams__lead=True)
    people = [UserFactory(teams=[team]) for _ in range(5)]
    for i, person in enumerate(people):
        _phone(pg_session, person, f"tok-{i}")
    fake.default = "UNAVAILABLE"

    ApiClient(rq_app).as_(lead).post(f"/teams/{team.id}/nudges", json={"title": "Hello"})
    run_jobs(rq_app)
    assert fake.received == []
    assert set(pg_session.scalars(select(Notification.delivery_status))) == {"deferred"}

    fake.default = "OK"
    with time_machine.travel(utcnow() + timedelta(minutes=2)), rq_app.app_context():
        send_deferred()

    assert sorted(m["token"] for m in fake.received) == [f"tok-{i}" for i in range(5)]
    pg_session.expire_all()
    assert set(pg_session.scalars(select(Notification.delivery_status))) == {"sent"}
