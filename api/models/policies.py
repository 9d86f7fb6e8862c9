"""The organisation's social media policy, versioned, and who accepted which version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base
from api.models._common import created_at_column


class PolicyVersion(Base):
    """One published text; the highest version is the current policy. Rows are never changed."""

    __tablename__ = "policy_versions"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = created_at_column()
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class PolicyAcceptance(Base):
    """A person accepted a version (kept for every version: proof of what they agreed to, and when)."""

    __tablename__ = "policy_acceptances"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(ForeignKey("policy_versions.version", ondelete="CASCADE"), primary_key=True)
    accepted_at: Mapped[datetime] = created_at_column()
