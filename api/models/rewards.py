"""The rewards catalog and redemptions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base
from api.models._common import created_at_column, updated_at_column

REDEMPTION_STATUSES = ("pending", "approved", "fulfilled", "rejected")


class Reward(Base):
    __tablename__ = "rewards"
    __table_args__ = (
        CheckConstraint("cost > 0", name="cost"),
        # The database itself refuses to oversell.
        CheckConstraint("stock IS NULL OR stock >= 0", name="stock"),
        CheckConstraint("per_user_limit IS NULL OR per_user_limit > 0", name="per_user_limit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    cost: Mapped[int]
    stock: Mapped[int | None]
    per_user_limit: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)
    image_url: Mapped[str | None] = mapped_column(String(2048))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class Redemption(Base):
    __tablename__ = "redemptions"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'fulfilled', 'rejected')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reward_id: Mapped[int] = mapped_column(ForeignKey("rewards.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    cost: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="pending")
    note: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


Index("ix_redemptions_user_reward", Redemption.user_id, Redemption.reward_id)
Index("ix_redemptions_status_created", Redemption.status, Redemption.created_at)
