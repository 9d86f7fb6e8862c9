"""Demo people: one admin, two leads, thirty staff in three teams."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.models.teams import Team, TeamMembership
from api.models.users import SocialProfile, User
from api.services.passwords import hash_password

DOMAIN = "demo.stafet.dev"
ADMIN_PASSWORD = "stafet-admin"
DEMO_PASSWORD = "stafet-demo"
TEAMS = ("Stores North", "Stores South", "Head Office")
FIRST = ("Ada", "Bjørn", "Chiara", "Dmitri", "Eva", "Farid", "Greta", "Hiro", "Ines", "Jonas",
         "Kari", "Luca", "Maja", "Nils", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tove",
         "Uma", "Viktor", "Wanda", "Xavier", "Yara", "Zeno", "Alma", "Bo", "Cato", "Dina")
LAST = ("Berg", "Dahl", "Eriksen", "Fossum", "Haugen", "Lie", "Moe", "Nilsen", "Solberg", "Vik")


def _user(session: Session, email: str, name: str, role: str, password_hash: str) -> tuple[User, bool]:
    user = session.scalar(select(User).where(User.email == email))
    if user is not None:
        return user, False
    user = User(email=email, display_name=name, role=role, password_hash=password_hash, activated_at=utcnow())
    session.add(user)
    return user, True


def seed(session: Session) -> dict[str, int]:
    created = 0
    teams = []
    for name in TEAMS:
        team = session.scalar(select(Team).where(Team.name == name))
        if team is None:
            team = Team(name=name)
            session.add(team)
            created += 1
        teams.append(team)
    session.flush()

    admin_hash, demo_hash = hash_password(ADMIN_PASSWORD), hash_password(DEMO_PASSWORD)
    _, new = _user(session, f"admin@{DOMAIN}", "Astrid Admin", "admin", admin_hash)
    created += new
    people: list[tuple[User, int, bool]] = []
    for i in (1, 2):
        lead, new = _user(session, f"lead{i}@{DOMAIN}", f"{FIRST[i + 9]} {LAST[i]}", "lead", demo_hash)
        created += new
        people.append((lead, i - 1, True))
    for i in range(1, 31):
        staff, new = _user(session, f"staff{i}@{DOMAIN}", f"{FIRST[i - 1]} {LAST[i % len(LAST)]}", "staff", demo_hash)
        created += new
        if new:
            # Realistic, varied networks: everyone on LinkedIn, some elsewhere too.
            staff.social_profiles.append(SocialProfile(network="linkedin", follower_count=120 + 37 * i))
            if i % 3 == 0:
                staff.social_profiles.append(SocialProfile(network="x", follower_count=40 + 11 * i))
            if i % 4 == 0:
                staff.social_profiles.append(SocialProfile(network="instagram", follower_count=200 + 23 * i))
        people.append((staff, (i - 1) % 3, False))
    session.flush()
    for user, team_index, is_lead in people:
        team = teams[team_index]
        if not any(m.team_id == team.id for m in user.memberships):
            user.memberships.append(TeamMembership(team_id=team.id, is_lead=is_lead))
    session.flush()
    return {"people created": created}
