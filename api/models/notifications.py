"""Devices, notification preferences, the inbox and delivery decisions, lead nudges."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base
from api.models._common import created_at_column, updated_at_column

CATEGORIES = ("new_content", "challenges", "badges", "rewards", "reminders")
DELIVERY_STATUSES = ("pending", "sent", "skipped", "deferred", "failed")


class Device(Base):
    __tablename__ = "devices"
    __table_args__ = (CheckConstraint("platform IN ('ios', 'android', 'web')", name="platform"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(Text)
    # One row per token: a token registered again by another user moves to that user.
    # Keyed by its SHA-256 because a 4 KiB token does not fit a B-tree index entry.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    platform: Mapped[str] = mapped_column(String(8))
    app_version: Mapped[str | None] = mapped_column(String(40))
    locale: Mapped[str | None] = mapped_column(String(35))
    timezone: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    deactivated_at: Mapped[datetime | None]
    deactivation_reason: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = created_at_column()
    last_seen_at: Mapped[datetime] = updated_at_column()


class NotificationPreference(Base):
    """Push is off until the user turns it on."""

    __tablename__ = "notification_preferences"
    __table_args__ = (CheckConstraint("max_per_day >= 0 AND max_per_day <= 20", name="max_per_day"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    push_enabled: Mapped[bool] = mapped_column(default=False)
    categories: Mapped[dict[str, Any]] = mapped_column(default=lambda: {c: True for c in CATEGORIES})
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    max_per_day: Mapped[int] = mapped_column(default=3)
    updated_at: Mapped[datetime] = updated_at_column()


class Notification(Base):
    """An inbox item, and the record of whether (and why not) it was pushed."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(
            "category IN ('new_content', 'challenges', 'badges', 'rewards', 'reminders')", name="category"
        ),
        CheckConstraint(
            "delivery_status IN ('pending', 'sent', 'skipped', 'deferred', 'failed')", name="delivery_status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Makes a notification about one fact unique, e.g. "badge:3:u7", "digest:2026-W48:u7".
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = created_at_column()
    read_at: Mapped[datetime | None]
    delivery_status: Mapped[str] = mapped_column(String(10), default="pending")
    delivery_reason: Mapped[str | None] = mapped_column(String(200))
    deferred_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)


class TeamNudge(Base):
    """A lead's nudge to their team: at most one per team per day (the unique key)."""

    __tablename__ = "team_nudges"
    __table_args__ = (UniqueConstraint("team_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    day: Mapped[date]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()


Index("ix_notifications_user_created", Notification.user_id, Notification.created_at, Notification.id)
Index("ix_notifications_delivery", Notification.delivery_status, Notification.deferred_until)
