"""No overselling, no overspending: real concurrent requests against real PostgreSQL."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from api.models.ledger import LedgerEntry, UserPoints
from api.models.rewards import Redemption, Reward
from tests.factories import UserFactory
from tests.factories_rewards import RewardFactory, give_points
from tests.helpers import ApiClient

THREADS = 24


def _fire(app, calls):
    """Run (user, path) POSTs concurrently, each on its own client (own connection)."""
    clients = {id(u): ApiClient(app).as_(u) for u, _ in calls}

    def one(call):
        user, path = call
        return clients[id(user)].post(path).status_code

    with ThreadPoolExecutor(THREADS) as pool:
        return Counter(pool.map(one, calls))


def _ledger_matches_balances(session) -> None:
    sums = {u: s for u, s in session.execute(select(LedgerEntry.user_id, func.sum(LedgerEntry.amount))
                                             .group_by(LedgerEntry.user_id))}
    balances = {u: b for u, b in session.execute(select(UserPoints.user_id, UserPoints.balance))}
    assert sums == balances
    assert min(balances.values()) >= 0


def test_200_people_racing_for_50_items(pg_app, pg_session):
    """Exactly 50 of 200 concurrent redemptions succeed; stock ends at 0; nobody below 0."""
    reward = RewardFactory(cost=100, stock=50)
    people = [UserFactory() for _ in range(200)]
    for person in people:
        give_points(pg_session, person, 100)

    statuses = _fire(pg_app, [(p, f"/rewards/{reward.id}/redemptions") for p in people])

    assert statuses == Counter({201: 50, 409: 150})
    pg_session.expire_all()
    assert pg_session.get(Reward, reward.id).stock == 0
    assert pg_session.scalar(select(func.count()).select_from(Redemption)) == 50
    _ledger_matches_balances(pg_session)
    assert pg_session.scalar(select(func.count()).select_from(UserPoints).where(UserPoints.balance == 0)) == 50


def test_one_person_firing_20_redemptions_with_points_for_3(pg_app, pg_session):
    reward = RewardFactory(cost=100, stock=None)
    ann = UserFactory()
    give_points(pg_session, ann, 300)

    statuses = _fire(pg_app, [(ann, f"/rewards/{reward.id}/redemptions")] * 20)

    assert statuses == Counter({201: 3, 422: 17})
    pg_session.expire_all()
    assert pg_session.get(UserPoints, ann.id).balance == 0
    _ledger_matches_balances(pg_session)


def test_per_person_limit_holds_under_concurrency(pg_app, pg_session):
    reward = RewardFactory(cost=10, stock=100, per_user_limit=1)
    ann = UserFactory()
    give_points(pg_session, ann, 1000)

    statuses = _fire(pg_app, [(ann, f"/rewards/{reward.id}/redemptions")] * 10)

    assert statuses == Counter({201: 1, 409: 9})
    pg_session.expire_all()
    assert pg_session.get(Reward, reward.id).stock == 99
    _ledger_matches_balances(pg_session)
