"""Challenges after the outside security review (issue #14): no backdating or minting of points, prizes
within a ceiling unless an admin approved them, the creator never wins, metrics count what earns
points, posts must be live for the challenge's teams, and standings honour hiding and erasure."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from api.clock import utcnow
from api.models.activity import ActivityEvent, OutboxMessage
from api.models.challenges import Challenge
from api.models.ledger import LedgerEntry, UserPoints
from api.models.notifications import Notification
from api.models.shares import Share
from api.outbox import TALLY as TALLY_TOPIC
from api.services import ledger
from tests.factories import TeamFactory, UserFactory, lead_of
from tests.factories_content import PostFactory
from tests.helpers import assert_problem

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
CEILING = 500  # the finding's default for max_challenge_prize
ANONYMOUS = {"id": None, "display_name": "Anonymous colleague"}
ERASED = {"id": None, "display_name": "Former colleague"}


def _body(team_ids, **over):
    now = utcnow()
    body = {"title": "Spring sprint", "kind": "individual", "metric": "points", "team_ids": team_ids,
            "starts_at": now.isoformat(), "ends_at": (now + timedelta(days=2)).isoformat(), "prize_points": 100}
    body.update(over)
    return body


def _create(client, user, team_ids, **over):
    r = client.as_(user).post("/challenges", json=_body(team_ids, **over))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _earn(session, user, points, at=None):
    ledger.append(session, user_id=user.id, amount=points, action="share", dedupe_key=uuid.uuid4().hex, at=at)
    session.commit()


def _run(app):
    from workers.jobs.challenges import run_challenges

    with app.app_context():
        return run_challenges()


def _close(app, days=3):
    with time_machine.travel(utcnow() + timedelta(days=days)):
        _run(app)


def _prizes(session, cid):
    return dict(session.execute(select(LedgerEntry.user_id, LedgerEntry.amount)
                                .where(LedgerEntry.dedupe_key.like(f"challenge:{cid}:prize:%"))).all())


def _rules(client, admin, **changes):
    body = client.as_(admin).get("/admin/scoring-rules").get_json()
    body.update(changes)
    r = client.as_(admin).put("/admin/scoring-rules", json=body)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _standings(client, viewer, cid):
    return client.as_(viewer).get(f"/challenges/{cid}").get_json()["standings"]


def _values(client, viewer, cid):
    return {s["user"]["id"]: s["value"] for s in _standings(client, viewer, cid)}


# --- finding 2: a lead could mint a million points ------------------------------------------------

def test_the_reviewed_backdated_million_point_challenge_is_refused_and_mints_nothing(app, client, session):
    """The review's case: a lead posts a `points` challenge starting in 2020, ending a minute from now,
    with 1,000,000 prize points. 422, nothing stored, and a minute later the lead's balance is still 1,267."""
    team = TeamFactory()
    lead = lead_of(team)
    _earn(session, lead, 1267, at=datetime(2021, 6, 1, tzinfo=UTC))
    now = utcnow()
    body = _body([team.id], starts_at="2020-01-01T00:00:00+00:00",
                 ends_at=(now + timedelta(minutes=1)).isoformat(), prize_points=1_000_000)

    assert_problem(client.as_(lead).post("/challenges", json=body), 422)
    assert_problem(client.as_(lead).post("/challenges", json={**body, "prize_points": 300}), 422, "starts_at")
    with time_machine.travel(now + timedelta(minutes=2)):
        _run(app)

    assert session.scalar(select(func.count()).select_from(Challenge)) == 0
    assert session.scalar(select(UserPoints.balance).where(UserPoints.user_id == lead.id)) == 1267


def test_a_challenge_starts_no_earlier_than_five_minutes_ago_and_runs_at_least_24_hours(client, session):
    """starts_at may be at most 5 minutes in the past (clock skew); ends_at at least 24 hours after it
    (the default minimum). Refusals are 422 naming the field; nothing is stored."""
    team = TeamFactory()
    lead = lead_of(team)
    now = utcnow()
    table = [  # (starts_at relative to now, duration, expected status, field named)
        (-timedelta(minutes=6), timedelta(days=2), 422, "starts_at"),
        (-timedelta(days=1), timedelta(days=3), 422, "starts_at"),
        (-timedelta(minutes=4), timedelta(hours=24), 201, None),
        (timedelta(hours=1), timedelta(hours=23, minutes=59), 422, "ends_at"),
        (timedelta(hours=1), -timedelta(hours=1), 422, "ends_at"),
        (timedelta(hours=1), timedelta(hours=24), 201, None),
    ]
    with time_machine.travel(now, tick=False):
        for start, duration, status, field in table:
            body = _body([team.id], starts_at=(now + start).isoformat(), ends_at=(now + start + duration).isoformat())
            r = client.as_(lead).post("/challenges", json=body)
            if status == 422:
                assert_problem(r, 422, field)
            else:
                assert r.status_code == 201, (start, duration, r.get_json())

    assert session.scalar(select(func.count()).select_from(Challenge)) == 2


def test_the_minimum_duration_follows_challenge_min_hours(app, client, session, monkeypatch):
    """With CHALLENGE_MIN_HOURS=48 a 24-hour challenge is refused and a 48-hour one accepted."""
    monkeypatch.setitem(app.config, "CHALLENGE_MIN_HOURS", 48)
    team = TeamFactory()
    lead = lead_of(team)
    now = utcnow()

    short = _body([team.id], ends_at=(now + timedelta(hours=24)).isoformat())
    assert "48 hours" in assert_problem(client.as_(lead).post("/challenges", json=short), 422, "ends_at")["errors"][
        "ends_at"][0]
    assert client.as_(lead).post("/challenges", json=_body([team.id], ends_at=(now + timedelta(hours=48, minutes=1))
                                                           .isoformat())).status_code == 201


def test_the_creator_neither_ranks_nor_wins_in_their_own_individual_challenge(app, client, session):
    """The lead who created it earns most in the window, yet is not in the standings and wins nothing:
    Ann and Bob take 100 % and 60 % of 300."""
    team = TeamFactory()
    lead = lead_of(team)
    ann, bob = UserFactory(teams=[team]), UserFactory(teams=[team])
    cid = _create(client, lead, [team.id], prize_points=300)["id"]
    for user, points in ((lead, 1000), (ann, 50), (bob, 40)):
        _earn(session, user, points)

    assert lead.id not in _values(client, ann, cid)
    _close(app)

    assert _prizes(session, cid) == {ann.id: 300, bob.id: 180}
    assert [s["user"]["id"] for s in _standings(client, lead, cid)] == [ann.id, bob.id]


def test_the_creator_does_not_carry_their_team_in_a_team_challenge(app, client, session):
    """Team challenge between two teams the lead leads: the lead's own points do not count for their team
    (A: one member with 10; B: two members with 20 each), so team B wins and the lead gets nothing."""
    a, b = TeamFactory(name="A"), TeamFactory(name="B")
    lead = lead_of(a, b)
    a1, b1, b2 = UserFactory(teams=[a]), UserFactory(teams=[b]), UserFactory(teams=[b])
    cid = _create(client, lead, [a.id, b.id], kind="team", prize_points=40)["id"]
    for user, points in ((lead, 1000), (a1, 10), (b1, 20), (b2, 20)):
        _earn(session, user, points)

    rows = _standings(client, a1, cid)
    assert [(r["team"]["name"], r["value"], r["members"]) for r in rows] == [("B", 20, 2), ("A", 10, 1)]
    _close(app)
    assert _prizes(session, cid) == {b1.id: 40, b2.id: 40}


def test_a_leads_prize_above_the_ceiling_is_paid_only_after_an_admins_approval(app, client, session):
    """Default ceiling 500: a lead's 500 is approved, 501 and 1,000 wait for an admin. Only admins approve
    (POST /challenges/{id}/prize-approval). At close the approved 1,000 is paid (1,000/600), the
    unapproved 501 is not, and its results say so."""
    team = TeamFactory()
    lead, admin = lead_of(team), UserFactory(role="admin")
    ann, bob = UserFactory(teams=[team]), UserFactory(teams=[team])
    at_ceiling = _create(client, lead, [team.id], prize_points=CEILING)
    above = _create(client, lead, [team.id], prize_points=CEILING + 1)
    big = _create(client, lead, [team.id], prize_points=1000)

    assert at_ceiling["prize_status"] == "approved"
    assert above["prize_status"] == big["prize_status"] == "awaiting_approval"
    assert_problem(client.as_(lead).post(f"/challenges/{big['id']}/prize-approval"), 403)
    assert_problem(client.as_(ann).post(f"/challenges/{big['id']}/prize-approval"), 403)
    approved = client.as_(admin).post(f"/challenges/{big['id']}/prize-approval")
    assert approved.status_code == 200 and approved.get_json()["prize_status"] == "approved"
    _earn(session, ann, 50)
    _earn(session, bob, 40)
    _close(app)

    assert _prizes(session, big["id"]) == {ann.id: 1000, bob.id: 600}
    assert _prizes(session, at_ceiling["id"]) == {ann.id: 500, bob.id: 300}
    assert _prizes(session, above["id"]) == {}
    ended = client.as_(ann).get(f"/challenges/{above['id']}").get_json()
    assert ended["status"] == "ended" and ended["prize_status"] == "withheld"
    results = session.scalar(select(Notification.body).where(
        Notification.dedupe_key == f"challenge:{above['id']}:results:u{ann.id}"))
    assert "not approved" in results
    assert_problem(client.as_(admin).post(f"/challenges/{above['id']}/prize-approval"), 409)


def test_admins_create_large_prizes_and_may_raise_the_ceiling_up_to_its_own_limit(client, session):
    """An admin's 5,000 is approved at creation. The ceiling is a scoring rule (default 500) admins may
    raise (here to 2,000: a lead's 2,000 is approved, 2,001 waits), never above 100,000; a PUT without
    it keeps it; no prize exceeds 100,000."""
    team = TeamFactory()
    lead, admin = lead_of(team), UserFactory(role="admin")

    assert _create(client, admin, [team.id], prize_points=5000)["prize_status"] == "approved"
    rules = client.as_(admin).get("/admin/scoring-rules").get_json()
    assert rules["max_challenge_prize"] == CEILING
    assert _rules(client, admin, max_challenge_prize=2000)["max_challenge_prize"] == 2000
    assert _create(client, lead, [team.id], prize_points=2000)["prize_status"] == "approved"
    assert _create(client, lead, [team.id], prize_points=2001)["prize_status"] == "awaiting_approval"
    for bad in (-1, 100_001):
        assert_problem(client.as_(admin).put("/admin/scoring-rules", json={**rules, "max_challenge_prize": bad}),
                       422, "max_challenge_prize")
    without = {k: v for k, v in rules.items() if k != "max_challenge_prize"}
    assert client.as_(admin).put("/admin/scoring-rules", json=without).get_json()["max_challenge_prize"] == 2000
    assert_problem(client.as_(admin).post("/challenges", json=_body([team.id], prize_points=100_001)), 422,
                   "prize_points")


def test_patch_follows_the_same_window_and_prize_rules(client, session):
    """Before the start, a lead's PATCH is judged like a creation: a prize raised above the ceiling waits
    for approval again, and so does an approved large prize once the lead changes what decides the
    winners (a title change keeps the approval); an admin's PATCH approves. No start in the past, no
    window under 24 hours; a refused PATCH changes nothing."""
    team = TeamFactory()
    lead, admin = lead_of(team), UserFactory(role="admin")
    now = utcnow()
    cid = _create(client, lead, [team.id], starts_at=(now + timedelta(days=1)).isoformat(),
                  ends_at=(now + timedelta(days=3)).isoformat())["id"]

    def patch(user, **data):
        r = client.as_(user).patch(f"/challenges/{cid}", json=data)
        return r.get_json()["prize_status"] if r.status_code == 200 else r

    assert patch(lead, prize_points=5000) == "awaiting_approval"
    assert client.as_(admin).post(f"/challenges/{cid}/prize-approval").get_json()["prize_status"] == "approved"
    assert patch(lead, title="Renamed") == "approved"
    assert patch(lead, metric="shares") == "awaiting_approval"
    assert patch(admin, prize_points=6000) == "approved"
    assert_problem(patch(lead, starts_at=(now - timedelta(hours=1)).isoformat()), 422, "starts_at")
    assert_problem(patch(lead, ends_at=(now + timedelta(days=1, hours=23)).isoformat()), 422, "ends_at")
    body = client.as_(lead).get(f"/challenges/{cid}").get_json()
    assert (body["prize_points"], body["prize_status"], body["title"]) == (6000, "approved", "Renamed")
    assert body["ends_at"].startswith((now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))


# --- findings 8 and 7: metrics count what earns points -------------------------------------------

def _share(client, user, post, network="linkedin"):
    r = client.as_(user).post(f"/posts/{post.id}/shares", json={"network": network})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_sharing_one_post_on_one_network_15_times_counts_once(client, session):
    """The review's case: the same person sharing the same post 15 times counted 15 shares. A share
    counts once per post and network: Ann (X once, LinkedIn 15 times) has 2, Bob (LinkedIn once) 1."""
    team = TeamFactory()
    lead = lead_of(team)
    ann, bob = UserFactory(teams=[team]), UserFactory(teams=[team])
    post = PostFactory()
    cid = _create(client, lead, [team.id], metric="shares")["id"]
    _share(client, ann, post, "x")
    for _ in range(15):
        _share(client, ann, post, "linkedin")
    _share(client, bob, post, "linkedin")

    assert _values(client, ann, cid) == {ann.id: 2, bob.id: 1}


def test_the_share_metric_counts_only_shares_that_earn_points(client, session):
    """Shares on a network worth 0 points, shares beyond the daily cap (20 points = two shares) and an
    admin's shares (admins do not earn) count for nothing: Ann 2 of her 4, the admin 0."""
    team = TeamFactory()
    lead, admin = lead_of(team), UserFactory(role="admin", teams=[team])
    ann = UserFactory(teams=[team])
    caps = client.as_(admin).get("/admin/scoring-rules").get_json()["daily_caps"]
    _rules(client, admin, share_by_network={"instagram": 0}, daily_caps={**caps, "share": 20})
    posts = [PostFactory() for _ in range(3)]
    cid = _create(client, lead, [team.id], metric="shares")["id"]
    _share(client, ann, posts[0], "instagram")
    for post in posts:
        _share(client, ann, post, "linkedin")
    _share(client, admin, posts[0], "linkedin")

    assert _values(client, ann, cid) == {ann.id: 2, admin.id: 0}


def test_the_comment_metric_counts_comments_that_earn_points(client, session):
    """A comment counts when it earned points and still stands: with a cap of 6 points (three comments
    of 2), Ann's four comments on a story earn three; she deletes one of those; her comment on her own
    story earns nothing. She has 2."""
    team = TeamFactory()
    lead, admin = lead_of(team), UserFactory(role="admin")
    ann = UserFactory(teams=[team])
    caps = client.as_(admin).get("/admin/scoring-rules").get_json()["daily_caps"]
    _rules(client, admin, comment=2, daily_caps={**caps, "comment": 6})
    story, hers = PostFactory(), PostFactory(author_id=ann.id)
    cid = _create(client, lead, [team.id], metric="comments")["id"]
    ids = [client.as_(ann).post(f"/posts/{story.id}/comments", json={"body": f"Nice {n}"}).get_json()["id"]
           for n in range(4)]
    assert client.as_(ann).delete(f"/comments/{ids[0]}").status_code == 204
    client.as_(ann).post(f"/posts/{hers.id}/comments", json={"body": "Mine"})

    assert _values(client, ann, cid) == {ann.id: 2}


def test_the_click_metric_counts_counted_clicks_that_earned(client, session):
    """Clicks count as the tally counted them: three visitors (one of them twice) on Bob's link with
    max_clicks_per_share 2 make 2."""
    team = TeamFactory()
    lead, admin = lead_of(team), UserFactory(role="admin")
    bob = UserFactory(teams=[team])
    _rules(client, admin, max_clicks_per_share=2)
    post = PostFactory()
    cid = _create(client, lead, [team.id], metric="clicks")["id"]
    code = _share(client, bob, post)["tracked_url"].rsplit("/", 1)[1]
    for n in (1, 2, 3, 3):
        client.get(f"/s/{code}", headers={"User-Agent": BROWSER}, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})

    assert _values(client, bob, cid) == {bob.id: 2}


def _untallied_share(session, user, post):
    """A share as the request leaves it until a worker tallies it: the row, its event, a pending outbox row."""
    share = Share(post_id=post.id, user_id=user.id, network="linkedin", code=secrets.token_urlsafe(8))
    session.add(share)
    session.flush()
    event = ActivityEvent(kind="share_created", dedupe_key=f"share:{share.id}", user_id=user.id, post_id=post.id,
                          share_id=share.id, network="linkedin")
    session.add(event)
    session.flush()
    session.add(OutboxMessage(topic=TALLY_TOPIC, ref_id=event.id))
    session.commit()


def test_results_wait_for_activity_the_tally_has_not_counted_yet(app, client, session):
    """A share made before the end but not yet tallied holds the results back; once the tally has
    counted it, the challenge closes with it (Ann first, 100 points)."""
    from workers.jobs.tally import tally_events

    team = TeamFactory()
    lead = lead_of(team)
    ann = UserFactory(teams=[team])
    challenge = _create(client, lead, [team.id], metric="shares")
    _untallied_share(session, ann, PostFactory())

    with time_machine.travel(datetime.fromisoformat(challenge["ends_at"]) + timedelta(minutes=1)):
        _run(app)
        assert session.get(Challenge, challenge["id"]).closed_at is None
        with app.app_context():
            tally_events()
        _run(app)

    assert _prizes(session, challenge["id"]) == {ann.id: 100}


def test_a_stuck_tally_holds_results_back_for_an_hour_at_most(app, client, session):
    """An event the tally never gets to delays the close by up to an hour after the end, not for ever."""
    team = TeamFactory()
    lead = lead_of(team)
    ann = UserFactory(teams=[team])
    challenge = _create(client, lead, [team.id], metric="shares")
    _untallied_share(session, ann, PostFactory())
    end = datetime.fromisoformat(challenge["ends_at"])

    with time_machine.travel(end + timedelta(minutes=59)):
        _run(app)
    assert session.get(Challenge, challenge["id"]).closed_at is None
    with time_machine.travel(end + timedelta(minutes=61)):
        _run(app)
    session.expire_all()
    assert session.get(Challenge, challenge["id"]).closed_at is not None


# --- finding 11: posts a lead cannot see ----------------------------------------------------------

def test_challenge_posts_must_be_live_for_the_challenges_teams(client, session):
    """Scheduled, targeted-elsewhere, expired, deleted and draft posts are refused like unknown ids: 422
    on post_ids with the same message. Posts live for everyone or for the challenge's team are
    accepted. The same on PATCH, also when the teams change under the posts, and for admins."""
    team, other = TeamFactory(), TeamFactory()
    lead, admin = lead_of(team, other), UserFactory(role="admin")
    now = utcnow()
    for_all, for_team, for_other = PostFactory(), PostFactory(teams=[team]), PostFactory(teams=[other])
    hidden = [PostFactory(publish_at=now + timedelta(days=1)), PostFactory(teams=[TeamFactory()]),
              PostFactory(expires_at=now - timedelta(hours=1)), PostFactory(deleted_at=now),
              PostFactory(status="draft")]

    messages = set()
    for pid in [p.id for p in hidden] + [999999]:
        for user in (lead, admin):
            body = assert_problem(client.as_(user).post("/challenges", json=_body([team.id], post_ids=[pid])),
                                  422, "post_ids")
            messages.add(body["errors"]["post_ids"][0].replace(str(pid), "#"))
    assert len(messages) == 1, messages
    created = _create(client, lead, [team.id], post_ids=[for_all.id, for_team.id],
                      starts_at=(now + timedelta(hours=1)).isoformat())
    assert created["post_ids"] == sorted([for_all.id, for_team.id])
    assert_problem(client.as_(lead).patch(f"/challenges/{created['id']}", json={"post_ids": [for_other.id]}),
                   422, "post_ids")
    assert_problem(client.as_(lead).patch(f"/challenges/{created['id']}", json={"team_ids": [other.id]}),
                   422, "post_ids")
    assert client.as_(lead).patch(f"/challenges/{created['id']}",
                                  json={"team_ids": [team.id, other.id], "post_ids": [for_other.id]}).status_code == 200


def test_the_console_form_offers_only_posts_live_for_my_teams(app, session):
    """The lead's challenge form lists live posts for everyone or their teams; never the titles of
    scheduled posts or posts targeted at other teams."""
    from tests.api.test_console import _signed_in

    team, elsewhere = TeamFactory(), TeamFactory()
    lead = lead_of(team)
    PostFactory(title="Open to all hands")
    PostFactory(title="For my crew", teams=[team])
    PostFactory(title="Secret launch next week", publish_at=utcnow() + timedelta(days=7))
    PostFactory(title="Other depot memo", teams=[elsewhere])

    page = _signed_in(app, lead).get("/console/challenges").get_data(as_text=True)

    assert "Open to all hands" in page and "For my crew" in page
    assert "Secret launch next week" not in page and "Other depot memo" not in page


# --- findings 12 and 4: hidden and erased people in standings ---------------------------------------

def test_people_who_hid_from_leaderboards_are_anonymous_in_standings_to_everyone_but_themselves(
        app, client, session):
    """Hedda hid from leaderboards: others (staff, the lead, the console) see "Anonymous colleague" with
    no id, live and in the frozen standings; Hedda sees herself. Showing herself again later shows her
    name in the frozen standings too (names are read when the standings are shown)."""
    from tests.api.test_console import _signed_in

    team = TeamFactory()
    lead = lead_of(team)
    ann = UserFactory(teams=[team], display_name="Ann Visible")
    hedda = UserFactory(teams=[team], display_name="Hedda Hidden", leaderboard_visible=False)
    cid = _create(client, lead, [team.id])["id"]
    _earn(session, hedda, 50)
    _earn(session, ann, 30)

    def check():
        for viewer in (ann, lead):
            response = client.as_(viewer).get(f"/challenges/{cid}")
            assert "Hedda" not in response.get_data(as_text=True)
            assert [s["user"] for s in response.get_json()["standings"]] == [
                ANONYMOUS, {"id": ann.id, "display_name": "Ann Visible"}]
        assert _standings(client, hedda, cid)[0]["user"] == {"id": hedda.id, "display_name": "Hedda Hidden"}
        page = _signed_in(app, lead).get(f"/console/challenges/{cid}").get_data(as_text=True)
        assert "Hedda" not in page and "Anonymous colleague" in page

    check()
    _close(app)
    check()
    client.as_(hedda).patch("/me", json={"settings": {"leaderboard_visible": True}})
    assert _standings(client, ann, cid)[0]["user"] == {"id": hedda.id, "display_name": "Hedda Hidden"}


def test_erasure_scrubs_a_name_from_frozen_standings(app, client, session):
    """After Bob erases his account (DELETE /me), the ended challenge's standings (API and console) show
    "Former colleague" without an id where his name was; his rank and value stay."""
    from tests.api.test_console import _signed_in

    team = TeamFactory()
    lead = lead_of(team)
    ann = UserFactory(teams=[team], display_name="Ann Stays")
    bob = UserFactory(teams=[team], display_name="Bob Byquist")
    cid = _create(client, lead, [team.id])["id"]
    _earn(session, bob, 50)
    _earn(session, ann, 30)
    _close(app)
    assert "Bob Byquist" in client.as_(ann).get(f"/challenges/{cid}").get_data(as_text=True)

    assert client.as_(bob).delete("/me").status_code == 204

    response = client.as_(ann).get(f"/challenges/{cid}")
    assert "Bob Byquist" not in response.get_data(as_text=True)
    assert [(s["rank"], s["user"], s["value"]) for s in response.get_json()["standings"]] == [
        (1, ERASED, 50), (2, {"id": ann.id, "display_name": "Ann Stays"}, 30)]
    page = _signed_in(app, lead).get(f"/console/challenges/{cid}").get_data(as_text=True)
    assert "Bob Byquist" not in page and "Former colleague" in page
