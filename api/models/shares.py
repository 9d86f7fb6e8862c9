"""Shares with their tracked short links, and the clicks on those links."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base
from api.models._common import created_at_column


class Share(Base):
    __tablename__ = "shares"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    network: Mapped[str] = mapped_column(String(16))
    caption: Mapped[str | None] = mapped_column(Text)
    personal_caption: Mapped[bool] = mapped_column(default=False)
    # Unguessable short code of the tracked link (/s/<code>).
    code: Mapped[str] = mapped_column(String(32), unique=True)
    # Follower count on that network when shared, so estimated reach never changes later.
    follower_snapshot: Mapped[int] = mapped_column(default=0)
    # The sharer's team when shared, for analytics by team.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    click_count: Mapped[int] = mapped_column(default=0)
    # The sharer shared this post on this network before: a repeat earns nothing. Decided when the
    # share is made (uq_shares_first_of_kind keeps two concurrent "first" shares from both being first),
    # so the tally reads it with the share instead of searching every earlier share.
    is_repeat: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = created_at_column()


class Click(Base):
    """One counted click: at most one per visitor per share per day (the unique key)."""

    __tablename__ = "clicks"
    __table_args__ = (UniqueConstraint("share_id", "day", "visitor_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("shares.id", ondelete="CASCADE"))
    day: Mapped[date]
    # HMAC of IP + user agent with a salt that changes daily; never the raw IP.
    visitor_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_at_column()


Index("ix_shares_post_user", Share.post_id, Share.user_id)
Index("ix_shares_user_created", Share.user_id, Share.created_at)
Index("ix_shares_created", Share.created_at)
Index("uq_shares_first_of_kind", Share.user_id, Share.post_id, Share.network, unique=True,
      postgresql_where=~Share.is_repeat, sqlite_where=~Share.is_repeat)
