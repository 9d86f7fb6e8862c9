"""Challenges: lead and team rules, live standings with opt-outs, the closing job (on time, once,
prize split, ties, team per member), cancellation, notifications."""

from __future__ import annotations

import uuid
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from api.clock import utcnow
from api.models.ledger import LedgerEntry
from api.models.notifications import Notification
from api.services import ledger
from tests.factories import TeamFactory, UserFactory
from tests.factories_content import PostFactory
from tests.helpers import assert_problem

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


def _body(team_ids, **over):
    now = utcnow()
    body = {"title": "November sprint", "kind": "individual", "metric": "points", "team_ids": team_ids,
            "starts_at": now.isoformat(), "ends_at": (now + timedelta(days=2)).isoformat(), "prize_points": 100}
    body.update(over)
    return body


def _earn(session, user, points, at=None):
    ledger.append(session, user_id=user.id, amount=points, action="share", dedupe_key=uuid.uuid4().hex, at=at)
    session.commit()


def _run(app):
    from workers.jobs.challenges import run_challenges

    with app.app_context():
        return run_challenges()


def _prizes(session):
    return {u: a for u, a in session.execute(select(LedgerEntry.user_id, LedgerEntry.amount)
                                             .where(LedgerEntry.action == "challenge_prize"))}


def test_leads_run_challenges_only_for_their_teams(client, session):
    mine, theirs = TeamFactory(), TeamFactory()
    lead = UserFactory(role="lead", teams=[mine], teams__lead=True)

    assert client.as_(lead).post("/challenges", json=_body([mine.id])).status_code == 201
    assert_problem(client.as_(lead).post("/challenges", json=_body([theirs.id])), 403)
    assert_problem(client.as_(lead).post("/challenges", json=_body([mine.id, theirs.id])), 403)
    assert_problem(client.as_(lead).post("/challenges", json=_body([999999])), 422, "team_ids")
    assert_problem(client.as_(UserFactory(teams=[mine])).post("/challenges", json=_body([mine.id])), 403)
    assert client.as_(UserFactory(role="admin")).post("/challenges", json=_body([theirs.id])).status_code == 201


def test_edit_only_before_start_and_visibility(client, session):
    mine, other = TeamFactory(), TeamFactory()
    lead = UserFactory(role="lead", teams=[mine], teams__lead=True)
    later = _body([mine.id], starts_at=(utcnow() + timedelta(days=1)).isoformat(),
                  ends_at=(utcnow() + timedelta(days=3)).isoformat())
    upcoming = client.as_(lead).post("/challenges", json=later).get_json()["id"]
    running = client.as_(lead).post("/challenges", json=_body([mine.id])).get_json()["id"]

    assert client.as_(lead).patch(f"/challenges/{upcoming}", json={"title": "Renamed"}).get_json()["title"] == "Renamed"
    assert_problem(client.as_(lead).patch(f"/challenges/{running}", json={"title": "No"}), 409)
    outsider = UserFactory(teams=[other])
    assert_problem(client.as_(outsider).get(f"/challenges/{running}"), 404)
    member = UserFactory(teams=[mine])
    assert client.as_(member).get(f"/challenges/{running}").status_code == 200
    assert [c["id"] for c in client.as_(member).get("/challenges?status=active").get_json()["items"]] == [running]
    assert [c["id"] for c in client.as_(member).get("/challenges?status=upcoming").get_json()["items"]] == [upcoming]
    assert client.as_(outsider).get("/challenges").get_json()["items"] == []


def test_live_standings_leave_out_opted_out_people(client, session):
    team = TeamFactory()
    lead = UserFactory(role="lead", teams=[team], teams__lead=True)
    ann, bob = UserFactory(teams=[team], display_name="Ann"), UserFactory(teams=[team], display_name="Bob")
    gone = UserFactory(teams=[team], gamification_enabled=False, display_name="Gone")
    cid = client.as_(lead).post("/challenges", json=_body([team.id])).get_json()["id"]
    _earn(session, ann, 30)
    _earn(session, bob, 50)
    _earn(session, gone, 99)
    _earn(session, ann, 500, at=utcnow() - timedelta(days=3))  # before the window

    standings = client.as_(ann).get(f"/challenges/{cid}").get_json()["standings"]

    named = [(s["rank"], s["user"]["display_name"], s["value"]) for s in standings]
    assert named[:2] == [(1, "Bob", 50), (2, "Ann", 30)]
    assert "Gone" not in [s["user"]["display_name"] for s in standings]


def test_closes_on_time_once_with_the_100_60_30_split_and_ties(app, client, session):
    team = TeamFactory()
    lead = UserFactory(role="lead", teams=[team], teams__lead=True)
    a, b, c, d = (UserFactory(teams=[team]) for _ in range(4))
    cid = client.as_(lead).post("/challenges", json=_body([team.id], prize_points=100)).get_json()["id"]
    for user, pts in ((a, 50), (b, 40), (c, 40), (d, 10)):
        _earn(session, user, pts)

    _run(app)
    assert _prizes(session) == {}  # not yet
    with time_machine.travel(utcnow() + timedelta(days=2, minutes=1)):
        _run(app)
        _run(app)

    assert _prizes(session) == {a.id: 100, b.id: 60, c.id: 60}  # b and c tie for 2nd; d is 4th
    body = client.as_(a).get(f"/challenges/{cid}").get_json()
    assert body["status"] == "ended" and [s["rank"] for s in body["standings"]][:4] == [1, 2, 2, 4]
    _earn(session, d, 1000)  # after the close: frozen standings do not move
    assert client.as_(a).get(f"/challenges/{cid}").get_json()["standings"] == body["standings"]
    results = session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.dedupe_key.like(f"challenge:{cid}:results:%")))
    assert results == 5  # four members and the lead, once each


def test_team_challenge_per_member_lets_a_small_team_win(app, client, session):
    small, big = TeamFactory(name="Small"), TeamFactory(name="Big")
    admin = UserFactory(role="admin")
    s1 = UserFactory(teams=[small])
    bigs = [UserFactory(teams=[big]) for _ in range(4)]
    cid = client.as_(admin).post("/challenges", json=_body([small.id, big.id], kind="team",
                                                           prize_points=25)).get_json()["id"]
    _earn(session, s1, 40)
    for user in bigs:
        _earn(session, user, 20)

    standings = client.as_(s1).get(f"/challenges/{cid}").get_json()["standings"]
    assert [(s["team"]["name"], s["value"], s["total"]) for s in standings] == [("Small", 40, 40), ("Big", 20, 80)]
    with time_machine.travel(utcnow() + timedelta(days=3)):
        _run(app)

    assert _prizes(session) == {s1.id: 25}


def test_cancelled_challenges_award_nothing(app, client, session):
    team = TeamFactory()
    lead = UserFactory(role="lead", teams=[team], teams__lead=True)
    ann = UserFactory(teams=[team])
    cid = client.as_(lead).post("/challenges", json=_body([team.id])).get_json()["id"]
    _earn(session, ann, 10)

    assert client.as_(lead).delete(f"/challenges/{cid}").status_code == 204
    with time_machine.travel(utcnow() + timedelta(days=3)):
        _run(app)

    assert _prizes(session) == {}
    assert client.as_(ann).get(f"/challenges/{cid}").get_json()["status"] == "cancelled"


def test_start_and_last_day_notices_once(app, client, session):
    team = TeamFactory()
    lead = UserFactory(role="lead", teams=[team], teams__lead=True)
    ann = UserFactory(teams=[team])
    cid = client.as_(lead).post("/challenges", json=_body([team.id])).get_json()["id"]

    _run(app)
    _run(app)
    with time_machine.travel(utcnow() + timedelta(days=1, hours=1)):
        _run(app)
        _run(app)

    keys = session.scalars(select(Notification.dedupe_key).where(Notification.user_id == ann.id)).all()
    assert sorted(keys) == [f"challenge:{cid}:ending:u{ann.id}", f"challenge:{cid}:started:u{ann.id}"]


def test_share_and_click_metrics_count_only_the_campaign_posts(client, session):
    team = TeamFactory()
    lead = UserFactory(role="lead", teams=[team], teams__lead=True)
    ann, bob = UserFactory(teams=[team], display_name="Ann"), UserFactory(teams=[team], display_name="Bob")
    campaign, other = PostFactory(), PostFactory()
    shares = client.as_(lead).post("/challenges", json=_body([team.id], metric="shares",
                                                            post_ids=[campaign.id])).get_json()["id"]
    clicks = client.as_(lead).post("/challenges", json=_body([team.id], metric="clicks",
                                                            post_ids=[campaign.id])).get_json()["id"]
    for network in ("linkedin", "x"):
        client.as_(ann).post(f"/posts/{campaign.id}/shares", json={"network": network})
    bob_link = client.as_(bob).post(f"/posts/{campaign.id}/shares", json={"network": "linkedin"}).get_json()
    for network in ("linkedin", "x", "facebook"):
        client.as_(bob).post(f"/posts/{other.id}/shares", json={"network": network})
    code = bob_link["tracked_url"].rsplit("/", 1)[1]
    for n in range(3):  # three different visitors
        client.get(f"/s/{code}", headers={"User-Agent": BROWSER}, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})

    def table(cid):
        return {s["user"]["display_name"]: (s["rank"], s["value"])
                for s in client.as_(ann).get(f"/challenges/{cid}").get_json()["standings"]}

    assert table(shares)["Ann"] == (1, 2) and table(shares)["Bob"] == (2, 1)
    assert table(clicks)["Bob"] == (1, 3) and table(clicks)["Ann"][1] == 0
    assert_problem(client.as_(lead).post("/challenges", json=_body([team.id], post_ids=[999999])), 422, "post_ids")
