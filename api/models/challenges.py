"""Friendly challenges run by team leads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base
from api.models._common import created_at_column, updated_at_column


class Challenge(Base):
    __tablename__ = "challenges"
    __table_args__ = (
        CheckConstraint("kind IN ('individual', 'team')", name="kind"),
        CheckConstraint("metric IN ('points', 'shares', 'comments', 'clicks')", name="metric"),
        CheckConstraint("ends_at > starts_at", name="window"),
        CheckConstraint("prize_points >= 0", name="prize_points"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(12))
    metric: Mapped[str] = mapped_column(String(12))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    prize_points: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set when the prize may be paid: at creation when within the scoring rules' max_challenge_prize
    # or set by an admin, else when an admin approves it. Unset at close = the prize is withheld.
    prize_approved_at: Mapped[datetime | None]
    # The admin who approved a prize above the ceiling (None when the ceiling covered it).
    prize_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    started_notified_at: Mapped[datetime | None]
    ending_notified_at: Mapped[datetime | None]
    # Frozen at close, ids and numbers only: [{"rank", "user_id", "value"}] or
    # [{"rank", "team_id", "value", "total", "members"}]. Names are read when shown, so erasure and
    # hiding from leaderboards apply to ended challenges too.
    final_standings: Mapped[list[Any] | None]
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    teams: Mapped[list[ChallengeTeam]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    posts: Mapped[list[ChallengePost]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class ChallengeTeam(Base):
    __tablename__ = "challenge_teams"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True, index=True)


class ChallengePost(Base):
    __tablename__ = "challenge_posts"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)


Index("ix_challenges_window", Challenge.starts_at, Challenge.ends_at)
