"""Demo join code: Stores North's poster code, and one person who joined with it and waits for
lead1's approval (so the console's Join codes page and lead1's inbox have something to show)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.models.join_codes import JoinCode
from api.models.teams import Team
from api.models.users import User
from api.seed.people import DEMO_PASSWORD, DOMAIN, TEAMS
from api.services import join_codes

DEMO_CODE = "DEMCJXYNNRTH"  # shown as DEMC-JXYN-NRTH; fixed so the README can name it
JOINER_USERNAME = "mia.demo"


def seed(session: Session) -> dict[str, int]:
    created = 0
    team = session.scalar(select(Team).where(Team.name == TEAMS[0]))
    lead = session.scalar(select(User).where(User.email == f"lead1@{DOMAIN}"))
    if team is None or lead is None:
        return {"join codes created": 0}
    now = utcnow()
    code = session.scalar(select(JoinCode).where(JoinCode.code == DEMO_CODE))
    if code is None:
        code = JoinCode(team_id=team.id, code=DEMO_CODE, created_by_id=lead.id, expires_at=now + timedelta(days=365),
                        max_uses=None, auto_approve=False, uses=0)
        session.add(code)
        session.flush()
        created += 1
    joiner = session.scalar(select(User).where(User.username == JOINER_USERNAME))
    if joiner is None and join_codes.state_of(code, now) == "active":
        join_codes.join(session, DEMO_CODE, now=now, display_name="Mia Holm", password=DEMO_PASSWORD, email=None,
                        username=JOINER_USERNAME)
        created += 1
    return {"join codes created": created}
