"""Role enforcement: a table of endpoint x role -> expected status."""

from __future__ import annotations

import pytest

from tests.factories import TeamFactory, UserFactory

ROLE_TABLE = [
    # method, path, anonymous, staff, lead, admin
    ("GET", "/me", 401, 200, 200, 200),
    ("GET", "/admin/users", 401, 403, 403, 200),
    ("GET", "/admin/users/{me}", 401, 403, 403, 200),
    ("PATCH", "/admin/users/{me}", 401, 403, 403, 200),
    ("POST", "/admin/users", 401, 403, 403, 422),
    ("GET", "/admin/teams", 401, 403, 403, 200),
    ("POST", "/admin/teams", 401, 403, 403, 422),
    ("GET", "/admin/teams/{team}", 401, 403, 403, 200),
    ("PATCH", "/admin/teams/{team}", 401, 403, 403, 200),
    ("DELETE", "/admin/teams/{team}", 401, 403, 403, 204),
]

# A PATCH must change something (an empty one is 422 for everyone allowed to send it).
PATCH_BODIES = {"/admin/users/{me}": {"display_name": "Renamed Person"}, "/admin/teams/{team}": {"name": "Renamed"}}


@pytest.mark.parametrize(("method", "path", "anonymous", "staff", "lead", "admin"), ROLE_TABLE)
def test_role_table(client, session, method, path, anonymous, staff, lead, admin):
    """Each role gets exactly the status the table says (staff < lead < admin)."""
    team = TeamFactory()
    people = {"staff": UserFactory(role="staff"), "lead": UserFactory(role="lead"), "admin": UserFactory(role="admin")}
    UserFactory(role="admin")  # a second admin, so demoting one is allowed
    expected = {"anonymous": anonymous, "staff": staff, "lead": lead, "admin": admin}
    for who, status in expected.items():
        me = people.get(who, people["staff"])
        url = path.format(me=me.id, team=team.id)
        c = client.as_(people[who]) if who in people else client
        body = PATCH_BODIES[path] if method == "PATCH" else {} if method == "POST" else None
        r = c.open(method, url, json=body)
        assert r.status_code == status, (who, method, url, r.get_json())
