"""PASSWORD_LOGIN=off closes every password door, not only sign-in (issue 18: "Password sign-in can
be turned off for the organisation except for a break-glass admin").

The doors and what the issue asks of each while passwords are off (403 `password-login-off`, the
refusal sign-in already answers):

| door                                   | staff, leads, other admins        | the break-glass admin     |
|----------------------------------------|-----------------------------------|---------------------------|
| POST /auth/activate                    | 403 (they sign in with SSO)       | may choose a password     |
| invitation mail / `invite_url`         | "company account", /app/signin    | choose a password         |
| POST /auth/join                        | 403                               | —                         |
| POST /teams/{id}/join-codes            | 403                               | 403                       |
| POST /auth/password-reset              | 202, no mail                      | 202, mail with a link     |
| POST /auth/password-reset/confirm      | 403, token not spent              | 200                       |
| POST /admin/users/{id}/reset-link      | 403                               | 201                       |
| console: reset link, new join code     | refused                           | —                         |
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.db import Base
from api.models.join_codes import JoinCode
from api.models.password_resets import PasswordReset
from api.models.users import User
from api.services import join_codes, password_resets
from tests.conftest import base_env, build_app, empty_database, empty_mail_dir, inspection_session
from tests.factories import PASSWORD, TeamFactory, UserFactory, lead_of
from tests.helpers import ApiClient, assert_problem
from tests.mailbox import mails_in, text_of

BASE = "https://go.stafet.test"
ROOT = "root@example.test"  # BREAK_GLASS_EMAIL
NEW_PASSWORD = "a-new-long-password-42"
OFF = "password-login-off"


@pytest.fixture(scope="module")
def off_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """Single sign-on only (the issuer is never reached by these tests), Root the break-glass admin."""
    app = build_app(base_env(tmp_path_factory.mktemp("pw-off"), PASSWORD_LOGIN="off", BREAK_GLASS_EMAIL="Root@Example.test",
                             OIDC_ISSUER="https://login.example.test", OIDC_CLIENT_ID="stafet",
                             OIDC_CLIENT_SECRET="secret-for-tests-123"))
    Base.metadata.create_all(app.extensions["stafet.db"]["engine"])
    yield app
    app.extensions["stafet.db"]["engine"].dispose()


@pytest.fixture
def db(off_app: Flask) -> Iterator[Session]:
    s = inspection_session(off_app)
    yield s
    s.close()
    s.get_bind().dispose()
    empty_database(off_app)
    empty_mail_dir(off_app)


@pytest.fixture
def api(off_app: Flask) -> ApiClient:
    return ApiClient(off_app)


@pytest.fixture
def mail_dir(off_app: Flask) -> Path:
    return Path(off_app.config["MAIL_DIR"])


@pytest.fixture
def root(db) -> User:
    return UserFactory(email=ROOT, role="admin")


def _refused(response) -> dict:
    body = assert_problem(response, 403)
    assert body["type"].endswith(OFF), body
    return body


# --- invitations and activating them ------------------------------------------------------------

def test_an_invitation_asks_to_sign_in_with_the_company_account_and_cannot_set_a_password(api, db, root,
                                                                                            mail_dir):
    r = api.as_(root).post("/admin/users", json={"email": "ada@example.test", "display_name": "Ada Lovelace",
                                                 "role": "staff", "team_ids": []})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["invite_url"] == f"{BASE}/app/signin"
    [mail] = mails_in(mail_dir, to="ada@example.test")
    text = text_of(mail)
    assert "company account" in text and f"{BASE}/app/signin" in text
    assert "/app/activate" not in text and "password" not in mail["Subject"].lower()

    refused = _refused(api.flask.post("/api/v1/auth/activate", json={"invite_token": r.get_json()["invite_token"],
                                                                      "password": NEW_PASSWORD}))
    assert "company account" in refused["detail"]
    db.expire_all()
    ada = db.scalar(select(User).where(User.email == "ada@example.test"))
    assert ada.password_hash is None and ada.activated_at is None


def test_a_new_invitation_and_the_staff_list_import_invite_to_company_sign_in(api, db, root, mail_dir):
    pending = UserFactory(email="bo@example.test", password_hash=None, activated_at=None)
    again = api.as_(root).post(f"/admin/users/{pending.id}/invitation")
    assert again.status_code == 200 and again.get_json()["invite_url"] == f"{BASE}/app/signin"
    imported = api.as_(root).post("/admin/users/import?dry_run=false",
                                  data=b"email,display_name,teams,role,lead_of\ncy@example.test,Cy Young,,staff,\n",
                                  headers={"Content-Type": "text/csv"})
    assert imported.status_code == 200 and imported.get_json()["invited"] == 1, imported.get_json()
    for address in ("bo@example.test", "cy@example.test"):
        [mail] = mails_in(mail_dir, to=address)
        assert "company account" in text_of(mail) and "/app/activate" not in text_of(mail)


def test_the_break_glass_admin_is_invited_to_choose_a_password_and_may(api, db, root, mail_dir):
    db.delete(root)
    db.flush()
    other = UserFactory(role="admin", email="other-admin@example.test")
    r = api.as_(other).post("/admin/users", json={"email": ROOT, "display_name": "Root", "role": "admin",
                                                  "team_ids": []})
    assert r.status_code == 201 and "/app/activate?token=" in r.get_json()["invite_url"]
    activated = api.flask.post("/api/v1/auth/activate", json={"invite_token": r.get_json()["invite_token"],
                                                              "password": NEW_PASSWORD})
    assert activated.status_code == 200, activated.get_json()


# --- join codes ------------------------------------------------------------------------------------

def test_nobody_joins_with_a_code(api, db, root):
    team = TeamFactory(name="Warehouse")
    code = join_codes.create_code(db, root, team.id, now=utcnow(), expires_at=None, max_uses=None,
                                  auto_approve=True)  # made before passwords were turned off
    db.commit()
    r = api.flask.post("/api/v1/auth/join", json={"code": code.code, "display_name": "New Person",
                                                  "password": NEW_PASSWORD, "username": "new.person"})
    _refused(r)
    assert db.scalar(select(User).where(User.username == "new.person")) is None


@pytest.mark.parametrize("who", ["admin", "lead"])
def test_no_join_codes_are_made(api, db, root, who):
    team = TeamFactory(name="Shop")
    caller = root if who == "admin" else lead_of(team)
    _refused(api.as_(caller).post(f"/teams/{team.id}/join-codes", json={}))
    assert db.scalar(select(JoinCode.id)) is None


# --- password resets -------------------------------------------------------------------------------

def test_asking_for_a_reset_answers_202_but_mails_only_the_break_glass_admin(api, db, root, mail_dir):
    UserFactory(email="staff@example.test")
    UserFactory(email="admin2@example.test", role="admin")
    for address in ("staff@example.test", "admin2@example.test", "nobody@example.test", "Root@Example.test"):
        r = api.flask.post("/api/v1/auth/password-reset", json={"email": address})
        assert r.status_code == 202
    assert [m["To"] for m in mails_in(mail_dir)] == [ROOT]


def test_the_break_glass_admin_resets_their_password_and_signs_in_with_it(api, db, root, mail_dir):
    assert api.flask.post("/api/v1/auth/password-reset", json={"email": ROOT}).status_code == 202
    [mail] = mails_in(mail_dir, to=ROOT)
    token = re.search(r"/app/reset\?token=([A-Za-z0-9_-]+)", text_of(mail)).group(1)
    r = api.flask.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert r.status_code == 200, r.get_json()
    login = api.flask.post("/api/v1/auth/login", json={"email": ROOT, "password": NEW_PASSWORD})
    assert login.status_code == 200


def test_a_reset_link_from_before_the_switch_is_refused_and_not_spent(api, db, root):
    staff = UserFactory(email="staff@example.test")
    url, _ = password_resets.issue_link(db, root, staff, ttl=3600, base_url=BASE)  # passwords were on then
    db.commit()
    token = url.split("token=")[1]
    _refused(api.flask.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}))
    db.expire_all()
    assert db.scalar(select(PasswordReset.used_at)) is None
    assert db.get(User, staff.id).password_hash == staff.password_hash


def test_no_reset_links_are_handed_out_except_for_the_break_glass_admin(api, db, root):
    team = TeamFactory(name="Care home")
    staff = UserFactory(email="staff@example.test", teams=[team])
    _refused(api.as_(root).post(f"/admin/users/{staff.id}/reset-link"))
    _refused(api.as_(lead_of(team)).post(f"/admin/users/{staff.id}/reset-link"))
    assert api.as_(root).post(f"/admin/users/{root.id}/reset-link").status_code == 201


# --- the console -----------------------------------------------------------------------------------

def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _console_as_root(app: Flask):
    web = app.test_client()
    page = web.get("/console/login").get_data(as_text=True)
    assert web.post("/console/login", data={"email": ROOT, "password": PASSWORD,
                                            "csrf_token": _csrf(page)}).status_code == 302
    return web


def test_the_console_offers_no_reset_links_or_join_codes_and_refuses_them(off_app, db, root):
    team = TeamFactory(name="Depot")
    staff = UserFactory(email="staff@example.test", teams=[team])
    web = _console_as_root(off_app)
    people = web.get("/console/people").get_data(as_text=True)
    assert "Reset link" not in people
    codes_page = web.get(f"/console/join-codes?team_id={team.id}").get_data(as_text=True)
    assert "Make code" not in codes_page and "Join codes are turned off" in codes_page

    token = _csrf(web.get("/console/").get_data(as_text=True))
    link = web.post(f"/console/people/{staff.id}/reset-link", data={"csrf_token": token})
    assert link.status_code == 302  # back to the list with the reason, no link page
    assert "Passwords are turned off" in web.get(link.headers["Location"]).get_data(as_text=True)
    made = web.post(f"/console/teams/{team.id}/join-codes", data={"csrf_token": token, "days": "30"})
    assert made.status_code == 302
    assert "Join codes are turned off" in web.get(made.headers["Location"]).get_data(as_text=True)
    assert db.scalar(select(PasswordReset.id)) is None and db.scalar(select(JoinCode.id)) is None
