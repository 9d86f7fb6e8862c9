"""/me and the admin's people and teams."""

from __future__ import annotations

from tests.factories import TeamFactory, UserFactory
from tests.helpers import assert_problem


def test_me_shows_teams_points_level_and_settings(client, session):
    team = TeamFactory(name="Stores North")
    user = UserFactory(teams=[team], followers={"linkedin": 300})
    body = client.as_(user).get("/me").get_json()
    assert body["teams"] == [{"id": team.id, "name": "Stores North"}]
    assert body["points"] == {"balance": 0, "lifetime": 0, "level": {"number": 1, "name": "Newcomer", "next_level_at": 100}}
    assert body["settings"] == {"gamification_enabled": True, "leaderboard_visible": True}
    assert body["social_profiles"] == [{"network": "linkedin", "follower_count": 300}]


def test_patch_me_changes_name_settings_and_profiles(client, session):
    user = UserFactory()
    r = client.as_(user).patch("/me", json={
        "display_name": "  Ada\x00 L. ",
        "settings": {"leaderboard_visible": False},
        "social_profiles": [{"network": "x", "follower_count": 50}],
    })
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["display_name"] == "Ada L."
    assert body["settings"] == {"gamification_enabled": True, "leaderboard_visible": False}
    assert body["social_profiles"] == [{"network": "x", "follower_count": 50}]


def test_patch_me_refuses_role_changes_and_bad_networks(client, session):
    c = client.as_(UserFactory())
    assert_problem(c.patch("/me", json={"role": "admin"}), 422, "role")
    assert_problem(c.patch("/me", json={"social_profiles": [{"network": "myspace", "follower_count": 1}]}), 422)


def test_admin_lists_and_filters_people_with_cursor(client, session):
    admin = UserFactory(role="admin")
    team = TeamFactory()
    members = [UserFactory(teams=[team]) for _ in range(5)]
    c = client.as_(admin)
    seen, cursor = [], None
    while True:
        page = c.get("/admin/users", query_string={"limit": 2, "team_id": team.id, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200
        seen += [u["id"] for u in page.get_json()["items"]]
        cursor = page.get_json()["next_cursor"]
        if not cursor:
            break
    assert seen == [m.id for m in members]
    assert_problem(c.get("/admin/users", query_string={"cursor": "forged"}), 400)
    assert_problem(c.get("/admin/users", query_string={"limit": 101}), 422, "limit")


def test_admin_changes_role_teams_and_deactivates(client, session):
    admin, other_admin = UserFactory(role="admin"), UserFactory(role="admin")
    team = TeamFactory()
    user = UserFactory()
    c = client.as_(admin)
    r = c.patch(f"/admin/users/{user.id}", json={"role": "lead", "team_ids": [team.id], "active": False})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["role"] == "lead" and r.get_json()["teams"] == [{"id": team.id, "name": team.name}]
    assert r.get_json()["active"] is False
    assert client.as_(user).get("/me").status_code == 401
    assert other_admin


def test_the_last_admin_cannot_be_demoted(client, session):
    admin = UserFactory(role="admin")
    assert_problem(client.as_(admin).patch(f"/admin/users/{admin.id}", json={"role": "staff"}), 409)


def test_inviting_an_existing_email_is_409(client, session):
    admin = UserFactory(role="admin", email="taken@example.test")
    assert_problem(client.as_(admin).post("/admin/users", json={"email": "Taken@example.test", "display_name": "T"}), 409)


def test_team_crud_with_leads(client, session):
    admin = UserFactory(role="admin")
    lead = UserFactory(role="staff")
    c = client.as_(admin)
    r = c.post("/admin/teams", json={"name": "Night Shift", "lead_ids": [lead.id]})
    assert r.status_code == 201, r.get_json()
    team = r.get_json()
    assert team["lead_ids"] == [lead.id] and team["member_count"] == 1
    # Naming a lead gives them the lead role.
    assert client.as_(lead).get("/me").get_json()["role"] == "lead"
    assert_problem(c.post("/admin/teams", json={"name": "Night Shift"}), 409)
    assert c.patch(f"/admin/teams/{team['id']}", json={"name": "Nights", "lead_ids": []}).get_json()["lead_ids"] == []
    assert c.delete(f"/admin/teams/{team['id']}").status_code == 204
    assert_problem(c.get(f"/admin/teams/{team['id']}"), 404)
