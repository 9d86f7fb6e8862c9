"""SECURITY.md finding 7: rotating the User-Agent from one address does not inflate clicks.

One address may count at most a handful (3) of clicks per share per day, whatever user agents
it sends; an IPv6 subscriber's /64 counts as one address; different addresses still count
one each. Checked where a user would see it: the share's click count and the admin's analytics.
"""

from __future__ import annotations

from sqlalchemy import select

from api.clock import utcnow
from api.models.shares import Share
from tests.factories import UserFactory
from tests.factories_content import PostFactory

HANDFUL = 3  # "at most a handful of clicks per share per day" from one address


def _ua(i: int) -> str:
    return f"Mozilla/5.0 (Linux; Android 14; Pixel {i}) AppleWebKit/537.36 Chrome/1{i:02d}.0 Mobile Safari/537.36"


def _visit(web, code, ip, ua):
    r = web.get(f"/s/{code}", headers={"User-Agent": ua}, environ_base={"REMOTE_ADDR": ip})
    assert r.status_code == 302
    return r


def _share(client, user):
    post = PostFactory()
    r = client.as_(user).post(f"/posts/{post.id}/shares", json={"network": "linkedin"})
    assert r.status_code == 201
    return r.get_json()["id"], r.get_json()["tracked_url"].rsplit("/", 1)[1]


def _clicks(session, share_id: int) -> int:
    session.expire_all()
    return session.scalar(select(Share.click_count).where(Share.id == share_id))


def _analytics_clicks(client, admin) -> int:
    today = utcnow().date().isoformat()
    r = client.as_(admin).get(f"/admin/analytics/summary?from={today}&to={today}")
    assert r.status_code == 200
    return r.get_json()["clicks"]


def test_thirty_user_agents_from_one_ipv4_address_count_a_handful(client, app, session):
    ann, admin = UserFactory(), UserFactory(role="admin")
    share_id, code = _share(client, ann)
    web = app.test_client()
    for i in range(30):
        _visit(web, code, "198.51.100.23", _ua(i))
    counted = _clicks(session, share_id)
    assert 1 <= counted <= HANDFUL
    assert _analytics_clicks(client, admin) == counted


def test_an_ipv6_subscriber_rotating_addresses_within_its_64_counts_a_handful(client, app, session):
    ann = UserFactory()
    share_id, code = _share(client, ann)
    web = app.test_client()
    for i in range(30):
        _visit(web, code, f"2001:db8:1:2::{i + 1:x}", _ua(i))
    assert 1 <= _clicks(session, share_id) <= HANDFUL


def test_thirty_people_on_thirty_addresses_still_count_thirty(client, app, session):
    ann = UserFactory()
    share_id, code = _share(client, ann)
    web = app.test_client()
    for i in range(30):
        _visit(web, code, f"203.0.113.{i + 1}", _ua(i))
    assert _clicks(session, share_id) == 30
