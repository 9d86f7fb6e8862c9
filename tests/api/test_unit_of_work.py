"""The commit happens before the response is finished (issue 15, "The commit before the response").

A request's work commits once, inside the dispatch, so the after-request hooks — the metrics
and the security headers — see the answer a failed commit gets: 503 problem+json (409 for a
unique clash) with the same headers as any answer, counted under that status in /metrics.
"""

from __future__ import annotations

import re
import sqlite3

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from api.models.teams import Team
from api.models.users import User
from api.observability.metrics import REGISTRY
from tests.factories import PASSWORD, UserFactory
from tests.helpers import assert_problem

TEAMS = "/api/v1/admin/teams"


def counted(endpoint: str, status: int, method: str = "POST") -> float:
    value = REGISTRY.get_sample_value("stafet_http_requests_total",
                                      {"method": method, "endpoint": endpoint, "status": str(status)})
    return value or 0.0


@pytest.fixture
def commits(monkeypatch, session):
    """Every commit of an app session (not the test's own, through which the factories write)."""
    calls: list[Session] = []
    real = Session.commit

    def counting(self: Session) -> None:
        if self is not session:
            calls.append(self)
        real(self)

    monkeypatch.setattr(Session, "commit", counting)
    return calls


def fail_commits(monkeypatch, error: Exception) -> None:
    def failing(self: Session) -> None:
        raise error

    monkeypatch.setattr(Session, "commit", failing)


def assert_secured(response) -> None:
    """The headers every answer carries (api/security_headers.py) and the request id."""
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Request-ID"]


def test_a_commit_that_fails_is_a_503_with_security_headers_counted_as_503(client, session, monkeypatch):
    admin = UserFactory(role="admin")
    before_503, before_201 = counted(TEAMS, 503), counted(TEAMS, 201)
    fail_commits(monkeypatch, OperationalError("COMMIT", {}, Exception("could not write to the WAL")))

    r = client.as_(admin).post("/admin/teams", json={"name": "Harbour"})

    body = assert_problem(r, 503)
    assert body["type"].endswith("/unavailable") and r.headers["Retry-After"]
    assert_secured(r)
    assert counted(TEAMS, 503) == before_503 + 1
    assert counted(TEAMS, 201) == before_201  # the view's 201 never went out
    assert session.scalar(select(func.count()).select_from(Team)) == 0


def test_a_unique_clash_at_commit_is_a_409_naming_the_field_counted_as_409(client, session, monkeypatch):
    """A clash can surface at the commit too (a deferred check, a write the last flush sent): 409 on `name`."""
    admin = UserFactory(role="admin")
    before = counted(TEAMS, 409)
    fail_commits(monkeypatch, IntegrityError("COMMIT", {}, sqlite3.IntegrityError(
        "UNIQUE constraint failed: teams.name_key")))

    r = client.as_(admin).post("/admin/teams", json={"name": "Harbour"})

    body = assert_problem(r, 409, "name")
    assert body["errors"]["name"] == ["A team with this name already exists."]
    assert_secured(r)
    assert counted(TEAMS, 409) == before + 1
    assert session.scalar(select(func.count()).select_from(Team)) == 0


def test_a_write_commits_once_and_a_refused_one_not_at_all(client, session, commits):
    admin = UserFactory(role="admin")

    assert client.as_(admin).post("/admin/teams", json={"name": "Harbour"}).status_code == 201
    assert len(commits) == 1
    assert session.scalar(select(Team.name)) == "Harbour"

    commits.clear()
    assert_problem(client.as_(admin).post("/admin/teams", json={"name": "Tideway", "lead_ids": [999]}), 422)
    assert commits == []


def _console(app, user):
    web = app.test_client()

    def csrf(path: str) -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', web.get(path).get_data(as_text=True)).group(1)

    assert web.post("/console/login", data={"email": user.email, "password": PASSWORD,
                                            "csrf_token": csrf("/console/login")}).status_code == 302
    return web, csrf("/console/people")


def test_a_console_form_commits_once_through_the_same_unit_of_work(app, session, commits):
    admin = UserFactory(role="admin")
    web, token = _console(app, admin)
    commits.clear()

    r = web.post("/console/people/invite", data={"email": "new@example.test", "display_name": "New Person",
                                                 "role": "staff", "csrf_token": token})

    # The request's session commits once; the invitation mail it queued is then sent by the in-process
    # job, in a session of its own (its commits are the mail's, not the form's).
    request_session = commits[0]
    assert r.status_code == 302 and commits.count(request_session) == 1
    assert all(s is not request_session for s in commits[1:])
    assert session.scalar(select(User.display_name).where(User.email == "new@example.test")) == "New Person"


def test_a_console_form_whose_commit_fails_is_a_503_and_saves_nothing(app, session, monkeypatch):
    """Nothing is saved, and the next page does not claim otherwise (no invite link to nobody)."""
    admin = UserFactory(role="admin")
    web, token = _console(app, admin)
    fail_commits(monkeypatch, OperationalError("COMMIT", {}, Exception("could not write to the WAL")))

    r = web.post("/console/people/invite", data={"email": "new@example.test", "display_name": "New Person",
                                                 "role": "staff", "csrf_token": token})

    assert r.status_code == 503
    assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["Content-Security-Policy"]
    assert session.scalar(select(User.id).where(User.email == "new@example.test")) is None
    monkeypatch.undo()
    page = web.get("/console/people").get_data(as_text=True)
    assert "/activate#token=" not in page and "new@example.test" not in page


def test_a_console_form_that_commits_says_so_on_the_next_page(app, session):
    admin = UserFactory(role="admin")
    web, token = _console(app, admin)

    web.post("/console/people/invite", data={"email": "new@example.test", "display_name": "New Person",
                                             "role": "staff", "csrf_token": token})

    page = web.get("/console/people").get_data(as_text=True)
    assert "/app/activate?token=" in page and "new@example.test" in page


def test_the_csv_export_lets_writers_in_before_its_last_chunk_is_taken(app, client, session):
    """The export streams from the request's own session; once every row is read its transaction
    ends, so another writer (on SQLite: one at a time) gets in while the client still holds the
    response open, instead of waiting for the client."""
    admin = UserFactory(role="admin")
    export = client.as_(admin).get("/admin/analytics/export.csv")
    try:
        assert export.status_code == 200
        other = sqlite3.connect(app.extensions["stafet.db"]["engine"].url.database, timeout=2)
        try:
            other.execute("BEGIN IMMEDIATE")  # "database is locked" after 2 s if the export still holds it
            other.rollback()
        finally:
            other.close()
    finally:
        export.close()
