"""The feed's shared pages (FEED_CACHE_SECONDS): people with the same teams share a page for a few
seconds, but `me` is always the reader's own and current, audiences never mix, and an admin's
change to the posts shows at once."""

from __future__ import annotations

import pytest

from api.services import ttl_cache
from tests.factories import TeamFactory, UserFactory
from tests.factories_content import PostFactory


@pytest.fixture
def cached_feed(app, session, monkeypatch):
    monkeypatch.setitem(app.config, "FEED_CACHE_SECONDS", 30)
    monkeypatch.setattr(ttl_cache, "shared", ttl_cache.TtlCache(256))  # this test's pages only, gone afterwards


def _items(r):
    assert r.status_code == 200, r.get_data(as_text=True)
    return {i["title"]: i for i in r.get_json()["items"]}


def test_a_shared_page_carries_each_readers_own_state(client, cached_feed):
    team = TeamFactory()
    ann, bob = UserFactory(teams=[team]), UserFactory(teams=[team])
    post = PostFactory(title="Story")
    assert _items(client.as_(ann).get("/feed"))["Story"]["me"] == {"shared_on": [], "commented": False}

    assert client.as_(bob).post(f"/posts/{post.id}/shares", json={"network": "x"}).status_code == 201
    assert client.as_(bob).post(f"/posts/{post.id}/comments", json={"body": "Nice"}).status_code == 201

    assert _items(client.as_(bob).get("/feed"))["Story"]["me"] == {"shared_on": ["x"], "commented": True}
    assert _items(client.as_(ann).get("/feed"))["Story"]["me"] == {"shared_on": [], "commented": False}


def test_audiences_never_share_a_page(client, cached_feed):
    a, b = TeamFactory(), TeamFactory()
    ann, bea, cyd = UserFactory(teams=[a]), UserFactory(teams=[b]), UserFactory()
    PostFactory(title="For all")
    PostFactory(title="For A", teams=[a])

    assert set(_items(client.as_(ann).get("/feed"))) == {"For all", "For A"}
    assert set(_items(client.as_(bea).get("/feed"))) == {"For all"}
    assert set(_items(client.as_(cyd).get("/feed"))) == {"For all"}


def test_an_admins_change_to_the_posts_shows_at_once(client, cached_feed):
    ann, admin = UserFactory(), UserFactory(role="admin")
    old = PostFactory(title="Old")
    assert set(_items(client.as_(ann).get("/feed"))) == {"Old"}

    created = client.as_(admin).post("/admin/posts", json={"title": "New", "body": "Fresh", "status": "published",
                                                           "networks": ["linkedin"]})
    assert created.status_code == 201, created.get_data(as_text=True)
    assert set(_items(client.as_(ann).get("/feed"))) == {"Old", "New"}
    assert client.as_(admin).delete(f"/admin/posts/{old.id}").status_code == 204
    assert set(_items(client.as_(ann).get("/feed"))) == {"New"}


class FakeClock:
    """Seconds that pass only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_stats_catch_up_once_the_page_expires(app, client, session, monkeypatch):
    """A page is reused for FEED_CACHE_SECONDS (10 here) and read afresh after."""
    clock = FakeClock()
    monkeypatch.setitem(app.config, "FEED_CACHE_SECONDS", 10)
    monkeypatch.setattr(ttl_cache, "shared", ttl_cache.TtlCache(256, clock=clock))
    ann, bob = UserFactory(), UserFactory()
    post = PostFactory(title="Story")
    assert _items(client.as_(ann).get("/feed"))["Story"]["stats"]["shares"] == 0
    assert client.as_(bob).post(f"/posts/{post.id}/shares", json={"network": "x"}).status_code == 201

    clock.now += 9.9
    assert _items(client.as_(ann).get("/feed"))["Story"]["stats"]["shares"] == 0  # the shared page, 9.9 s old
    clock.now += 0.1
    assert _items(client.as_(ann).get("/feed"))["Story"]["stats"]["shares"] == 1


def test_pages_and_cursors_are_shared_without_gaps_or_repeats(client, cached_feed):
    team = TeamFactory()
    ann, bob = UserFactory(teams=[team]), UserFactory(teams=[team])
    for n in range(7):
        PostFactory(title=f"Post {n}", teams=[team] if n % 2 else [])
    first = client.as_(ann).get("/feed?limit=3").get_json()
    seen = [i["title"] for i in first["items"]]
    cursor = first["next_cursor"]
    while cursor:  # bob goes on from ann's cursor: a cursor is a position, the same for everyone
        page = client.as_(bob).get(f"/feed?limit=3&cursor={cursor}").get_json()
        seen += [i["title"] for i in page["items"]]
        cursor = page["next_cursor"]
    assert sorted(seen) == sorted(f"Post {n}" for n in range(7)) and len(seen) == 7


def test_the_etag_follows_my_own_state(client, cached_feed):
    ann = UserFactory()
    post = PostFactory(title="Story")
    first = client.as_(ann).get("/feed")
    etag = first.headers["ETag"]
    assert client.as_(ann).get("/feed", headers={"If-None-Match": etag}).status_code == 304
    assert client.as_(ann).post(f"/posts/{post.id}/shares", json={"network": "x"}).status_code == 201
    again = client.as_(ann).get("/feed", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag


def test_a_cursor_issued_before_pages_were_shared_still_works(app, client, session):
    from api.pagination import encode_cursor

    ann = UserFactory()
    posts = [PostFactory(title=f"Post {n}") for n in range(3)]
    newest_first = sorted(posts, key=lambda p: (p.pinned, p.publish_at, p.id), reverse=True)
    with app.test_request_context():
        top = newest_first[0]
        old = encode_cursor([top.pinned, top.publish_at, top.id], f"feed:{ann.id}")
    r = client.as_(ann).get(f"/feed?limit=5&cursor={old}")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert [i["id"] for i in r.get_json()["items"]] == [p.id for p in newest_first[1:]]
    with app.test_request_context():
        someone_elses = encode_cursor([top.pinned, top.publish_at, top.id], "feed:999999")
    assert client.as_(ann).get(f"/feed?cursor={someone_elses}").status_code == 400
