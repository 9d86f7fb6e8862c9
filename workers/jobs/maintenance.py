"""Housekeeping jobs."""

from __future__ import annotations

from flask import current_app

from api.clock import utcnow
from api.db import db
from api.idempotency import purge_expired
from api.services import audit, oidc
from workers.queues import job


@job
def purge_idempotency_records() -> int:
    """Delete Idempotency-Key records older than 24 hours."""
    with db.transaction() as session:
        return purge_expired(session)


@job
def purge_audit_events() -> int:
    """Delete audit events older than AUDIT_RETENTION_DAYS."""
    with db.transaction() as session:
        return audit.purge(session, utcnow(), current_app.config["AUDIT_RETENTION_DAYS"])


@job
def purge_finished_sign_ins() -> int:
    """Delete single sign-ons that can no longer be finished (api/services/oidc.py)."""
    with db.transaction() as session:
        return oidc.purge_finished(session, utcnow())
