"""Health, readiness, metrics and request ids."""

from __future__ import annotations


def test_healthz_and_readyz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200 and r.get_json()["checks"]["database"] == "ok"


def test_readyz_reports_an_unreachable_redis(tmp_path):
    """With REDIS_URL pointing nowhere, readiness is 503 and says which check failed."""
    from tests.conftest import base_env, build_app

    app = build_app(base_env(tmp_path, REDIS_URL="redis://127.0.0.1:1/0"))
    from api.db import Base

    Base.metadata.create_all(app.extensions["stafet.db"]["engine"])
    r = app.test_client().get("/readyz")
    assert r.status_code == 503 and r.get_json()["checks"]["redis"].startswith("unavailable")


def test_metrics_count_requests_by_endpoint(client):
    client.get("/healthz")
    client.get("/api/v1/me")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'stafet_http_requests_total{endpoint="/healthz",method="GET",status="200"}' in text
    assert 'endpoint="/api/v1/me",method="GET",status="401"' in text
    assert "stafet_http_request_duration_seconds_bucket" in text


def test_docs_are_served_without_a_cdn(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assert "/api/docs/assets/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert client.get("/api/docs/assets/swagger-ui-bundle.js").status_code == 200
    spec = client.get("/api/openapi.json").get_json()
    assert spec["info"]["title"] == "Stafet API" and "/api/v1/auth/login" in spec["paths"]


def test_request_id_is_echoed_or_generated(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-1"}).headers["X-Request-ID"] == "abc-1"
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"}).headers["X-Request-ID"]
    assert len(generated) == 32
