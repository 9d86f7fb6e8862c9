"""The audit log: sign-ins, provisioning and admin changes to people, kept AUDIT_RETENTION_DAYS."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from api.clock import utcnow
from api.db import Base


class AuditEvent(Base):
    """`actor_id`: who did it (None: an identity provider or someone unknown); `subject_user_id`:
    whom it was about. People stay referenced only while they exist (SET NULL on erasure)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


Index("ix_audit_events_kind_id", AuditEvent.kind, AuditEvent.id)
