"""Admin point adjustments: a ledger entry (action `adjustment`) like any other."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.errors import NotFound, field_error
from api.models.ledger import LedgerEntry, UserPoints
from api.models.users import User
from api.services import ledger
from api.services.teams import first_teams


def adjust(session: Session, *, user_id: int, amount: int, reason: str, admin_id: int) -> LedgerEntry:
    """Add (or take away) points. Counts as earned (lifetime, levels, leaderboards), in the
    user's first team; a negative adjustment may leave a negative balance but never takes
    lifetime points below zero (levels are read from lifetime). Replays of the
    same request are handled by Idempotency-Key; each new request is a new entry."""
    user = session.get(User, user_id)
    if user is None or user.erased_at is not None:
        raise NotFound(f"There is no user {user_id}.")
    if amount < 0:
        _ensure_lifetime_covers(session, user, -amount)
    appended = ledger.append(
        session, user_id=user_id, amount=amount, action="adjustment", dedupe_key=f"adjustment:{uuid.uuid4().hex}",
        reason=reason, team_id=first_teams(session, [user_id]).get(user_id), created_by_id=admin_id, at=utcnow(),
    )
    assert appended is not None  # a fresh random key
    entry = session.get(LedgerEntry, appended.id)
    assert entry is not None
    return entry


def _ensure_lifetime_covers(session: Session, user: User, amount: int) -> None:
    """A correction takes back points that were earned: never more than all of them. The row is
    locked so two corrections at once cannot both pass the check (PostgreSQL; SQLite's writers
    already queue)."""
    lifetime = session.scalar(
        select(UserPoints.lifetime).where(UserPoints.user_id == user.id).with_for_update()) or 0
    if amount > lifetime:
        raise field_error("amount", f"{user.display_name} has earned {lifetime} points in all; a negative "
                                    f"adjustment can take away at most that many.")
