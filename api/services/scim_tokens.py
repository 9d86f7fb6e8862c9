"""SCIM bearer tokens: an admin creates one per identity provider; the provider presents it.

The secret is 32 random bytes (url-safe); only its sha256 is stored, so a database leak hands no
one the power to provision people. A revoked token is refused from the next request.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import NotFound
from api.models.scim import ScimToken
from api.models.users import User
from api.services.tokens import hash_token

PREFIX = "scim_"


def create(session: Session, name: str, creator: User) -> tuple[ScimToken, str]:
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ScimToken(name=name, token_hash=hash_token(secret), created_by_id=creator.id)
    session.add(token)
    session.flush()
    return token, secret


def list_tokens(session: Session) -> list[ScimToken]:
    return list(session.scalars(select(ScimToken).order_by(ScimToken.id.desc())))


def revoke(session: Session, token_id: int, now: datetime) -> None:
    token = session.get(ScimToken, token_id)
    if token is None:
        raise NotFound(f"There is no SCIM token {token_id}.")
    if token.revoked_at is None:
        token.revoked_at = now
    session.flush()


def authenticate(session: Session, secret: str) -> ScimToken | None:
    """The live token with this secret, or None (unknown or revoked)."""
    if not secret:
        return None
    return session.scalar(select(ScimToken).where(ScimToken.token_hash == hash_token(secret),
                                                  ScimToken.revoked_at.is_(None)))
