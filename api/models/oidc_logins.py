"""Single sign-on in flight: one row per `GET /auth/oidc/start`, kept server-side so any worker
can finish it. The state is single use (the callback consumes it); the one-time code handed back
to the app is single use and lives 60 seconds. Only SHA-256 hashes of state and code are stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base
from api.models._common import created_at_column


class OidcLogin(Base):
    __tablename__ = "oidc_logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nonce: Mapped[str] = mapped_column(String(128))
    code_verifier: Mapped[str] = mapped_column(String(128))
    redirect_uri: Mapped[str] = mapped_column(String(2048))  # the app's, already checked against the allow-list
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime]
    callback_at: Mapped[datetime | None]  # the state was used
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    handoff_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    handoff_expires_at: Mapped[datetime | None]
    handoff_used_at: Mapped[datetime | None]
