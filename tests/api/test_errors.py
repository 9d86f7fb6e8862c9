"""Every error is RFC 9457 problem+json, names the field, and never leaks internals."""

from __future__ import annotations

import io
import json
import logging

import pytest

from api.observability.logs import build_handler
from tests.conftest import base_env, build_app
from tests.factories import UserFactory
from tests.helpers import assert_problem


def test_malformed_json_is_a_400_problem(client):
    r = client.post("/auth/login", data="{not json", headers={"Content-Type": "application/json"})
    body = assert_problem(r, 400)
    assert "JSON" in body["detail"]


def test_deeply_nested_json_is_a_400_not_a_crash(client):
    r = client.post("/auth/login", data="[" * 100_000 + "]" * 100_000, headers={"Content-Type": "application/json"})
    assert_problem(r, 400)


def test_wrong_types_name_the_field(client):
    body = assert_problem(client.post("/auth/login", json={"email": 42, "password": "x"}), 422, "email")
    assert "email" in body["detail"]


def test_unknown_fields_are_refused_by_name(client):
    assert_problem(client.post("/auth/login", json={"email": "a@b.c", "password": "x", "admin": True}), 422, "admin")


def test_oversized_body_is_413(client):
    r = client.post("/auth/login", data='{"email": "' + "a" * (1024 * 1024 + 10) + '"}',
                    headers={"Content-Type": "application/json"})
    assert_problem(r, 413)


def test_wrong_content_type_is_415(client):
    assert_problem(client.post("/auth/login", data="email=a", headers={"Content-Type": "text/plain"}), 415)


def test_unknown_route_is_a_404_problem(client):
    assert_problem(client.get("/api/v1/nothing-here"), 404)
    assert_problem(client.get("/nothing-here"), 404)


def test_wrong_method_is_a_405_problem_with_allow(client):
    r = client.put("/auth/login", json={})
    body = assert_problem(r, 405)
    assert "POST" in r.headers["Allow"] and body["status"] == 405


def test_missing_token_is_a_401_problem(client):
    r = client.get("/me")
    assert_problem(r, 401)
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.", ""])
def test_forged_or_truncated_tokens_are_401(client, token):
    assert_problem(client.get("/me", headers={"Authorization": f"Bearer {token}"}), 401)


@pytest.mark.parametrize("json_lines", [False, True], ids=["text", "json"])
def test_unhandled_exception_is_a_bare_500(tmp_path, caplog, json_lines):
    """A crash answers a generic problem (no traceback, no exception text) and is logged with the request id."""
    app = build_app(base_env(tmp_path))

    @app.get("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    caplog.set_level(logging.ERROR)
    written = io.StringIO()
    handler = build_handler(json_lines, written)  # the app's handler, first in line as in production
    logging.getLogger().handlers.insert(0, handler)
    try:
        r = app.test_client().get("/api/v1/boom", headers={"X-Request-ID": "req-123"})
    finally:
        logging.getLogger().removeHandler(handler)

    body = assert_problem(r, 500)
    text = r.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text and "hunter2" not in text
    assert body["request_id"] == "req-123" and r.headers["X-Request-ID"] == "req-123"
    # The log has what the answer hides, under the same request id; the secret stays masked there too.
    crash = [rec for rec in caplog.records if rec.exc_info and rec.exc_info[0] is RuntimeError]
    assert len(crash) == 1 and crash[0].request_id == "req-123"
    log = written.getvalue()
    assert log.count("RuntimeError: secret internals") == 1 and "hunter2" not in log
    if json_lines:
        assert json.loads(log)["request_id"] == "req-123"
    else:
        assert "ERROR api.extensions [req-123]: unhandled exception" in log


def test_a_failed_request_changes_nothing(client, session):
    """A 422 rolls back whatever the request had already written."""
    admin = UserFactory(role="admin")
    r = client.as_(admin).post("/admin/users", json={"email": "x@example.test", "display_name": "X", "team_ids": [999]})
    assert_problem(r, 422, "team_ids")
    from sqlalchemy import func, select

    from api.models.users import User

    assert session.scalar(select(func.count()).select_from(User)) == 1


def test_an_unreachable_database_is_a_retryable_503(client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from api.services import feed

    def down(*_a, **_k):
        raise OperationalError("SELECT 1", {}, Exception("connection failed: server is starting up"))

    monkeypatch.setattr(feed, "audience_page", down)
    r = client.as_(UserFactory()).get("/feed")

    body = assert_problem(r, 503)
    assert r.headers["Retry-After"] == "1" and "Try again" in body["detail"]
