"""SECURITY.md finding 9: a self-declared follower count cannot blow up reach and earned media value.

Each share counts at most its network's cap (FOLLOWER_CAP, default 50,000; FOLLOWER_CAPS per
network) and the analytics say how much reach rests on capped or large counts.
"""

from __future__ import annotations

import csv
import io

from api.clock import utcnow
from tests.conftest import base_env, build_app
from tests.factories import TeamFactory, UserFactory
from tests.factories_content import PostFactory
from tests.helpers import ApiClient


def _share(client, user, network="linkedin"):
    post = PostFactory()
    r = client.as_(user).post(f"/posts/{post.id}/shares", json={"network": network})
    assert r.status_code == 201, r.get_json()


def _today() -> str:
    return utcnow().date().isoformat()


def test_ten_million_declared_followers_count_as_fifty_thousand(client, session):
    """The issue's case: 10,000,000 followers → reach 50,000 and EMV 500.00 EUR (CPM 10), flagged."""
    admin = UserFactory(role="admin")
    team = TeamFactory(name="Depot")
    boaster = UserFactory(followers={"linkedin": 10_000_000}, teams=[team])
    popular = UserFactory(followers={"linkedin": 12_000}, teams=[team])  # large: at least a fifth of the cap
    regular = UserFactory(followers={"linkedin": 300}, teams=[team])
    for user in (boaster, popular, regular):
        _share(client, user)

    r = client.as_(admin).get(f"/admin/analytics/summary?from={_today()}&to={_today()}")

    body = r.get_json()
    assert body["estimated_reach"] == 50_000 + 12_000 + 300
    assert body["earned_media_value"]["amount"] == "623.00"
    assert body["reach_check"] == {
        "follower_caps": {"default": 50_000, "by_network": {}},
        "capped_shares": 1,
        "reach_from_capped_counts": 50_000,
        "declared_reach_not_counted": 9_950_000,
        "large_count_shares": 1,
        "reach_from_large_counts": 12_000,
    }
    assert [(t["team"]["name"], t["estimated_reach"]) for t in body["by_team"]] == [("Depot", 62_300)]
    assert sum(day["estimated_reach"] for day in body["series"]) == 62_300

    export = client.as_(admin).get(f"/admin/analytics/export.csv?from={_today()}&to={_today()}")
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert sorted((int(r["reach_snapshot"]), int(r["reach_counted"])) for r in rows) == [
        (300, 300), (12_000, 12_000), (10_000_000, 50_000)]


def test_caps_are_configurable_per_network(tmp_path, session):
    """FOLLOWER_CAPS=x=1000 caps X shares at 1,000 while LinkedIn keeps the default."""
    app = build_app(base_env(tmp_path, DATABASE_URL=str(session.get_bind().url), FOLLOWER_CAPS="x=1000"))
    client = ApiClient(app)
    admin = UserFactory(role="admin")
    ann = UserFactory(followers={"x": 40_000, "linkedin": 40_000})
    _share(client, ann, "x")
    _share(client, ann, "linkedin")

    body = client.as_(admin).get(f"/admin/analytics/summary?from={_today()}&to={_today()}").get_json()

    assert body["estimated_reach"] == 1_000 + 40_000
    assert body["reach_check"]["follower_caps"] == {"default": 50_000, "by_network": {"x": 1000}}
    assert body["reach_check"]["capped_shares"] == 1
    assert body["reach_check"]["large_count_shares"] == 1  # 40,000 on LinkedIn
