"""Default badges: first share, 10 and 50 shares, first own caption, 5-day streak, 100 clicks."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.services.badges import seed_defaults


def seed(session: Session) -> dict[str, int]:
    return {"badges": seed_defaults(session)}
