"""Reads on PostgreSQL run without a transaction around them (no BEGIN/COMMIT round trips), and
the web server does not test pooled connections before use: both must stay invisible to users."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, func, select, text

from api.db import WriteInRead, db
from api.models.shares import Share
from api.models.teams import Team
from tests.conftest import base_env, build_app
from tests.factories import TeamFactory, UserFactory
from tests.factories_content import PostFactory
from tests.helpers import ApiClient

pytestmark = [pytest.mark.postgres]


def test_a_read_request_cannot_write_piecemeal(pg_app, pg_session):
    with pg_app.test_request_context("/api/v1/feed", method="GET"):
        pg_app.preprocess_request()
        db.session.add(Team(name="Written by a GET"))
        with pytest.raises(WriteInRead):
            db.session.flush()
        db.rollback()
    assert pg_session.scalar(select(func.count()).select_from(Team).where(Team.name == "Written by a GET")) == 0


def test_a_read_request_that_changed_rows_without_flushing_them_is_refused_at_commit(pg_app, pg_session):
    """A GET that adds a row and returns before anything flushes it would lose the row without a word
    (reads commit nothing): the commit refuses instead. How single sign-on's start lost its state."""
    with pg_app.test_request_context("/api/v1/feed", method="GET"):
        pg_app.preprocess_request()
        db.session.add(Team(name="Written by a GET"))
        with pytest.raises(WriteInRead):
            db.commit()
        db.rollback()
    TeamFactory(name="Harbour")
    with pg_app.test_request_context("/api/v1/feed", method="GET"):
        pg_app.preprocess_request()
        team = db.session.scalars(select(Team).where(Team.name == "Harbour")).one()
        team.name = "Harbour"  # set to its own value: no change, no refusal
        db.commit()


def test_a_read_sees_what_the_write_before_it_committed(pg_client):
    ann, post = UserFactory(), PostFactory()
    me = pg_client.as_(ann)
    assert me.post(f"/posts/{post.id}/shares", json={"network": "x"}).status_code == 201
    item = me.get(f"/posts/{post.id}").get_json()
    assert item["me"]["shared_on"] == ["x"] and item["stats"]["shares"] == 1


def test_without_pre_ping_requests_survive_connections_killed_while_idle(pg_url, tmp_path, pg_session):
    app = build_app(base_env(tmp_path, DATABASE_URL=pg_url), DB_PRE_PING=False)
    pooled: list[int] = []
    engines = [app.extensions["stafet.db"]["engine"], app.extensions["stafet.db"]["reads_engine"]]
    for engine in engines:
        event.listen(engine, "connect", lambda dbapi_conn, _record: pooled.append(dbapi_conn.info.backend_pid))
    ann, post = UserFactory(), PostFactory()
    client = ApiClient(app).as_(ann)
    assert client.post(f"/posts/{post.id}/comments", json={"body": "Before the restart"}).status_code == 201
    assert client.get("/feed").status_code == 200  # both pools now hold an idle connection
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:  # what a PostgreSQL restart does to every pooled connection
        killed = c.execute(text("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                                "WHERE pid = ANY(:pids)"), {"pids": pooled}).scalar_one()
    admin.dispose()
    try:
        assert killed == 2
        assert client.get("/feed").status_code == 200
        share = client.post(f"/posts/{post.id}/shares", json={"network": "linkedin"},
                            headers={"Idempotency-Key": "after-restart"})
        assert share.status_code == 201, share.get_data(as_text=True)
        assert client.get(f"/posts/{post.id}").get_json()["me"]["shared_on"] == ["linkedin"]
        assert pg_session.scalar(select(func.count()).select_from(Share)) == 1
    finally:
        for engine in engines:
            engine.dispose()
