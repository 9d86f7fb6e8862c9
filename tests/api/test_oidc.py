"""Single sign-on against a real OpenID provider started by the tests (the oidc-provider-mock
package: discovery, JWKS, its authorization form, the token endpoint): start → provider →
callback → exchange → /me. Tokens no real provider would issue (a foreign signature, another
audience or issuer) come from our forging provider, tests/oidc_provider.py."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.config import ConfigError, load_settings
from api.db import Base
from api.models.oidc_logins import OidcLogin
from api.models.users import User
from api.services import oidc
from tests.conftest import base_env, build_app, empty_database, inspection_session
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.oidc_mock import CLIENT_ID, CLIENT_SECRET, MockProvider, running_mock_provider
from tests.oidc_provider import Provider, running_provider

BASE = "https://go.stafet.test"
CALLBACK = f"{BASE}/api/v1/auth/oidc/callback"
APP_URL = f"{BASE}/app/signed-in"
ADA = "sub-ada"


@pytest.fixture(scope="module")
def provider() -> Iterator[MockProvider]:
    with running_mock_provider() as p:
        yield p


def _app(tmp_path_factory: pytest.TempPathFactory, issuer: str, client_id: str = CLIENT_ID,
         client_secret: str = CLIENT_SECRET, **env: str) -> Flask:
    tmp = tmp_path_factory.mktemp("oidc")
    app = build_app(base_env(tmp, OIDC_ISSUER=issuer, OIDC_CLIENT_ID=client_id, OIDC_CLIENT_SECRET=client_secret,
                             **env))
    Base.metadata.create_all(app.extensions["stafet.db"]["engine"])
    return app


@pytest.fixture(scope="module")
def sso_app(tmp_path_factory: pytest.TempPathFactory, provider: MockProvider) -> Iterator[Flask]:
    app = _app(tmp_path_factory, provider.issuer, OIDC_ALLOWED_DOMAINS="example.test", OIDC_AUTO_CREATE="true",
               OIDC_TEAMS_CLAIM="groups")
    yield app
    app.extensions["stafet.db"]["engine"].dispose()


@pytest.fixture(autouse=True)
def _fresh(request: pytest.FixtureRequest, provider: MockProvider) -> Iterator[None]:
    provider.set_user(ADA, email="ada@example.test", email_verified=True, name="Ada Lovelace")
    oidc.cache.clear()
    yield
    for app in ("sso_app", "forged_app"):
        if app in request.fixturenames:
            empty_database(request.getfixturevalue(app))


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


def _at_provider(provider: MockProvider | Provider, authorization_url: str, sub: str) -> str:
    """The person's steps at the provider: its form for the mock, an instant consent for the forger."""
    if isinstance(provider, MockProvider):
        return provider.authorize(authorization_url, sub)
    r = requests.get(authorization_url, allow_redirects=False, timeout=5)
    assert r.status_code == 302
    return r.headers["Location"]


def _sign_in(app: Flask, provider: MockProvider | Provider, sub: str = ADA, redirect_uri: str = APP_URL, *,
             state: str | None = None, nonce: str | None = None):
    """Browser steps: the API's start, the provider, the API's callback. The callback's response."""
    web = app.test_client()
    start = web.get("/api/v1/auth/oidc/start", query_string={"redirect_uri": redirect_uri})
    assert start.status_code == 302, start.get_data(as_text=True)
    url = start.headers["Location"]
    if nonce is not None:  # someone swapped the nonce on the way to the provider
        url = _with_param(url, "nonce", nonce)
    back = urlsplit(_at_provider(provider, url, sub))
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    query = back.query if state is None else _with_param("?" + back.query, "state", state)[1:]
    return web.get(f"{back.path}?{query}")


def _with_param(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    q[name] = value
    return parts._replace(query=urlencode(q)).geturl()


def _app_params(callback) -> dict[str, str]:
    assert callback.status_code == 302, callback.get_data(as_text=True)
    where = urlsplit(callback.headers["Location"])
    assert f"{where.scheme}://{where.netloc}{where.path}" == APP_URL
    return {k: v[0] for k, v in parse_qs(where.query).items()}


def _exchange(app: Flask, code: str):
    return app.test_client().post("/api/v1/auth/oidc/exchange", json={"code": code})


def test_the_full_flow_signs_in_an_invited_person_by_verified_email_then_by_subject(sso_app, db, provider):
    ada = UserFactory(email="ada@example.test", password_hash=None)  # invited, never activated
    params = _app_params(_sign_in(sso_app, provider))
    pair = _exchange(sso_app, params["code"])
    assert pair.status_code == 200, pair.get_json()
    me = sso_app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {pair.get_json()['access_token']}"})
    assert me.status_code == 200 and me.get_json()["id"] == ada.id
    db.expire_all()
    assert db.get(User, ada.id).oidc_subject == ADA and db.get(User, ada.id).activated_at is not None
    # The next time the email at the provider changed: the subject still finds Ada.
    UserFactory(email="ada.new@example.test")
    provider.set_user(ADA, email="ada.new@example.test", email_verified=True)
    pair = _exchange(sso_app, _app_params(_sign_in(sso_app, provider))["code"])
    assert pair.get_json()["user"]["id"] == ada.id


def test_the_authorization_request_carries_a_pkce_s256_challenge_of_the_stored_verifier(sso_app, db, provider):
    start = sso_app.test_client().get("/api/v1/auth/oidc/start", query_string={"redirect_uri": APP_URL})
    q = {k: v[0] for k, v in parse_qs(urlsplit(start.headers["Location"]).query).items()}
    login = db.scalar(select(OidcLogin))
    expected = base64.urlsafe_b64encode(hashlib.sha256(login.code_verifier.encode()).digest()).rstrip(b"=").decode()
    assert (q["code_challenge_method"], q["code_challenge"]) == ("S256", expected)
    assert q["nonce"] == login.nonce and q["client_id"] == CLIENT_ID and q["redirect_uri"] == CALLBACK
    assert q["response_type"] == "code" and set(q["scope"].split()) == {"openid", "email", "profile"}
    assert len(q["state"]) >= 32 and q["state"] not in (login.state_hash, login.nonce)


def test_auto_create_makes_a_staff_member_in_the_teams_of_the_groups_claim(sso_app, db, provider):
    sales = TeamFactory(name="Sales Nordics")
    TeamFactory(name="Finance")
    provider.set_user("sub-new", email="new@example.test", email_verified=True, name="New Person",
                      groups=["sales   NORDICS", "Not A Team"])
    pair = _exchange(sso_app, _app_params(_sign_in(sso_app, provider, "sub-new"))["code"]).get_json()
    assert pair["user"]["display_name"] == "New Person"
    user = db.scalar(select(User).where(User.email == "new@example.test"))
    assert user.role == "staff" and user.oidc_subject == "sub-new"
    assert [m.team_id for m in user.memberships] == [sales.id]


def test_a_code_works_once(sso_app, db, provider):
    UserFactory(email="ada@example.test")
    code = _app_params(_sign_in(sso_app, provider))["code"]
    assert _exchange(sso_app, code).status_code == 200
    replay = _exchange(sso_app, code)
    assert replay.status_code == 401 and replay.get_json()["type"].endswith("sso-code-invalid")


def test_the_providers_callback_works_once(sso_app, db, provider):
    """A callback URL replayed from the browser history (or a log) finds its sign-in used."""
    UserFactory(email="ada@example.test")
    web = sso_app.test_client()
    start = web.get("/api/v1/auth/oidc/start", query_string={"redirect_uri": APP_URL})
    back = urlsplit(provider.authorize(start.headers["Location"], ADA))
    assert "code" in _app_params(web.get(f"{back.path}?{back.query}"))
    again = _app_params(web.get(f"{back.path}?{back.query}"))
    assert again["error"] == "sso-state-invalid" and "code" not in again


def test_a_wrong_state_is_refused_and_sends_the_browser_to_the_app_with_the_reason(sso_app, db, provider):
    """An unknown state names no app to return to: the staff app's return screen says to start again."""
    UserFactory(email="ada@example.test")
    params = _app_params(_sign_in(sso_app, provider, state="not-the-state"))
    assert params["error"] == "sso-state-invalid" and "start it again" in params["error_description"]
    assert "code" not in params
    assert db.scalar(select(User.oidc_subject).where(User.email == "ada@example.test")) is None


def test_a_nonce_swapped_on_the_way_to_the_provider_is_refused(sso_app, db, provider):
    UserFactory(email="ada@example.test")
    params = _app_params(_sign_in(sso_app, provider, nonce="a-nonce-the-attacker-chose"))
    assert params["error"] == "id-token-nonce" and "code" not in params


def test_an_id_token_that_has_expired_is_refused(tmp_path_factory, db):
    with running_mock_provider(token_max_age=timedelta(hours=-1)) as stale:
        app = _app(tmp_path_factory, stale.issuer)
        try:
            stale.set_user(ADA, email="ada@example.test", email_verified=True)
            assert _app_params(_sign_in(app, stale))["error"] == "id-token-expired"
        finally:
            app.extensions["stafet.db"]["engine"].dispose()


# --- tokens no real provider issues: from the forging provider -----------------------------------

FORGED_CALLBACK = (CALLBACK,)


@pytest.fixture(scope="module")
def forger() -> Iterator[Provider]:
    with running_provider(FORGED_CALLBACK) as p:
        yield p


@pytest.fixture(scope="module")
def forged_app(tmp_path_factory: pytest.TempPathFactory, forger: Provider) -> Iterator[Flask]:
    from tests import oidc_provider
    app = _app(tmp_path_factory, forger.issuer, oidc_provider.CLIENT_ID, oidc_provider.CLIENT_SECRET)
    yield app
    app.extensions["stafet.db"]["engine"].dispose()


@pytest.fixture
def forged_db(forged_app: Flask, forger: Provider) -> Iterator[Session]:
    """Ada, invited, and the forger ready to sign her in."""
    for s in _inspecting(forged_app):
        UserFactory(email="ada@example.test")
        forger.user, forger.tamper = {"sub": ADA, "email": "ada@example.test", "email_verified": True}, {}
        yield s


@pytest.mark.parametrize("tamper, error", [
    ({"sign_with_other_key": True}, "id-token-invalid"),
    ({"aud": "another-client"}, "id-token-audience"),
    ({"iss": "https://evil.example"}, "id-token-issuer"),
])
def test_an_id_token_that_is_not_the_providers_is_refused(forged_app, forged_db, forger, tamper, error):
    forger.tamper = tamper
    assert _app_params(_sign_in(forged_app, forger))["error"] == error


def test_the_token_endpoint_checked_the_pkce_verifier_and_the_client_secret(forged_app, forged_db, forger):
    assert "code" in _app_params(_sign_in(forged_app, forger))
    assert forger.token_requests[-1]["code_verifier"]  # checked against the S256 challenge, with Basic auth


@pytest.mark.parametrize("sub, claims, error", [
    ("s1", {"email": "ada@example.test", "email_verified": False}, "email-not-verified"),
    ("s3", {"email": "ada@example.test"}, "email-not-verified"),  # no claim at all is not verified
    ("s2", {"email": "eve@elsewhere.test", "email_verified": True}, "domain-not-allowed"),
])
def test_people_the_rules_keep_out_are_sent_back_with_an_error(sso_app, provider, db, sub, claims, error):
    ada = UserFactory(email="ada@example.test")
    provider.set_user(sub, **claims)
    params = _app_params(_sign_in(sso_app, provider, sub))
    assert params["error"] == error and "code" not in params
    assert db.scalar(select(User).where(User.email == "eve@elsewhere.test")) is None
    db.expire_all()
    assert db.get(User, ada.id).oidc_subject is None  # nobody took over Ada's account


def test_a_redirect_uri_off_the_allow_list_is_refused_before_the_provider(sso_app):
    r = sso_app.test_client().get("/api/v1/auth/oidc/start", query_string={"redirect_uri": "https://evil.test/app/"})
    assert r.status_code == 422 and r.get_json()["type"].endswith("redirect-uri-not-allowed")


def test_client_config_says_sso_is_on(sso_app):
    """No OIDC_PROVIDER_NAME: the name is null, so the app says "your company account" in its own language."""
    sso = sso_app.test_client().get("/api/v1/client-config").get_json()["sso"]
    assert sso["enabled"] is True and sso["start_url"] == "/api/v1/auth/oidc/start"
    assert (sso["provider_name"], sso["password_login"]) == (None, True)


def test_without_an_issuer_sso_is_off(client):
    sso = client.get("/client-config").get_json()["sso"]
    assert sso["enabled"] is False and sso["start_url"] is None
    assert (sso["provider_name"], sso["password_login"]) == (None, True)
    assert client.get("/auth/oidc/start?redirect_uri=https://go.stafet.test/app/").status_code == 404


# --- PASSWORD_LOGIN=off: single sign-on only, except the break-glass admin -----------------------

@pytest.fixture(scope="module")
def sso_only_app(tmp_path_factory: pytest.TempPathFactory, provider: MockProvider) -> Iterator[Flask]:
    app = _app(tmp_path_factory, provider.issuer, PASSWORD_LOGIN="off", BREAK_GLASS_EMAIL="Root@Example.test")
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


def test_client_config_names_the_provider_and_says_password_login_is_off(sso_only_app, monkeypatch):
    """The app shows "Sign in with Contoso" and folds its password form away behind the admin link."""
    monkeypatch.setitem(sso_only_app.config, "OIDC_PROVIDER_NAME", "Contoso")
    sso = sso_only_app.test_client().get("/api/v1/client-config").get_json()["sso"]
    assert sso["enabled"] is True and (sso["provider_name"], sso["password_login"]) == ("Contoso", False)


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

def _console_sso(app: Flask, provider: MockProvider, sub: str = ADA):
    web = app.test_client()
    assert "Sign in with your company account" in web.get("/console/login").get_data(as_text=True)
    start = web.get("/console/sso")
    assert start.status_code == 302
    back = urlsplit(provider.authorize(start.headers["Location"], sub))
    to_console = web.get(f"{back.path}?{back.query}")
    assert to_console.status_code == 302
    where = urlsplit(to_console.headers["Location"])
    assert where.path == "/console/sso/done"
    return web, web.get(f"{where.path}?{where.query}")


def test_a_lead_signs_in_to_the_console_with_the_provider(sso_app, db, provider):
    lead = UserFactory(email="ada@example.test", role="lead", password_hash=None)
    web, done = _console_sso(sso_app, provider)
    assert done.status_code == 302 and urlsplit(done.headers["Location"]).path == "/console/"
    assert web.get("/console/").status_code == 200  # a console session for Ada
    db.expire_all()
    assert db.get(User, lead.id).oidc_subject == ADA


def test_a_console_sign_in_the_rules_refuse_shows_why(sso_app, db, provider):
    provider.set_user("s9", email="eve@elsewhere.test", email_verified=True)
    web, done = _console_sso(sso_app, provider, "s9")
    assert urlsplit(done.headers["Location"]).path == "/console/login"
    assert "may not sign in here" in web.get("/console/login").get_data(as_text=True)
    assert web.get("/console/").status_code == 302  # still signed out


def test_a_provider_that_cannot_be_reached_sends_the_browser_back_with_the_reason(tmp_path_factory):
    import socket
    with socket.socket() as s:  # a port nobody listens on once closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = _app(tmp_path_factory, f"http://127.0.0.1:{port}")
    r = app.test_client().get("/api/v1/auth/oidc/start", query_string={"redirect_uri": APP_URL})
    assert _app_params(r)["error"] == "provider-unavailable"  # the app's message, not an error document
    off_list = app.test_client().get("/api/v1/auth/oidc/start", query_string={"redirect_uri": "https://evil.test/"})
    assert off_list.status_code == 422  # never a redirect to an address off the allow-list
    console = app.test_client()
    to_login = console.get("/console/sso")
    assert to_login.status_code == 302 and urlsplit(to_login.headers["Location"]).path == "/console/login"
    assert "cannot be reached" in console.get("/console/login").get_data(as_text=True)
    app.extensions["stafet.db"]["engine"].dispose()


def test_without_auto_create_someone_unknown_has_no_account(sso_only_app, only_db, provider):
    params = _app_params(_sign_in(sso_only_app, provider))
    assert params["error"] == "no-account"
    assert only_db.scalar(select(User).where(User.email == "ada@example.test")) is None


def test_a_deactivated_person_is_refused_though_the_provider_knows_them(sso_app, db, provider):
    UserFactory(email="ada@example.test", is_active=False, oidc_subject=ADA)
    assert _app_params(_sign_in(sso_app, provider))["error"] == "account-inactive"


def test_finished_sign_ins_are_purged_by_the_hourly_job(sso_app, db, provider):
    """A used sign-in stays until its one-time code's minute is over (as does one still in flight
    for its ten minutes); the hourly maintenance job then deletes it."""
    import time_machine
    from sqlalchemy import func

    from api.clock import utcnow
    from workers.jobs import maintenance
    from workers.registry import PERIODIC

    UserFactory(email="ada@example.test")
    assert _exchange(sso_app, _app_params(_sign_in(sso_app, provider))["code"]).status_code == 200
    sso_app.test_client().get("/api/v1/auth/oidc/start", query_string={"redirect_uri": APP_URL})  # in flight
    with sso_app.app_context():
        assert maintenance.purge_finished_sign_ins() == 0
    with time_machine.travel(utcnow() + timedelta(minutes=11)), sso_app.app_context():
        assert maintenance.purge_finished_sign_ins() == 2
    assert db.scalar(select(func.count()).select_from(OidcLogin)) == 0
    assert maintenance.purge_finished_sign_ins in [p.func for p in PERIODIC]
