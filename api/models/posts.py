"""Curated stories, their targeting, and the staff suggestions that feed them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base
from api.models._common import created_at_column, updated_at_column


class Post(Base):
    """A story in the feed.

    Visible to a user when `status` is published, `publish_at <= now`, it has not expired,
    is not deleted, and it targets one of the user's teams (no target teams = everyone).
    """

    __tablename__ = "posts"
    __table_args__ = (CheckConstraint("status IN ('draft', 'published')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link_url: Mapped[str | None] = mapped_column(String(2048))
    media: Mapped[list[Any]] = mapped_column(default=list)
    suggested_captions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    networks: Mapped[list[Any]] = mapped_column(default=list)
    campaign: Mapped[str | None] = mapped_column(String(80), index=True)
    pinned: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default="published")
    publish_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    notify: Mapped[bool] = mapped_column(default=False)
    # Set when the publish-time notification fan-out has been done (exactly once).
    notified_at: Mapped[datetime | None]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    suggestion_id: Mapped[int | None] = mapped_column(ForeignKey("suggestions.id", ondelete="SET NULL"))
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    targets: Mapped[list[PostTarget]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def target_team_ids(self) -> list[int]:
        return sorted(t.team_id for t in self.targets)


class PostTarget(Base):
    """A team a post is targeted to."""

    __tablename__ = "post_targets"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True, index=True)


class Suggestion(Base):
    """A story proposed by a member of staff, reviewed by an admin."""

    __tablename__ = "suggestions"
    __table_args__ = (CheckConstraint("status IN ('pending', 'approved', 'declined')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link_url: Mapped[str | None] = mapped_column(String(2048))
    image_url: Mapped[str | None] = mapped_column(String(2048))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    note: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at_column()


# The feed's keyset order: pinned first, then newest.
Index("ix_posts_feed_order", Post.status, Post.pinned, Post.publish_at, Post.id)
Index("ix_suggestions_status_created", Suggestion.status, Suggestion.created_at)
