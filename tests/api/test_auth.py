"""Sign-in, refresh rotation with reuse detection, sign-out, activation, rate limits."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from api.clock import utcnow
from tests.factories import PASSWORD, UserFactory
from tests.helpers import assert_problem


def login(client, email, password=PASSWORD, **kw):
    return client.post("/auth/login", json={"email": email, "password": password}, **kw)


def test_login_returns_a_token_pair_and_the_profile(client, session):
    """A person with the right password gets access + refresh tokens and their profile."""
    user = UserFactory(email="ada@example.test", role="lead")
    r = login(client, "ADA@example.test ")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    assert body["user"]["id"] == user.id and body["user"]["role"] == "lead"
    me = client.get("/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.get_json()["email"] == "ada@example.test"


def test_wrong_password_and_unknown_email_look_the_same(client, session):
    """A wrong password and an unknown email are both a plain 401 problem."""
    UserFactory(email="ada@example.test")
    a = assert_problem(login(client, "ada@example.test", "wrong-password"), 401)
    b = assert_problem(login(client, "nobody@example.test", "wrong-password"), 401)
    assert a["detail"] == b["detail"]


def test_deactivated_people_cannot_sign_in_or_use_old_tokens(client, session):
    """Deactivation locks the account at once, even for an unexpired access token."""
    user = UserFactory(email="ada@example.test")
    token = login(client, "ada@example.test").get_json()["access_token"]
    user.is_active = False
    session.commit()
    assert_problem(login(client, "ada@example.test"), 401)
    assert_problem(client.get("/me", headers={"Authorization": f"Bearer {token}"}), 401)


def test_refresh_rotates_and_reuse_revokes_the_family(client, session):
    """Each refresh token works once; replaying a used one revokes every token of the family."""
    UserFactory(email="ada@example.test")
    first = login(client, "ada@example.test").get_json()["refresh_token"]
    second = client.post("/auth/refresh", json={"refresh_token": first})
    assert second.status_code == 200
    second_refresh = second.get_json()["refresh_token"]
    assert second_refresh != first
    assert_problem(client.post("/auth/refresh", json={"refresh_token": first}), 401)
    # The legitimate holder's newer token died with the family.
    assert_problem(client.post("/auth/refresh", json={"refresh_token": second_refresh}), 401)


def test_expired_refresh_token_is_refused(client, session):
    """A refresh token past its 30 days is a 401."""
    UserFactory(email="ada@example.test")
    refresh = login(client, "ada@example.test").get_json()["refresh_token"]
    with time_machine.travel(utcnow() + timedelta(days=31)):
        assert_problem(client.post("/auth/refresh", json={"refresh_token": refresh}), 401)


def test_expired_access_token_is_a_401_with_a_hint(client, session):
    UserFactory(email="ada@example.test")
    token = login(client, "ada@example.test").get_json()["access_token"]
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        body = assert_problem(client.get("/me", headers={"Authorization": f"Bearer {token}"}), 401)
    assert "expired" in body["detail"]


def test_logout_ends_the_session(client, session):
    """After logout the refresh token is dead."""
    UserFactory(email="ada@example.test")
    refresh = login(client, "ada@example.test").get_json()["refresh_token"]
    assert client.post("/auth/logout", json={"refresh_token": refresh}).status_code == 204
    assert_problem(client.post("/auth/refresh", json={"refresh_token": refresh}), 401)


def test_login_is_rate_limited_per_account(client, session):
    """Five failures on one account: the sixth attempt is 429 with Retry-After, even with the right password."""
    UserFactory(email="ada@example.test")
    for _ in range(5):
        assert login(client, "ada@example.test", "wrong-password").status_code == 401
    r = login(client, "ada@example.test")
    assert_problem(r, 429)
    assert int(r.headers["Retry-After"]) > 0
    # Another account from the same address is still fine.
    UserFactory(email="bo@example.test")
    assert login(client, "bo@example.test").status_code == 200


def test_login_is_rate_limited_per_ip(client, session):
    """Thirty failures from one address across accounts: the address is throttled."""
    for i in range(30):
        login(client, f"nobody{i}@example.test", "wrong-password")
    UserFactory(email="ada@example.test")
    assert_problem(login(client, "ada@example.test"), 429)
    other_ip = login(client, "ada@example.test", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other_ip.status_code == 200


def test_successful_logins_do_not_count_against_the_limit(client, session):
    UserFactory(email="ada@example.test")
    for _ in range(8):
        assert login(client, "ada@example.test").status_code == 200


def test_invited_person_activates_and_signs_in(client, session):
    """An admin's invite token lets the person choose a password, once."""
    admin = UserFactory(role="admin")
    r = client.as_(admin).post("/admin/users", json={"email": "new@example.test", "display_name": "New Person"})
    assert r.status_code == 201, r.get_json()
    token = r.get_json()["invite_token"]
    assert_problem(login(client, "new@example.test", "whatever-password"), 401)
    weak = client.post("/auth/activate", json={"invite_token": token, "password": "short"})
    assert_problem(weak, 422, "password")
    ok = client.post("/auth/activate", json={"invite_token": token, "password": "a-long-enough-pass", "display_name": "Nina"})
    assert ok.status_code == 200 and ok.get_json()["user"]["display_name"] == "Nina"
    assert_problem(client.post("/auth/activate", json={"invite_token": token, "password": "a-long-enough-pass"}), 401)
    assert login(client, "new@example.test", "a-long-enough-pass").status_code == 200


def test_jwt_signing_key_rotation_keeps_sessions(tmp_path, session):
    """Tokens signed with a previous SECRET_KEY (kid) stay valid while it is in JWT_PREVIOUS_KEYS."""
    from tests.conftest import SECRET, base_env, build_app
    from tests.helpers import token_for

    user = UserFactory()
    old_app = build_app(base_env(tmp_path, DATABASE_URL=str(session.get_bind().url)))
    token = token_for(old_app, user)
    new_key = "n" * 40
    rotated = build_app(base_env(tmp_path, SECRET_KEY=new_key, JWT_PREVIOUS_KEYS=SECRET,
                                 DATABASE_URL=str(session.get_bind().url)))
    headers = {"Authorization": f"Bearer {token}"}
    assert rotated.test_client().get("/api/v1/me", headers=headers).status_code == 200
    dropped = build_app(base_env(tmp_path, SECRET_KEY=new_key, DATABASE_URL=str(session.get_bind().url)))
    assert dropped.test_client().get("/api/v1/me", headers=headers).status_code == 401
