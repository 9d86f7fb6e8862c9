"""Staff propose stories; admins approve them into draft posts (an event for points) or decline."""

from __future__ import annotations

from sqlalchemy import func, select

from api.models.activity import ActivityEvent
from api.models.posts import Post
from tests.factories import UserFactory
from tests.helpers import assert_problem


def test_staff_propose_and_follow_their_suggestions(client, session):
    ann, bob = UserFactory(), UserFactory()

    r = client.as_(ann).post("/posts/suggestions", json={"title": "Depot record", "body": "We loaded 900 pallets.",
                                                          "image_url": "https://example.com/p.jpg"})

    assert r.status_code == 201 and r.get_json()["status"] == "pending"
    mine = client.as_(ann).get("/me/suggestions").get_json()["items"]
    assert [s["title"] for s in mine] == ["Depot record"]
    assert client.as_(bob).get("/me/suggestions").get_json()["items"] == []


def test_approval_creates_a_draft_and_one_event(client, session):
    ann, admin = UserFactory(), UserFactory(role="admin")
    sid = client.as_(ann).post("/posts/suggestions", json={"title": "Depot record", "body": "900 pallets"}).get_json()["id"]
    queue = client.as_(admin).get("/admin/suggestions").get_json()["items"]
    assert [(s["id"], s["author"]["id"]) for s in queue] == [(sid, ann.id)]

    r = client.as_(admin).patch(f"/admin/suggestions/{sid}", json={"status": "approved", "note": "Lovely"})

    assert r.status_code == 200
    draft = session.scalar(select(Post).where(Post.suggestion_id == sid))
    assert draft.status == "draft" and draft.title == "Depot record"
    assert r.get_json()["post_id"] == draft.id
    events = session.scalars(select(ActivityEvent).where(ActivityEvent.kind == "suggestion_accepted")).all()
    assert [(e.user_id, e.dedupe_key) for e in events] == [(ann.id, f"suggestion:{sid}")]
    assert client.as_(ann).get("/me/suggestions").get_json()["items"][0]["status"] == "approved"
    # Reviewing twice is a conflict and changes nothing.
    assert_problem(client.as_(admin).patch(f"/admin/suggestions/{sid}", json={"status": "declined"}), 409)
    assert session.scalar(select(func.count()).select_from(ActivityEvent)) == 1


def test_decline_keeps_the_note_and_makes_no_post(client, session):
    ann, admin = UserFactory(), UserFactory(role="admin")
    sid = client.as_(ann).post("/posts/suggestions", json={"title": "x", "body": "y"}).get_json()["id"]

    client.as_(admin).patch(f"/admin/suggestions/{sid}", json={"status": "declined", "note": "Not this time"})

    item = client.as_(ann).get("/me/suggestions").get_json()["items"][0]
    assert (item["status"], item["note"], item["post_id"]) == ("declined", "Not this time", None)
    assert session.scalar(select(func.count()).select_from(Post)) == 0


def test_bad_suggestions_are_422(client, session):
    ann = UserFactory()
    assert_problem(client.as_(ann).post("/posts/suggestions", json={"title": "", "body": "y"}), 422, "title")
    assert_problem(client.as_(ann).post("/posts/suggestions", json={"title": "t", "body": "y",
                                                                    "link_url": "javascript:x"}), 422, "link_url")
    assert_problem(client.as_(UserFactory(role="admin")).patch("/admin/suggestions/999999",
                                                                json={"status": "approved"}), 404)
