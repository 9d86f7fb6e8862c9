"""The audit log: who signed in (or failed to), what provisioning and admins changed about people.

`detail` never holds a password, token or secret: keys that name one are dropped on the way in,
so a careless caller cannot leak one into the log. When a person erases their data, the events
about them stay (the organisation's record of who got in) but lose what named them (`forget`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, insert, select
from sqlalchemy.orm import Session, aliased

from api.clock import utcnow
from api.models.audit import AuditEvent
from api.models.users import User

KINDS = (
    "sign_in", "sign_in_failed",
    "scim_user_created", "scim_user_updated", "scim_user_deactivated",
    "scim_group_created", "scim_group_updated", "scim_group_archived",
    "admin_user_invited", "admin_user_updated",
    "import_user_created", "import_user_updated",
    "join_request_approved", "join_request_declined",
    "reset_link_issued", "password_reset",
    "scim_token_created", "scim_token_revoked",
)
_SECRET_WORDS = ("password", "token", "secret")
# What in a `detail` names a person (the account typed at a failed sign-in, a name an admin set, the
# address and browser a sign-in came from): dropped from the events about someone who erased their data.
PERSONAL_KEYS = frozenset({"account", "email", "username", "display_name", "ip", "user_agent"})
EXPORT_HEADER = ("id", "occurred_at", "kind", "actor_id", "actor_email", "actor_name",
                 "subject_user_id", "subject_email", "subject_name", "detail")


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


def _filtered(stmt: Select, subject_user_id: int | None, kind: str | None, since: datetime | None,
              until: datetime | None) -> Select:
    if subject_user_id is not None:
        stmt = stmt.where(AuditEvent.subject_user_id == subject_user_id)
    if kind is not None:
        stmt = stmt.where(AuditEvent.kind == kind)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEvent.at < until)
    return stmt


def query(*, subject_user_id: int | None = None, kind: str | None = None, since: datetime | None = None,
          until: datetime | None = None) -> Select:
    """The events about `subject_user_id`, of `kind`, that happened in [since, until)."""
    return _filtered(select(AuditEvent), subject_user_id, kind, since, until)


def export_rows(session: Session, *, subject_user_id: int | None = None, kind: str | None = None,
                since: datetime | None = None, until: datetime | None = None) -> Iterator[tuple[Any, ...]]:
    """Yield one tuple per event (EXPORT_HEADER), newest first, streamed from the database.

    Actor and subject come with their email and name as they are now; someone who erased their data
    shows as their id alone, and their events' `detail` without PERSONAL_KEYS (also for events
    recorded before `forget` existed). `detail` is cleaned of secrets once more on the way out."""
    actor, subject = aliased(User), aliased(User)
    stmt = _filtered(
        select(AuditEvent.id, AuditEvent.at, AuditEvent.kind,
               AuditEvent.actor_id, actor.email, actor.display_name, actor.erased_at,
               AuditEvent.subject_user_id, subject.email, subject.display_name, subject.erased_at,
               AuditEvent.detail)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .outerjoin(subject, subject.id == AuditEvent.subject_user_id),
        subject_user_id, kind, since, until,
    ).order_by(AuditEvent.id.desc()).execution_options(yield_per=2000)
    for row in session.execute(stmt):
        (eid, at, kind_, actor_id, actor_email, actor_name, actor_erased,
         subject_id, subject_email, subject_name, subject_erased, detail) = row
        detail = _clean(detail or {})
        if subject_erased is not None:
            detail = _without_personal(detail)
        yield (eid, at.astimezone(UTC).isoformat(), kind_,
               actor_id, "" if actor_erased else (actor_email or ""), "" if actor_erased else (actor_name or ""),
               subject_id, "" if subject_erased else (subject_email or ""),
               "" if subject_erased else (subject_name or ""),
               json.dumps(detail, ensure_ascii=False, sort_keys=True))


def _without_personal(detail: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in detail.items() if k not in PERSONAL_KEYS}


def record_many(session: Session, kind: str, *, actor_id: int | None,
                events: list[tuple[int | None, dict[str, Any]]]) -> None:
    """One event of `kind` per (subject, detail), in batched INSERTs (an import of thousands)."""
    assert kind in KINDS, kind
    now = utcnow()
    rows = [{"kind": kind, "actor_id": actor_id, "subject_user_id": subject, "at": now, "detail": _clean(detail)}
            for subject, detail in events]
    for start in range(0, len(rows), 2000):
        session.execute(insert(AuditEvent), rows[start:start + 2000])


def forget(session: Session, user_id: int) -> int:
    """Erasure: the events about `user_id` keep their kind, time and ids but drop PERSONAL_KEYS from
    `detail` (a failed sign-in's typed account, a name an admin gave them). The number changed."""
    changed = 0
    for event in session.scalars(select(AuditEvent).where(AuditEvent.subject_user_id == user_id)):
        cleaned = _without_personal(event.detail or {})
        if cleaned != event.detail:
            event.detail = cleaned
            changed += 1
    return changed


def purge(session: Session, now: datetime, retention_days: int) -> int:
    """Delete the events older than the retention; the number deleted."""
    result = session.execute(delete(AuditEvent).where(AuditEvent.at < now - timedelta(days=retention_days)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
