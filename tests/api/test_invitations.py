"""Invitations by mail (issue 17, point 2) through the file transport (no SMTP_URL: one RFC 5322
.eml file per message in instance/mail): creating a person mails the link the API answers, a new
invitation kills the old link, invitations expire after 14 days, people without email get none."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from api.clock import utcnow
from api.config import load_settings
from tests.factories import TeamFactory, UserFactory
from tests.helpers import assert_problem
from tests.mailbox import eml_files, html_of, link_in, mails_in, token_of

PASSWORD = "my-first-password-1"


def _invite(client, admin, email: str, name: str = "Nora Newcomer", **extra):
    return client.as_(admin).post("/admin/users", json={"email": email, "display_name": name, **extra})


def _activate(client, token: str):
    return client.post("/auth/activate", json={"invite_token": token, "password": PASSWORD})


def test_inviting_someone_mails_them_the_link_the_api_answers(client, session, mail_dir):
    admin = UserFactory(role="admin")

    r = _invite(client, admin, "nora@example.test")

    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["invite_url"] == f"https://go.stafet.test/app/activate?token={body['invite_token']}"
    [mail] = mails_in(mail_dir, to="nora@example.test")
    assert mail["Subject"] == "You are invited to Stafet"  # DEFAULT_LANGUAGE is en in the tests
    assert link_in(mail) == body["invite_url"]
    assert body["invite_url"].replace("&", "&amp;") in html_of(mail)
    assert "Nora Newcomer" in html_of(mail)
    assert _activate(client, token_of(link_in(mail))).status_code == 200


def test_each_mail_is_one_eml_file_named_in_the_order_sent(client, session, mail_dir):
    admin = UserFactory(role="admin")
    for n in range(3):
        assert _invite(client, admin, f"p{n}@example.test", f"Person {n}").status_code == 201

    files = eml_files(mail_dir)

    assert [p.suffix for p in files] == [".eml"] * 3
    assert [m["To"] for m in mails_in(mail_dir)] == ["p0@example.test", "p1@example.test", "p2@example.test"]
    assert all(m.is_multipart() and m.get_content_type() == "multipart/alternative" for m in mails_in(mail_dir))


def test_a_new_invitation_replaces_the_old_link(client, session, mail_dir):
    admin = UserFactory(role="admin")
    nora_id = _invite(client, admin, "nora@example.test").get_json()["id"]
    old = token_of(link_in(mails_in(mail_dir, to="nora@example.test")[0]))

    r = client.as_(admin).post(f"/admin/users/{nora_id}/invitation")

    assert r.status_code == 200, r.get_json()
    assert r.get_json()["invitation_mailed"] is True
    mails = mails_in(mail_dir, to="nora@example.test")
    assert len(mails) == 2
    new = token_of(link_in(mails[1]))
    assert new == r.get_json()["invite_token"] != old
    assert_problem(_activate(client, old), 401)
    assert _activate(client, new).status_code == 200


def test_someone_without_email_gets_a_link_but_no_mail(client, session, mail_dir):
    admin = UserFactory(role="admin")
    mia = UserFactory(email=None, username="mia.k", password_hash=None, activated_at=None)

    r = client.as_(admin).post(f"/admin/users/{mia.id}/invitation")

    assert r.status_code == 200
    assert r.get_json()["invitation_mailed"] is False
    assert mails_in(mail_dir) == []
    assert _activate(client, r.get_json()["invite_token"]).status_code == 200


def test_no_new_invitation_for_someone_who_already_activated_or_is_deactivated(client, session, mail_dir):
    admin = UserFactory(role="admin")
    active = UserFactory()
    gone = UserFactory(password_hash=None, activated_at=None, is_active=False)

    assert_problem(client.as_(admin).post(f"/admin/users/{active.id}/invitation"), 409)
    assert_problem(client.as_(admin).post(f"/admin/users/{gone.id}/invitation"), 409)
    assert_problem(client.as_(admin).post("/admin/users/999999/invitation"), 404)
    assert mails_in(mail_dir) == []


def test_invitations_expire_after_14_days(client, session, mail_dir):
    admin = UserFactory(role="admin")
    token = _invite(client, admin, "nora@example.test").get_json()["invite_token"]

    with time_machine.travel(utcnow() + timedelta(days=14, seconds=1)):
        assert_problem(_activate(client, token), 401)
    with time_machine.travel(utcnow() + timedelta(days=13, hours=23)):
        assert _activate(client, token).status_code == 200


def test_the_invitation_lifetime_is_configurable(tmp_path):
    assert load_settings({"SECRET_KEY": "k" * 40, "INVITE_TTL": "86400"}, tmp_path).invite_ttl == 86400
    assert load_settings({"SECRET_KEY": "k" * 40}, tmp_path).invite_ttl == 14 * 24 * 3600


def test_an_invitee_with_a_language_gets_the_mail_in_it(client, session, mail_dir):
    admin = UserFactory(role="admin")
    harbour = TeamFactory()
    mia = UserFactory(email="mia@example.test", password_hash=None, activated_at=None, locale="da", teams=[harbour])

    assert client.as_(admin).post(f"/admin/users/{mia.id}/invitation").status_code == 200

    [mail] = mails_in(mail_dir, to="mia@example.test")
    assert mail["Subject"] == "Du er inviteret til Stafet"
    assert mail["Content-Language"] == "da"
    assert '<html lang="da">' in html_of(mail)


def test_serve_says_where_mail_goes_without_the_password():
    from api.cli import mail_destination

    assert mail_destination({"SMTP_URL": None, "MAIL_DIR": "/srv/stafet/instance/mail"}) == (
        "written to /srv/stafet/instance/mail/ (one .eml file per message; no SMTP_URL)")
    shown = mail_destination({"SMTP_URL": "smtp://postmaster:hunter22@mail.example.test:587?starttls=true"})
    assert shown == "SMTP smtp://postmaster:***@mail.example.test:587?starttls=true"
