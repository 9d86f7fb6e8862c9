"""Refresh tokens, grouped in families so reuse of a rotated token revokes the lot."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base
from api.models._common import created_at_column


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    # SHA-256 of the opaque token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class AuthSession(Base):
    """One signed-in app ("my sessions"): a refresh-token family and what the person sees of it.

    Access tokens carry its id as the `sid` claim, so revoking the row (sign-out, "sign out this
    device", sign out everywhere, deactivation) refuses them from the next request: the query that
    reads the token's user joins its session row (api/auth.py), so it costs no extra round trip.
    """

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[str] = mapped_column(String(32), unique=True)
    # "Chrome on Android": shortened from the User-Agent at sign-in, never the raw header.
    device: Mapped[str] = mapped_column(String(80))
    # staff_app, console or other (X-Client header, else the request's origin).
    app: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = created_at_column()
    last_used_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
