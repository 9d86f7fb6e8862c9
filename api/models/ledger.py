"""The append-only points ledger and the projections derived from it.

The ledger is the truth. `UserPoints`, `PeriodTotal`, `TeamPeriodTotal` and
`DailyCapUsage` are projections written in the same transaction as the entries, and
`stafet rebuild-projections` can recompute them from the ledger at any time.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base
from api.models._common import created_at_column

LEDGER_ACTIONS = (
    "share",
    "personal_caption_bonus",
    "comment",
    "comment_reversal",
    "click",
    "suggestion_accepted",
    "adjustment",
    "challenge_prize",
    "redemption",
    "redemption_refund",
)
# Spending and refunds move the balance but are not "earned": they never change
# lifetime points, levels or leaderboards.
SPENDING_ACTIONS = ("redemption", "redemption_refund")


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by ix_ledger_entries_user_created (user_id first), which serves every lookup by user.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    amount: Mapped[int]
    action: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(500))
    # Unique per (source, rule, user): "event:17:share:u4", "redemption:9:debit".
    # A replayed or concurrently processed source inserts nothing.
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("activity_events.id", ondelete="SET NULL"))
    rule_version: Mapped[int | None]
    # The user's team when the entry was made: team boards never move with later transfers.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()


class UserPoints(Base):
    """Balance (earned - spent) and lifetime (earned) points per user."""

    __tablename__ = "user_points"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    balance: Mapped[int] = mapped_column(default=0)
    lifetime: Mapped[int] = mapped_column(default=0)


class PeriodTotal(Base):
    """Points earned per user per leaderboard period (week, month, all_time)."""

    __tablename__ = "period_totals"

    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    period_start: Mapped[date] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    points: Mapped[int] = mapped_column(default=0)


class TeamPeriodTotal(Base):
    """Points earned per team per period, attributed by membership at the time of the entry."""

    __tablename__ = "team_period_totals"

    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    period_start: Mapped[date] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    points: Mapped[int] = mapped_column(default=0)


class DailyCapUsage(Base):
    """Points already awarded today for one action, to enforce the daily caps."""

    __tablename__ = "daily_cap_usage"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(32), primary_key=True)
    used: Mapped[int] = mapped_column(default=0)
    # Written by the same UPDATE that moves `used`: what that update awarded.
    last_award: Mapped[int] = mapped_column(default=0)


Index("ix_ledger_entries_user_created", LedgerEntry.user_id, LedgerEntry.created_at, LedgerEntry.id)
Index("ix_ledger_entries_created", LedgerEntry.created_at)
Index("ix_period_totals_rank", PeriodTotal.period, PeriodTotal.period_start, PeriodTotal.points)
