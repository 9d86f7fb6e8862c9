"""Operations endpoints outside /api/v1: liveness, readiness, metrics."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import text

from api import jobs
from api.db import db
from api.errors import problem
from api.observability.metrics import may_read, render

blp = Blueprint("ops", __name__)


@blp.get("/healthz")
def healthz():
    """The process is up."""
    return jsonify(status="ok")


@blp.get("/readyz")
def readyz():
    """The database and the job system (Redis, when configured) answer."""
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # readiness reports; it never raises
        checks["database"] = f"unavailable: {type(exc).__name__}"
    checks.update(jobs.gateway().readiness())
    ok = all(v in ("ok", "embedded", "outbox only") for v in checks.values())
    return jsonify(status="ok" if ok else "unavailable", checks=checks), 200 if ok else 503


@blp.get("/metrics")
def metrics():
    """Prometheus exposition, for the scraper only (METRICS_TOKEN or METRICS_ALLOW)."""
    cfg = current_app.config
    if not may_read(request.remote_addr, request.headers.get("Authorization"), cfg.get("METRICS_TOKEN"),
                    cfg.get("METRICS_ALLOW", ())):
        return problem(403, "Metrics are for the monitoring system: send METRICS_TOKEN as a bearer token, or call "
                            "from an address in METRICS_ALLOW.", slug="forbidden")
    return render()
