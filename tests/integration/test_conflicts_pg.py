"""Unique clashes on real PostgreSQL: the same 409 naming the field as on SQLite (the constraint's
name comes from the server's diagnostics there), also when the clash is with a team that another
transaction is creating at that very moment."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, select, text

from api.models.teams import Team
from api.models.users import User
from api.names import comparable
from tests.api.test_conflicts import NAME_TAKEN, SAME_TEAM_NAMES, assert_conflict
from tests.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.postgres]


def names(pg_session) -> list[str]:
    pg_session.expire_all()
    return sorted(pg_session.scalars(select(Team.name)))


@pytest.mark.parametrize(("existing", "wanted"), SAME_TEAM_NAMES)
def test_same_name_is_409_on_create_and_rename(pg_client, pg_session, existing, wanted):
    admin = UserFactory(role="admin")
    TeamFactory(name=existing)
    other = TeamFactory(name="Nørrebro")

    assert_conflict(pg_client.as_(admin).post("/admin/teams", json={"name": wanted}), "name", NAME_TAKEN)
    assert_conflict(pg_client.as_(admin).patch(f"/admin/teams/{other.id}", json={"name": wanted}), "name",
                    NAME_TAKEN)
    assert names(pg_session) == sorted([existing, "Nørrebro"])


def test_rename_with_leads_is_409_when_the_clash_surfaces_at_an_autoflush(pg_client, pg_session):
    admin, lead = UserFactory(role="admin"), UserFactory()
    TeamFactory(name="Ä")
    other = TeamFactory(name="B")

    r = pg_client.as_(admin).patch(f"/admin/teams/{other.id}", json={"lead_ids": [lead.id], "name": "ä"})

    assert_conflict(r, "name", NAME_TAKEN)
    assert names(pg_session) == ["B", "Ä"]
    assert pg_session.get(User, lead.id).role == "staff"


def test_invite_with_a_taken_email_is_409(pg_client, pg_session):
    admin = UserFactory(role="admin")
    UserFactory(email="taken@example.test")
    r = pg_client.as_(admin).post("/admin/users", json={"email": "TAKEN@example.test", "display_name": "Twin"})
    assert_conflict(r, "email", "A user with this email already exists.")
    assert pg_session.scalar(select(User.id).where(User.display_name == "Twin")) is None


def _waiting_on_a_lock(engine, deadline: float) -> bool:
    """True once some session of this database waits for a lock (the request, behind our insert)."""
    while time.monotonic() < deadline:
        with engine.connect() as c:
            if c.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                              "AND wait_event_type = 'Lock'")).scalar():
                return True
        time.sleep(0.02)
    return False


def test_a_team_created_meanwhile_by_another_transaction_makes_the_request_409(pg_app, pg_client, pg_session):
    """No SELECT-then-INSERT window: another transaction inserts "Østerbro" and has not committed
    yet, so nothing the request could read shows it. The request's "østerbro" waits on the unique
    index; once the other commits, the request answers 409 on `name` and adds nothing."""
    admin = UserFactory(role="admin")
    url = pg_app.extensions["stafet.db"]["engine"].url
    engine = create_engine(url)
    holder = engine.connect()
    holder.execute(text("INSERT INTO teams (name, name_key, created_at) VALUES (:n, :k, now())"),
                   {"n": "Østerbro", "k": comparable("Østerbro")})
    answers = []
    request = threading.Thread(
        target=lambda: answers.append(pg_client.as_(admin).post("/admin/teams", json={"name": "østerbro"})))
    request.start()
    try:
        assert _waiting_on_a_lock(engine, time.monotonic() + 10), "the request did not wait on the unique index"
        holder.commit()
        request.join(timeout=10)
    finally:
        holder.close()
        engine.dispose()

    assert_conflict(answers[0], "name", NAME_TAKEN)
    assert names(pg_session) == ["Østerbro"]
