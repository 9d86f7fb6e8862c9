"""Shares with tracked links, the redirect, click counting and comments — each writing its event once."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from sqlalchemy import func, select

from api.clock import utcnow
from api.models.activity import ActivityEvent
from api.models.comments import Comment
from api.models.shares import Click, Share
from api.services.captions import is_personal
from tests.factories import TeamFactory, UserFactory
from tests.factories_content import PostFactory
from tests.helpers import assert_problem

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
SUGGESTED = "Proud of what our team built this week."


def _events(session, kind: str) -> list[ActivityEvent]:
    return list(session.scalars(select(ActivityEvent).where(ActivityEvent.kind == kind)))


def _share(client, user, post, headers=None, **body):
    return client.as_(user).post(f"/posts/{post.id}/shares", json={"network": "linkedin", **body}, headers=headers)


def test_share_returns_a_tracked_link_and_writes_one_event(client, session):
    team = TeamFactory()
    ann = UserFactory(teams=[team], followers={"linkedin": 640})
    post = PostFactory()

    r = _share(client, ann, post, caption="Our depot crew did something remarkable this week")

    assert r.status_code == 201
    body = r.get_json()
    assert body["tracked_url"].startswith("https://go.stafet.test/s/") and len(body["tracked_url"]) > 30
    assert body["personal_caption"] is True and body["points_pending"] > 0
    share = session.get(Share, body["id"])
    assert (share.follower_snapshot, share.team_id) == (640, team.id)
    assert [(e.user_id, e.dedupe_key) for e in _events(session, "share_created")] == [(ann.id, f"share:{share.id}")]


def test_sharing_a_post_again_on_the_same_network_earns_nothing_more(client, session):
    """15 shares of one post on LinkedIn: 10 + 5 (own words) points once; the repeats announce and earn 0.
    Another network is a new share (10 more). Defaults: share 10, personal caption bonus 5."""
    ann = UserFactory()
    post = PostFactory(networks=["linkedin", "x"])
    caption = "Our depot crew did something remarkable this week"
    answers = [_share(client, ann, post, caption=caption).get_json() for _ in range(15)]
    other = _share(client, ann, post, network="x").get_json()

    assert [a["points_pending"] for a in answers] == [15] + [0] * 14
    assert other["points_pending"] == 10
    points = client.as_(ann).get("/me/points?limit=100").get_json()["items"]
    assert sorted((p["action"], p["amount"]) for p in points) == [
        ("personal_caption_bonus", 5), ("share", 10), ("share", 10)]
    assert client.as_(ann).get("/me").get_json()["points"]["balance"] == 25


def test_same_idempotency_key_shares_once(client, session):
    ann, post = UserFactory(), PostFactory()
    headers = {"Idempotency-Key": "share-1"}

    first = _share(client, ann, post, headers=headers)
    again = _share(client, ann, post, headers=headers)
    other = client.as_(ann).post(f"/posts/{post.id}/shares", json={"network": "x"}, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json() == first.get_json()
    assert_problem(other, 409)
    assert session.scalar(select(func.count()).select_from(Share)) == 1
    assert len(_events(session, "share_created")) == 1


def test_network_not_allowed_is_422_and_nothing_is_recorded(client, session):
    ann, post = UserFactory(), PostFactory(networks=["linkedin"])

    problem = assert_problem(_share(client, ann, post, network="x"), 422, "network")

    assert "linkedin" in problem["errors"]["network"][0]
    assert session.scalar(select(func.count()).select_from(Share)) == 0 and _events(session, "share_created") == []


def test_expired_or_invisible_posts_cannot_be_shared(client, session):
    a, b = TeamFactory(), TeamFactory()
    ann = UserFactory(teams=[a])
    expired = PostFactory(expires_at=utcnow() - timedelta(minutes=1))
    theirs = PostFactory(teams=[b])

    assert_problem(_share(client, ann, expired), 404)
    assert_problem(_share(client, ann, theirs), 404)


@pytest.mark.parametrize("caption, personal", [
    (None, False),
    ("", False),
    (SUGGESTED, False),
    ("proud of what our team built this week!!! 🎉 #teamwork", False),  # copy + emoji + hashtag
    ("Proud of what my team built this week.", False),  # one word swapped
    ("So proud", False),  # too short to be a caption of one's own
    ("Three years in and this team still surprises me every single week", True),
    ("Proud of what our team built — ask me how we did it in six weeks flat", True),
])
def test_personal_caption_rule(caption, personal):
    assert is_personal(caption, [SUGGESTED]) is personal


def _redirect(client, code, ua=BROWSER, ip="203.0.113.7", query=""):
    return client.get(f"/s/{code}{query}", headers={"User-Agent": ua}, environ_base={"REMOTE_ADDR": ip})


def _code(client, user, post, network="linkedin"):
    return _share(client, user, post, network=network).get_json()["tracked_url"].rsplit("/", 1)[1]


def test_redirect_adds_utm_and_keeps_existing_parameters(app, session):
    client = app.test_client()
    from tests.helpers import ApiClient

    api = ApiClient(app)
    ann = UserFactory()
    post = PostFactory(link_url="https://example.com/news?id=7&utm_source=old", campaign="spring")
    code = _code(api, ann, post)

    r = _redirect(client, code)

    assert r.status_code == 302
    target = urlsplit(r.headers["Location"])
    assert (target.scheme, target.netloc, target.path) == ("https", "example.com", "/news")
    assert parse_qs(target.query) == {"id": ["7"], "utm_source": ["linkedin"], "utm_medium": ["employee_advocacy"],
                                      "utm_campaign": ["spring"]}


@pytest.mark.parametrize("query", ["?url=https://evil.example", "?next=//evil.example", "/..%2F..%2Fevil.example",
                                   "?redirect=javascript:alert(1)"])
def test_redirect_never_goes_anywhere_but_the_stored_link(app, session, query):
    from tests.helpers import ApiClient

    ann, post = UserFactory(), PostFactory(link_url="https://example.com/story")
    code = _code(ApiClient(app), ann, post)

    r = _redirect(app.test_client(), code, query=query)

    assert r.status_code in (302, 404)
    if r.status_code == 302:
        assert r.headers["Location"].startswith("https://example.com/story?")
        assert "evil" not in r.headers["Location"] and "javascript" not in r.headers["Location"]


def test_unknown_code_is_a_404_problem(app, session):
    assert_problem(_redirect(app.test_client(), "nope-nope-no"), 404)


def test_clicks_count_once_per_visitor_per_day_and_never_for_bots(app, session):
    from tests.helpers import ApiClient

    ann, post = UserFactory(), PostFactory()
    code = _code(ApiClient(app), ann, post)
    web = app.test_client()

    for _ in range(3):
        _redirect(web, code)  # same person, same day
    _redirect(web, code, ip="198.51.100.9")  # someone else
    for bot in ("LinkedInBot/1.0 (compatible; Mozilla/5.0)", "Twitterbot/1.0", "facebookexternalhit/1.1",
                "Slackbot-LinkExpanding 1.0", "WhatsApp/2.23", ""):
        assert _redirect(web, code, ua=bot).status_code == 302  # bots are redirected, not counted
    with time_machine.travel(utcnow() + timedelta(days=1)):
        _redirect(web, code)  # the same person tomorrow

    share = session.scalar(select(Share))
    session.refresh(share)
    assert share.click_count == 3
    events = _events(session, "click_counted")
    assert len(events) == 3 and {e.user_id for e in events} == {ann.id}
    hashes = session.scalars(select(Click.visitor_hash)).all()
    assert all("203.0.113.7" not in h and len(h) == 64 for h in hashes)


def test_comments_are_validated_listed_and_deleted_by_author_or_admin(client, session):
    ann, bob, admin = UserFactory(), UserFactory(), UserFactory(role="admin")
    post = PostFactory()

    assert_problem(client.as_(ann).post(f"/posts/{post.id}/comments", json={"body": ""}), 422, "body")
    assert_problem(client.as_(ann).post(f"/posts/{post.id}/comments", json={"body": "x" * 2001}), 422, "body")
    assert_problem(client.as_(ann).post(f"/posts/{post.id}/comments", json={"body": "\x00\x07  "}), 422, "body")
    r = client.as_(ann).post(f"/posts/{post.id}/comments", json={"body": " Great\x00 story\x1b "})
    assert r.status_code == 201 and r.get_json()["body"] == "Great story"
    assert r.get_json()["author"]["id"] == ann.id
    cid = r.get_json()["id"]
    second = client.as_(bob).post(f"/posts/{post.id}/comments", json={"body": "Agreed"}).get_json()["id"]

    listed = client.as_(bob).get(f"/posts/{post.id}/comments").get_json()["items"]
    assert [c["id"] for c in listed] == [second, cid]

    assert_problem(client.as_(bob).delete(f"/comments/{cid}"), 403)
    assert client.as_(ann).delete(f"/comments/{cid}").status_code == 204
    assert client.as_(admin).delete(f"/comments/{second}").status_code == 204
    assert_problem(client.as_(ann).delete(f"/comments/{cid}"), 404)
    assert client.as_(bob).get(f"/posts/{post.id}/comments").get_json()["items"] == []
    assert session.scalar(select(func.count()).select_from(Comment)) == 2  # soft-deleted, kept for the ledger
    created, deleted = _events(session, "comment_created"), _events(session, "comment_deleted")
    assert len(created) == 2 and sorted(e.user_id for e in deleted) == sorted([ann.id, bob.id])


def test_comment_on_an_invisible_post_is_404(client, session):
    ann = UserFactory(teams=[TeamFactory()])
    hidden = PostFactory(teams=[TeamFactory()])

    assert_problem(client.as_(ann).post(f"/posts/{hidden.id}/comments", json={"body": "hi"}), 404)
    assert_problem(client.as_(ann).get(f"/posts/{hidden.id}/comments"), 404)
