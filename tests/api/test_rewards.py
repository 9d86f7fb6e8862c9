"""Rewards: the catalog, redeeming (ledger debit, stock, limits) and every admin transition."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from api.models.ledger import LedgerEntry, UserPoints
from api.models.notifications import Notification
from api.models.rewards import Redemption, Reward
from tests.factories import UserFactory
from tests.factories_rewards import RewardFactory, give_points
from tests.helpers import assert_problem


def _balance(session, user) -> int:
    session.expire_all()
    row = session.get(UserPoints, user.id)
    return row.balance if row else 0


def _ledger_sum(session, user) -> int:
    return session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(LedgerEntry.user_id == user.id))


def test_admin_builds_the_catalog_staff_see_the_active_part(client, session):
    admin, staff = UserFactory(role="admin"), UserFactory()
    r = client.as_(admin).post("/admin/rewards", json={"name": "Hoodie", "cost": 300, "stock": 20,
                                                        "image_url": "https://example.com/h.png"})
    assert r.status_code == 201 and r.get_json()["stock"] == 20
    hidden = client.as_(admin).post("/admin/rewards", json={"name": "Old mug", "cost": 50, "active": False})
    assert hidden.status_code == 201

    items = client.as_(staff).get("/rewards").get_json()["items"]

    assert [(i["name"], i["cost"], i["stock"]) for i in items] == [("Hoodie", 300, 20)]
    assert_problem(client.as_(admin).post("/admin/rewards", json={"name": "Free", "cost": 0}), 422, "cost")
    assert_problem(client.as_(admin).post("/admin/rewards", json={"name": "Neg", "cost": 5, "stock": -1}), 422, "stock")
    assert_problem(client.as_(staff).post("/admin/rewards", json={"name": "x", "cost": 5}), 403)


def test_redeeming_debits_at_once_and_takes_stock(client, session):
    ann = UserFactory()
    give_points(session, ann, 250)
    reward = RewardFactory(cost=100, stock=5)

    r = client.as_(ann).post(f"/rewards/{reward.id}/redemptions")

    assert r.status_code == 201
    body = r.get_json()
    assert (body["reward_id"], body["cost"], body["status"]) == (reward.id, 100, "pending")
    assert _balance(session, ann) == 150 == _ledger_sum(session, ann)
    assert session.get(Reward, reward.id).stock == 4
    assert [x["id"] for x in client.as_(ann).get("/me/redemptions").get_json()["items"]] == [body["id"]]
    assert client.as_(UserFactory()).get("/me/redemptions").get_json()["items"] == []


def test_refusals_change_nothing(client, session):
    ann = UserFactory()
    give_points(session, ann, 120)
    pricey, empty, limited = RewardFactory(cost=500), RewardFactory(cost=10, stock=0), RewardFactory(cost=10,
                                                                                                     per_user_limit=1)
    inactive = RewardFactory(cost=10, active=False)

    assert_problem(client.as_(ann).post(f"/rewards/{pricey.id}/redemptions"), 422)
    assert_problem(client.as_(ann).post(f"/rewards/{empty.id}/redemptions"), 409)
    assert_problem(client.as_(ann).post(f"/rewards/{inactive.id}/redemptions"), 404)
    assert_problem(client.as_(ann).post("/rewards/999999/redemptions"), 404)
    assert client.as_(ann).post(f"/rewards/{limited.id}/redemptions").status_code == 201
    assert_problem(client.as_(ann).post(f"/rewards/{limited.id}/redemptions"), 409)

    assert _balance(session, ann) == 110 == _ledger_sum(session, ann)
    assert session.scalar(select(func.count()).select_from(Redemption)) == 1
    assert session.get(Reward, empty.id).stock == 0


def test_idempotent_redemption(client, session):
    ann = UserFactory()
    give_points(session, ann, 1000)
    reward = RewardFactory(cost=100)
    headers = {"Idempotency-Key": "mug-please"}

    first = client.as_(ann).post(f"/rewards/{reward.id}/redemptions", headers=headers)
    again = client.as_(ann).post(f"/rewards/{reward.id}/redemptions", headers=headers)

    assert first.get_json() == again.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert _balance(session, ann) == 900


@pytest.mark.parametrize("path, final, refunded", [
    (["approved", "fulfilled"], "fulfilled", False),
    (["rejected"], "rejected", True),
    (["approved", "rejected"], "rejected", True),
])
def test_admin_transitions_notify_and_refund_on_reject(client, session, path, final, refunded):
    admin, ann = UserFactory(role="admin"), UserFactory()
    give_points(session, ann, 100)
    reward = RewardFactory(cost=100, stock=1)
    rid = client.as_(ann).post(f"/rewards/{reward.id}/redemptions").get_json()["id"]

    for status in path:
        r = client.as_(admin).patch(f"/admin/redemptions/{rid}", json={"status": status, "note": "ok"})
        assert r.status_code == 200 and r.get_json()["status"] == status

    assert session.get(Redemption, rid).status == final
    assert _balance(session, ann) == (100 if refunded else 0) == _ledger_sum(session, ann)
    assert session.get(Reward, reward.id).stock == (1 if refunded else 0)
    notes = session.scalars(select(Notification).where(Notification.user_id == ann.id)).all()
    assert [n.category for n in notes] == ["rewards"] * len(path)
    assert all(n.data["deep_link"] == f"stafet://redemptions/{rid}" for n in notes)


@pytest.mark.parametrize("first, then", [("fulfilled", None), ("approved", "approved"), ("rejected", "approved"),
                                         ("rejected", "rejected")])
def test_invalid_transitions_are_409_and_refund_only_once(client, session, first, then):
    admin, ann = UserFactory(role="admin"), UserFactory()
    give_points(session, ann, 100)
    rid = client.as_(ann).post(f"/rewards/{RewardFactory(cost=100).id}/redemptions").get_json()["id"]

    r = client.as_(admin).patch(f"/admin/redemptions/{rid}", json={"status": first})
    if then is None:
        assert_problem(r, 409)
    else:
        assert r.status_code == 200
        assert_problem(client.as_(admin).patch(f"/admin/redemptions/{rid}", json={"status": then}), 409)
    refunds = session.scalar(select(func.count()).select_from(LedgerEntry)
                             .where(LedgerEntry.action == "redemption_refund"))
    assert refunds == (1 if first == "rejected" else 0)


def test_admin_queue_filters_by_status(client, session):
    admin, ann = UserFactory(role="admin"), UserFactory()
    give_points(session, ann, 300)
    reward = RewardFactory(cost=100)
    ids = [client.as_(ann).post(f"/rewards/{reward.id}/redemptions").get_json()["id"] for _ in range(3)]
    client.as_(admin).patch(f"/admin/redemptions/{ids[0]}", json={"status": "approved"})

    pending = client.as_(admin).get("/admin/redemptions?status=pending").get_json()["items"]

    assert [p["id"] for p in pending] == ids[1:]
    assert pending[0]["user"]["id"] == ann.id


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(["redeem", "approved", "fulfilled", "rejected"]),
                                st.integers(0, 4)), max_size=12),
       grant=st.integers(0, 500))
def test_balance_and_stock_are_conserved(client, session, steps, grant):
    """Whatever the sequence: balance == sum(ledger) >= 0 and stock + live redemptions == initial stock."""
    from tests.conftest import empty_database

    admin, ann = UserFactory(role="admin"), UserFactory()
    if grant:
        give_points(session, ann, grant)
    reward = RewardFactory(cost=60, stock=3)
    ids: list[int] = []
    for action, pick in steps:
        if action == "redeem":
            r = client.as_(ann).post(f"/rewards/{reward.id}/redemptions")
            assert r.status_code in (201, 409, 422)
            if r.status_code == 201:
                ids.append(r.get_json()["id"])
        elif ids:
            r = client.as_(admin).patch(f"/admin/redemptions/{ids[pick % len(ids)]}", json={"status": action})
            assert r.status_code in (200, 409)
    balance = _balance(session, ann)
    assert balance == _ledger_sum(session, ann) >= 0
    live = session.scalar(select(func.count()).select_from(Redemption).where(Redemption.status != "rejected"))
    assert session.get(Reward, reward.id).stock + live == 3
    empty_database(client.app)
