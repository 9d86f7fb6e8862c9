"""Operations endpoints outside /api/v1: liveness, readiness, metrics."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from api.db import db
from api.observability.metrics import render
from workers import queues

blp = Blueprint("ops", __name__)


@blp.get("/healthz")
def healthz():
    """The process is up."""
    return jsonify(status="ok")


@blp.get("/readyz")
def readyz():
    """The database and (when configured) Redis answer."""
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # readiness reports; it never raises
        checks["database"] = f"unavailable: {type(exc).__name__}"
    if current_app.config.get("REDIS_URL"):
        try:
            queues.redis_connection().ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"unavailable: {type(exc).__name__}"
    else:
        checks["queue"] = "embedded"
    ok = all(v in ("ok", "embedded") for v in checks.values())
    return jsonify(status="ok" if ok else "unavailable", checks=checks), 200 if ok else 503


@blp.get("/metrics")
def metrics():
    """Prometheus exposition."""
    return render()
