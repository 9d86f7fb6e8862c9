"""Refresh-token families: rotation on every use, and reuse detection.

A refresh token is an opaque random string; only its SHA-256 is stored. Each refresh
marks the presented token used and issues its successor in the same family. Presenting
a used (or revoked) token again means it leaked: the whole family is revoked.

Each family has one `AuthSession` row (api/services/sessions.py): what "my sessions" lists,
and what an access token's `sid` claim points at. Revoking a family revokes that row too.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.errors import Unauthorized
from api.models.auth_tokens import AuthSession, RefreshToken
from api.models.users import User


class RefreshTokenReused(Unauthorized):
    """A rotated token came back: the family has been revoked (commit before answering)."""


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedRefresh:
    token: str
    family_id: str


def issue_refresh_token(session: Session, user: User, ttl_seconds: int, family_id: str | None = None) -> IssuedRefresh:
    raw = secrets.token_urlsafe(32)
    family = family_id or secrets.token_hex(16)
    session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family,
            token_hash=hash_token(raw),
            expires_at=utcnow() + timedelta(seconds=ttl_seconds),
        )
    )
    return IssuedRefresh(raw, family)


def revoke_family(session: Session, family_id: str) -> None:
    now = utcnow()
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    session.execute(
        update(AuthSession)
        .where(AuthSession.family_id == family_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def revoke_all_for_user(session: Session, user_id: int) -> None:
    """Every refresh token and session of the person (their access tokens stop at the next request)."""
    now = utcnow()
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def rotate_refresh_token(session: Session, raw: str, ttl_seconds: int) -> tuple[User, IssuedRefresh]:
    """Spend `raw` and return its owner with the successor token."""
    now = utcnow()
    token = session.scalars(
        select(RefreshToken).where(RefreshToken.token_hash == hash_token(raw)).with_for_update()
    ).first()
    if token is None:
        raise Unauthorized("This refresh token is not valid. Sign in again.")
    if token.used_at is not None or token.revoked_at is not None:
        revoke_family(session, token.family_id)
        raise RefreshTokenReused(
            "This refresh token was already used, so every session it belongs to has been signed out. Sign in again."
        )
    if token.expires_at <= now:
        raise Unauthorized("This refresh token has expired. Sign in again.")
    user = session.get(User, token.user_id)
    if user is None or not user.can_log_in:
        raise Unauthorized("This account is deactivated or no longer exists.")
    # Conditional: of two concurrent refreshes with one token, exactly one wins.
    spent = cast(CursorResult, session.execute(
        update(RefreshToken).where(RefreshToken.id == token.id, RefreshToken.used_at.is_(None)).values(used_at=now)
    ))
    if spent.rowcount != 1:
        revoke_family(session, token.family_id)
        raise RefreshTokenReused("This refresh token was already used. Sign in again.")
    successor = issue_refresh_token(session, user, ttl_seconds, token.family_id)
    session.execute(
        update(AuthSession)
        .where(AuthSession.family_id == token.family_id)
        .values(last_used_at=now, expires_at=now + timedelta(seconds=ttl_seconds))
    )
    return user, successor


def revoke_refresh_token(session: Session, raw: str) -> None:
    """Sign out the session a refresh token belongs to (unknown tokens are ignored)."""
    token = session.scalars(select(RefreshToken).where(RefreshToken.token_hash == hash_token(raw))).first()
    if token is not None:
        revoke_family(session, token.family_id)
