"""Leaderboards, read from the period totals the tally keeps (points *earned* in the period,
so spending on rewards never lowers anyone's place).

- Periods: ISO week (Monday to Monday), calendar month, all time — in `ledger.PERIOD_TIMEZONE` (UTC).
- Ranking: competition ranking ("1, 2, 2, 4"): people with equal points share a rank and
  the next rank skips.
- Listed: active people with gamification on and `leaderboard_visible`. Someone who hid
  themselves still sees, in `me`, the rank they would have; someone who left
  gamification gets `me: null`.
- Team boards rank teams by points per active member, so team size does not decide.
- `me.rank` comes from a points-to-rank table reused for LEADERBOARD_CACHE_SECONDS (default
  10), so it may trail by that long; a page's ranks follow from positions (only a tie across
  the start of a later page is ranked from that table). The top page, which everyone opens,
  is shared by all readers for the same time; later pages are read live, `me.points` too.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Date, Integer, Select, String, and_, bindparam, func, select
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.models.ledger import PeriodTotal, TeamPeriodTotal
from api.models.teams import Team, TeamMembership
from api.models.users import User
from api.services.ledger import ALL_TIME_START, period_day, period_start
from api.services.ttl_cache import cached


def period_bounds(period: str, today: date | None = None) -> tuple[date, date | None]:
    today = today or period_day(utcnow())
    start = period_start(period, today)
    if period == "week":
        return start, start + timedelta(days=7)
    if period == "month":
        return start, (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return ALL_TIME_START, None


def _listed():
    return and_(User.is_active.is_(True), User.erased_at.is_(None), User.gamification_enabled.is_(True),
                User.leaderboard_visible.is_(True))


_PERIOD = bindparam("lb_period", type_=String)
_START = bindparam("lb_start", type_=Date)
_TEAM = bindparam("lb_team", type_=Integer)
_ME = bindparam("lb_me", type_=Integer)


@cache
def _scored(team: bool) -> Select:
    """Listed people's points in the period (> 0); built once, run with bound parameters."""
    stmt = (select(PeriodTotal.user_id, PeriodTotal.points)
            .join(User, User.id == PeriodTotal.user_id)
            .where(PeriodTotal.period == _PERIOD, PeriodTotal.period_start == _START, PeriodTotal.points > 0,
                   _listed()))
    if team:
        members = select(TeamMembership.user_id).where(TeamMembership.team_id == _TEAM)
        stmt = stmt.where(PeriodTotal.user_id.in_(members))
    return stmt


@cache
def _my_points():
    return select(PeriodTotal.points).where(PeriodTotal.period == _PERIOD, PeriodTotal.period_start == _START,
                                            PeriodTotal.user_id == _ME)


@cache
def _page(team: bool) -> Select:
    """The page; limit and offset are bound too, so the statement is built (and its cache key
    computed) once."""
    return (_scored(team).add_columns(User.display_name)
            .order_by(PeriodTotal.points.desc(), PeriodTotal.user_id)
            .limit(bindparam("lb_limit", type_=Integer)).offset(bindparam("lb_offset", type_=Integer)))


class RankTable:
    """How many listed people have more than N points, from one grouped query over the board:
    the competition rank of N points is `ahead(N) + 1`. Reused for LEADERBOARD_CACHE_SECONDS, so
    `me.rank` costs a lookup instead of a count over every ranked person (100,000 on the bench)."""

    def __init__(self, rows: list[tuple[int, int]]) -> None:
        self.points = [-p for p, _n in rows]  # ascending, for bisect
        self.before: list[int] = []
        total = 0
        for _p, n in rows:
            self.before.append(total)
            total += n
        self.total = total

    def ahead(self, points: int) -> int:
        i = bisect_left(self.points, -points)  # first entry with <= points
        return self.before[i] if i < len(self.before) else self.total


def _rank_table(session: Session, team: bool, params: dict[str, Any], cache_seconds: float) -> RankTable:
    def compute() -> RankTable:
        sq = _scored(team).subquery()
        return RankTable([(int(p), int(n)) for p, n in session.execute(
            select(sq.c.points, func.count()).group_by(sq.c.points).order_by(sq.c.points.desc()), params)])

    key = ("leaderboard-ranks", params["lb_period"], params["lb_start"], params.get("lb_team"))
    return cached(key, cache_seconds, compute)


def board(session: Session, me: User, *, period: str, team_id: int | None, limit: int, offset: int,
          cache_seconds: float) -> dict[str, Any]:
    """One page of the board. The page comes straight off the (period, start, points) index and its
    ranks follow from positions (a tie straddling the page start is ranked from the rank table).
    The top page — what everyone opens — is shared by all readers for `cache_seconds`
    (LEADERBOARD_CACHE_SECONDS), and so is the rank table."""
    start, end = period_bounds(period)
    team = team_id is not None
    params: dict[str, Any] = {"lb_period": period, "lb_start": start, **({"lb_team": team_id} if team else {})}

    @cache
    def table() -> RankTable:  # built only when needed, once per request
        return _rank_table(session, team, params, cache_seconds)

    if offset == 0:
        key = ("leaderboard-top", period, start, team_id, limit)
        entries = cached(key, cache_seconds,
                         lambda: _entries(session, team, params, limit, 0, table))
    else:
        entries = _entries(session, team, params, limit, offset, table)
    me_block: dict[str, int] | None = None
    if me.gamification_enabled:
        on_page = next((e for e in entries if e["user"]["id"] == me.id), None)
        if on_page is not None:
            me_block = {"rank": on_page["rank"], "points": on_page["points"]}
        else:
            mine = session.scalar(_my_points(), {**params, "lb_me": me.id}) or 0
            me_block = {"rank": table().ahead(mine) + 1, "points": mine}
    return {"period": {"start": start, "end": end}, "scope": "team" if team else "org", "team_id": team_id,
            "entries": entries, "me": me_block}


def _entries(session: Session, team: bool, params: dict[str, Any], limit: int, offset: int,
             table: Any) -> list[dict[str, Any]]:
    # From one row before the page, so its first rank follows from position too, unless tied.
    before = 1 if offset else 0
    fetched = session.execute(_page(team), {**params, "lb_limit": limit + before,
                                            "lb_offset": offset - before}).all()
    previous, rows = (fetched[0], fetched[1:]) if before and fetched else (None, fetched)
    entries: list[dict[str, Any]] = []
    for i, (uid, points, name) in enumerate(rows):
        if i == 0:
            rank = table().ahead(points) + 1 if previous is not None and previous.points == points else offset + 1
        elif points != rows[i - 1][1]:
            rank = offset + i + 1
        entries.append({"rank": rank, "user": {"id": uid, "display_name": name}, "points": points})
    return entries


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
