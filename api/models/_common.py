"""Column helpers shared by the model modules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from api.clock import utcnow

NETWORKS = ("linkedin", "x", "facebook", "instagram")
"""The social networks a post can be shared to, with their caption length limits."""

CAPTION_LIMITS = {"x": 280, "linkedin": 3000, "facebook": 63206, "instagram": 2200}


def created_at_column() -> Mapped[datetime]:
    return mapped_column(default=utcnow, nullable=False)


def updated_at_column() -> Mapped[datetime]:
    return mapped_column(default=utcnow, onupdate=utcnow, nullable=False)
