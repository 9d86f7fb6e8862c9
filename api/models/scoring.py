"""Scoring rules (versioned: every change is a new row) and levels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base
from api.models._common import created_at_column

DEFAULT_RULES: dict[str, Any] = {
    "share": 10,
    "share_by_network": {},
    "personal_caption_bonus": 5,
    "comment": 2,
    "click": 1,
    "suggestion_accepted": 20,
    "admins_earn_points": False,
    "daily_caps": {"share": 100, "comment": 20, "click": 50},
    "max_clicks_per_share": 25,
    # A lead's challenge prize above this waits for an admin's approval before it can be paid.
    "max_challenge_prize": 500,
}
# No challenge prize, approved or not, and no max_challenge_prize exceeds this.
CHALLENGE_PRIZE_LIMIT = 100_000

DEFAULT_LEVELS = [
    (1, "Newcomer", 0),
    (2, "Messenger", 100),
    (3, "Ambassador", 500),
    (4, "Champion", 1500),
    (5, "Legend", 5000),
]


class ScoringRuleSet(Base):
    """One version of the scoring rules. The newest row is current; ledger entries keep
    the version they were computed with, so editing rules never rewrites history."""

    __tablename__ = "scoring_rule_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    rules: Mapped[dict[str, Any]]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()


class Level(Base):
    __tablename__ = "levels"

    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(40))
    min_points: Mapped[int] = mapped_column(unique=True)
