"""Single sign-on against a real (local) OpenID provider: start → provider → callback → exchange → /me."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.config import ConfigError, load_settings
from api.db import Base
from api.models.users import User
from api.services import oidc
from tests.conftest import base_env, build_app, empty_database, inspection_session
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, running_provider

BASE = "https://go.stafet.test"
CALLBACK = f"{BASE}/api/v1/auth/oidc/callback"
APP_URL = f"{BASE}/app/signed-in"


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider((CALLBACK,)) as p:
        yield p


def _app(tmp_path_factory: pytest.TempPathFactory, provider: Provider, **env: str) -> Flask:
    tmp = tmp_path_factory.mktemp("oidc")
    app = build_app(base_env(tmp, OIDC_ISSUER=provider.issuer, OIDC_CLIENT_ID=CLIENT_ID,
                             OIDC_CLIENT_SECRET=CLIENT_SECRET, **env))
    Base.metadata.create_all(app.extensions["stafet.db"]["engine"])
    return app


@pytest.fixture(scope="module")
def sso_app(tmp_path_factory: pytest.TempPathFactory, provider: Provider) -> Iterator[Flask]:
    app = _app(tmp_path_factory, provider, OIDC_ALLOWED_DOMAINS="example.test", OIDC_AUTO_CREATE="true",
               OIDC_TEAMS_CLAIM="groups")
    yield app
    app.extensions["stafet.db"]["engine"].dispose()


@pytest.fixture(autouse=True)
def _fresh(request: pytest.FixtureRequest, provider: Provider) -> Iterator[None]:
    provider.tamper, provider.user = {}, {"sub": "sub-ada", "email": "ada@example.test", "email_verified": True,
                                           "name": "Ada Lovelace"}
    oidc.cache.clear()
    yield
    if "sso_app" in request.fixturenames:
        empty_database(request.getfixturevalue("sso_app"))


def _inspecting(app: Flask) -> Iterator[Session]:
    """An inspection session on `app`'s database (the factories write through it), like conftest's
    `session` on the default app."""
    s = inspection_session(app)
    yield s
    s.close()
    s.get_bind().dispose()


@pytest.fixture
def db(sso_app: Flask) -> Iterator[Session]:
    yield from _inspecting(sso_app)


def _sign_in(app: Flask, redirect_uri: str = APP_URL, *, state: str | None = None) -> requests.Response | object:
    """Browser steps: the API's start, the provider's authorize, the API's callback. The app's Location."""
    web = app.test_client()
    start = web.get("/api/v1/auth/oidc/start", query_string={"redirect_uri": redirect_uri})
    assert start.status_code == 302, start.get_data(as_text=True)
    at_provider = requests.get(start.headers["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    query = back.query if state is None else back.query.replace(
        "state=" + parse_qs(back.query)["state"][0], "state=" + state)
    return web.get(f"{back.path}?{query}")


def _app_params(callback) -> dict[str, str]:
    assert callback.status_code == 302, callback.get_data(as_text=True)
    where = urlsplit(callback.headers["Location"])
    assert f"{where.scheme}://{where.netloc}{where.path}" == APP_URL
    return {k: v[0] for k, v in parse_qs(where.query).items()}


def _exchange(app: Flask, code: str):
    return app.test_client().post("/api/v1/auth/oidc/exchange", json={"code": code})


def test_the_full_flow_signs_in_an_invited_person_by_verified_email_then_by_subject(sso_app, db, provider):
    ada = UserFactory(email="ada@example.test", password_hash=None)  # invited, never activated
    params = _app_params(_sign_in(sso_app))
    pair = _exchange(sso_app, params["code"])
    assert pair.status_code == 200, pair.get_json()
    me = sso_app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {pair.get_json()['access_token']}"})
    assert me.status_code == 200 and me.get_json()["id"] == ada.id
    db.expire_all()
    assert db.get(User, ada.id).oidc_subject == "sub-ada"
    # The next time the email at the provider changed: the subject still finds Ada.
    UserFactory(email="ada.new@example.test")
    provider.user = {"sub": "sub-ada", "email": "ada.new@example.test", "email_verified": True}
    pair = _exchange(sso_app, _app_params(_sign_in(sso_app))["code"])
    assert pair.get_json()["user"]["id"] == ada.id


def test_the_provider_got_the_pkce_verifier_and_the_client_secret(sso_app, db, provider):
    UserFactory(email="ada@example.test")
    _app_params(_sign_in(sso_app))
    assert provider.token_requests[-1]["code_verifier"]  # the token endpoint checked it against the S256 challenge


def test_auto_create_makes_a_staff_member_in_the_teams_of_the_groups_claim(sso_app, db, provider):
    sales = TeamFactory(name="Sales Nordics")
    TeamFactory(name="Finance")
    provider.user = {"sub": "sub-new", "email": "new@example.test", "email_verified": True, "name": "New Person",
                     "groups": ["sales   NORDICS", "Not A Team"]}
    pair = _exchange(sso_app, _app_params(_sign_in(sso_app))["code"]).get_json()
    assert pair["user"]["display_name"] == "New Person"
    user = db.scalar(select(User).where(User.email == "new@example.test"))
    assert user.role == "staff" and user.oidc_subject == "sub-new"
    assert [m.team_id for m in user.memberships] == [sales.id]


def test_a_code_works_once(sso_app, db):
    UserFactory(email="ada@example.test")
    code = _app_params(_sign_in(sso_app))["code"]
    assert _exchange(sso_app, code).status_code == 200
    replay = _exchange(sso_app, code)
    assert replay.status_code == 401 and replay.get_json()["type"].endswith("sso-code-invalid")


def test_a_wrong_state_is_refused(sso_app):
    r = _sign_in(sso_app, state="not-the-state")
    assert r.status_code == 404 and r.mimetype == "application/problem+json"


@pytest.mark.parametrize("tamper, error", [
    ({"nonce": "another-nonce"}, "id-token-nonce"),
    ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "id-token-expired"),
    ({"sign_with_other_key": True}, "id-token-invalid"),
    ({"aud": "another-client"}, "id-token-audience"),
    ({"iss": "https://evil.example"}, "id-token-issuer"),
])
def test_an_id_token_that_is_not_right_is_refused(sso_app, db, provider, tamper, error):
    UserFactory(email="ada@example.test")
    provider.tamper = tamper
    assert _app_params(_sign_in(sso_app))["error"] == error


@pytest.mark.parametrize("user, error", [
    ({"sub": "s1", "email": "ada@example.test", "email_verified": False}, "email-not-verified"),
    ({"sub": "s2", "email": "eve@elsewhere.test", "email_verified": True}, "domain-not-allowed"),
])
def test_people_the_rules_keep_out_are_sent_back_with_an_error(sso_app, provider, db, user, error):
    UserFactory(email="ada@example.test")
    provider.user = user
    params = _app_params(_sign_in(sso_app))
    assert params["error"] == error and "code" not in params
    assert db.scalar(select(User).where(User.email == user["email"])) is None or error == "email-not-verified"


def test_a_redirect_uri_off_the_allow_list_is_refused_before_the_provider(sso_app):
    r = sso_app.test_client().get("/api/v1/auth/oidc/start", query_string={"redirect_uri": "https://evil.test/app/"})
    assert r.status_code == 422 and r.get_json()["type"].endswith("redirect-uri-not-allowed")


def test_client_config_says_sso_is_on(sso_app):
    sso = sso_app.test_client().get("/api/v1/client-config").get_json()["sso"]
    assert sso == {"enabled": True, "start_url": "/api/v1/auth/oidc/start"}


def test_without_an_issuer_sso_is_off(client):
    assert client.get("/client-config").get_json()["sso"] == {"enabled": False, "start_url": None}
    assert client.get("/auth/oidc/start?redirect_uri=https://go.stafet.test/app/").status_code == 404


# --- PASSWORD_LOGIN=off: single sign-on only, except the break-glass admin -----------------------

@pytest.fixture(scope="module")
def sso_only_app(tmp_path_factory: pytest.TempPathFactory, provider: Provider) -> Iterator[Flask]:
    app = _app(tmp_path_factory, provider, PASSWORD_LOGIN="off", BREAK_GLASS_EMAIL="Root@Example.test")
    yield app
    app.extensions["stafet.db"]["engine"].dispose()


@pytest.fixture
def only_db(sso_only_app: Flask) -> Iterator[Session]:
    yield from _inspecting(sso_only_app)
    empty_database(sso_only_app)


def _console_login(app: Flask, email: str):
    web = app.test_client()
    page = web.get("/console/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return web.post("/console/login", data={"email": email, "password": PASSWORD, "csrf_token": token})


def test_with_password_login_off_only_the_break_glass_admin_signs_in_with_a_password(sso_only_app, only_db):
    UserFactory(email="staff@example.test")
    UserFactory(email="root@example.test", role="admin")
    api = sso_only_app.test_client()
    refused = api.post("/api/v1/auth/login", json={"email": "staff@example.test", "password": PASSWORD})
    assert refused.status_code == 403 and refused.get_json()["type"].endswith("password-login-off")
    assert api.post("/api/v1/auth/login", json={"email": "root@example.test", "password": PASSWORD}).status_code == 200
    assert _console_login(sso_only_app, "staff@example.test").status_code == 403
    assert _console_login(sso_only_app, "root@example.test").status_code == 302


def test_the_break_glass_address_must_belong_to_an_admin(sso_only_app, only_db):
    UserFactory(email="root@example.test", role="staff")
    r = sso_only_app.test_client().post("/api/v1/auth/login", json={"email": "root@example.test", "password": PASSWORD})
    assert r.status_code == 403


@pytest.mark.parametrize("env, names", [
    ({"OIDC_ISSUER": "https://login.example.test"}, "OIDC_CLIENT_ID"),
    ({"PASSWORD_LOGIN": "off"}, "PASSWORD_LOGIN"),
    ({"OIDC_SCOPES": "email profile"}, "OIDC_SCOPES"),
    ({"OIDC_REDIRECT_ALLOWLIST": "https://go.stafet.test/app/,javascript:alert(1)"}, "OIDC_REDIRECT_ALLOWLIST"),
])
def test_single_sign_on_settings_that_cannot_work_stop_the_start(tmp_path, env, names):
    with pytest.raises(ConfigError, match=names):
        load_settings(env, instance_dir=tmp_path)


# --- the console's "Sign in with <provider>" ---------------------------------------------------

def _console_sso(app: Flask):
    web = app.test_client()
    assert "Sign in with your company account" in web.get("/console/login").get_data(as_text=True)
    start = web.get("/console/sso")
    assert start.status_code == 302
    at_provider = requests.get(start.headers["Location"], allow_redirects=False, timeout=5)
    back = urlsplit(at_provider.headers["Location"])
    to_console = web.get(f"{back.path}?{back.query}")
    assert to_console.status_code == 302
    where = urlsplit(to_console.headers["Location"])
    assert where.path == "/console/sso/done"
    return web, web.get(f"{where.path}?{where.query}")


def test_a_lead_signs_in_to_the_console_with_the_provider(sso_app, db, provider):
    lead = UserFactory(email="ada@example.test", role="lead", password_hash=None)
    web, done = _console_sso(sso_app)
    assert done.status_code == 302 and urlsplit(done.headers["Location"]).path == "/console/"
    assert web.get("/console/").status_code == 200  # a console session for Ada
    db.expire_all()
    assert db.get(User, lead.id).oidc_subject == "sub-ada"


def test_a_console_sign_in_the_rules_refuse_shows_why(sso_app, db, provider):
    provider.user = {"sub": "s9", "email": "eve@elsewhere.test", "email_verified": True}
    web, done = _console_sso(sso_app)
    assert urlsplit(done.headers["Location"]).path == "/console/login"
    assert "may not sign in here" in web.get("/console/login").get_data(as_text=True)
    assert web.get("/console/").status_code == 302  # still signed out


def test_a_provider_that_cannot_be_reached_is_a_503_at_the_start(tmp_path_factory):
    import socket
    with socket.socket() as s:  # a port nobody listens on once closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = build_app(base_env(tmp_path_factory.mktemp("down"), OIDC_ISSUER=f"http://127.0.0.1:{port}",
                             OIDC_CLIENT_ID=CLIENT_ID, OIDC_CLIENT_SECRET=CLIENT_SECRET))
    Base.metadata.create_all(app.extensions["stafet.db"]["engine"])
    r = app.test_client().get("/api/v1/auth/oidc/start", query_string={"redirect_uri": APP_URL})
    assert r.status_code == 503 and r.get_json()["type"].endswith("sso-provider-unavailable")
    app.extensions["stafet.db"]["engine"].dispose()


def test_without_auto_create_someone_unknown_has_no_account(sso_only_app, only_db):
    params = _app_params(_sign_in(sso_only_app))
    assert params["error"] == "no-account"
    assert only_db.scalar(select(User).where(User.email == "ada@example.test")) is None


def test_a_deactivated_person_is_refused_though_the_provider_knows_them(sso_app, db):
    UserFactory(email="ada@example.test", is_active=False, oidc_subject="sub-ada")
    assert _app_params(_sign_in(sso_app))["error"] == "account-inactive"


def test_finished_sign_ins_are_purged_by_the_hourly_job(sso_app, db):
    """A used sign-in stays until its one-time code's minute is over (as does one still in flight
    for its ten minutes); the hourly maintenance job then deletes it."""
    from datetime import timedelta

    import time_machine
    from sqlalchemy import func, select

    from api.clock import utcnow
    from api.models.oidc_logins import OidcLogin
    from workers.jobs import maintenance
    from workers.registry import PERIODIC

    UserFactory(email="ada@example.test")
    assert _exchange(sso_app, _app_params(_sign_in(sso_app))["code"]).status_code == 200
    sso_app.test_client().get("/api/v1/auth/oidc/start", query_string={"redirect_uri": APP_URL})  # in flight
    with sso_app.app_context():
        assert maintenance.purge_finished_sign_ins() == 0
    with time_machine.travel(utcnow() + timedelta(minutes=11)), sso_app.app_context():
        assert maintenance.purge_finished_sign_ins() == 2
    assert db.scalar(select(func.count()).select_from(OidcLogin)) == 0
    assert maintenance.purge_finished_sign_ins in [p.func for p in PERIODIC]
