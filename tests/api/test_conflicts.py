"""A unique clash is a 409 problem+json naming the field, on every create and update path that
takes a unique value from the client, and changes nothing (issue 15, "Conflicts are 409 everywhere").

"The same name" for teams: equal once Unicode-normalised, case-folded and whitespace-collapsed,
so Danish letters clash like ASCII ones ("Østerbro"/"østerbro" as "Zeta"/"zeta"). On SQLite here;
tests/integration/test_conflicts_pg.py runs the same on PostgreSQL.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from api.models.badges import Badge
from api.models.teams import Team
from api.models.users import User
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.helpers import assert_problem

# (existing team's name, name another team asks for): each pair is the same name.
SAME_TEAM_NAMES = [
    ("Østerbro", "Østerbro"),
    ("Østerbro", "østerbro"),
    ("Østerbro", "ØSTERBRO"),
    ("Zeta", "zeta"),
    ("Ærø Å", "æRØ   å"),  # spaces collapsed
    ("Straße", "STRASSE"),  # case folding, not lower(): ß is ss
    ("Team Ａ", "team a"),  # a full-width letter is the letter (NFKC)
]
# Different names that a naive comparison might confuse: each is accepted beside the first.
DIFFERENT_TEAM_NAMES = [("Østerbro", "Osterbro"), ("Aarhus", "Århus"), ("Zeta", "Zeta 2")]

NAME_TAKEN = "A team with this name already exists."


def assert_conflict(response, field: str, message: str) -> None:
    body = assert_problem(response, 409, field)
    assert body["errors"][field] == [message]


def team_names(session) -> list[str]:
    return sorted(session.scalars(select(Team.name)))


@pytest.mark.parametrize(("existing", "wanted"), SAME_TEAM_NAMES)
def test_creating_a_team_with_the_same_name_is_409(client, session, existing, wanted):
    """POST /admin/teams with a name another team has (in any case or spacing) → 409 on `name`, no new team."""
    admin = UserFactory(role="admin")
    TeamFactory(name=existing)

    assert_conflict(client.as_(admin).post("/admin/teams", json={"name": wanted}), "name", NAME_TAKEN)
    assert team_names(session) == [existing]


@pytest.mark.parametrize(("existing", "wanted"), SAME_TEAM_NAMES)
def test_renaming_a_team_to_the_same_name_as_another_is_409(client, session, existing, wanted):
    """PATCH /admin/teams/{id} to another team's name → 409 on `name`; the team keeps its name and leads."""
    admin = UserFactory(role="admin")
    TeamFactory(name=existing)
    other = TeamFactory(name="Nørrebro")

    r = client.as_(admin).patch(f"/admin/teams/{other.id}", json={"name": wanted})

    assert_conflict(r, "name", NAME_TAKEN)
    assert team_names(session) == sorted([existing, "Nørrebro"])


def test_renaming_with_new_leads_is_409_although_the_clash_surfaces_at_an_autoflush(client, session):
    """The fuzzer's case: a new name plus `lead_ids` (the leads are looked up after the rename, so
    the UPDATE is sent by an autoflush, not by an explicit flush) → 409, nothing changed."""
    admin, lead = UserFactory(role="admin"), UserFactory()
    TeamFactory(name="Ä")
    other = TeamFactory(name="B")

    r = client.as_(admin).patch(f"/admin/teams/{other.id}", json={"lead_ids": [lead.id], "name": "ä"})

    assert_conflict(r, "name", NAME_TAKEN)
    assert team_names(session) == ["B", "Ä"]
    session.expire_all()
    assert session.get(User, lead.id).role == "staff"  # the leads half of the request did not happen
    assert not session.get(Team, other.id).memberships


@pytest.mark.parametrize(("existing", "wanted"), DIFFERENT_TEAM_NAMES)
def test_different_names_are_not_conflicts(client, session, existing, wanted):
    admin = UserFactory(role="admin")
    TeamFactory(name=existing)
    assert client.as_(admin).post("/admin/teams", json={"name": wanted}).status_code == 201
    assert team_names(session) == sorted([existing, wanted])


def test_renaming_a_team_to_its_own_name_in_another_case_is_allowed(client, session):
    """A team's own name is no clash: "zeta" may become "Zeta"."""
    admin = UserFactory(role="admin")
    team = TeamFactory(name="zeta")
    r = client.as_(admin).patch(f"/admin/teams/{team.id}", json={"name": "Zeta"})
    assert r.status_code == 200 and r.get_json()["name"] == "Zeta"


def test_inviting_an_email_someone_has_is_409(client, session):
    """POST /admin/users with a taken email (in any case) → 409 on `email`, nobody added."""
    admin = UserFactory(role="admin")
    UserFactory(email="taken@example.test")
    before = session.scalar(select(func.count()).select_from(User))

    r = client.as_(admin).post("/admin/users", json={"email": "Taken@Example.test", "display_name": "Twin"})

    assert_conflict(r, "email", "A user with this email already exists.")
    assert session.scalar(select(func.count()).select_from(User)) == before


BADGE = {"code": "first", "name": "First", "criteria": {"type": "count", "action": "share", "threshold": 1}}


def test_creating_a_badge_with_a_taken_code_is_409(client, session):
    admin = UserFactory(role="admin")
    assert client.as_(admin).post("/admin/badges", json=BADGE).status_code == 201

    r = client.as_(admin).post("/admin/badges", json={**BADGE, "name": "Another"})

    assert_conflict(r, "code", "A badge with this code already exists.")
    assert list(session.scalars(select(Badge.name))) == ["First"]


def test_changing_a_badge_code_to_a_taken_one_is_409(client, session):
    admin = UserFactory(role="admin")
    client.as_(admin).post("/admin/badges", json=BADGE)
    second = client.as_(admin).post("/admin/badges", json={**BADGE, "code": "second", "name": "Second"}).get_json()

    r = client.as_(admin).patch(f"/admin/badges/{second['id']}", json={"code": "first", "name": "Renamed"})

    assert_conflict(r, "code", "A badge with this code already exists.")
    assert sorted(session.scalars(select(Badge.name))) == ["First", "Second"]


# --- the console's forms: the same message on the page, never a 500 ------------------------------

def _csrf(web, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', web.get(path).get_data(as_text=True)).group(1)


def _console(app, user):
    web = app.test_client()
    assert web.post("/console/login", data={"email": user.email, "password": PASSWORD,
                                            "csrf_token": _csrf(web, "/console/login")}).status_code == 302
    return web, _csrf(web, "/console/people")  # sign-in starts a new session, with a new token


def test_console_invite_with_a_taken_email_shows_the_message(app, session):
    admin = UserFactory(role="admin")
    UserFactory(email="taken@example.test")
    before = session.scalar(select(func.count()).select_from(User))
    web, token = _console(app, admin)

    r = web.post("/console/people/invite", data={"email": "TAKEN@example.test", "display_name": "Twin",
                                                 "role": "staff", "csrf_token": token})

    assert r.status_code == 302, r.get_data(as_text=True)[:600]
    page = web.get("/console/people").get_data(as_text=True)
    assert "A user with this email already exists." in page
    assert session.scalar(select(func.count()).select_from(User)) == before


@pytest.mark.parametrize(("column", "field", "slug"), [("username", "username", "username-taken"),
                                                       ("employee_id", "employee_id", "employee-id-taken")])
def test_a_clash_on_a_username_or_employee_id_names_that_field(session, column, field, slug):
    """Two joins racing for one username (or an import racing for one employee id) lose at the unique
    key: the 409 names the field that clashed, not a guess."""
    from sqlalchemy.exc import IntegrityError

    from api.conflicts import conflict_for
    from api.models.users import User

    session.add(User(display_name="First", role="staff", **{column: "mia.k"}))
    session.flush()
    session.add(User(display_name="Second", role="staff", **{column: "mia.k"}))
    with pytest.raises(IntegrityError) as raised:
        session.flush()
    session.rollback()

    conflict = conflict_for(raised.value)
    assert conflict is not None and conflict.errors == {field: [conflict.detail]} and conflict.slug == slug
