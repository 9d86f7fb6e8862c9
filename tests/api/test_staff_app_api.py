"""The contract additions the staff app needs: the live caption hint, my impact, our results,
the public client configuration, my language, and invitation links into the app."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from api.clock import utcnow
from api.models.shares import Click, Share
from tests.factories import TeamFactory, UserFactory
from tests.factories_content import PostFactory
from tests.helpers import assert_problem

SUGGESTED = "Proud of what our team built this week."
OWN_WORDS = "Our depot crew did something remarkable this week"


def _check(client, user, post, caption, network="linkedin"):
    return client.as_(user).post(f"/posts/{post.id}/caption-check", json={"network": network, "caption": caption})


# --- caption-check ------------------------------------------------------------------------------

def test_caption_check_gives_the_same_answer_as_the_share(client, session):
    """Defaults: a share earns 10, own words 5 more; the suggested caption with an emoji is not own words.
    The hint matches what the share then answers, and checking changes nothing."""
    ann = UserFactory()
    post = PostFactory()

    copied = _check(client, ann, post, SUGGESTED + " 🎉")
    own = _check(client, ann, post, OWN_WORDS)

    assert copied.status_code == 200
    assert copied.get_json() == {"personal": False, "points_on_offer": 10, "caption_max_length": 3000}
    assert own.get_json() == {"personal": True, "points_on_offer": 15, "caption_max_length": 3000}
    assert session.scalar(select(Share.id)) is None  # a check is not a share
    shared = client.as_(ann).post(f"/posts/{post.id}/shares", json={"network": "linkedin", "caption": OWN_WORDS})
    assert (shared.get_json()["personal_caption"], shared.get_json()["points_pending"]) == (True, 15)


def test_caption_check_after_sharing_on_that_network_offers_nothing(client, session):
    """One share per post and network earns: once shared on LinkedIn, LinkedIn offers 0 and X still 10."""
    ann = UserFactory()
    post = PostFactory()
    client.as_(ann).post(f"/posts/{post.id}/shares", json={"network": "linkedin", "caption": OWN_WORDS})

    again = _check(client, ann, post, "Something else in my own words here").get_json()
    assert (again["personal"], again["points_on_offer"]) == (True, 0)
    assert _check(client, ann, post, "", network="x").get_json() == {
        "personal": False, "points_on_offer": 10, "caption_max_length": 280}


def test_caption_check_refuses_what_the_share_refuses(client, session):
    ann = UserFactory()
    post = PostFactory(networks=["linkedin"])
    hidden = PostFactory(teams=[TeamFactory()])

    assert_problem(_check(client, ann, post, "hello", network="x"), 422, "network")
    assert_problem(_check(client, ann, hidden, "hello"), 404)
    assert_problem(_check(client, ann, post, "x" * 63207), 422, "caption")
    assert_problem(client.post(f"/posts/{post.id}/caption-check", json={"network": "linkedin"}), 401)


# --- my impact and our results ----------------------------------------------------------------------

def _click(session, share_id, n):
    for i in range(n):
        session.add(Click(share_id=share_id, day=utcnow().date(), visitor_hash=f"{share_id}-{i}".ljust(64, "0")))
    session.commit()


def test_my_impact_counts_my_shares_clicks_reach_streak_and_rank(client, session):
    """Ann shares 2 stories today (LinkedIn 640 followers, X 120) and one yesterday; 3 counted clicks.
    Reach this week = 640 + 120 (+ yesterday's share if in this week); streak 2 days; rank 1 of 2."""
    ann = UserFactory(followers={"linkedin": 640, "x": 120})
    bob = UserFactory(followers={"linkedin": 10})
    first, second, third = (PostFactory(publish_at=utcnow() - timedelta(days=2)) for _ in range(3))
    monday = utcnow().date() - timedelta(days=utcnow().weekday())
    with time_machine.travel(utcnow() - timedelta(days=1)):
        assert client.as_(ann).post(f"/posts/{third.id}/shares", json={"network": "linkedin"}).status_code == 201
    a = client.as_(ann).post(f"/posts/{first.id}/shares", json={"network": "linkedin"}).get_json()
    client.as_(ann).post(f"/posts/{second.id}/shares", json={"network": "x"})
    client.as_(bob).post(f"/posts/{first.id}/shares", json={"network": "linkedin"})
    _click(session, a["id"], 3)

    body = client.as_(ann).get("/me/impact?period=all_time").get_json()

    assert body["shares"] == 3 and body["clicks"] == 3
    assert body["estimated_reach"] == 640 + 120 + 640
    assert body["streak_days"] == 2
    assert body["rank"] == 1 and body["on_leaderboard"] is True
    assert body["period"] == {"key": "all_time", "start": "2000-01-01", "end": None}
    week = client.as_(ann).get("/me/impact?period=week").get_json()
    assert week["period"]["start"] == monday.isoformat()
    assert week["shares"] == (3 if utcnow().weekday() > 0 else 2)
    assert client.as_(bob).get("/me/impact?period=all_time").get_json()["rank"] == 2


def test_impact_of_someone_who_hid_or_left(client, session):
    """Hidden: I still see my own rank, and that others do not see me. Left gamification: no rank."""
    hidden = UserFactory(leaderboard_visible=False)
    left = UserFactory(gamification_enabled=False)

    me_hidden = client.as_(hidden).get("/me/impact").get_json()
    me_left = client.as_(left).get("/me/impact").get_json()

    assert me_hidden["on_leaderboard"] is False and me_hidden["rank"] == 1
    assert me_left["rank"] is None and me_left["on_leaderboard"] is False
    assert_problem(client.as_(left).get("/me/impact?period=year"), 422, "period")
    assert_problem(client.get("/me/impact"), 401)


def test_results_are_the_organisations_figures_without_names(client, session):
    """3 eligible staff (admins are not counted), 2 shared: participation 2/3. Top stories are only
    stories I can see; no person is named anywhere in the answer."""
    team, other = TeamFactory(), TeamFactory()
    ann = UserFactory(teams=[team], display_name="Ann Visible", followers={"linkedin": 100})
    cas = UserFactory(teams=[other], display_name="Cas Hidden", leaderboard_visible=False,
                      followers={"linkedin": 50})
    UserFactory(teams=[team])
    UserFactory(role="admin")
    public, theirs = PostFactory(title="For everyone"), PostFactory(title="Only the other team", teams=[other])
    client.as_(ann).post(f"/posts/{public.id}/shares", json={"network": "linkedin"})
    shared = client.as_(cas).post(f"/posts/{theirs.id}/shares", json={"network": "linkedin"}).get_json()
    _click(session, shared["id"], 2)

    r = client.as_(ann).get("/results?period=month")

    assert r.status_code == 200
    body = r.get_json()
    assert body["participation"] == {"eligible": 3, "active": 2, "rate": 0.6667}
    assert (body["shares"], body["clicks"], body["estimated_reach"]) == (2, 2, 150)
    assert [p["title"] for p in body["top_posts"]] == ["For everyone"]
    text = r.get_data(as_text=True)
    assert "Ann Visible" not in text and "Cas Hidden" not in text
    other_view = client.as_(cas).get("/results?period=month").get_json()
    assert [p["title"] for p in other_view["top_posts"]] == ["Only the other team", "For everyone"]


# --- client configuration ---------------------------------------------------------------------------

def test_client_config_is_public_and_says_web_push_is_not_set_up(client):
    r = client.get("/client-config")

    assert r.status_code == 200
    body = r.get_json()
    assert body["web_push"] is None
    assert body["languages"] == ["da", "en"] and body["default_language"] == "en"
    assert body["sso"] == {"enabled": False, "start_url": None, "provider_name": None, "password_login": True}
    assert body["caption_max_length"] == {"x": 280, "linkedin": 3000, "facebook": 63206, "instagram": 2200}


def test_client_config_serves_the_firebase_web_config_and_never_more(app, client, monkeypatch):
    web = {"apiKey": "AIza-public", "authDomain": "demo.firebaseapp.com", "projectId": "demo",
           "messagingSenderId": "123", "appId": "1:123:web:abc", "vapidKey": "BPublicVapid",
           "measurementId": "G-XYZ"}
    monkeypatch.setitem(app.config, "FCM_WEB_CONFIG", web)

    body = client.get("/client-config").get_json()

    assert body["web_push"] == {"firebase": {"apiKey": "AIza-public", "authDomain": "demo.firebaseapp.com",
                                             "projectId": "demo", "messagingSenderId": "123",
                                             "appId": "1:123:web:abc"},
                                "vapid_key": "BPublicVapid"}


def test_fcm_web_config_is_validated_at_start_up(tmp_path):
    import pytest

    from api.config import ConfigError, load_settings

    env = {"SECRET_KEY": "k" * 40}
    good = '{"apiKey": "a", "projectId": "p", "messagingSenderId": "1", "appId": "x", "vapidKey": "v"}'
    assert load_settings({**env, "FCM_WEB_CONFIG": good}, tmp_path).fcm_web_config["vapidKey"] == "v"
    path = tmp_path / "web.json"
    path.write_text(good)
    assert load_settings({**env, "FCM_WEB_CONFIG": str(path)}, tmp_path).fcm_web_config["appId"] == "x"
    for bad, message in [('{"apiKey": "a"}', "lacks projectId"), ("{not json", "not valid JSON"),
                         ('{"type": "service_account"}', "not a service account"),
                         ("/no/such/file.json", "path to a JSON file")]:
        with pytest.raises(ConfigError, match=message):
            load_settings({**env, "FCM_WEB_CONFIG": bad}, tmp_path)
    with pytest.raises(ConfigError, match="DEFAULT_LANGUAGE"):
        load_settings({**env, "DEFAULT_LANGUAGE": "sv"}, tmp_path)


# --- my language and invitation links ---------------------------------------------------------------

def test_my_language_is_stored_and_shown(client, session):
    ann = UserFactory()
    assert client.as_(ann).get("/me").get_json()["locale"] is None

    r = client.as_(ann).patch("/me", json={"locale": "da"})

    assert r.status_code == 200 and r.get_json()["locale"] == "da"
    assert client.as_(ann).get("/me").get_json()["locale"] == "da"
    assert_problem(client.as_(ann).patch("/me", json={"locale": "sv"}), 422, "locale")


def test_an_invitation_links_to_the_staff_app(client, session):
    admin = UserFactory(role="admin")
    r = client.as_(admin).post("/admin/users", json={"email": "new@example.test", "display_name": "New",
                                                     "role": "staff", "team_ids": []})

    assert r.status_code == 201
    body = r.get_json()
    assert body["invite_url"] == f"https://go.stafet.test/app/activate?token={body['invite_token']}"


def test_my_streak_counts_the_organisations_days_like_the_streak_badge(app, client, session, monkeypatch):
    """In Copenhagen (UTC+1 in December) shares at 22:30 UTC on the 1st and 23:30 UTC on the 2nd fall on
    the 1st and the 3rd there: no streak of 2, although they are on consecutive UTC days."""
    from datetime import UTC, datetime

    monkeypatch.setitem(app.config, "ORG_TIMEZONE", "Europe/Copenhagen")
    ann = UserFactory()
    post = PostFactory(publish_at=datetime(2026, 11, 30, tzinfo=UTC))
    other = PostFactory(publish_at=datetime(2026, 11, 30, tzinfo=UTC))
    for at, p in ((datetime(2026, 12, 1, 22, 30, tzinfo=UTC), post), (datetime(2026, 12, 2, 23, 30, tzinfo=UTC), other)):
        with time_machine.travel(at, tick=False):
            assert client.as_(ann).post(f"/posts/{p.id}/shares", json={"network": "linkedin"}).status_code == 201

    with time_machine.travel(datetime(2026, 12, 2, 23, 45, tzinfo=UTC), tick=False):
        assert client.as_(ann).get("/me/impact").get_json()["streak_days"] == 1
