"""Join codes (a team's poster in the break room) and the requests to join made with them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base
from api.models._common import created_at_column

JOIN_REQUEST_STATUSES = ("pending", "approved", "declined")


class JoinCode(Base):
    """A code anyone holding it may use to ask to join one team.

    The code is kept as it is (not hashed): it grants nothing by itself (a lead approves each
    joiner unless `auto_approve`), and leads reprint the poster from the list. It is unique, so a
    lookup is one index probe; `uses` counts joins and is raised by one conditional UPDATE, so two
    people racing for a code's last use cannot both get in.
    """

    __tablename__ = "join_codes"
    __table_args__ = (
        CheckConstraint("max_uses IS NULL OR max_uses >= 1", name="max_uses"),
        CheckConstraint("uses >= 0", name="uses"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    # Canonical form: upper case, no separators (people may type it with dashes or spaces).
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime]
    max_uses: Mapped[int | None]
    uses: Mapped[int] = mapped_column(default=0, server_default="0")
    auto_approve: Mapped[bool] = mapped_column(default=False)
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at_column()


class JoinRequest(Base):
    """Someone who joined with a code: pending until a lead of the team approves or declines.

    A declined person's account is deleted (`user_id` becomes NULL); the row stays, with the name
    they gave, so the team's leads see what was decided and by whom.
    """

    __tablename__ = "join_requests"
    __table_args__ = (CheckConstraint("status IN ('pending', 'approved', 'declined')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    join_code_id: Mapped[int | None] = mapped_column(ForeignKey("join_codes.id", ondelete="SET NULL"))
    display_name: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(8), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at_column()


# A team's inbox of requests, newest first, filtered by status.
Index("ix_join_requests_team_id_status_id", JoinRequest.team_id, JoinRequest.status, JoinRequest.id)
