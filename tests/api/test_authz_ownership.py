"""Authorization by ownership: own resource, another user's, another team's — no insecure direct
object references. Every non-admin route with an id in its path must be covered here (or listed
as public content visible by targeting), so a new endpoint without an ownership rule fails."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from api.models.comments import Comment
from api.models.notifications import Device, Notification
from tests.factories import TeamFactory, UserFactory
from tests.factories_content import PostFactory
from tests.factories_rewards import RewardFactory, give_points

# (method, rule) -> how ownership is enforced, checked by a test below.
OWNED = {
    ("DELETE", "/api/v1/devices/<int:device_id>"): "test_devices_are_mine_only",
    ("POST", "/api/v1/me/notifications/<int:notification_id>/read"): "test_inbox_is_mine_only",
    ("DELETE", "/api/v1/comments/<int:comment_id>"): "test_comments_author_or_admin",
    ("GET", "/api/v1/teams/<int:team_id>/analytics"): "test_team_routes_need_the_teams_lead",
    ("POST", "/api/v1/teams/<int:team_id>/nudges"): "test_team_routes_need_the_teams_lead",
    ("GET", "/api/v1/posts/<int:post_id>"): "test_posts_of_other_teams_are_invisible",
    ("POST", "/api/v1/posts/<int:post_id>/shares"): "test_posts_of_other_teams_are_invisible",
    ("GET", "/api/v1/posts/<int:post_id>/comments"): "test_posts_of_other_teams_are_invisible",
    ("POST", "/api/v1/posts/<int:post_id>/comments"): "test_posts_of_other_teams_are_invisible",
    ("POST", "/api/v1/rewards/<int:reward_id>/redemptions"): "catalog item: anyone may redeem for themselves",
}
CHALLENGE_ROUTES = re.compile(r"^/api/v1/challenges/")  # ownership tested in tests/api/test_challenges*.py


def test_every_route_with_an_id_has_an_ownership_rule(app):
    missing = []
    for rule in app.url_map.iter_rules():
        path = rule.rule
        if not path.startswith("/api/v1/") or path.startswith("/api/v1/admin/") or "<" not in path:
            continue
        if CHALLENGE_ROUTES.match(path):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if (method, path) not in OWNED:
                missing.append((method, path))
    assert not missing, f"routes with ids but no ownership rule in this file: {missing}"


def test_devices_are_mine_only(client, session):
    ann, bob = UserFactory(), UserFactory()
    device = client.as_(ann).post("/devices", json={"token": "ann-phone", "platform": "ios"}).get_json()["id"]

    assert client.as_(bob).delete(f"/devices/{device}").status_code == 404
    assert session.get(Device, device) is not None
    assert client.as_(ann).delete(f"/devices/{device}").status_code == 204


def test_inbox_is_mine_only(app, client, session):
    from api.db import db
    from api.services import inbox

    ann, bob = UserFactory(), UserFactory()
    with app.app_context():
        nid = inbox.notify(db.session, ann.id, "badges", "Yours", data={"deep_link": "stafet://badges/x"}).id
        db.commit()

    assert client.as_(bob).post(f"/me/notifications/{nid}/read").status_code == 404
    assert client.as_(bob).get("/me/notifications").get_json()["items"] == []
    session.expire_all()
    assert session.get(Notification, nid).read_at is None


def test_comments_author_or_admin(client, session):
    ann, bob, admin = UserFactory(), UserFactory(), UserFactory(role="admin")
    post = PostFactory()
    cid = client.as_(ann).post(f"/posts/{post.id}/comments", json={"body": "mine"}).get_json()["id"]

    assert client.as_(bob).delete(f"/comments/{cid}").status_code == 403
    assert session.scalar(select(Comment.deleted_at).where(Comment.id == cid)) is None
    assert client.as_(admin).delete(f"/comments/{cid}").status_code == 204


@pytest.mark.parametrize("method, suffix, body", [("GET", "analytics", None),
                                                  ("POST", "nudges", {"title": "Go"})])
def test_team_routes_need_the_teams_lead(client, session, method, suffix, body):
    mine, theirs = TeamFactory(), TeamFactory()
    lead = UserFactory(role="lead", teams=[mine], teams__lead=True)
    member_lead = UserFactory(role="lead", teams=[theirs])  # a lead, a member, but not this team's lead

    own = client.as_(lead).open(method, f"/teams/{mine.id}/{suffix}", json=body)
    other = client.as_(lead).open(method, f"/teams/{theirs.id}/{suffix}", json=body)
    not_lead = client.as_(member_lead).open(method, f"/teams/{theirs.id}/{suffix}", json=body)

    assert own.status_code in (200, 201)
    assert other.status_code == 403 and not_lead.status_code == 403


def test_posts_of_other_teams_are_invisible(client, session):
    a, b = TeamFactory(), TeamFactory()
    ann = UserFactory(teams=[a])
    theirs = PostFactory(teams=[b])

    assert client.as_(ann).get(f"/posts/{theirs.id}").status_code == 404
    assert client.as_(ann).post(f"/posts/{theirs.id}/shares", json={"network": "x"}).status_code == 404
    assert client.as_(ann).get(f"/posts/{theirs.id}/comments").status_code == 404
    assert client.as_(ann).post(f"/posts/{theirs.id}/comments", json={"body": "hi"}).status_code == 404


def test_my_lists_never_show_anyone_elses_data(client, session):
    """Ledger, redemptions, badges, suggestions, inbox and export are always the caller's own."""
    ann, bob = UserFactory(), UserFactory()
    give_points(session, ann, 500)
    client.as_(ann).post(f"/rewards/{RewardFactory(cost=100).id}/redemptions")
    client.as_(ann).post("/posts/suggestions", json={"title": "t", "body": "b"})

    for path in ("/me/points", "/me/redemptions", "/me/suggestions", "/me/notifications"):
        assert client.as_(bob).get(path).get_json()["items"] == [], path
    assert client.as_(bob).get("/me/badges").get_json()["items"] == []
    export = client.as_(bob).get("/me/export").get_json()
    assert export["ledger"] == [] and export["redemptions"] == [] and export["suggestions"] == []
    assert client.as_(ann).get("/me/points").get_json()["items"]
