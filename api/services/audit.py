"""The audit log: who signed in (or failed to), what provisioning and admins changed about people.

`detail` never holds a password, token or secret: keys that name one are dropped on the way in,
so a careless caller cannot leak one into the log.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from api.models.audit import AuditEvent

KINDS = (
    "sign_in", "sign_in_failed",
    "scim_user_created", "scim_user_updated", "scim_user_deactivated",
    "scim_group_created", "scim_group_updated", "scim_group_archived",
    "admin_user_invited", "admin_user_updated",
    "scim_token_created", "scim_token_revoked",
)
_SECRET_WORDS = ("password", "token", "secret")


def _secret_key(key: str) -> bool:
    """"password", "refresh_token", "client_secret"...; an id of one ("scim_token_id") is no secret."""
    key = key.lower()
    return any(w in key for w in _SECRET_WORDS) and not key.endswith("_id")


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items() if not _secret_key(str(k))}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def record(session: Session, kind: str, *, actor_id: int | None = None, subject_user_id: int | None = None,
           detail: dict[str, Any] | None = None, at: datetime | None = None) -> AuditEvent:
    assert kind in KINDS, kind
    event = AuditEvent(kind=kind, actor_id=actor_id, subject_user_id=subject_user_id, detail=_clean(detail or {}))
    if at is not None:
        event.at = at
    session.add(event)
    return event


def query(*, subject_user_id: int | None = None, kind: str | None = None) -> Select:
    stmt = select(AuditEvent)
    if subject_user_id is not None:
        stmt = stmt.where(AuditEvent.subject_user_id == subject_user_id)
    if kind is not None:
        stmt = stmt.where(AuditEvent.kind == kind)
    return stmt


def purge(session: Session, now: datetime, retention_days: int) -> int:
    """Delete the events older than the retention; the number deleted."""
    result = session.execute(delete(AuditEvent).where(AuditEvent.at < now - timedelta(days=retention_days)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
