"""A dropped database connection (PostgreSQL restarting or failing over) is not an error the
user sees: the request runs again on a fresh connection, and its work is done exactly once."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, func, select, text

from api.models.shares import Share
from tests.factories import UserFactory
from tests.factories_content import PostFactory

pytestmark = [pytest.mark.postgres]


def test_a_connection_killed_mid_request_is_retried_and_the_share_made_once(pg_app, pg_client, pg_session, pg_url):
    ann, post = UserFactory(), PostFactory()
    engine = pg_app.extensions["stafet.db"]["engine"]
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    killed: list[int] = []

    def kill_once(conn, _cursor, statement, *_args):
        if not killed and statement.lstrip().upper().startswith("INSERT INTO SHARES"):
            pid = conn.connection.dbapi_connection.info.backend_pid
            killed.append(pid)
            with admin.connect() as c:
                c.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    event.listen(engine, "before_cursor_execute", kill_once)
    try:
        r = pg_client.as_(ann).post(f"/posts/{post.id}/shares", json={"network": "linkedin"},
                                    headers={"Idempotency-Key": "outage-1"})
    finally:
        event.remove(engine, "before_cursor_execute", kill_once)
        admin.dispose()

    assert killed, "the test did not manage to kill the connection"
    assert r.status_code == 201, r.get_data(as_text=True)
    assert pg_session.scalar(select(func.count()).select_from(Share)) == 1
