"""Company identity on PostgreSQL (where single sign-on's GETs must commit what they store).

A leaver, end to end (issue 18, point 3), on PostgreSQL + Redis + RQ workers + the real
firebase-admin SDK against the fake FCM server, with sign-in at a real OpenID provider:

provisioned by SCIM, signs in on a phone with single sign-on, turns push on, shares, takes part
in a challenge; deactivated by SCIM (the shape Entra ID sends) → the next API call is 401, a
lead's nudge reaches the colleague's phone but not theirs, they are gone from the leaderboard
and the challenge's standings; their ledger and the team's figures stay as they were.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from redis import Redis
from sqlalchemy import func, select

from api.clock import utcnow
from api.db import Base, db
from api.models.ledger import LedgerEntry
from api.models.notifications import Device, NotificationPreference
from api.models.teams import Team
from tests.conftest import base_env, build_app, empty_database
from tests.factories import UserFactory
from tests.factories_content import PostFactory
from tests.fake_fcm import FakeFCM, serving_fcm
from tests.helpers import ApiClient, run_jobs
from tests.oidc_mock import CLIENT_ID, CLIENT_SECRET, MockProvider, running_mock_provider

SCIM_JSON = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
EMAIL = "isaac.brock@example.com"
APP_URL = "https://go.stafet.test/app/signed-in"


@pytest.fixture(scope="module")
def provider() -> Iterator[MockProvider]:
    with running_mock_provider() as p:
        yield p


@pytest.fixture
def leaver_app(pg_url: str, redis_url: str, provider: MockProvider, tmp_path_factory) -> Iterator[Flask]:
    Redis.from_url(redis_url).flushdb()
    app = build_app(base_env(tmp_path_factory.mktemp("leaver"), DATABASE_URL=pg_url, REDIS_URL=redis_url,
                             OIDC_ISSUER=provider.issuer, OIDC_CLIENT_ID=CLIENT_ID, OIDC_CLIENT_SECRET=CLIENT_SECRET))
    Base.metadata.create_all(app.extensions["stafet.db"]["engine"])
    yield app
    empty_database(app)
    Redis.from_url(redis_url).flushdb()
    db.dispose(app)


@pytest.fixture
def fake() -> Iterator[FakeFCM]:
    with serving_fcm() as server:
        yield server


@pytest.fixture
def pg(leaver_app: Flask):
    from tests.conftest import inspection_session

    s = inspection_session(leaver_app)
    yield s
    s.close()


def _scim(app: Flask, token: str, method: str, path: str, body: dict | None = None):
    kw = {"data": json.dumps(body), "content_type": SCIM_JSON} if body is not None else {}
    return app.test_client().open(f"/scim/v2{path}", method=method, headers={"Authorization": f"Bearer {token}"},
                                  **kw)


def _sso_sign_in(app: Flask, provider: MockProvider, sub: str) -> dict:
    """The phone's browser: start, the provider's form, the callback; then the app's exchange."""
    web = app.test_client()
    start = web.get("/api/v1/auth/oidc/start", query_string={"redirect_uri": APP_URL})
    back = urlsplit(provider.authorize(start.headers["Location"], sub))
    to_app = web.get(f"{back.path}?{back.query}")
    assert to_app.status_code == 302, to_app.get_data(as_text=True)
    code = parse_qs(urlsplit(to_app.headers["Location"]).query)["code"][0]
    pair = web.post("/api/v1/auth/oidc/exchange", json={"code": code})
    assert pair.status_code == 200, pair.get_json()
    return pair.get_json()


class Phone:
    """A signed-in staff app: the token pair's access token on every call."""

    def __init__(self, app: Flask, access_token: str) -> None:
        self.web, self.headers = app.test_client(), {"Authorization": f"Bearer {access_token}"}

    def __call__(self, method: str, path: str, body: dict | None = None):
        return self.web.open(f"/api/v1{path}", method=method, json=body, headers=self.headers)


def _ledger_of(pg, user_id: int) -> list[tuple[str, int]]:
    pg.expire_all()
    return sorted(pg.execute(select(LedgerEntry.action, LedgerEntry.amount).where(LedgerEntry.user_id == user_id)))


def test_a_leaver_loses_access_pushes_and_places_at_once_and_leaves_the_figures_as_they_were(
        leaver_app, pg, provider, fake):
    app = leaver_app
    admin = UserFactory(role="admin")
    api = ApiClient(app)
    scim_token = api.as_(admin).post("/admin/scim-tokens", json={"name": "Microsoft Entra ID"}).get_json()["token"]

    # Provisioned by the identity provider: a group (a team) and Isaac in it.
    group = _scim(app, scim_token, "POST", "/Groups", {"schemas": [GROUP], "displayName": "Harbour crew",
                                                         "externalId": "grp-harbour"})
    assert group.status_code == 201, group.get_data(as_text=True)
    made = _scim(app, scim_token, "POST", "/Users", {
        "schemas": [USER], "userName": EMAIL, "externalId": "00ujl29u0le5T6Aj10h7", "active": True,
        "displayName": "Isaac Brock", "emails": [{"primary": True, "value": EMAIL, "type": "work"}]})
    assert made.status_code == 201, made.get_data(as_text=True)
    isaac_id = int(made.get_json()["id"])
    added = _scim(app, scim_token, "PATCH", f"/Groups/{group.get_json()['id']}", {
        "schemas": [PATCH_OP], "Operations": [{"op": "Add", "path": "members", "value": [{"value": str(isaac_id)}]}]})
    assert added.status_code in (200, 204), added.get_data(as_text=True)
    team = pg.get(Team, int(group.get_json()["id"]))
    lead = UserFactory(role="lead", teams=[team], teams__lead=True)
    colleague = UserFactory(teams=[team])
    pg.add_all([Device(user_id=colleague.id, token="fcm-colleague", token_hash="c".ljust(64, "0"), platform="android"),
                NotificationPreference(user_id=colleague.id, push_enabled=True)])
    pg.commit()
    post = PostFactory(teams=[team])

    # Isaac signs in on his phone with the company account and turns push on.
    provider.set_user("isaac-at-idp", email=EMAIL, email_verified=True, name="Isaac Brock")
    pair = _sso_sign_in(app, provider, "isaac-at-idp")
    assert pair["user"]["id"] == isaac_id
    phone = Phone(app, pair["access_token"])
    assert phone("POST", "/devices", {"token": "fcm-isaac", "platform": "android"}).status_code == 201
    prefs = phone("GET", "/me/notification-preferences").get_json()
    assert phone("PUT", "/me/notification-preferences", {**prefs, "push_enabled": True}).status_code == 200

    # A challenge for the team; both share the story in their own words; the workers tally.
    now = utcnow()
    challenge = api.as_(admin).post("/challenges", json={
        "title": "Harbour week", "kind": "individual", "metric": "shares", "team_ids": [team.id],
        "starts_at": now.isoformat(), "ends_at": (now + timedelta(days=2)).isoformat(), "prize_points": 100})
    assert challenge.status_code == 201, challenge.get_json()
    cid = challenge.get_json()["id"]
    caption = {"network": "linkedin", "caption": "Our harbour crew turned the night shift around - proud of them"}
    assert phone("POST", f"/posts/{post.id}/shares", caption).status_code == 201
    assert api.as_(colleague).post(f"/posts/{post.id}/shares", json=caption).status_code == 201
    run_jobs(app)

    isaac_ledger = _ledger_of(pg, isaac_id)
    assert [a for a, _ in isaac_ledger].count("share") == 1
    board = api.as_(colleague).get("/leaderboard").get_json()
    assert isaac_id in [e["user"]["id"] for e in board["entries"]]
    standings = api.as_(lead).get(f"/challenges/{cid}").get_json()["standings"]
    assert isaac_id in [s["user"]["id"] for s in standings if s.get("user")]
    figures_before = api.as_(lead).get(f"/teams/{team.id}/analytics").get_json()
    assert figures_before["shares_by_network"] == {"linkedin": 2}

    # The identity provider deactivates him the way Entra ID does ("False" as a string).
    off = _scim(app, scim_token, "PATCH", f"/Users/{isaac_id}", {
        "schemas": [PATCH_OP], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]})
    assert off.status_code == 200 and off.get_json()["active"] is False

    gone = phone("GET", "/me")
    assert gone.status_code == 401 and gone.mimetype == "application/problem+json"
    assert app.test_client().post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 401

    nudge = api.as_(lead).post(f"/teams/{team.id}/nudges", json={"title": "Share today's harbour story"})
    assert nudge.status_code == 201
    run_jobs(app)
    assert [m["token"] for m in fake.received] == ["fcm-colleague"]

    board = api.as_(colleague).get("/leaderboard").get_json()
    assert isaac_id not in [e["user"]["id"] for e in board["entries"]]
    assert colleague.id in [e["user"]["id"] for e in board["entries"]]
    standings = api.as_(lead).get(f"/challenges/{cid}").get_json()["standings"]
    assert isaac_id not in [s["user"]["id"] for s in standings if s.get("user")]
    assert colleague.id in [s["user"]["id"] for s in standings if s.get("user")]

    assert _ledger_of(pg, isaac_id) == isaac_ledger
    figures_after = api.as_(lead).get(f"/teams/{team.id}/analytics").get_json()
    for figure in ("shares_by_network", "comments", "clicks", "estimated_reach", "earned_media_value", "top_posts"):
        assert figures_after[figure] == figures_before[figure], figure
    assert pg.scalar(select(func.count()).select_from(Device).where(Device.user_id == isaac_id,
                                                                     Device.active.is_(True))) == 0


def test_a_lead_signs_in_to_the_console_with_the_company_account(leaver_app, pg, provider):
    app = leaver_app
    lead = UserFactory(role="lead", email="kari.dahl@example.com", password_hash=None)
    provider.set_user("kari-at-idp", email="kari.dahl@example.com", email_verified=True)
    web = app.test_client()
    start = web.get("/console/sso")
    assert start.status_code == 302
    back = urlsplit(provider.authorize(start.headers["Location"], "kari-at-idp"))
    to_console = web.get(f"{back.path}?{back.query}")
    assert urlsplit(to_console.headers["Location"]).path == "/console/sso/done"
    done = web.get(to_console.headers["Location"].split("go.stafet.test", 1)[-1])
    assert done.status_code == 302 and urlsplit(done.headers["Location"]).path == "/console/"
    assert web.get("/console/").status_code == 200
    pg.expire_all()
    assert pg.get(type(lead), lead.id).oidc_subject == "kari-at-idp"
