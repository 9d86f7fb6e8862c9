"""Push delivery through the real firebase-admin SDK against a local fake FCM server:
opt-in, categories, quiet hours (midnight, DST), daily limits, token pruning, retries, fan-out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from api.clock import utcnow
from api.models.notifications import Device, Notification, NotificationPreference
from tests.factories import TeamFactory, UserFactory
from tests.factories_rewards import RewardFactory, give_points
from tests.fake_fcm import FakeFCM, serving_fcm
from tests.helpers import assert_problem
from workers import fcm

UTC = ZoneInfo("UTC")


@pytest.fixture
def fake() -> Iterator[FakeFCM]:
    with serving_fcm() as server:
        yield server


def _opt_in(client, user, **prefs):
    body = {"push_enabled": True, "categories": {c: True for c in ("new_content", "challenges", "badges", "rewards",
                                                                   "reminders")},
            "quiet_hours": None, "timezone": "UTC", "max_per_day": 3}
    body.update(prefs)
    r = client.as_(user).put("/me/notification-preferences", json=body)
    assert r.status_code == 200, r.get_json()


def _device(client, user, token):
    r = client.as_(user).post("/devices", json={"token": token, "platform": "android"})
    assert r.status_code in (200, 201), r.get_json()
    return r.get_json()["id"]


def _notify(app, user, category="badges", title="New badge", link="stafet://badges/first-share"):
    from api.db import db
    from api.services import inbox

    with app.app_context():
        note = inbox.notify(db.session, user.id, category, title, "Well done", data={"deep_link": link})
        db.commit()  # jobs run inline after the commit
        return note.id


def _status(session, nid):
    session.expire_all()
    n = session.get(Notification, nid)
    return n.delivery_status, n.delivery_reason


def test_push_is_off_until_turned_on(app, client, session, fake):
    ann = UserFactory()
    _device(client, ann, "tok-ann")
    assert client.as_(ann).get("/me/notification-preferences").get_json()["push_enabled"] is False

    nid = _notify(app, ann)

    assert fake.received == []
    assert _status(session, nid) == ("skipped", "push is off")
    inbox = client.as_(ann).get("/me/notifications").get_json()["items"]
    assert [i["id"] for i in inbox] == [nid] and inbox[0]["delivery"]["reason"] == "push is off"


def test_opted_in_push_carries_the_contract_payload(app, client, session, fake):
    ann = UserFactory()
    _opt_in(client, ann)
    _device(client, ann, "tok-1")
    _device(client, ann, "tok-2")

    nid = _notify(app, ann)

    assert _status(session, nid) == ("sent", None)
    assert sorted(m["token"] for m in fake.received) == ["tok-1", "tok-2"]
    message = fake.received[0]
    assert message["data"] == {"category": "badges", "notification_id": str(nid),
                               "deep_link": "stafet://badges/first-share"}
    assert message["notification"] == {"title": "New badge", "body": "Well done"}
    assert message["android"]["notification"]["channel_id"] == "badges"
    assert message["apns"]["payload"]["aps"]["thread-id"] == "badges"


def test_category_switched_off_is_not_pushed(app, client, session, fake):
    ann = UserFactory()
    _opt_in(client, ann, categories={"new_content": True, "challenges": True, "badges": False, "rewards": True,
                                     "reminders": True})
    _device(client, ann, "tok")

    nid = _notify(app, ann)

    assert fake.received == [] and _status(session, nid)[0] == "skipped"


def test_quiet_hours_defer_across_midnight_then_send(app, client, session, fake):
    from workers.jobs.push import send_deferred

    ann = UserFactory()
    _opt_in(client, ann, quiet_hours={"start": "22:00", "end": "07:00"}, timezone="Europe/Oslo")
    _device(client, ann, "tok")
    late = datetime(2026, 11, 24, 23, 30, tzinfo=ZoneInfo("Europe/Oslo"))

    with time_machine.travel(late, tick=False):
        nid = _notify(app, ann)
    session.expire_all()
    n = session.get(Notification, nid)
    assert (n.delivery_status, n.delivery_reason) == ("deferred", "quiet hours")
    assert n.deferred_until == datetime(2026, 11, 25, 7, 0, tzinfo=ZoneInfo("Europe/Oslo"))
    assert fake.received == []

    with time_machine.travel(datetime(2026, 11, 25, 6, 59, tzinfo=ZoneInfo("Europe/Oslo")), tick=False), \
            app.app_context():
        assert send_deferred() == 0
    with time_machine.travel(datetime(2026, 11, 25, 7, 0, 30, tzinfo=ZoneInfo("Europe/Oslo")), tick=False), \
            app.app_context():
        assert send_deferred() == 1
    assert _status(session, nid) == ("sent", None) and len(fake.received) == 1


def test_quiet_hours_end_is_right_across_a_dst_change(app, client, session, fake):
    """Clocks go forward in Oslo on 29 March 2026: 07:00 local is 05:00 UTC that morning, not 06:00."""
    ann = UserFactory()
    _opt_in(client, ann, quiet_hours={"start": "22:00", "end": "07:00"}, timezone="Europe/Oslo")
    _device(client, ann, "tok")

    with time_machine.travel(datetime(2026, 3, 28, 23, 0, tzinfo=UTC), tick=False):
        nid = _notify(app, ann)

    session.expire_all()
    assert session.get(Notification, nid).deferred_until == datetime(2026, 3, 29, 5, 0, tzinfo=UTC)


def test_daily_limit_keeps_the_rest_in_the_inbox(app, client, session, fake):
    ann = UserFactory()
    _opt_in(client, ann, max_per_day=2)
    _device(client, ann, "tok")

    ids = [_notify(app, ann, title=f"n{i}") for i in range(3)]

    assert [_status(session, i)[0] for i in ids] == ["sent", "sent", "skipped"]
    assert "daily limit" in _status(session, ids[2])[1]
    assert len(fake.received) == 2
    assert len(client.as_(ann).get("/me/notifications").get_json()["items"]) == 3


@pytest.mark.parametrize("error", ["UNREGISTERED", "SENDER_ID_MISMATCH", "INVALID_ARGUMENT"])
def test_permanent_token_errors_deactivate_the_device(app, client, session, fake, error):
    ann = UserFactory()
    _opt_in(client, ann)
    bad = _device(client, ann, "tok-bad")
    _device(client, ann, "tok-good")
    fake.answer("tok-bad", error)

    _notify(app, ann)
    _notify(app, ann, title="again")

    session.expire_all()
    assert session.get(Device, bad).active is False
    assert [m["token"] for m in fake.received] == ["tok-good", "tok-good"]  # never used again
    assert fake.requests == 3


def test_transient_errors_are_retried_with_backoff_then_sent(app, client, session, fake):
    from workers.jobs.push import send_deferred

    ann = UserFactory()
    _opt_in(client, ann)
    _device(client, ann, "tok")
    fake.answer("tok", "UNAVAILABLE", "QUOTA_EXCEEDED")
    start = utcnow()

    with time_machine.travel(start, tick=False):
        nid = _notify(app, ann)
    session.expire_all()
    first = session.get(Notification, nid)
    assert first.delivery_status == "deferred" and first.deferred_until == start + timedelta(seconds=30)

    with time_machine.travel(start + timedelta(seconds=31), tick=False), app.app_context():
        send_deferred()
    session.expire_all()
    second = session.get(Notification, nid)
    assert second.delivery_status == "deferred"
    assert second.deferred_until == start + timedelta(seconds=31 + 120)  # Retry-After beats the 60 s backoff

    with time_machine.travel(start + timedelta(seconds=152), tick=False), app.app_context():
        assert send_deferred() == 1
    assert _status(session, nid) == ("sent", None) and len(fake.received) == 1


def test_third_party_auth_error_fails_loudly_without_retrying(app, client, session, fake, caplog):
    from workers.jobs.push import send_deferred

    ann = UserFactory()
    _opt_in(client, ann)
    _device(client, ann, "tok")
    fake.default = "THIRD_PARTY_AUTH_ERROR"  # the project's APNs credentials are wrong: every call fails

    nid = _notify(app, ann)
    with time_machine.travel(utcnow() + timedelta(hours=1), tick=False), app.app_context():
        send_deferred()

    assert _status(session, nid)[0] == "failed"
    assert fake.requests <= 3  # google-auth refreshes its token on a 401 (twice at most); we add no retry
    assert any("THIRD_PARTY_AUTH_ERROR" in r.getMessage() for r in caplog.records)


def _count_fcm_calls() -> list[int]:
    """Sizes of the FCM calls made from now on (the real transport still sends them)."""
    calls: list[int] = []
    real = fcm._transport

    class Counting:
        def send(self, messages):
            calls.append(len(messages))
            return real.send(messages)

    fcm.set_transport(Counting())
    return calls


def _crowd_with_phones(session, team, n: int) -> None:
    """n members of `team` with push on and a phone each, inserted in bulk."""
    from api.models.teams import TeamMembership
    from api.models.users import User

    people = [User(email=f"fan{team.id}-{i}@example.test", display_name=f"Fan {i}", role="staff") for i in range(n)]
    session.add_all(people)
    session.flush()
    session.add_all([TeamMembership(team_id=team.id, user_id=p.id) for p in people])
    session.add_all([NotificationPreference(user_id=p.id, push_enabled=True, max_per_day=3) for p in people])
    session.add_all([Device(user_id=p.id, token=f"tok-{p.id}", token_hash=f"{p.id:064d}", platform="ios")
                     for p in people])
    session.commit()


def test_publishing_to_1200_devices_uses_3_fcm_calls(app, client, session, fake):
    """Fan-out: every targeted person gets an inbox item; pushes go out 500 per FCM call."""
    calls = _count_fcm_calls()
    team = TeamFactory()
    _crowd_with_phones(session, team, 1200)
    admin = UserFactory(role="admin")

    r = client.as_(admin).post("/admin/posts", json={"title": "Big news", "link_url": "https://example.com",
                                                     "target_team_ids": [team.id], "notify": True})

    assert r.status_code == 201
    assert calls == [500, 500, 200]
    assert len(fake.received) == 1200
    assert fake.received[0]["data"]["deep_link"] == f"stafet://posts/{r.get_json()['id']}"
    assert fake.received[0]["android"]["collapse_key"] == "new_content"
    sent = session.scalars(select(Notification.delivery_status).where(Notification.category == "new_content")).all()
    assert len(sent) == 1200 and set(sent) == {"sent"}


def test_a_nudge_to_a_team_of_600_takes_two_fcm_calls_not_600(app, client, session, fake):
    """Inbox notifications written together (a nudge, a batch of badges) are pushed together."""
    calls = _count_fcm_calls()
    team = TeamFactory()
    lead = UserFactory(role="lead", teams=[team], teams__lead=True)
    _crowd_with_phones(session, team, 600)

    r = client.as_(lead).post(f"/teams/{team.id}/nudges", json={"title": "Share today's story"})

    assert r.status_code == 201
    assert calls == [500, 100]
    assert len(fake.received) == 600


def test_recording_transport_when_no_credentials(app, client, session):
    fcm.set_transport(None)
    ann = UserFactory()
    _opt_in(client, ann)
    _device(client, ann, "tok-rec")

    nid = _notify(app, ann)

    recorder = fcm.transport(None)
    assert isinstance(recorder, fcm.RecordingTransport)
    assert [(m.token, m.data["notification_id"]) for m in recorder.sent][-1:] == [("tok-rec", str(nid))]
    fcm.set_transport(None)


def test_devices_upsert_move_between_people_and_delete(client, session):
    ann, bob = UserFactory(), UserFactory()

    first = client.as_(ann).post("/devices", json={"token": "shared-phone", "platform": "ios"})
    again = client.as_(ann).post("/devices", json={"token": "shared-phone", "platform": "ios"})
    moved = client.as_(bob).post("/devices", json={"token": "shared-phone", "platform": "ios"})

    assert (first.status_code, again.status_code, moved.status_code) == (201, 200, 200)
    assert first.get_json()["id"] == moved.get_json()["id"]
    assert session.scalar(select(Device.user_id)) == bob.id
    assert_problem(client.as_(ann).delete(f"/devices/{first.get_json()['id']}"), 404)
    assert client.as_(bob).delete(f"/devices/{first.get_json()['id']}").status_code == 204
    assert_problem(client.as_(ann).post("/devices", json={"token": "", "platform": "ios"}), 422, "token")
    assert_problem(client.as_(ann).post("/devices", json={"token": "x" * 4097, "platform": "ios"}), 422, "token")
    assert_problem(client.as_(ann).post("/devices", json={"token": "a\nb", "platform": "ios"}), 422, "token")


def test_bad_preferences_are_422(client, session):
    ann = UserFactory()
    good = {"push_enabled": True, "categories": {c: True for c in ("new_content", "challenges", "badges", "rewards",
                                                                   "reminders")},
            "quiet_hours": None, "timezone": "UTC", "max_per_day": 3}
    assert_problem(client.as_(ann).put("/me/notification-preferences", json={**good, "timezone": "Mars/Olympus"}),
                   422, "timezone")
    assert_problem(client.as_(ann).put("/me/notification-preferences", json={**good, "max_per_day": 21}), 422)
    assert_problem(client.as_(ann).put("/me/notification-preferences",
                                       json={**good, "quiet_hours": {"start": "25:00", "end": "07:00"}}), 422)
    assert client.as_(ann).get("/me/notification-preferences").get_json()["push_enabled"] is False


def test_inbox_read_and_read_all_only_touch_my_notifications(app, client, session):
    ann, bob = UserFactory(), UserFactory()
    a1, a2, b1 = _notify(app, ann), _notify(app, ann, title="2"), _notify(app, bob)

    assert client.as_(ann).post(f"/me/notifications/{a1}/read").status_code == 204
    assert_problem(client.as_(ann).post(f"/me/notifications/{b1}/read"), 404)
    unread = client.as_(ann).get("/me/notifications?unread=true").get_json()["items"]
    assert [n["id"] for n in unread] == [a2]
    assert client.as_(ann).post("/me/notifications/read-all").status_code == 204
    assert client.as_(ann).get("/me/notifications?unread=true").get_json()["items"] == []
    session.expire_all()
    assert session.get(Notification, b1).read_at is None


def test_nudges_once_per_team_per_day(client, session):
    team, other = TeamFactory(), TeamFactory()
    lead = UserFactory(role="lead", teams=[team], teams__lead=True)
    members = [UserFactory(teams=[team]) for _ in range(3)]
    outsider = UserFactory(teams=[other])

    r = client.as_(lead).post(f"/teams/{team.id}/nudges", json={"title": "Big week!", "body": "Share our story"})
    assert r.status_code == 201 and r.get_json() == {"notified": 3}
    again = client.as_(lead).post(f"/teams/{team.id}/nudges", json={"title": "Again"})
    assert_problem(again, 429) and int(again.headers["Retry-After"]) > 0
    assert_problem(client.as_(lead).post(f"/teams/{other.id}/nudges", json={"title": "Hi"}), 403)
    assert_problem(client.as_(lead).post("/teams/999999/nudges", json={"title": "Hi"}), 404)
    got = session.scalars(select(Notification.user_id).where(Notification.category == "reminders")).all()
    assert sorted(got) == sorted(m.id for m in members) and outsider.id not in got


def test_every_payload_the_server_builds_matches_its_published_schema(app, client, session, fake):
    """Badges, rewards, reminders (nudges) and new content pushes validate against mobile_contract/push/."""
    import json
    from pathlib import Path

    import jsonschema

    team = TeamFactory()
    ann = UserFactory(teams=[team])
    lead = UserFactory(role="lead", teams=[team], teams__lead=True)
    admin = UserFactory(role="admin")
    _opt_in(client, ann, max_per_day=20)
    _device(client, ann, "tok")
    _notify(app, ann)  # badges
    client.as_(lead).post(f"/teams/{team.id}/nudges", json={"title": "Go team"})  # reminders
    give_points(session, ann, 100)
    rid = client.as_(ann).post(f"/rewards/{RewardFactory(cost=10).id}/redemptions").get_json()["id"]
    client.as_(admin).patch(f"/admin/redemptions/{rid}", json={"status": "approved"})  # rewards
    client.as_(admin).post("/admin/posts", json={"title": "News", "notify": True})  # new_content

    folder = Path(__file__).resolve().parents[2] / "mobile_contract" / "push"
    seen = set()
    for message in fake.received:
        category = message["data"]["category"]
        schema = json.loads((folder / f"{category}.schema.json").read_text())
        jsonschema.validate(message["data"], schema)
        seen.add(category)
    assert seen == {"badges", "reminders", "rewards", "new_content"}


def test_a_worker_that_dies_after_claiming_loses_no_push(app, client, session, fake, monkeypatch):
    """Claimed then killed before FCM was called: the claim is a lease, and once it is over the
    periodic sender delivers the push — not before (another worker may still be sending it)."""
    from workers.jobs import push as push_jobs

    ann = UserFactory()
    _opt_in(client, ann)
    _device(client, ann, "tok")
    claimed_at = utcnow()

    def die(_batch):
        raise RuntimeError("worker killed before calling FCM")

    monkeypatch.setattr(push_jobs, "_send", die)
    with time_machine.travel(claimed_at, tick=False):
        nid = _notify(app, ann)
    session.expire_all()
    n = session.get(Notification, nid)
    assert (n.delivery_status, n.delivery_reason) == ("deferred", "sending") and fake.received == []

    monkeypatch.undo()
    with time_machine.travel(claimed_at + push_jobs.LEASE - timedelta(seconds=1), tick=False), app.app_context():
        assert push_jobs.send_deferred() == 0
    with time_machine.travel(claimed_at + push_jobs.LEASE + timedelta(seconds=1), tick=False), app.app_context():
        assert push_jobs.send_deferred() == 1
    assert _status(session, nid) == ("sent", None) and len(fake.received) == 1


def test_a_browser_gets_a_web_push_that_opens_the_staff_app(app, client, session, fake):
    """A `web` device gets FCM's webpush block (validated by mobile_contract/push/webpush.schema.json):
    the title and body, the app's icon, and a tap opens the staff app at the page of the deep link."""
    import json
    from pathlib import Path

    import jsonschema

    ann = UserFactory()
    _opt_in(client, ann)
    r = client.as_(ann).post("/devices", json={"token": "browser-token", "platform": "web"})
    assert r.status_code == 201
    _device(client, ann, "phone-token")

    _notify(app, ann, link="stafet://badges/first-share")
    _notify(app, ann, category="rewards", title="Redeemed", link="stafet://redemptions/7")

    by_token = {}
    for m in fake.received:
        by_token.setdefault(m["token"], []).append(m)
    web = by_token["browser-token"]
    base = app.config["PUBLIC_BASE_URL"]
    assert [m["webpush"]["fcm_options"]["link"] for m in web] == [f"{base}/app/badges/first-share",
                                                                  f"{base}/app/rewards#redemption-7"]
    assert web[0]["webpush"]["notification"]["title"] == "New badge"
    assert web[0]["webpush"]["notification"]["icon"] == f"{base}/app/icons/icon-192.png"
    schema = json.loads((Path(__file__).resolve().parents[2] / "mobile_contract" / "push" /
                         "webpush.schema.json").read_text())
    for m in web:
        jsonschema.validate(m["webpush"], schema)
    assert all("webpush" not in m for m in by_token["phone-token"])


@pytest.mark.parametrize(("deep_link", "path"), [
    ("stafet://posts/12", "/app/posts/12"),
    ("stafet://challenges/3", "/app/challenges/3"),
    ("stafet://badges/first-share", "/app/badges/first-share"),
    ("stafet://redemptions/9", "/app/rewards#redemption-9"),
    ("stafet://feed", "/app/"),
    ("stafet://inbox", "/app/inbox"),
    ("stafet://posts/../admin", "/app/inbox"),
    ("https://evil.example/x", "/app/inbox"),
    ("stafet://posts/", "/app/inbox"),
])
def test_deep_links_map_to_staff_app_pages(deep_link, path):
    from api.services.push import app_path

    assert app_path(deep_link) == path
