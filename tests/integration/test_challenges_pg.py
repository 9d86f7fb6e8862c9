"""Closing a challenge on real PostgreSQL with several closers at once: prizes and results once."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from api.clock import utcnow
from api.models.ledger import LedgerEntry, UserPoints
from api.models.notifications import Notification
from api.services import ledger
from tests.factories import TeamFactory, UserFactory
from tests.helpers import run_concurrently

pytestmark = [pytest.mark.postgres]
CLOSERS = 6


def test_six_concurrent_closers_award_each_prize_once(pg_app, pg_client, pg_session):
    from workers.jobs.challenges import run_challenges

    team = TeamFactory()
    lead = UserFactory(role="lead", teams=[team], teams__lead=True)
    people = [UserFactory(teams=[team]) for _ in range(5)]
    now = utcnow()
    body = {"title": "Race", "kind": "individual", "metric": "points", "team_ids": [team.id], "prize_points": 200,
            "starts_at": now.isoformat(), "ends_at": (now + timedelta(days=1)).isoformat()}
    assert pg_client.as_(lead).post("/challenges", json=body).status_code == 201
    for person, points in zip(people, (50, 40, 30, 20, 10), strict=True):
        ledger.append(pg_session, user_id=person.id, amount=points, action="share", dedupe_key=uuid.uuid4().hex)
    pg_session.commit()

    with time_machine.travel(now + timedelta(days=1, minutes=1)):
        run_concurrently(pg_app, run_challenges, workers=CLOSERS)
    prizes = pg_session.execute(select(LedgerEntry.user_id, func.count(), func.sum(LedgerEntry.amount))
                                .where(LedgerEntry.action == "challenge_prize").group_by(LedgerEntry.user_id)).all()
    assert sorted((n, s) for _, n, s in prizes) == [(1, 60), (1, 120), (1, 200)]
    results = pg_session.scalar(select(func.count()).select_from(Notification)
                                .where(Notification.dedupe_key.like("challenge:%:results:%")))
    assert results == 6  # five members and the lead
    balances = dict(pg_session.execute(select(UserPoints.user_id, UserPoints.balance)).all())
    assert balances[people[0].id] == 250 and balances[people[4].id] == 10
