"""Leaderboards, read from the period totals the tally keeps (points *earned* in the period,
so spending on rewards never lowers anyone's place).

- Periods: ISO week (Monday to Monday), calendar month, all time — in UTC.
- Ranking: competition ranking ("1, 2, 2, 4"): people with equal points share a rank and
  the next rank skips.
- Listed: active people with gamification on and `leaderboard_visible`. Someone who hid
  themselves still sees, in `me`, the rank they would have; someone who left
  gamification gets `me: null`.
- Team boards rank teams by points per active member, so team size does not decide.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.models.ledger import PeriodTotal, TeamPeriodTotal
from api.models.teams import Team, TeamMembership
from api.models.users import User
from api.services.ledger import ALL_TIME_START, period_start


def period_bounds(period: str, today: date | None = None) -> tuple[date, date | None]:
    today = today or utcnow().date()
    start = period_start(period, today)
    if period == "week":
        return start, start + timedelta(days=7)
    if period == "month":
        return start, (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return ALL_TIME_START, None


def _listed():
    return and_(User.is_active.is_(True), User.erased_at.is_(None), User.gamification_enabled.is_(True),
                User.leaderboard_visible.is_(True))


def _scored(period: str, start: date, team_id: int | None):
    """Listed people's points in the period (> 0), as a selectable."""
    stmt = (select(PeriodTotal.user_id, PeriodTotal.points)
            .join(User, User.id == PeriodTotal.user_id)
            .where(PeriodTotal.period == period, PeriodTotal.period_start == start, PeriodTotal.points > 0,
                   _listed()))
    if team_id is not None:
        stmt = stmt.where(PeriodTotal.user_id.in_(
            select(TeamMembership.user_id).where(TeamMembership.team_id == team_id)))
    return stmt


def _ahead(session: Session, scored, points: int, exclude: int | None = None) -> int:
    """How many listed people have strictly more points: competition rank - 1."""
    sq = scored.subquery()
    stmt = select(func.count()).select_from(sq).where(sq.c.points > points)
    if exclude is not None:
        stmt = stmt.where(sq.c.user_id != exclude)
    return session.scalar(stmt) or 0


def board(session: Session, me: User, *, period: str, team_id: int | None, limit: int, offset: int) -> dict[str, Any]:
    """One page of the board. The page comes straight off the (period, start, points) index;
    ranks follow from positions, with one count for a tie that straddles the page start."""
    start, end = period_bounds(period)
    scored = _scored(period, start, team_id)
    rows = session.execute(
        scored.add_columns(User.display_name)
        .order_by(PeriodTotal.points.desc(), PeriodTotal.user_id).limit(limit).offset(offset)
    ).all()
    entries: list[dict[str, Any]] = []
    for i, (uid, points, name) in enumerate(rows):
        if i == 0:
            rank = _ahead(session, scored, points) + 1 if offset else 1
        elif points != rows[i - 1][1]:
            rank = offset + i + 1
        entries.append({"rank": rank, "user": {"id": uid, "display_name": name}, "points": points})
    return {"period": {"start": start, "end": end}, "scope": "team" if team_id else "org", "team_id": team_id,
            "entries": entries, "me": _me(session, me, period, start, scored)}


def _me(session: Session, me: User, period: str, start: date, scored) -> dict[str, int] | None:
    if not me.gamification_enabled:
        return None
    mine = session.scalar(select(PeriodTotal.points).where(
        PeriodTotal.period == period, PeriodTotal.period_start == start, PeriodTotal.user_id == me.id)) or 0
    return {"rank": _ahead(session, scored, mine, exclude=me.id) + 1, "points": mine}


def team_board(session: Session, *, period: str) -> dict[str, Any]:
    start, end = period_bounds(period)
    members = (select(TeamMembership.team_id, func.count().label("members"))
               .join(User, User.id == TeamMembership.user_id)
               .where(User.is_active.is_(True), User.erased_at.is_(None))
               .group_by(TeamMembership.team_id).subquery())
    rows = session.execute(
        select(Team.id, Team.name, func.coalesce(TeamPeriodTotal.points, 0), func.coalesce(members.c.members, 0))
        .outerjoin(TeamPeriodTotal, and_(TeamPeriodTotal.team_id == Team.id, TeamPeriodTotal.period == period,
                                         TeamPeriodTotal.period_start == start))
        .outerjoin(members, members.c.team_id == Team.id)
    ).all()
    scored = [{"team": {"id": tid, "name": name}, "points": pts, "active_members": n,
               "points_per_member": round(pts / n, 2) if n else 0.0} for tid, name, pts, n in rows]
    scored.sort(key=lambda t: (-t["points_per_member"], -t["points"], t["team"]["id"]))
    rank = 0
    for i, item in enumerate(scored):
        if i == 0 or item["points_per_member"] != scored[i - 1]["points_per_member"]:
            rank = i + 1
        item["rank"] = rank
    return {"period": {"start": start, "end": end}, "entries": scored}
