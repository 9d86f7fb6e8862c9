"""Admins curate posts: validation, targeting, scheduling, editing, deleting, announcing once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from api.clock import utcnow
from api.models.activity import OutboxMessage
from api.models.posts import Post
from tests.factories import TeamFactory, UserFactory
from tests.helpers import assert_problem


def _post(**over):
    body = {"title": "New plant opens", "body": "Our biggest site yet.", "link_url": "https://example.com/plant",
            "suggested_captions": {"linkedin": "Proud of this team!", "x": "New plant!"},
            "networks": ["linkedin", "x"]}
    body.update(over)
    return body


def _announcements(session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.topic == "post_published")) or 0


def test_admin_creates_a_live_post_staff_can_see(client, session):
    admin, staff = UserFactory(role="admin"), UserFactory()

    r = client.as_(admin).post("/admin/posts", json=_post())

    assert r.status_code == 201
    body = r.get_json()
    assert body["state"] == "live" and body["target_team_ids"] == [] and body["publish_at"]
    assert [i["id"] for i in client.as_(staff).get("/feed").get_json()["items"]] == [body["id"]]


@pytest.mark.parametrize("network, limit", [("x", 280), ("linkedin", 3000), ("instagram", 2200)])
def test_a_caption_too_long_for_its_network_is_a_422_naming_the_network(client, session, network, limit):
    admin = UserFactory(role="admin")
    ok = client.as_(admin).post("/admin/posts", json=_post(networks=[network],
                                                           suggested_captions={network: "a" * limit}))
    too_long = client.as_(admin).post("/admin/posts", json=_post(networks=[network],
                                                                 suggested_captions={network: "a" * (limit + 1)}))

    assert ok.status_code == 201
    problem = assert_problem(too_long, 422, f"suggested_captions.{network}")
    assert network in problem["errors"][f"suggested_captions.{network}"][0]


@pytest.mark.parametrize("field, value", [
    ("link_url", "javascript:alert(1)"), ("link_url", "ftp://example.com/x"), ("networks", ["myspace"]),
    ("networks", []), ("title", ""), ("target_team_ids", [999999]), ("media", [{"type": "image", "url": "data:x"}]),
    ("expires_at", "2001-01-01T00:00:00Z"), ("publish_at", "tomorrow"), ("suggested_captions", {"facebook": "hi"}),
])
def test_invalid_posts_are_refused_and_nothing_is_created(client, session, field, value):
    admin = UserFactory(role="admin")

    assert_problem(client.as_(admin).post("/admin/posts", json=_post(**{field: value})), 422)

    assert session.scalar(select(func.count()).select_from(Post)) == 0


def test_targeted_post_reaches_only_its_teams(client, session):
    a, b = TeamFactory(), TeamFactory()
    admin, in_a, in_b = UserFactory(role="admin"), UserFactory(teams=[a]), UserFactory(teams=[b])

    post_id = client.as_(admin).post("/admin/posts", json=_post(target_team_ids=[a.id])).get_json()["id"]

    assert [i["id"] for i in client.as_(in_a).get("/feed").get_json()["items"]] == [post_id]
    assert client.as_(in_b).get("/feed").get_json()["items"] == []


def test_edit_and_delete(client, session):
    admin, staff = UserFactory(role="admin"), UserFactory()
    post_id = client.as_(admin).post("/admin/posts", json=_post()).get_json()["id"]

    r = client.as_(admin).patch(f"/admin/posts/{post_id}", json={"title": "Renamed", "pinned": True})
    assert r.status_code == 200 and r.get_json()["title"] == "Renamed" and r.get_json()["pinned"] is True
    assert client.as_(staff).get(f"/posts/{post_id}").get_json()["title"] == "Renamed"

    assert client.as_(admin).delete(f"/admin/posts/{post_id}").status_code == 204
    assert_problem(client.as_(staff).get(f"/posts/{post_id}"), 404)
    assert_problem(client.as_(admin).get(f"/admin/posts/{post_id}"), 404)


def test_admin_list_filters_by_state(client, session):
    admin = UserFactory(role="admin")
    now = utcnow()
    client.as_(admin).post("/admin/posts", json=_post(title="live"))
    client.as_(admin).post("/admin/posts", json=_post(title="draft", status="draft"))
    client.as_(admin).post("/admin/posts", json=_post(title="later", publish_at=(now + timedelta(days=1)).isoformat()))

    def titles(state):
        return [p["title"] for p in client.as_(admin).get(f"/admin/posts?state={state}").get_json()["items"]]

    assert titles("live") == ["live"] and titles("draft") == ["draft"] and titles("scheduled") == ["later"]


def test_notify_post_is_announced_once_now(client, session):
    """Publishing now with notify hands the post to the push fan-out exactly once, edits don't repeat it."""
    admin = UserFactory(role="admin")
    post_id = client.as_(admin).post("/admin/posts", json=_post(notify=True)).get_json()["id"]
    client.as_(admin).patch(f"/admin/posts/{post_id}", json={"title": "Edited"})

    assert _announcements(session) == 1


def test_scheduled_notify_post_is_announced_when_its_time_comes(app, client, session):
    """The periodic job announces a scheduled post at publish_at, once, however often it runs."""
    from workers.jobs.publishing import publish_due_posts

    admin = UserFactory(role="admin")
    at = utcnow() + timedelta(hours=1)
    client.as_(admin).post("/admin/posts", json=_post(notify=True, publish_at=at.isoformat()))
    with app.app_context():
        assert publish_due_posts() == 0
    assert _announcements(session) == 0

    with time_machine.travel(at + timedelta(seconds=5), tick=False), app.app_context():
        assert publish_due_posts() == 1
        assert publish_due_posts() == 0
    assert _announcements(session) == 1


def test_draft_is_not_announced_until_published(client, session):
    admin = UserFactory(role="admin")
    post_id = client.as_(admin).post("/admin/posts", json=_post(notify=True, status="draft")).get_json()["id"]
    assert _announcements(session) == 0

    client.as_(admin).patch(f"/admin/posts/{post_id}", json={"status": "published"})

    assert _announcements(session) == 1
