"""Hardening a browser or an auditor would notice: security headers, CORS, secrets kept out of logs."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import base_env, build_app
from tests.factories import PASSWORD, UserFactory


def test_api_responses_carry_strict_security_headers(client, session):
    """JSON answers forbid framing, sniffing and every kind of embedded content, and are not cached by proxies."""
    r = client.as_(UserFactory()).get("/me")

    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert r.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert r.headers["Cache-Control"] == "private, no-cache"


def test_errors_carry_the_headers_too(client):
    r = client.get("/no-such-thing")

    assert r.status_code == 404
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_docs_may_run_their_own_scripts_but_nobody_elses(app):
    r = app.test_client().get("/api/docs")

    csp = r.headers["Content-Security-Policy"]
    assert r.status_code == 200
    assert "script-src 'self' 'unsafe-inline'" in csp and "frame-ancestors 'none'" in csp
    assert "http" not in csp  # no CDN, no third-party origin


def test_hsts_only_over_https(app):
    plain = app.test_client().get("/healthz")
    secure = app.test_client().get("/healthz", base_url="https://stafet.example")

    assert "Strict-Transport-Security" not in plain.headers
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.fixture
def cors_app(tmp_path):
    return build_app(base_env(tmp_path, CORS_ORIGINS="https://console.example.com"))


def test_cors_allows_only_configured_origins(cors_app):
    """A configured origin gets CORS headers (preflight included); any other origin gets none."""
    c = cors_app.test_client()
    ok = c.options("/api/v1/me", headers={"Origin": "https://console.example.com",
                                          "Access-Control-Request-Method": "GET",
                                          "Access-Control-Request-Headers": "Authorization"})
    evil = c.options("/api/v1/me", headers={"Origin": "https://evil.example",
                                            "Access-Control-Request-Method": "GET"})

    assert ok.headers["Access-Control-Allow-Origin"] == "https://console.example.com"
    assert "Access-Control-Allow-Credentials" not in ok.headers
    assert "Access-Control-Allow-Origin" not in evil.headers


def test_cors_is_configured_once_with_the_documented_options(cors_app, session):
    """A preflight may send the API's own headers and is cached for 10 minutes; a real answer lets the
    page read ETag, Retry-After, Idempotent-Replayed and X-Request-ID; nothing outside /api/ is shared."""
    c = cors_app.test_client()
    origin = {"Origin": "https://console.example.com"}
    preflight = c.options("/api/v1/posts/1/shares", headers={
        **origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization, Content-Type, Idempotency-Key"})
    answer = c.get("/api/v1/me", headers=origin)
    console = c.get("/console/login", headers=origin)

    allowed = {h.strip().lower() for h in preflight.headers["Access-Control-Allow-Headers"].split(",")}
    assert allowed == {"authorization", "content-type", "idempotency-key"}
    assert preflight.headers["Access-Control-Max-Age"] == "600"
    assert preflight.headers.getlist("Access-Control-Allow-Origin") == ["https://console.example.com"]
    exposed = {h.strip().lower() for h in answer.headers["Access-Control-Expose-Headers"].split(",")}
    assert exposed == {"etag", "retry-after", "idempotent-replayed", "x-request-id"}
    assert answer.headers.getlist("Access-Control-Allow-Origin") == ["https://console.example.com"]
    assert "Access-Control-Allow-Origin" not in console.headers
    # One configuration: a second CORS() with other options would only apply where the first is silent.
    hooks = [f for f in cors_app.after_request_funcs[None] if f.__module__.startswith("flask_cors")]
    assert len(hooks) == 1


def test_no_cors_at_all_by_default(app):
    r = app.test_client().get("/healthz", headers={"Origin": "https://console.example.com"})

    assert "Access-Control-Allow-Origin" not in r.headers


def test_passwords_and_tokens_never_reach_the_logs(client, session, caplog):
    """Even at DEBUG, a sign-in, its tokens and a failed refresh leave no secret in the log output."""
    UserFactory(email="ada@example.test")
    caplog.set_level(logging.DEBUG)
    tokens = client.post("/auth/login", json={"email": "ada@example.test", "password": PASSWORD}).get_json()
    client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})  # reuse: logged as a warning
    logging.getLogger("stafet.test").warning("Authorization: Bearer %s password=%s", tokens["access_token"], PASSWORD)

    handler_output = "\n".join(h.format(r) for r in caplog.records for h in logging.getLogger().handlers[:1])
    assert caplog.records, "expected something to be logged"
    for secret in (PASSWORD, tokens["access_token"], tokens["refresh_token"]):
        assert secret not in handler_output
