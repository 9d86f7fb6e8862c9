"""Analytics on a hand-built dataset with known answers; lead scoping; the streamed CSV export."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from api.models.comments import Comment
from api.models.shares import Click, Share
from tests.factories import TeamFactory, UserFactory
from tests.factories_content import PostFactory
from tests.helpers import assert_problem

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo("UTC"))


def _dataset(session):
    """Two teams; 4 shares (2 in window on day 1, 1 on day 2, 1 before the window), comments, clicks."""
    north, south = TeamFactory(name="North"), TeamFactory(name="South")
    ann = UserFactory(display_name="Ann", teams=[north])
    bob = UserFactory(display_name="Bob", teams=[north], leaderboard_visible=False)
    cat = UserFactory(display_name="Cat", teams=[south])
    UserFactory(display_name="Dee", teams=[south])  # eligible, inactive
    UserFactory(role="admin")  # not eligible
    p1, p2 = PostFactory(title="Plant"), PostFactory(title="Award")
    d1, d2 = datetime(2026, 11, 18, 9, tzinfo=ZoneInfo("UTC")), datetime(2026, 11, 19, 9, tzinfo=ZoneInfo("UTC"))
    shares = [
        Share(post_id=p1.id, user_id=ann.id, network="linkedin", code="a1", follower_snapshot=500, team_id=north.id,
              created_at=d1, caption="=HYPERLINK(\"http://evil\")", personal_caption=True),
        Share(post_id=p2.id, user_id=bob.id, network="x", code="b1", follower_snapshot=300, team_id=north.id,
              created_at=d1),
        Share(post_id=p2.id, user_id=ann.id, network="x", code="a2", follower_snapshot=200, team_id=north.id,
              created_at=d2),
        Share(post_id=p1.id, user_id=cat.id, network="linkedin", code="c0", follower_snapshot=9999,
              team_id=south.id, created_at=d1 - timedelta(days=40)),
    ]
    session.add_all(shares)
    session.flush()
    session.add_all([Click(share_id=shares[1].id, day=d2.date(), visitor_hash=f"v{i}", created_at=d2)
                     for i in range(3)] + [Click(share_id=shares[0].id, day=d2.date(), visitor_hash="w",
                                                 created_at=d2)])
    session.add_all([Comment(post_id=p1.id, user_id=cat.id, body="Nice", created_at=d2),
                     Comment(post_id=p1.id, user_id=cat.id, body="gone", created_at=d2, deleted_at=d2)])
    session.commit()
    return {"north": north, "south": south, "ann": ann, "bob": bob, "cat": cat, "p1": p1, "p2": p2}


def _summary(client, user, query="?from=2026-11-14&to=2026-11-20", path="/admin/analytics/summary"):
    with time_machine.travel(NOW, tick=False):
        r = client.as_(user).get(path + query)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_every_figure_on_a_known_dataset(client, session):
    _dataset(session)
    admin = UserFactory(role="admin")

    s = _summary(client, admin)

    assert s["participation"] == {"eligible": 4, "active": 3, "rate": 0.75}
    assert s["shares"] == 3 and s["shares_by_network"] == {"linkedin": 1, "x": 2}
    assert (s["comments"], s["clicks"], s["estimated_reach"]) == (1, 4, 1000)
    assert s["earned_media_value"] == {"amount": "10.00", "currency": "EUR", "cpm": "10.00"}
    assert [(t["post"]["title"], t["clicks"], t["shares"]) for t in s["top_posts"]] == [("Award", 3, 2),
                                                                                         ("Plant", 1, 1)]
    # Bob hid himself from leaderboards: he is not named among top advocates.
    assert [(a["user"]["display_name"], a["shares"], a["clicks"]) for a in s["top_advocates"]] == [("Ann", 2, 1)]
    north = next(t for t in s["by_team"] if t["team"]["name"] == "North")
    assert (north["shares"], north["clicks"], north["estimated_reach"], north["eligible"]) == (3, 4, 1000, 2)
    days = {p["date"]: p for p in s["series"]}
    assert len(s["series"]) == 7
    assert (days["2026-11-18"]["shares"], days["2026-11-19"]["shares"], days["2026-11-19"]["clicks"]) == (2, 1, 4)
    assert days["2026-11-19"]["comments"] == 1 and days["2026-11-18"]["estimated_reach"] == 800


def test_team_filter_and_lead_scoping(client, session):
    d = _dataset(session)
    lead = UserFactory(role="lead", teams=[d["south"]], teams__lead=True)

    mine = _summary(client, lead, path=f"/teams/{d['south'].id}/analytics")

    assert mine["shares"] == 0 and mine["comments"] == 1 and mine["participation"]["eligible"] == 3
    assert_problem(client.as_(lead).get(f"/teams/{d['north'].id}/analytics"), 403)
    assert_problem(client.as_(lead).get("/teams/999999/analytics"), 404)
    assert_problem(client.as_(lead).get("/admin/analytics/summary"), 403)
    north = _summary(client, UserFactory(role="admin"), f"?from=2026-11-14&to=2026-11-20&team_id={d['north'].id}")
    assert north["shares"] == 3 and north["participation"] == {"eligible": 2, "active": 2, "rate": 1.0}


def test_bad_windows_are_422(client, session):
    admin = UserFactory(role="admin")
    assert_problem(client.as_(admin).get("/admin/analytics/summary?from=2026-11-20&to=2026-11-01"), 422, "from")
    assert_problem(client.as_(admin).get("/admin/analytics/summary?from=2024-01-01&to=2026-11-01"), 422, "from")
    assert_problem(client.as_(admin).get("/admin/analytics/summary?from=yesterday"), 422, "from")


def test_csv_export_streams_one_row_per_share_without_erased_peoples_data(client, session):
    d = _dataset(session)
    admin = UserFactory(role="admin")
    assert client.as_(d["bob"]).delete("/me").status_code == 204

    r = client.as_(admin).get("/admin/analytics/export.csv?from=2026-11-14&to=2026-11-20")

    assert r.status_code == 200 and r.mimetype == "text/csv" and r.is_streamed
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert len(rows) == 3
    by_code = {row["share_id"]: row for row in rows}
    assert {row["sharer"] for row in rows} == {"Ann", ""}  # Bob erased himself
    ann_first = min(rows, key=lambda row: int(row["share_id"]))
    assert ann_first["caption"].startswith("'=")  # no formula injection in spreadsheets
    assert ann_first["personal_caption"] == "yes" and ann_first["team"] == "North"
    assert sorted(int(row["reach_snapshot"]) for row in by_code.values()) == [200, 300, 500]
