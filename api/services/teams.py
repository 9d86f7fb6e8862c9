"""Teams, memberships and who leads what."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.errors import Forbidden, NotFound, field_error
from api.models.teams import Team, TeamMembership
from api.models.users import User
from api.pg_arrays import one_of


def get_team(session: Session, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"There is no team {team_id}.")
    return team


def require_teams(session: Session, team_ids: Iterable[int], field: str = "team_ids") -> list[Team]:
    ids = sorted(set(team_ids))
    teams = list(session.scalars(select(Team).where(Team.id.in_(ids)))) if ids else []
    missing = sorted(set(ids) - {t.id for t in teams})
    if missing:
        raise field_error(field, f"No such team: {', '.join(map(str, missing))}.")
    return teams


def led_team_ids(session: Session, user_id: int) -> set[int]:
    return set(
        session.scalars(
            select(TeamMembership.team_id).where(TeamMembership.user_id == user_id, TeamMembership.is_lead)
        )
    )


def team_ids_of(session: Session, user_id: int) -> list[int]:
    return list(
        session.scalars(
            select(TeamMembership.team_id)
            .where(TeamMembership.user_id == user_id)
            .order_by(TeamMembership.joined_at, TeamMembership.team_id)
        )
    )


def first_teams(session: Session, user_ids: Iterable[int]) -> dict[int, int]:
    """{user_id: the team their points and shares count for}: the first team they joined (earliest
    `joined_at`, then the lowest team id); people in no team are left out. The one rule for the
    tally, the share, adjustments and the demo data."""
    ids = set(user_ids)
    if not ids:
        return {}
    teams: dict[int, int] = {}
    for user_id, team_id in session.execute(
            select(TeamMembership.user_id, TeamMembership.team_id).where(one_of(session, TeamMembership.user_id, ids))
            .order_by(TeamMembership.user_id, TeamMembership.joined_at, TeamMembership.team_id)):
        teams.setdefault(user_id, team_id)
    return teams



def can_lead(user: User, team_id: int, session: Session) -> bool:
    """Admins lead every team; leads the teams they are marked lead of."""
    return user.role == "admin" or (user.role == "lead" and team_id in led_team_ids(session, user.id))


def require_lead_of(session: Session, user: User, team_id: int) -> Team:
    """The team, when `user` may lead it (404 unknown team, 403 not theirs): nudges, team
    analytics, join codes."""
    team = get_team(session, team_id)
    if not can_lead(user, team_id, session):
        raise Forbidden("Only a lead of this team (or an admin) may do this.")
    return team


def _set_leads(session: Session, team: Team, lead_ids: Iterable[int]) -> None:
    lead_ids = set(lead_ids)
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(lead_ids)))} if lead_ids else {}
    missing = sorted(lead_ids - set(users))
    if missing:
        raise field_error("lead_ids", f"No such user: {', '.join(map(str, missing))}.")
    for user in users.values():
        if not user.is_active or user.erased_at is not None:
            raise field_error("lead_ids", f"User {user.id} is deactivated and cannot lead a team.")
        if user.role == "staff":
            # Making someone a team's lead gives them the lead role (admins stay admins).
            user.role = "lead"
    by_user = {m.user_id: m for m in team.memberships}
    for membership in team.memberships:
        membership.is_lead = membership.user_id in lead_ids
    for user_id in lead_ids - set(by_user):
        team.memberships.append(TeamMembership(user_id=user_id, is_lead=True))


def create_team(session: Session, name: str, lead_ids: Iterable[int]) -> Team:
    """A name another team has (as api/names.py compares names) is refused by the unique
    `teams.name_key`: the IntegrityError becomes a 409 (api/conflicts.py)."""
    team = Team(name=name)
    session.add(team)
    _set_leads(session, team, lead_ids)
    session.flush()
    return team


def update_team(session: Session, team: Team, name: str | None = None, lead_ids: Iterable[int] | None = None) -> Team:
    """A clashing new name is refused like in `create_team`, at whichever flush sends it."""
    if name is not None and name != team.name:
        team.name = name
    if lead_ids is not None:
        _set_leads(session, team, lead_ids)
    session.flush()
    return team


def delete_team(session: Session, team: Team) -> None:
    session.delete(team)
    session.flush()


def set_user_teams(session: Session, user: User, team_ids: Iterable[int]) -> None:
    """Make `user` a member of exactly these teams (lead flags kept where they stay)."""
    wanted = {t.id for t in require_teams(session, team_ids)}
    for membership in list(user.memberships):
        if membership.team_id not in wanted:
            user.memberships.remove(membership)
    have = {m.team_id for m in user.memberships}
    for team_id in sorted(wanted - have):
        user.memberships.append(TeamMembership(team_id=team_id))


def member_counts(session: Session, team_ids: Iterable[int]) -> dict[int, int]:
    ids = list(team_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(TeamMembership.team_id, func.count())
        .join(User, User.id == TeamMembership.user_id)
        .where(TeamMembership.team_id.in_(ids), User.is_active, User.erased_at.is_(None))
        .group_by(TeamMembership.team_id)
    )
    counts = dict.fromkeys(ids, 0)
    counts.update({team_id: n for team_id, n in rows})
    return counts


def list_teams(session: Session) -> list[Team]:
    return list(session.scalars(select(Team).where(Team.archived_at.is_(None)).order_by(Team.name, Team.id)))


def team_views(session: Session, teams: list[Team]) -> list[dict]:
    """Teams with their leads and active member counts, in two queries."""
    ids = [t.id for t in teams]
    counts = member_counts(session, ids)
    leads: dict[int, list[dict]] = {i: [] for i in ids}
    if ids:
        rows = session.execute(
            select(TeamMembership.team_id, User.id, User.display_name)
            .join(User, User.id == TeamMembership.user_id)
            .where(TeamMembership.team_id.in_(ids), TeamMembership.is_lead)
            .order_by(User.id)
        )
        for team_id, user_id, name in rows:
            leads[team_id].append({"id": user_id, "display_name": name})
    return [
        {
            "id": t.id,
            "name": t.name,
            "lead_ids": [lead["id"] for lead in leads[t.id]],
            "leads": leads[t.id],
            "member_count": counts[t.id],
            "created_at": t.created_at,
        }
        for t in teams
    ]


def archive_team(session: Session, team: Team, now: datetime) -> None:
    """A team its identity provider deleted: members leave it, the row (and so every share, point
    and challenge that names it) stays, hidden from lists. Its name is freed for a new team."""
    if team.archived_at is not None:
        return
    team.archived_at = now
    team.memberships.clear()
    session.flush()
    # After the flush: the name's validator would recompute name_key from the name.
    team.name_key = f"{team.name_key}#archived-{team.id}"[:240]
    session.flush()
