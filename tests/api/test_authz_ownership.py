"""Authorization beyond the matrix (tests/api/test_authz_matrix.py, which tries every operation on
the caller's own object and on someone else's): lists that must hold only the caller's own data,
and a lead who is a member of a team without leading it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.clock import utcnow
from api.models.teams import TeamMembership
from tests.factories import TeamFactory, UserFactory, lead_of
from tests.factories_rewards import RewardFactory, give_points


@pytest.mark.parametrize("method, suffix, body", [("GET", "analytics", None),
                                                  ("POST", "nudges", {"title": "Go"})])
def test_a_lead_who_is_only_a_member_is_not_the_teams_lead(client, session, method, suffix, body):
    """Being a lead (of another team) and a member of this one gives no lead's rights here."""
    team, elsewhere = TeamFactory(), TeamFactory()
    member_lead = lead_of(elsewhere)
    session.add(TeamMembership(team_id=team.id, user_id=member_lead.id, is_lead=False))
    session.commit()
    lead_of(team)

    refused = client.as_(member_lead).open(method, f"/teams/{team.id}/{suffix}", json=body)

    assert refused.status_code == 403, refused.get_json()


def test_a_member_lead_follows_a_challenge_but_cannot_change_it(client, session):
    team = TeamFactory()
    runner = lead_of(team)
    member_lead = UserFactory(role="lead", teams=[team])
    start = utcnow() + timedelta(hours=1)
    created = client.as_(runner).post("/challenges", json={
        "title": "Shares", "kind": "individual", "metric": "shares", "team_ids": [team.id],
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(days=2)).isoformat()})
    assert created.status_code == 201, created.get_json()
    cid = created.get_json()["id"]

    assert client.as_(member_lead).get(f"/challenges/{cid}").status_code == 200
    assert client.as_(member_lead).patch(f"/challenges/{cid}", json={"title": "Mine now"}).status_code == 403
    assert client.as_(member_lead).delete(f"/challenges/{cid}").status_code == 403
    assert client.as_(runner).get(f"/challenges/{cid}").get_json()["title"] == "Shares"


def test_my_lists_never_show_anyone_elses_data(client, session):
    """Ledger, redemptions, badges, suggestions, inbox and export are always the caller's own."""
    ann, bob = UserFactory(), UserFactory()
    give_points(session, ann, 500)
    client.as_(ann).post(f"/rewards/{RewardFactory(cost=100).id}/redemptions")
    client.as_(ann).post("/posts/suggestions", json={"title": "t", "body": "b"})

    for path in ("/me/points", "/me/redemptions", "/me/suggestions", "/me/notifications"):
        assert client.as_(bob).get(path).get_json()["items"] == [], path
    assert client.as_(bob).get("/me/badges").get_json()["items"] == []
    export = client.as_(bob).get("/me/export").get_json()
    assert export["ledger"] == [] and export["redemptions"] == [] and export["suggestions"] == []
    assert client.as_(ann).get("/me/points").get_json()["items"]


def test_challenges_list_only_my_teams_ones(client, session):
    """Another team's challenge is neither listed nor readable for its non-members, leads included."""
    a, b = TeamFactory(), TeamFactory()
    lead_a, lead_b = lead_of(a), lead_of(b)
    start = utcnow() + timedelta(hours=1)
    cid = client.as_(lead_b).post("/challenges", json={
        "title": "B only", "kind": "team", "metric": "points", "team_ids": [b.id],
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(days=2)).isoformat()}).get_json()["id"]

    for who in (lead_a, UserFactory(teams=[a])):
        assert cid not in [c["id"] for c in client.as_(who).get("/challenges").get_json()["items"]]
    assert cid in [c["id"] for c in client.as_(UserFactory(teams=[b])).get("/challenges").get_json()["items"]]
