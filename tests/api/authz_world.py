"""The world the authorization matrix acts on: real objects of every kind, built once.

Two teams, A (the team) and B (another team); the callers are `staff` (a member of A), `lead`
(the lead of A), `other_lead` (the lead of B) and `admin` (in no team). `bob` (a member of A) and
`cat` (a member of B) own "someone else's" objects and never call. Every caller owns one of each
personal object (comment, device, notification, redemption, suggestion, badge, refresh token,
session).

The world lives in its own SQLite file. It is built once; a snapshot is kept in memory, and after
a call that committed anything (`PRAGMA data_version` moved) the snapshot is copied back over the
file with SQLite's backup API, so every row starts from the same world in a few milliseconds.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from werkzeug.test import TestResponse

from api.clock import utcnow
from api.db import Base, db
from api.models.badges import Badge, BadgeAward
from api.models.join_codes import JoinCode, JoinRequest
from api.services import accounts, inbox, ledger
from tests.conftest import base_env, build_app, inspection_session
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.factories_content import PostFactory
from tests.factories_rewards import RewardFactory
from tests.helpers import token_for

CALLERS = ("staff", "lead", "other_lead", "admin")
INVITEE_PASSWORD = "a-fresh-password-42"


@dataclass(frozen=True)
class RawBody:
    """A request body sent as is, with its media type (the CSV import takes text/csv)."""

    content_type: str
    data: bytes


@dataclass
class World:
    app: Flask
    path: Path
    ids: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # access tokens by person
    emails: dict[str, str] = field(default_factory=dict)
    refresh: dict[str, str] = field(default_factory=dict)  # a live refresh token per caller
    scoring_rules: dict[str, Any] = field(default_factory=dict)
    invite_token: str = ""
    reset_token: str = ""  # a password reset token of bob's
    join_codes: dict[str, str] = field(default_factory=dict)  # team "a"/"b" → its join code
    _watch: sqlite3.Connection | None = None
    _snapshot: sqlite3.Connection | None = None

    # --- calling ------------------------------------------------------------------------------

    def call(self, who: str | None, method: str, path: str, json: Any = None) -> TestResponse:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        if isinstance(json, RawBody):  # a body that is not JSON (the CSV import)
            return self.app.test_client().open("/api/v1" + path, method=method, headers=headers, data=json.data,
                                               content_type=json.content_type)
        return self.app.test_client().open("/api/v1" + path, method=method, headers=headers, json=json)

    # --- snapshot and restore -----------------------------------------------------------------

    def freeze(self) -> None:
        self._watch = sqlite3.connect(self.path)
        self._snapshot = sqlite3.connect(":memory:")
        self._watch.backup(self._snapshot)

    def version(self) -> int:
        assert self._watch is not None
        return self._watch.execute("PRAGMA data_version").fetchone()[0]

    def restore(self) -> None:
        """Copy the snapshot back over the world (the app's SQLite engine pools no connections)."""
        assert self._snapshot is not None and self._watch is not None
        self._snapshot.backup(self._watch)

    def close(self) -> None:
        for conn in (self._watch, self._snapshot):
            if conn is not None:
                conn.close()


def build_world(tmp: Path) -> World:
    app = build_app(base_env(tmp))
    Base.metadata.create_all(app.extensions["stafet.db"]["engine"])
    world = World(app=app, path=tmp / "test.db")
    s = inspection_session(app)
    try:
        _people_and_content(world, s)
    finally:
        s.close()
        s.get_bind().dispose()
    _through_the_api(world)
    world.freeze()
    return world


def _people_and_content(w: World, s: Any) -> None:
    a, b = TeamFactory(name="Harbour"), TeamFactory(name="Depot")
    people = {
        "staff": UserFactory(teams=[a]),
        "lead": UserFactory(role="lead", teams=[a], teams__lead=True),
        "other_lead": UserFactory(role="lead", teams=[b], teams__lead=True),
        "admin": UserFactory(role="admin"),
        "admin2": UserFactory(role="admin"),  # so no row is about removing the last admin
        "bob": UserFactory(teams=[a]),
        "cat": UserFactory(teams=[b]),
    }
    invitee = UserFactory(activated_at=None, password_hash=None, teams=[a])
    w.invite_token = accounts.new_invite(invitee, 3600)
    s.commit()
    w.ids.update(team_a=a.id, team_b=b.id, user_invitee=invitee.id, **{f"user_{k}": u.id for k, u in people.items()})
    # Join codes: one per team, each with a person waiting for a lead's approval.
    for key, team in (("a", a), ("b", b)):
        code = JoinCode(team_id=team.id, code=f"WORLDCODE{key.upper()}", expires_at=utcnow() + timedelta(days=30),
                        auto_approve=False, uses=1)
        s.add(code)
        s.flush()
        joiner = UserFactory(email=None, username=f"joiner.{key}", is_active=False, activated_at=None)
        request = JoinRequest(team_id=team.id, user_id=joiner.id, join_code_id=code.id,
                              display_name=joiner.display_name, status="pending")
        s.add(request)
        s.commit()
        w.ids.update({f"join_code_{key}": code.id, f"join_request_{key}": request.id})
        w.join_codes[key] = code.code
    w.ids.update(team_a=a.id, team_b=b.id, **{f"user_{k}": u.id for k, u in people.items()})
    w.emails = {k: u.email for k, u in people.items()}
    w.tokens = {k: token_for(w.app, u) for k, u in people.items()}

    w.ids["post_all"] = PostFactory().id
    w.ids["post_a"] = PostFactory(teams=[a]).id
    w.ids["post_b"] = PostFactory(teams=[b]).id

    # Rewards: `reward_mine` is redeemed by every caller, `reward_bobs` by bob only, `reward_open`
    # is in the catalog for anyone to redeem, `reward_withdrawn` is not (inactive).
    for name in ("reward_mine", "reward_bobs", "reward_open"):
        w.ids[name] = RewardFactory(cost=100).id
    w.ids["reward_withdrawn"] = RewardFactory(cost=100, active=False).id

    # Badges: `badge_mine` is held by every caller and bob, `badge_bobs` by bob only.
    mine = Badge(code="first-share", name="First share", criteria={"type": "count", "action": "share", "threshold": 1})
    bobs = Badge(code="ten-shares", name="Ten shares", criteria={"type": "count", "action": "share", "threshold": 10})
    s.add_all([mine, bobs])
    s.flush()
    for who in (*CALLERS, "bob"):
        s.add(BadgeAward(badge_id=mine.id, user_id=people[who].id))
    s.add(BadgeAward(badge_id=bobs.id, user_id=people["bob"].id))
    w.ids.update(badge_mine=mine.id, badge_bobs=bobs.id)

    for who in (*CALLERS, "bob"):
        ledger.append(s, user_id=people[who].id, amount=1000, action="adjustment", dedupe_key=f"world:{who}")
    s.commit()
    with w.app.app_context():  # a notification queues its push after the commit: the app's unit of work
        for who in (*CALLERS, "bob"):
            note = inbox.notify(db.session, people[who].id, "badges", f"For {who}",
                                data={"deep_link": "stafet://badges/first-share"})
            assert note is not None
            w.ids[f"notification_{who}"] = note.id
        db.commit()


def _created(w: World, who: str, method: str, path: str, body: Any = None) -> dict[str, Any]:
    r = w.call(who, method, path, body)
    assert r.status_code in (200, 201), (who, method, path, r.status_code, r.get_json())
    return r.get_json()


def _through_the_api(w: World) -> None:
    """Objects whose making involves rules (held points, prizes awaiting approval, tokens): made as people would."""
    for who in (*CALLERS, "bob"):
        w.ids[f"comment_{who}"] = _created(w, who, "POST", f"/posts/{w.ids['post_all']}/comments",
                                           {"body": f"Well said, from {who}"})["id"]
        w.ids[f"device_{who}"] = _created(w, who, "POST", "/devices",
                                          {"token": f"fcm-token-of-{who}", "platform": "ios"})["id"]
        reward = "reward_bobs" if who == "bob" else "reward_mine"
        w.ids[f"redemption_{who}"] = _created(w, who, "POST", f"/rewards/{w.ids[reward]}/redemptions")["id"]
        w.ids[f"suggestion_{who}"] = _created(w, who, "POST", "/posts/suggestions",
                                              {"title": f"A story from {who}", "body": "At the depot today"})["id"]
    for who in CALLERS:
        w.refresh[who] = _created(w, None, "POST", "/auth/login",
                                  {"email": w.emails[who], "password": PASSWORD})["refresh_token"]
    # A lead's prize above max_challenge_prize (500 by default) waits for an admin: one per team.
    for who, team in (("lead", "team_a"), ("other_lead", "team_b")):
        w.ids[f"challenge_{team}"] = _created(w, who, "POST", "/challenges", challenge_body(w.ids[team], 1000))["id"]
    w.scoring_rules = _created(w, "admin", "GET", "/admin/scoring-rules")
    w.ids["scim_token"] = _created(w, "admin", "POST", "/admin/scim-tokens", {"name": "Entra ID"})["id"]
    reset = _created(w, "admin", "POST", f"/admin/users/{w.ids['user_bob']}/reset-link")
    w.reset_token = parse_qs(urlsplit(reset["url"]).query)["token"][0]
    # A social media policy everyone accepted (so sharing is allowed), and a session of each person
    # (the current one of a fresh sign-in; bob's is "someone else's").
    version = _created(w, "admin", "PUT", "/admin/policy", {"text": "Share what is public."})["version"]
    for who in (*CALLERS, "bob"):
        assert w.call(who, "POST", "/me/policy-acceptance", {"version": version}).status_code == 204
    for who in (*CALLERS, "bob"):
        pair = _created(w, None, "POST", "/auth/login", {"email": w.emails[who], "password": PASSWORD})
        listed = w.app.test_client().get("/api/v1/me/sessions",
                                         headers={"Authorization": f"Bearer {pair['access_token']}"}).get_json()
        w.ids[f"session_{who}"] = next(item["id"] for item in listed["items"] if item["current"])
    from api.extensions import limiter

    limiter.reset()  # the logins above count towards the per-address sign-in limit


def challenge_body(team_id: int, prize: int = 50, post_ids: list[int] | None = None) -> dict[str, Any]:
    start = utcnow() + timedelta(hours=1)
    return {"title": "Most shares this week", "kind": "individual", "metric": "shares", "team_ids": [team_id],
            "starts_at": start.isoformat(), "ends_at": (start + timedelta(days=2)).isoformat(),
            "prize_points": prize, "post_ids": post_ids or []}

