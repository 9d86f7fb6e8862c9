"""People without a work email sign in with a username: any case, the same answers as email
sign-in, the same per-account limit, and exactly one of email or username per attempt."""

from __future__ import annotations

from tests.factories import PASSWORD, UserFactory
from tests.helpers import assert_problem


def _login(client, **body):
    return client.post("/auth/login", json={"password": PASSWORD, **body})


def test_a_username_signs_in_whatever_its_case(client, session):
    mia = UserFactory(email=None, username="mia.k")

    r = _login(client, username="Mia.K")

    assert r.status_code == 200, r.get_json()
    assert r.get_json()["user"]["id"] == mia.id and r.get_json()["user"]["email"] is None


def test_a_wrong_password_and_an_unknown_username_read_the_same(client, session):
    UserFactory(email=None, username="mia.k")

    a = assert_problem(_login(client, username="mia.k", password="wrong-password"), 401)
    b = assert_problem(_login(client, username="nobody.here", password="wrong-password"), 401)

    assert a["detail"] == b["detail"] == "The username or password is wrong."


def test_give_email_or_username_not_both_nor_neither(client, session):
    UserFactory(email="ada@example.test", username="ada")

    assert_problem(_login(client, email="ada@example.test", username="ada"), 422, "email")
    assert_problem(_login(client), 422, "email")
    assert_problem(_login(client, username="a b"), 422, "username")
    assert_problem(_login(client, username="x" * 33), 422, "username")


def test_five_wrong_passwords_lock_the_username_in_any_spelling(client, session):
    """Defaults: 5 failures per account per 15 minutes; then 429 even with the right password."""
    UserFactory(email=None, username="mia.k")
    for spelling in ("mia.k", "MIA.K", "Mia.k", "mia.K", " mia.k"):
        assert _login(client, username=spelling.strip(), password="wrong-password").status_code == 401

    assert_problem(_login(client, username="mia.k"), 429)


def test_admins_see_usernames_and_employee_ids(client, session):
    admin = UserFactory(role="admin")
    UserFactory(email=None, username="mia.k", employee_id="E-1001")

    items = client.as_(admin).get("/admin/users?limit=100").get_json()["items"]

    assert {(u["username"], u["employee_id"]) for u in items} >= {("mia.k", "E-1001")}
