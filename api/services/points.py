"""Balances and levels, read from the ledger's projections."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models.ledger import UserPoints
from api.models.scoring import DEFAULT_LEVELS, Level


def levels(session: Session) -> list[tuple[int, str, int]]:
    """(number, name, min_points) ascending; the defaults until an admin sets a table."""
    rows = session.execute(select(Level.number, Level.name, Level.min_points).order_by(Level.min_points)).all()
    return [tuple(r) for r in rows] or list(DEFAULT_LEVELS)  # type: ignore[misc]


def level_for(lifetime: int, table: list[tuple[int, str, int]]) -> dict[str, Any]:
    current = table[0]
    next_at = None
    for row in table:
        if lifetime >= row[2]:
            current = row
        else:
            next_at = row[2]
            break
    return {"number": current[0], "name": current[1], "next_level_at": next_at}


def points_summary(session: Session, user_id: int) -> dict[str, Any]:
    row = session.get(UserPoints, user_id)
    balance, lifetime = (row.balance, row.lifetime) if row else (0, 0)
    return {"balance": balance, "lifetime": lifetime, "level": level_for(lifetime, levels(session))}
