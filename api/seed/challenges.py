"""Demo challenges: one running now for lead1's team, one ended across all teams with its results
and prizes, so the standings, the inbox and the ledger show what a finished challenge leaves."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.models.challenges import Challenge, ChallengeTeam
from api.models.teams import Team, TeamMembership
from api.models.users import User
from api.services import challenges

RUNNING = "December share sprint"
ENDED = "Autumn stories: team against team"


def _challenge(session: Session, title: str, creator: User, team_ids: list[int], **fields) -> Challenge:
    # Built directly (the API refuses a start in the past); the demo prizes are within the default
    # max_challenge_prize, so approved as the API would.
    ch = Challenge(title=title, created_by_id=creator.id, teams=[ChallengeTeam(team_id=t) for t in team_ids],
                   prize_approved_at=utcnow(), **fields)
    session.add(ch)
    session.flush()
    return ch


def seed(session: Session) -> dict[str, int]:
    if session.scalar(select(Challenge.id).where(Challenge.title.in_((RUNNING, ENDED))).limit(1)) is not None:
        return {"challenges": 0}
    admin = session.scalar(select(User).where(User.email == "admin@demo.stafet.dev"))
    lead = session.scalar(select(User).where(User.email == "lead1@demo.stafet.dev"))
    led = session.scalar(select(TeamMembership.team_id).where(TeamMembership.user_id == lead.id,
                                                               TeamMembership.is_lead)) if lead else None
    if admin is None or led is None:
        return {"challenges": 0}
    now = utcnow()
    running = _challenge(session, RUNNING, lead, [led], kind="individual", metric="points", prize_points=300,
                         description="Most points from sharing and commenting this week wins. Top 3 get prizes.",
                         starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=4))
    challenges.announce_start(session, running)
    ended = _challenge(session, ENDED, admin, list(session.scalars(select(Team.id).order_by(Team.id))),
                       kind="team", metric="shares", prize_points=50,
                       description="Shares per person decide, so every team can win.",
                       starts_at=now - timedelta(days=24), ends_at=now - timedelta(days=6))
    challenges.close(session, ended)
    return {"challenges": 2}
