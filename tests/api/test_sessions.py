"""My sessions (issue 17, point 7): where I am signed in, signing out one session or all of them, and
deactivation ending a person's sessions and devices at once. Through the HTTP API on PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from api.clock import utcnow
from api.models.notifications import Device
from tests.factories import PASSWORD, UserFactory
from tests.helpers import assert_problem

IPHONE_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Version/17.4 Mobile/15E148 Safari/604.1")
ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/124.0.0.0 Mobile Safari/537.36")
WINDOWS_EDGE = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51")
MAC_FIREFOX = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0"


pytestmark = pytest.mark.postgres  # `client` and `session` are on PostgreSQL (tests/conftest.py)


def _login(client, user, headers=None):
    r = client.post("/auth/login", json={"email": user.email, "password": PASSWORD}, headers=headers or {})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def _sessions(client, access):
    r = client.get("/me/sessions", headers=_bearer(access))
    assert r.status_code == 200, r.get_json()
    return r.get_json()["items"]


def _refresh(client, refresh):
    return client.post("/auth/refresh", json={"refresh_token": refresh})


@pytest.mark.parametrize("user_agent, device", [
    (IPHONE_SAFARI, "Safari on iPhone"),
    (ANDROID_CHROME, "Chrome on Android"),
    (WINDOWS_EDGE, "Edge on Windows"),
    (MAC_FIREFOX, "Firefox on Mac"),
    ("okhttp/4.12.0", "okhttp/4.12.0"),
    ("", "Unknown device"),
    ("x" * 300, "x" * 80),
])
def test_the_device_is_a_short_name_from_the_user_agent(client, session, user_agent, device):
    ann = UserFactory()
    pair = _login(client, ann, {"User-Agent": user_agent})
    assert [s["device"] for s in _sessions(client, pair["access_token"])] == [device]


def test_my_sessions_list_device_app_times_and_which_one_is_current(client, session):
    """Three sign-ins: the staff app names itself (X-Client), a page of this site (Origin), a script;
    the list shows all three, newest first, and marks the one whose token asks."""
    ann = UserFactory()
    start = utcnow()
    with time_machine.travel(start, tick=False):
        phone = _login(client, ann, {"User-Agent": IPHONE_SAFARI, "X-Client": "staff-app"})
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        browser = _login(client, ann, {"User-Agent": ANDROID_CHROME, "Origin": "https://go.stafet.test"})
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        script = _login(client, ann, {"User-Agent": "curl/8.5.0"})
        items = _sessions(client, browser["access_token"])
        from_script = _sessions(client, script["access_token"])

    assert [(s["device"], s["app"], s["current"]) for s in items] == [
        ("curl/8.5.0", "other", False),
        ("Chrome on Android", "staff_app", True),
        ("Safari on iPhone", "staff_app", False),
    ]
    assert [s["created_at"] for s in items] == [s["last_used_at"] for s in items]
    assert len({s["id"] for s in items}) == 3
    assert [s["current"] for s in from_script] == [True, False, False]
    assert phone["refresh_token"]


def test_a_refresh_moves_last_used_and_keeps_the_session(client, session):
    """A refreshed session keeps its id and sign-in time, its last use moves, and the new access
    token is still the current session."""
    ann = UserFactory()
    start = utcnow()
    with time_machine.travel(start, tick=False):
        pair = _login(client, ann, {"User-Agent": IPHONE_SAFARI})
        other = _login(client, ann, {"User-Agent": ANDROID_CHROME})
    before = {s["device"]: s for s in _sessions(client, pair["access_token"])}
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        renewed = _refresh(client, pair["refresh_token"], ).get_json()
        after = _sessions(client, renewed["access_token"])

    assert [s["device"] for s in after] == ["Safari on iPhone", "Chrome on Android"]  # most recently used first
    mine = after[0]
    assert mine["id"] == before["Safari on iPhone"]["id"] and mine["current"] is True
    assert mine["created_at"] == before["Safari on iPhone"]["created_at"]
    assert mine["last_used_at"] > mine["created_at"]
    assert after[1]["last_used_at"] == before["Chrome on Android"]["last_used_at"]
    assert other["refresh_token"]


def test_revoking_a_session_stops_its_refresh_and_access_tokens_at_once(client, session):
    """DELETE /me/sessions/{id} → 204; that session's refresh token is 401 and its unexpired access
    token is 401 on the next request; my other session keeps working."""
    ann = UserFactory()
    lost_phone = _login(client, ann, {"User-Agent": IPHONE_SAFARI})
    laptop = _login(client, ann, {"User-Agent": MAC_FIREFOX})
    lost_id = next(s["id"] for s in _sessions(client, laptop["access_token"]) if s["device"] == "Safari on iPhone")

    r = client.delete(f"/me/sessions/{lost_id}", headers=_bearer(laptop["access_token"]))

    assert r.status_code == 204
    assert_problem(client.get("/me", headers=_bearer(lost_phone["access_token"])), 401)
    assert_problem(_refresh(client, lost_phone["refresh_token"]), 401)
    assert [s["device"] for s in _sessions(client, laptop["access_token"])] == ["Firefox on Mac"]
    assert _refresh(client, laptop["refresh_token"]).status_code == 200
    assert_problem(client.delete(f"/me/sessions/{lost_id}", headers=_bearer(laptop["access_token"])), 404)


def test_another_persons_session_does_not_exist_for_me(client, session):
    ann, bob = UserFactory(), UserFactory()
    mine = _login(client, ann)
    bobs = _login(client, bob)
    bob_session = _sessions(client, bobs["access_token"])[0]["id"]

    assert_problem(client.delete(f"/me/sessions/{bob_session}", headers=_bearer(mine["access_token"])), 404)
    assert_problem(client.delete("/me/sessions/999999", headers=_bearer(mine["access_token"])), 404)
    assert client.get("/me", headers=_bearer(bobs["access_token"])).status_code == 200
    assert _refresh(client, bobs["refresh_token"]).status_code == 200
    assert [s["id"] for s in _sessions(client, mine["access_token"])] != [bob_session]


def test_signing_out_removes_the_session_from_the_list(client, session):
    ann = UserFactory()
    leaving = _login(client, ann, {"User-Agent": IPHONE_SAFARI})
    staying = _login(client, ann, {"User-Agent": MAC_FIREFOX})

    assert client.post("/auth/logout", json={"refresh_token": leaving["refresh_token"]}).status_code == 204

    assert [s["device"] for s in _sessions(client, staying["access_token"])] == ["Firefox on Mac"]
    assert_problem(client.get("/me", headers=_bearer(leaving["access_token"])), 401)


def test_expired_sessions_are_not_listed(client, session):
    """A session whose refresh token expired (30 days) is over: it is not in the list."""
    ann = UserFactory()
    start = utcnow()
    with time_machine.travel(start, tick=False):
        _login(client, ann, {"User-Agent": IPHONE_SAFARI})
    with time_machine.travel(start + timedelta(days=31), tick=False):
        fresh = _login(client, ann, {"User-Agent": MAC_FIREFOX})
        assert [s["device"] for s in _sessions(client, fresh["access_token"])] == ["Firefox on Mac"]


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _console(app, user):
    web = app.test_client()
    page = web.get("/console/login")
    r = web.post("/console/login", data={"email": user.email, "password": PASSWORD,
                                         "csrf_token": _csrf(page.get_data(as_text=True))})
    assert r.status_code == 302
    assert web.get("/console/").status_code == 200
    return web


def test_logout_all_ends_every_session_and_the_console(pg_app, client, session):
    """POST /auth/logout-all: every refresh and access token of mine is refused, this one included,
    and my web console session is signed out; someone else's sessions are untouched."""
    lead, bob = UserFactory(role="lead"), UserFactory()
    phone, laptop = _login(client, lead), _login(client, lead)
    bobs = _login(client, bob)
    web = _console(pg_app, lead)

    r = client.post("/auth/logout-all", headers=_bearer(phone["access_token"]))

    assert r.status_code == 204
    for pair in (phone, laptop):
        assert_problem(client.get("/me", headers=_bearer(pair["access_token"])), 401)
        assert_problem(_refresh(client, pair["refresh_token"]), 401)
    assert web.get("/console/").status_code == 302  # back to the sign-in page
    assert client.get("/me", headers=_bearer(bobs["access_token"])).status_code == 200
    again = _login(client, lead)  # signing in again works, with one fresh session
    assert [s["current"] for s in _sessions(client, again["access_token"])] == [True]


def test_deactivation_stops_tokens_console_and_devices_at_once(pg_app, client, session):
    """PATCH /admin/users/{id} active=false: the person's access and refresh tokens are refused at
    once, their console session ends, and their devices get no more pushes."""
    admin, ann = UserFactory(role="admin"), UserFactory(role="lead")
    pair = _login(client, ann)
    web = _console(pg_app, ann)
    device = client.post("/devices", json={"token": "fcm-token-of-ann", "platform": "android"},
                         headers=_bearer(pair["access_token"]))
    assert device.status_code == 201

    r = client.as_(admin).patch(f"/admin/users/{ann.id}", json={"active": False})

    assert r.status_code == 200 and r.get_json()["active"] is False
    assert_problem(client.get("/me", headers=_bearer(pair["access_token"])), 401)
    assert_problem(_refresh(client, pair["refresh_token"]), 401)
    assert web.get("/console/").status_code == 302
    row = session.scalars(select(Device).where(Device.user_id == ann.id)).one()
    assert (row.active, row.deactivation_reason) == (False, "user deactivated")
    # Reactivated, the old tokens stay dead: they must sign in again.
    assert client.as_(admin).patch(f"/admin/users/{ann.id}", json={"active": True}).status_code == 200
    assert_problem(client.get("/me", headers=_bearer(pair["access_token"])), 401)
    assert_problem(_refresh(client, pair["refresh_token"]), 401)


def test_logout_all_stops_pushes_to_my_devices(client, session):
    ann = UserFactory()
    pair = _login(client, ann)
    client.post("/devices", json={"token": "fcm-token-1", "platform": "ios"}, headers=_bearer(pair["access_token"]))

    assert client.post("/auth/logout-all", headers=_bearer(pair["access_token"])).status_code == 204

    assert [d.active for d in session.scalars(select(Device).where(Device.user_id == ann.id))] == [False]


def test_sessions_need_a_signed_in_person(client, session):
    assert_problem(client.get("/me/sessions"), 401)
    assert_problem(client.delete("/me/sessions/1"), 401)
    assert_problem(client.post("/auth/logout-all"), 401)


def test_my_export_shows_my_sessions_and_erasure_removes_them(client, session):
    """Sessions are personal data: in GET /me/export, gone after DELETE /me."""
    from api.models.auth_tokens import AuthSession

    ann = UserFactory()
    pair = _login(client, ann, {"User-Agent": IPHONE_SAFARI})

    export = client.get("/me/export", headers=_bearer(pair["access_token"])).get_json()

    assert [(s["device"], s["app"], s["revoked_at"]) for s in export["sessions"]] == [
        ("Safari on iPhone", "other", None)]
    assert client.delete("/me", headers=_bearer(pair["access_token"])).status_code == 204
    assert session.scalars(select(AuthSession).where(AuthSession.user_id == ann.id)).all() == []
