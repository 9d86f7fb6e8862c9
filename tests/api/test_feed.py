"""The feed: targeting, scheduling, expiry, order, stable cursors, ETags, my state, constant queries."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import event

from api.clock import utcnow
from api.models.comments import Comment
from api.models.shares import Share
from tests.factories import TeamFactory, UserFactory
from tests.factories_content import PostFactory
from tests.helpers import assert_problem


def _titles(r):
    return [i["title"] for i in r.get_json()["items"]]


def test_staff_see_only_posts_for_their_teams_or_everyone(client, session):
    """Team A staff see A's and untargeted posts, never team B's; B's post is a 404 to them."""
    a, b = TeamFactory(), TeamFactory()
    ann = UserFactory(teams=[a])
    PostFactory(title="For all")
    PostFactory(title="For A", teams=[a])
    secret = PostFactory(title="For B", teams=[b])

    r = client.as_(ann).get("/feed")

    assert r.status_code == 200
    assert sorted(_titles(r)) == ["For A", "For all"]
    assert_problem(client.as_(ann).get(f"/posts/{secret.id}"), 404)


def test_scheduled_posts_appear_at_publish_at_and_vanish_at_expiry(client, session):
    """Nobody touches the post: it shows from publish_at (inclusive) until expires_at (exclusive)."""
    now = utcnow()
    user = UserFactory()
    post = PostFactory(title="Timed", publish_at=now + timedelta(hours=1), expires_at=now + timedelta(hours=2))

    with time_machine.travel(now + timedelta(minutes=59), tick=False):
        assert _titles(client.as_(user).get("/feed")) == []
        assert_problem(client.as_(user).get(f"/posts/{post.id}"), 404)
    with time_machine.travel(now + timedelta(hours=1), tick=False):
        assert _titles(client.as_(user).get("/feed")) == ["Timed"]
    with time_machine.travel(now + timedelta(hours=2), tick=False):
        assert _titles(client.as_(user).get("/feed")) == []


def test_drafts_and_deleted_posts_are_not_in_the_feed(client, session):
    user = UserFactory()
    PostFactory(title="Draft", status="draft")
    PostFactory(title="Gone", deleted_at=utcnow())

    assert _titles(client.as_(user).get("/feed")) == []


def test_pinned_first_then_newest(client, session):
    now = utcnow()
    user = UserFactory()
    PostFactory(title="old", publish_at=now - timedelta(days=3))
    PostFactory(title="new", publish_at=now - timedelta(days=1))
    PostFactory(title="pinned old", publish_at=now - timedelta(days=9), pinned=True)

    assert _titles(client.as_(user).get("/feed")) == ["pinned old", "new", "old"]


def test_cursor_pages_have_no_duplicates_or_gaps_while_posts_arrive(client, session):
    """Posts published between page requests never shift or repeat the following pages."""
    now = utcnow()
    user = UserFactory()
    originals = [PostFactory(title=f"p{i}", publish_at=now - timedelta(minutes=100 - i)) for i in range(25)]
    # Same publish time for several posts: the id breaks the tie.
    PostFactory.create_batch(3, publish_at=now - timedelta(minutes=50))
    expected = 28

    seen: list[int] = []
    cursor = None
    while True:
        url = "/feed?limit=4" + (f"&cursor={cursor}" if cursor else "")
        body = client.as_(user).get(url).get_json()
        seen += [i["id"] for i in body["items"]]
        PostFactory(title="arrived meanwhile")  # newer than everything: belongs on page 1 only
        cursor = body["next_cursor"]
        if not cursor:
            break

    assert len(seen) == len(set(seen)) == expected
    assert set(seen) >= {p.id for p in originals}


def test_forged_cursor_is_a_400(client, session):
    assert_problem(client.as_(UserFactory()).get("/feed?cursor=bm90LWEtY3Vyc29y"), 400)


def test_etag_and_if_none_match(client, session):
    """Same content: 304 with no body; a new post changes the ETag."""
    user = UserFactory()
    PostFactory()
    first = client.as_(user).get("/feed")
    etag = first.headers["ETag"]

    again = client.as_(user).get("/feed", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""

    PostFactory(title="Fresh")
    changed = client.as_(user).get("/feed", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag

    one = client.as_(user).get(f"/posts/{first.get_json()['items'][0]['id']}")
    assert client.as_(user).get(f"/posts/{first.get_json()['items'][0]['id']}",
                                headers={"If-None-Match": one.headers["ETag"]}).status_code == 304


def test_item_shows_my_state_stats_and_points_on_offer(client, session):
    ann, bob = UserFactory(), UserFactory()
    post = PostFactory(networks=["linkedin", "x"])
    session.add_all([
        Share(post_id=post.id, user_id=ann.id, network="x", code="c1"),
        Share(post_id=post.id, user_id=ann.id, network="linkedin", code="c2"),
        Share(post_id=post.id, user_id=bob.id, network="x", code="c3"),
        Comment(post_id=post.id, user_id=ann.id, body="Great"),
        Comment(post_id=post.id, user_id=bob.id, body="Removed", deleted_at=utcnow()),
    ])
    session.commit()

    item = client.as_(ann).get(f"/posts/{post.id}").get_json()
    other = client.as_(bob).get(f"/posts/{post.id}").get_json()

    assert item["me"] == {"shared_on": ["linkedin", "x"], "commented": True}
    assert other["me"] == {"shared_on": ["x"], "commented": False}
    assert item["stats"] == {"shares": 3, "comments": 1}
    assert set(item["points_on_offer"]) == {"share", "personal_caption_bonus", "comment"}
    assert item["points_on_offer"]["share"] > 0


def test_a_page_costs_the_same_number_of_queries_whatever_its_size(app, client, session):
    """No N+1: a page of 2 and a page of 40 items (with shares and comments) issue the same statements."""
    user = UserFactory()
    for i in range(40):
        post = PostFactory()
        session.add(Share(post_id=post.id, user_id=user.id, network="x", code=f"q{i}"))
        session.add(Comment(post_id=post.id, user_id=user.id, body="hi"))
    session.commit()
    engine = app.extensions["stafet.db"]["engine"]

    def count(limit: int) -> int:
        statements: list[str] = []
        listener = lambda *a: statements.append(a[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert len(client.as_(user).get(f"/feed?limit={limit}").get_json()["items"]) == limit
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    small, large = count(2), count(40)
    assert small == large
    assert large <= 10
