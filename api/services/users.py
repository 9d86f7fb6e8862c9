"""People: profile and settings, and what admins change about them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from api.errors import Conflict, NotFound
from api.models.teams import Team, TeamMembership
from api.models.users import SocialProfile, User
from api.services import accounts, display_names, policy, sessions, teams
from api.services.points import points_summary


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.erased_at is not None:
        raise NotFound(f"There is no user {user_id}.")
    return user


def update_profile(
    session: Session,
    user: User,
    *,
    display_name: str | None = None,
    settings: dict[str, bool] | None = None,
    social_profiles: list[dict[str, Any]] | None = None,
    locale: str | None = None,
) -> User:
    if locale is not None:
        user.locale = locale
    if display_name is not None:
        display_names.set_name(session, user, display_name)
    for name, value in (settings or {}).items():
        setattr(user, name, value)
    if social_profiles is not None:
        by_network = {p.network: p for p in user.social_profiles}
        wanted = {p["network"]: p["follower_count"] for p in social_profiles}
        for network, profile in by_network.items():
            if network not in wanted:
                user.social_profiles.remove(profile)
        for network, count in wanted.items():
            if network in by_network:
                by_network[network].follower_count = count
            else:
                user.social_profiles.append(SocialProfile(network=network, follower_count=count))
    session.flush()
    return user


def follower_count(user: User, network: str) -> int:
    return next((p.follower_count for p in user.social_profiles if p.network == network), 0)


def invite(
    session: Session, *, email: str, display_name: str, role: str, team_ids: list[int], invite_ttl: int
) -> tuple[User, str]:
    # An email someone has is refused by the unique users.email (a 409, api/conflicts.py).
    display_names.ensure_allowed(session, display_name, role=role)
    user = User(email=accounts.normalise_email(email), display_name=display_name, role=role)
    session.add(user)
    teams.set_user_teams(session, user, team_ids)
    token = accounts.new_invite(user, invite_ttl)
    session.flush()
    return user, token


def active_admin_count(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(User).where(User.role == "admin", User.is_active, User.erased_at.is_(None))
    ) or 0


def admin_update(session: Session, user: User, changes: dict[str, Any]) -> User:
    losing_admin = user.role == "admin" and user.is_active and (
        changes.get("role", "admin") != "admin" or changes.get("active") is False
    )
    if losing_admin and active_admin_count(session) <= 1:
        raise Conflict("This is the last active admin; make someone else admin first.", slug="last-admin")
    if "role" in changes:
        user.role = changes["role"]
        if user.role == "staff":
            for membership in user.memberships:
                membership.is_lead = False
    if "team_ids" in changes:
        teams.set_user_teams(session, user, changes["team_ids"])
    if "display_name" in changes:
        display_names.set_name(session, user, changes["display_name"])
    if "active" in changes and changes["active"] != user.is_active:
        user.is_active = changes["active"]
        if not user.is_active:
            sessions.end_all(session, user, "user deactivated")
    session.flush()
    return user


def admin_list_query(
    *, role: str | None = None, team_id: int | None = None, active: bool | None = None, q: str | None = None
):
    stmt = select(User).where(User.erased_at.is_(None))
    if role:
        stmt = stmt.where(User.role == role)
    if active is not None:
        stmt = stmt.where(User.is_active.is_(active))
    if team_id is not None:
        stmt = stmt.where(
            User.id.in_(select(TeamMembership.user_id).where(TeamMembership.team_id == team_id))
        )
    if q:
        # `%` and `_` typed by an admin are literal characters, not wildcards.
        escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        stmt = stmt.where(or_(func.lower(User.display_name).like(like, escape="\\"),
                              User.email.like(like, escape="\\")))
    return stmt


def team_refs(session: Session, user_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """{user_id: [{id, name}, ...]} in one query."""
    out: dict[int, list[dict[str, Any]]] = {uid: [] for uid in user_ids}
    if not user_ids:
        return out
    rows = session.execute(
        select(TeamMembership.user_id, Team.id, Team.name, TeamMembership.is_lead)
        .join(Team, Team.id == TeamMembership.team_id)
        .where(TeamMembership.user_id.in_(user_ids))
        .order_by(TeamMembership.joined_at, Team.id)
    )
    for user_id, team_id, name, is_lead in rows:
        out[user_id].append({"id": team_id, "name": name, "is_lead": is_lead})
    return out


def profile(session: Session, user: User) -> dict[str, Any]:
    """What GET /me shows."""
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "locale": user.locale,
        "teams": [{"id": t["id"], "name": t["name"]} for t in team_refs(session, [user.id])[user.id]],
        "points": points_summary(session, user.id),
        "settings": {
            "gamification_enabled": user.gamification_enabled,
            "leaderboard_visible": user.leaderboard_visible,
        },
        "social_profiles": [
            {"network": p.network, "follower_count": p.follower_count} for p in user.social_profiles
        ],
        "policy": policy.status(session, user),
    }


def admin_views(session: Session, users: list[User]) -> list[dict[str, Any]]:
    """Users as the admin list shows them, with teams in one query."""
    refs = team_refs(session, [u.id for u in users])
    return [
        {
            "id": u.id,
            "email": u.email,
            "username": u.username,
            "employee_id": u.employee_id,
            "display_name": u.display_name,
            "role": u.role,
            "is_active": u.is_active,
            "activated": u.password_hash is not None,
            "teams": [{"id": t["id"], "name": t["name"]} for t in refs[u.id]],
            "lead_of": [t["id"] for t in refs[u.id] if t["is_lead"]],
            "created_at": u.created_at,
        }
        for u in users
    ]
