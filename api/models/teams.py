"""Teams and who belongs to (and leads) them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, cast, func, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship, validates

from api.db import Base
from api.models._common import created_at_column
from api.models.users import User
from api.names import comparable


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    # comparable(name): what makes two names the same (api/names.py), unique here so that the
    # database decides a clash the same way on SQLite and PostgreSQL. Case folding can lengthen
    # a name ("ß" → "ss"), hence the room beyond 80.
    name_key: Mapped[str] = mapped_column(String(240), unique=True)
    created_at: Mapped[datetime] = created_at_column()
    # A team the identity provider deleted (SCIM): hidden from lists, its history (shares, points,
    # challenges) kept. Its name is freed for a new team (see services/teams.archive_team).
    archived_at: Mapped[datetime | None]
    # The identity provider's id for the group (SCIM externalId).
    external_id: Mapped[str | None] = mapped_column(String(255))

    @validates("name")
    def _keep_name_key(self, _key: str, name: str) -> str:
        self.name_key = comparable(name)
        return name

    memberships: Mapped[list[TeamMembership]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="TeamMembership.user_id"
    )


class TeamMembership(Base):
    """A user in a team; `is_lead` marks the team's leads (a lead is also a member)."""

    __tablename__ = "team_memberships"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    is_lead: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[datetime] = created_at_column()

    team: Mapped[Team] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")


# "3,7": the user's team ids, loaded with the user, so the signed-in user's audience (which
# team-targeted posts they see) costs no query of its own. Always loaded: asking for it per query
# (`undefer`) costs more Python than the subquery costs the database.
User.team_ids_csv = column_property(  # type: ignore[attr-defined]
    select(func.aggregate_strings(cast(TeamMembership.team_id, String), ","))
    .where(TeamMembership.user_id == User.id).correlate_except(TeamMembership).scalar_subquery()
)


def team_ids_of(user: User) -> tuple[int, ...]:
    """The user's team ids, ascending."""
    csv = user.team_ids_csv  # type: ignore[attr-defined]
    return tuple(sorted(int(t) for t in csv.split(","))) if csv else ()
