"""SECURITY.md finding 14: lifetime points never go below zero; nobody but an admin carries an admin's name."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.helpers import assert_problem


def _adjust(client, admin, user, amount):
    return client.as_(admin).post("/admin/points/adjustments",
                                  json={"user_id": user.id, "amount": amount, "reason": "correction"})


def test_a_negative_adjustment_cannot_take_lifetime_below_zero(client, session):
    """120 earned: -150 is refused (422 on amount, nothing changes); -120 brings lifetime to 0, level 1."""
    admin, ann = UserFactory(role="admin"), UserFactory()
    assert _adjust(client, admin, ann, 120).status_code == 201

    body = assert_problem(_adjust(client, admin, ann, -150), 422, "amount")
    assert "120" in body["errors"]["amount"][0]
    me = client.as_(ann).get("/me").get_json()["points"]
    assert (me["balance"], me["lifetime"]) == (120, 120)

    assert _adjust(client, admin, ann, -120).status_code == 201
    me = client.as_(ann).get("/me").get_json()["points"]
    assert (me["balance"], me["lifetime"]) == (0, 0)
    assert me["level"]["number"] == 1 and me["level"]["next_level_at"] == 100

    assert_problem(_adjust(client, admin, UserFactory(), -1), 422, "amount")  # nothing earned yet


@pytest.mark.parametrize("name", ["Anna Admin", "anna admin", "ANNA  ADMIN", " Anna Admin ", "Ａｎｎａ Admin"])
def test_staff_cannot_take_an_admins_display_name(client, session, name):
    UserFactory(role="admin", display_name="Anna Admin")
    ann = UserFactory(display_name="Ann")
    assert_problem(client.as_(ann).patch("/me", json={"display_name": name}), 422, "display_name")
    assert client.as_(ann).get("/me").get_json()["display_name"] == "Ann"


def test_names_like_but_not_an_admins_are_fine_and_admins_may_share(client, session):
    anna = UserFactory(role="admin", display_name="Anna Admin")
    ann = UserFactory(display_name="Ann")
    assert client.as_(ann).patch("/me", json={"display_name": "Anna Adminsen"}).status_code == 200
    other_admin = UserFactory(role="admin", display_name="Bo")
    assert client.as_(other_admin).patch("/me", json={"display_name": "Anna Admin"}).status_code == 200
    assert client.as_(anna).get("/me").status_code == 200


def test_an_invitation_or_activation_cannot_use_an_admins_name(client, session):
    admin = UserFactory(role="admin", display_name="Anna Admin")
    r = client.as_(admin).post("/admin/users", json={"email": "x@example.test", "display_name": "anna admin"})
    assert_problem(r, 422, "display_name")
    ok = client.as_(admin).post("/admin/users", json={"email": "y@example.test", "display_name": "Yrsa"})
    token = ok.get_json()["invite_token"]
    r = client.post("/auth/activate", json={"invite_token": token, "password": "a-long-enough-pass",
                                             "display_name": "Anna Admin"})
    assert_problem(r, 422, "display_name")
    r = client.post("/auth/activate", json={"invite_token": token, "password": "a-long-enough-pass"})
    assert r.status_code == 200 and r.get_json()["user"]["display_name"] == "Yrsa"
