"""Password reset (issue 17, point 3): a link by mail that works once, for 60 minutes, signs the
person out everywhere else, and never tells whether an address has an account; a reset link with a
QR code from a lead (staff of the teams they lead) or an admin (anyone) for people without email."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import time_machine

from api.clock import utcnow
from tests.factories import PASSWORD, TeamFactory, UserFactory, lead_of
from tests.helpers import assert_problem
from tests.mailbox import link_in, mails_in, token_of

NEW_PASSWORD = "a-brand-new-password-7"


def _ask(client, email: str):
    return client.post("/auth/password-reset", json={"email": email})


def _reset_token(client, mail_dir: Path, email: str) -> str:
    assert _ask(client, email).status_code == 202
    mails = mails_in(mail_dir, to=email)
    assert len(mails) == 1, [m["Subject"] for m in mails]
    url = link_in(mails[0])
    assert url.startswith("https://go.stafet.test/app/reset?token=")
    return token_of(url)


def _confirm(client, token: str, password: str = NEW_PASSWORD):
    return client.post("/auth/password-reset/confirm", json={"token": token, "password": password})


def _login(client, email: str, password: str):
    return client.post("/auth/login", json={"email": email, "password": password})


def test_a_reset_link_works_once_and_only_once(client, session, mail_dir):
    ada = UserFactory(email="ada@example.test")
    token = _reset_token(client, mail_dir, "ada@example.test")

    first = _confirm(client, token)
    assert first.status_code == 200, first.get_json()
    assert set(first.get_json()) >= {"access_token", "refresh_token", "token_type", "expires_in", "user"}
    assert first.get_json()["user"]["id"] == ada.id
    assert _login(client, "ada@example.test", NEW_PASSWORD).status_code == 200
    assert _login(client, "ada@example.test", PASSWORD).status_code == 401

    assert_problem(_confirm(client, token, "yet-another-password-9"), 401)
    assert _login(client, "ada@example.test", NEW_PASSWORD).status_code == 200


def test_a_reset_link_expires_after_60_minutes(client, session, mail_dir):
    UserFactory(email="ada@example.test")
    token = _reset_token(client, mail_dir, "ada@example.test")

    with time_machine.travel(utcnow() + timedelta(minutes=60, seconds=1)):
        assert_problem(_confirm(client, token), 401)
    assert _login(client, "ada@example.test", PASSWORD).status_code == 200


def test_a_link_still_works_just_before_it_expires(client, session, mail_dir):
    UserFactory(email="ada@example.test")
    token = _reset_token(client, mail_dir, "ada@example.test")

    with time_machine.travel(utcnow() + timedelta(minutes=59)):
        assert _confirm(client, token).status_code == 200


def test_a_reset_signs_out_every_other_session(client, session, mail_dir):
    UserFactory(email="ada@example.test")
    phone = _login(client, "ada@example.test", PASSWORD).get_json()["refresh_token"]
    laptop = _login(client, "ada@example.test", PASSWORD).get_json()["refresh_token"]
    token = _reset_token(client, mail_dir, "ada@example.test")

    fresh = _confirm(client, token).get_json()["refresh_token"]

    assert_problem(client.post("/auth/refresh", json={"refresh_token": phone}), 401)
    assert_problem(client.post("/auth/refresh", json={"refresh_token": laptop}), 401)
    assert client.post("/auth/refresh", json={"refresh_token": fresh}).status_code == 200


def test_unknown_and_known_addresses_get_the_same_answer(client, session, mail_dir):
    UserFactory(email="ada@example.test")

    known = _ask(client, "ada@example.test")
    unknown = _ask(client, "nobody@example.test")

    assert known.status_code == unknown.status_code == 202
    assert known.get_data() == unknown.get_data()
    assert known.mimetype == unknown.mimetype == "application/json"
    assert len(mails_in(mail_dir, to="ada@example.test")) == 1
    assert mails_in(mail_dir, to="nobody@example.test") == []


def test_a_deactivated_account_gets_no_mail_and_the_same_answer(client, session, mail_dir):
    UserFactory(email="gone@example.test", is_active=False)

    r = _ask(client, "gone@example.test")

    assert r.status_code == 202 and r.get_json() == _ask(client, "nobody@example.test").get_json()
    assert mails_in(mail_dir) == []


def test_the_address_is_matched_whatever_its_case(client, session, mail_dir):
    UserFactory(email="ada@example.test")

    assert _ask(client, "ADA@Example.TEST").status_code == 202

    assert len(mails_in(mail_dir, to="ada@example.test")) == 1


def test_asking_is_limited_per_address(client, session, mail_dir):
    """Default PASSWORD_RESET_LIMIT_PER_ADDRESS: 3 per hour, known address or not, any spelling."""
    UserFactory(email="ada@example.test")
    for spelling in ("ada@example.test", "ADA@example.test", "Ada@Example.test"):
        assert _ask(client, spelling).status_code == 202
    body = assert_problem(_ask(client, "ada@example.test"), 429)
    assert body["status"] == 429
    assert int(_ask(client, "ada@example.test").headers["Retry-After"]) > 0
    assert len(mails_in(mail_dir, to="ada@example.test")) == 3
    # Another address is not held up by ada's limit.
    assert _ask(client, "bo@example.test").status_code == 202


def test_asking_is_limited_per_ip_address(client, session, mail_dir):
    """Default PASSWORD_RESET_LIMIT_PER_IP: 20 per hour from one address, whichever emails."""
    for n in range(20):
        assert _ask(client, f"person-{n}@example.test").status_code == 202
    assert_problem(_ask(client, "one-more@example.test"), 429)


def test_the_new_password_must_follow_the_policy_and_a_short_one_keeps_the_link(client, session, mail_dir):
    UserFactory(email="ada@example.test")
    token = _reset_token(client, mail_dir, "ada@example.test")

    assert_problem(_confirm(client, token, "short"), 422, "password")
    assert _confirm(client, token).status_code == 200


def test_a_reset_kills_other_outstanding_links(client, session, mail_dir):
    UserFactory(email="ada@example.test")
    first = _reset_token(client, mail_dir, "ada@example.test")
    assert _ask(client, "ada@example.test").status_code == 202
    second = token_of(link_in(mails_in(mail_dir, to="ada@example.test")[1]))

    assert _confirm(client, second).status_code == 200
    assert_problem(_confirm(client, first, "another-password-99"), 401)


def test_a_pending_invitee_who_resets_is_activated(client, session, mail_dir):
    UserFactory(email="new@example.test", password_hash=None, activated_at=None)
    token = _reset_token(client, mail_dir, "new@example.test")

    assert _confirm(client, token).status_code == 200
    assert _login(client, "new@example.test", NEW_PASSWORD).status_code == 200


def test_garbage_tokens_are_refused(client, session):
    assert_problem(_confirm(client, "not-a-token"), 401)
    assert_problem(client.post("/auth/password-reset/confirm", json={"token": "x"}), 422, "password")
    assert_problem(client.post("/auth/password-reset", json={"email": "not an email"}), 422, "email")
    assert_problem(client.post("/auth/password-reset", json={"email": "a@b.test", "extra": 1}), 422)


# --- reset links from a lead or an admin -------------------------------------------------------

def _link(client, caller, user_id: int):
    return client.as_(caller).post(f"/admin/users/{user_id}/reset-link")


def test_a_lead_gets_a_reset_link_with_a_qr_code_for_staff_of_their_team(client, session):
    harbour = TeamFactory(name="Harbour")
    lead = lead_of(harbour)
    mia = UserFactory(email=None, username="mia.k", teams=[harbour])

    r = _link(client, lead, mia.id)

    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["url"].startswith("https://go.stafet.test/app/reset?token=")
    assert body["qr_svg"].startswith("<svg") and "xmlns" in body["qr_svg"]
    assert timedelta(minutes=59) < datetime.fromisoformat(body["expires_at"]) - utcnow() <= timedelta(minutes=60)
    ok = _confirm(client, token_of(body["url"]))
    assert ok.status_code == 200
    assert client.post("/auth/login", json={"username": "mia.k", "password": NEW_PASSWORD}).status_code == 200


def test_a_lead_gets_no_link_for_people_outside_their_teams_or_above_staff(client, session):
    harbour, depot = TeamFactory(name="Harbour"), TeamFactory(name="Depot")
    lead = lead_of(harbour)
    elsewhere = UserFactory(teams=[depot])
    co_lead = lead_of(harbour)
    admin_in_team = UserFactory(role="admin", teams=[harbour])

    for target in (elsewhere, co_lead, admin_in_team):
        assert_problem(_link(client, lead, target.id), 403)
    assert_problem(_link(client, lead, 999_999), 404)


def test_an_admin_gets_a_link_for_anyone_and_staff_for_no_one(client, session):
    depot = TeamFactory(name="Depot")
    admin = UserFactory(role="admin")
    other_admin = UserFactory(role="admin")
    staff = UserFactory(teams=[depot])
    bob = UserFactory(teams=[depot])

    assert _link(client, admin, bob.id).status_code == 201
    assert _link(client, admin, other_admin.id).status_code == 201
    assert_problem(_link(client, staff, bob.id), 403)
    assert_problem(client.post(f"/admin/users/{bob.id}/reset-link"), 401)


def test_no_link_for_a_deactivated_account(client, session):
    admin = UserFactory(role="admin")
    gone = UserFactory(is_active=False)

    assert_problem(_link(client, admin, gone.id), 409)
