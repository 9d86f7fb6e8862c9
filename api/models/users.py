"""People: accounts, roles, privacy settings and social profiles."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base
from api.models._common import created_at_column, updated_at_column

if TYPE_CHECKING:
    from api.models.teams import TeamMembership

ROLES = ("staff", "lead", "admin")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('staff', 'lead', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL once the user erased their data; unique among the rest.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    # For people without a work email (frontline staff who join with a code): signs in like an email.
    # Stored as accounts.normalise_username() gives it, so "Mia.K" and "mia.k" are one username.
    username: Mapped[str | None] = mapped_column(String(32), unique=True)
    # HR's id for the person: bulk imports match on it before the email.
    employee_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The identity provider's id for the person (SCIM externalId): provisioning matches on it.
    external_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    # The SCIM userName as the provider sent it, when it is neither an email nor a username
    # (e.g. an Entra object id or a long UPN prefix): provisioning finds the person by it.
    scim_user_name: Mapped[str | None] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # The OpenID provider's `sub` for this person: how single sign-on finds them after the first time.
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    role: Mapped[str] = mapped_column(String(8), default="staff")
    is_active: Mapped[bool] = mapped_column(default=True)
    gamification_enabled: Mapped[bool] = mapped_column(default=True)
    leaderboard_visible: Mapped[bool] = mapped_column(default=True)
    invite_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invite_expires_at: Mapped[datetime | None]
    activated_at: Mapped[datetime | None]
    erased_at: Mapped[datetime | None]
    last_active_at: Mapped[datetime | None]
    # The language the person chose in the staff app ("da" or "en"); None: their browser's.
    locale: Mapped[str | None] = mapped_column(String(8))
    # Console cookies carry this number; bumping it (sign-out, a new password) ends them all server-side.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    memberships: Mapped[list[TeamMembership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="TeamMembership.joined_at"
    )
    social_profiles: Mapped[list[SocialProfile]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="SocialProfile.network"
    )

    def has_role(self, role: str) -> bool:
        """An admin may do everything a lead may, a lead everything staff may."""
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    @property
    def can_log_in(self) -> bool:
        # A password, or an identity at the company's provider (single sign-on, possibly no password).
        has_credential = self.password_hash is not None or self.oidc_subject is not None
        return self.is_active and self.erased_at is None and has_credential


class SocialProfile(Base):
    """Follower count on one network; snapshotted onto each share for estimated reach."""

    __tablename__ = "social_profiles"
    __table_args__ = (
        UniqueConstraint("user_id", "network"),
        CheckConstraint("follower_count >= 0 AND follower_count <= 10000000", name="follower_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(16))
    follower_count: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = updated_at_column()

    user: Mapped[User] = relationship(back_populates="social_profiles")


Index("ix_users_role_active", User.role, User.is_active)
