"""Leaderboards: competition ranks, periods, opt-outs, my own place, teams per member."""

from __future__ import annotations

import uuid
from datetime import timedelta

from api.clock import utcnow
from api.services import ledger
from tests.factories import TeamFactory, UserFactory, lead_of
from tests.helpers import assert_problem


def earn(session, user, points, *, team=None, at=None):
    ledger.append(session, user_id=user.id, amount=points, action="share", dedupe_key=uuid.uuid4().hex,
                  team_id=team.id if team else None, at=at)
    session.commit()


def _board(client, user, query=""):
    r = client.as_(user).get(f"/leaderboard{query}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_ties_share_a_rank_and_the_next_rank_skips(client, session):
    a, b, c, d = (UserFactory(display_name=n) for n in "ABCD")
    for user, pts in ((a, 50), (b, 30), (c, 30), (d, 10)):
        earn(session, user, pts)

    body = _board(client, d)

    assert [(e["rank"], e["user"]["display_name"], e["points"]) for e in body["entries"]] == [
        (1, "A", 50), (2, "B", 30), (2, "C", 30), (4, "D", 10)]
    assert body["me"] == {"rank": 4, "points": 10}


def test_hidden_and_opted_out_people_are_not_listed(client, session):
    shown, hidden, gone = UserFactory(), UserFactory(leaderboard_visible=False), UserFactory(gamification_enabled=False)
    inactive = UserFactory(is_active=False)
    for user, pts in ((shown, 10), (hidden, 99), (gone, 80), (inactive, 70)):
        earn(session, user, pts)

    body = _board(client, shown)

    assert [e["user"]["id"] for e in body["entries"]] == [shown.id]
    assert _board(client, hidden)["me"] == {"rank": 1, "points": 99}  # I still see my own place
    assert _board(client, gone)["me"] is None


def test_spending_does_not_lower_the_board(client, session):
    ann = UserFactory()
    earn(session, ann, 100)
    ledger.debit(session, user_id=ann.id, amount=60, action="redemption", dedupe_key="spend")
    session.commit()

    assert _board(client, ann)["entries"][0]["points"] == 100


def test_periods(client, session):
    ann = UserFactory()
    earn(session, ann, 5)
    earn(session, ann, 7, at=utcnow() - timedelta(days=60))

    assert _board(client, ann, "?period=week")["entries"][0]["points"] == 5
    assert _board(client, ann, "?period=all_time")["entries"][0]["points"] == 12
    week = _board(client, ann, "?period=week")["period"]
    assert week["start"] <= utcnow().date().isoformat() < week["end"]


def test_team_scope_and_pagination(client, session):
    t1, t2 = TeamFactory(), TeamFactory()
    mine = [UserFactory(teams=[t1]) for _ in range(3)]
    other = UserFactory(teams=[t2])
    for i, user in enumerate(mine):
        earn(session, user, 10 * (i + 1))
    earn(session, other, 100)

    body = _board(client, mine[0], f"?scope=team&team_id={t1.id}&limit=2&offset=1")

    assert [e["rank"] for e in body["entries"]] == [2, 3]
    assert other.id not in [e["user"]["id"] for e in body["entries"]]
    assert_problem(client.as_(mine[0]).get(f"/leaderboard?scope=team&team_id={t2.id}"), 403)
    assert_problem(client.as_(mine[0]).get("/leaderboard?scope=team"), 422, "team_id")
    assert client.as_(lead_of(t2)).get(f"/leaderboard?scope=team&team_id={t2.id}").status_code == 200
    assert_problem(client.as_(lead_of(t1)).get(f"/leaderboard?scope=team&team_id={t2.id}"), 403)
    assert client.as_(UserFactory(role="admin")).get(f"/leaderboard?scope=team&team_id={t2.id}").status_code == 200


def test_team_board_ranks_points_per_active_member(client, session):
    small, big = TeamFactory(name="Small"), TeamFactory(name="Big")
    s1 = UserFactory(teams=[small])
    bigs = [UserFactory(teams=[big]) for _ in range(5)]
    earn(session, s1, 40, team=small)
    for user in bigs:
        earn(session, user, 20, team=big)

    entries = client.as_(s1).get("/leaderboard/teams").get_json()["entries"]

    assert [(e["rank"], e["team"]["name"], e["points"], e["active_members"]) for e in entries] == [
        (1, "Small", 40, 1), (2, "Big", 100, 5)]


def test_later_pages_rank_from_positions_even_while_the_rank_table_is_reused(app, client, session, monkeypatch):
    """With LEADERBOARD_CACHE_SECONDS on, `me.rank` may trail for a few seconds, but a page's
    ranks follow from positions; only a tie across the page start needs the rank table."""
    from api.services import ttl_cache

    monkeypatch.setitem(app.config, "LEADERBOARD_CACHE_SECONDS", 60)
    monkeypatch.setattr(ttl_cache, "shared", ttl_cache.TtlCache(256))  # this test's table only, and gone afterwards
    a, b, c, d, e = (UserFactory(display_name=n) for n in "ABCDE")
    for user, pts in ((a, 50), (b, 40), (c, 30), (d, 30), (e, 10)):
        earn(session, user, pts)
    assert _board(client, e, "?limit=2&offset=2")["entries"][0]["rank"] == 3  # the rank table is now cached
    earn(session, e, 100)  # E jumps to the top; the cached table does not know yet

    page = _board(client, a, "?limit=2&offset=2")["entries"]
    next_page = _board(client, a, "?limit=2&offset=3")["entries"]

    # Order now: E 110, A 50, B 40, C 30, D 30 — the cached table would have put B 2nd.
    assert [(x["rank"], x["user"]["display_name"]) for x in page] == [(3, "B"), (4, "C")]
    assert [(x["rank"], x["user"]["display_name"]) for x in next_page] == [(4, "C"), (4, "D")]


def test_the_top_page_is_shared_for_a_few_seconds_but_me_is_my_own(app, client, session, monkeypatch):
    """With LEADERBOARD_CACHE_SECONDS on, everyone opening the board gets the same top page for
    that long; `me.points` is always current, and later pages are read live."""
    from api.services import ttl_cache

    monkeypatch.setitem(app.config, "LEADERBOARD_CACHE_SECONDS", 60)
    monkeypatch.setattr(ttl_cache, "shared", ttl_cache.TtlCache(256))
    a, b, c = (UserFactory(display_name=n) for n in "ABC")
    for user, pts in ((a, 50), (b, 40), (c, 10)):
        earn(session, user, pts)
    first = _board(client, c, "?limit=2")
    assert [x["user"]["display_name"] for x in first["entries"]] == ["A", "B"] and first["me"]["points"] == 10

    earn(session, c, 100)  # C is now first; the shared top page does not show it yet

    again = _board(client, c, "?limit=2")
    assert [x["user"]["display_name"] for x in again["entries"]] == ["A", "B"]
    assert again["me"]["points"] == 110  # my own points are read live
    assert [x["user"]["display_name"] for x in _board(client, b, "?limit=2&offset=1")["entries"]] == ["A", "B"]
    assert _board(client, a, "?limit=2")["me"] == {"rank": 1, "points": 50}  # A is on the shared page
