"""Programme KPIs for admins (whole org or one team) and leads (their teams).

Definitions (the window is `from`..`to` inclusive, calendar days in ORG_TIMEZONE):
- eligible: active, not erased people who are not admins (in the team, for a team view);
- active: eligible people who shared or commented in the window; rate = active / eligible;
- shares by network, comments (not deleted), counted clicks (bots and repeat visits were
  never counted), estimated reach = the follower counts snapshotted on each share, each capped
  per network (api.services.reach), with `reach_check` saying how much rests on capped or
  large counts;
- earned media value = reach / 1000 × EMV_CPM, in EMV_CURRENCY;
- top posts by counted clicks, then shares; top advocates by shares, then clicks — only
  people visible on leaderboards;
- by team: the same counts per team (a share belongs to the sharer's team when shared);
- series: one point per day for shares, comments, clicks and reach.
Opted-out people's shares still count in these organisation figures (they are not ranked).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, cast, distinct, func, select, union
from sqlalchemy.orm import Session

from api.models.comments import Comment
from api.models.posts import Post
from api.models.shares import Click, Share
from api.models.teams import Team, TeamMembership
from api.models.users import User
from api.services import reach as reach_rules
from api.services.reach import FollowerCaps

TOP = 5


def window(start: date, end: date, tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    return (datetime.combine(start, time(0), tzinfo=zone).astimezone(ZoneInfo("UTC")),
            datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone).astimezone(ZoneInfo("UTC")))


def _day(session: Session, column: Any, tz: str) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(tz, column), Date)
    return func.date(column)  # SQLite: the embedded default stores UTC; days are UTC days there


def summary(session: Session, *, start: date, end: date, tz: str, cpm: Decimal, currency: str,
            caps: FollowerCaps, team_id: int | None = None) -> dict[str, Any]:
    lo, hi = window(start, end, tz)
    shares = select(Share).where(Share.created_at >= lo, Share.created_at < hi)
    comments = select(Comment).where(Comment.created_at >= lo, Comment.created_at < hi, Comment.deleted_at.is_(None))
    clicks = select(Click).join(Share, Share.id == Click.share_id).where(Click.created_at >= lo, Click.created_at < hi)
    people = select(User.id).where(User.is_active.is_(True), User.erased_at.is_(None), User.role != "admin")
    if team_id is not None:
        shares = shares.where(Share.team_id == team_id)
        clicks = clicks.where(Share.team_id == team_id)
        members = select(TeamMembership.user_id).where(TeamMembership.team_id == team_id)
        comments = comments.where(Comment.user_id.in_(members))
        people = people.where(User.id.in_(members))
    s, c, k = shares.subquery(), comments.subquery(), clicks.subquery()
    p = people.subquery()

    eligible = session.scalar(select(func.count()).select_from(p)) or 0
    actors = union(select(s.c.user_id), select(c.c.user_id)).subquery()
    active = session.scalar(select(func.count(distinct(actors.c.user_id))).where(
        actors.c.user_id.in_(select(p.c.id)))) or 0
    by_network = {n: cnt for n, cnt in session.execute(select(s.c.network, func.count()).group_by(s.c.network))}
    reach = int(session.scalar(select(reach_rules.total(s.c.follower_snapshot, s.c.network, caps))) or 0)
    n_comments = session.scalar(select(func.count()).select_from(c)) or 0
    n_clicks = session.scalar(select(func.count()).select_from(k)) or 0
    emv = (Decimal(reach) / 1000 * cpm).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {
        "window": {"from": start, "to": end, "timezone": tz},
        "team_id": team_id,
        "participation": {"eligible": eligible, "active": active,
                          "rate": round(active / eligible, 4) if eligible else 0.0},
        "shares": sum(by_network.values()),
        "shares_by_network": by_network,
        "comments": n_comments,
        "clicks": n_clicks,
        "estimated_reach": reach,
        "reach_check": reach_rules.check(session, s, caps),
        "earned_media_value": {"amount": str(emv), "currency": currency, "cpm": str(cpm)},
        "top_posts": _top_posts(session, s, k),
        "top_advocates": _top_advocates(session, s, k),
        "by_team": [] if team_id is not None else _by_team(session, s, c, k, caps),
        "series": _series(session, s, c, k, start, end, tz, caps),
    }


def _top_posts(session: Session, s: Any, k: Any) -> list[dict[str, Any]]:
    share_counts = select(s.c.post_id, func.count().label("shares")).group_by(s.c.post_id).subquery()
    click_counts = (select(Share.post_id, func.count().label("clicks")).join(k, k.c.share_id == Share.id)
                    .group_by(Share.post_id).subquery())
    rows = session.execute(
        select(Post.id, Post.title, func.coalesce(share_counts.c.shares, 0), func.coalesce(click_counts.c.clicks, 0))
        .outerjoin(share_counts, share_counts.c.post_id == Post.id)
        .outerjoin(click_counts, click_counts.c.post_id == Post.id)
        .where((share_counts.c.shares > 0) | (click_counts.c.clicks > 0))
        .order_by(func.coalesce(click_counts.c.clicks, 0).desc(), func.coalesce(share_counts.c.shares, 0).desc(),
                  Post.id).limit(TOP)).all()
    return [{"post": {"id": pid, "title": title}, "shares": sh, "clicks": cl} for pid, title, sh, cl in rows]


def _top_advocates(session: Session, s: Any, k: Any) -> list[dict[str, Any]]:
    share_counts = select(s.c.user_id, func.count().label("shares")).group_by(s.c.user_id).subquery()
    click_counts = (select(Share.user_id, func.count().label("clicks")).join(k, k.c.share_id == Share.id)
                    .group_by(Share.user_id).subquery())
    rows = session.execute(
        select(User.id, User.display_name, share_counts.c.shares, func.coalesce(click_counts.c.clicks, 0))
        .join(share_counts, share_counts.c.user_id == User.id)
        .outerjoin(click_counts, click_counts.c.user_id == User.id)
        .where(User.is_active.is_(True), User.erased_at.is_(None), User.leaderboard_visible.is_(True),
               User.gamification_enabled.is_(True))
        .order_by(share_counts.c.shares.desc(), func.coalesce(click_counts.c.clicks, 0).desc(), User.id)
        .limit(TOP)).all()
    return [{"user": {"id": uid, "display_name": name}, "shares": sh, "clicks": cl} for uid, name, sh, cl in rows]


def _by_team(session: Session, s: Any, c: Any, k: Any, caps: FollowerCaps) -> list[dict[str, Any]]:
    shares = {t: (n, r) for t, n, r in session.execute(
        select(s.c.team_id, func.count(), reach_rules.total(s.c.follower_snapshot, s.c.network, caps))
        .group_by(s.c.team_id))}
    clicks = {t: n for t, n in session.execute(select(Share.team_id, func.count()).join(k, k.c.share_id == Share.id)
                                               .group_by(Share.team_id))}
    comments = {t: n for t, n in session.execute(
        select(TeamMembership.team_id, func.count()).join(c, c.c.user_id == TeamMembership.user_id)
        .group_by(TeamMembership.team_id))}
    members = {t: n for t, n in session.execute(
        select(TeamMembership.team_id, func.count()).join(User, User.id == TeamMembership.user_id)
        .where(User.is_active.is_(True), User.erased_at.is_(None), User.role != "admin")
        .group_by(TeamMembership.team_id))}
    out = []
    for tid, name in session.execute(select(Team.id, Team.name).order_by(Team.name)):
        n_shares, reach = shares.get(tid, (0, 0))
        out.append({"team": {"id": tid, "name": name}, "eligible": members.get(tid, 0), "shares": n_shares,
                    "comments": comments.get(tid, 0), "clicks": clicks.get(tid, 0), "estimated_reach": int(reach)})
    return out


def _series(session: Session, s: Any, c: Any, k: Any, start: date, end: date, tz: str,
            caps: FollowerCaps) -> list[dict[str, Any]]:
    days: dict[str, dict[str, Any]] = {}
    day = start
    while day <= end:
        days[day.isoformat()] = {"date": day, "shares": 0, "comments": 0, "clicks": 0, "estimated_reach": 0}
        day += timedelta(days=1)

    def fill(stmt: Any, *names: str) -> None:
        for row in session.execute(stmt):
            key = str(row[0])[:10]
            if key in days:
                for name, value in zip(names, row[1:], strict=True):
                    days[key][name] = int(value or 0)

    sd, cd, kd = _day(session, s.c.created_at, tz), _day(session, c.c.created_at, tz), _day(session, k.c.created_at, tz)
    fill(select(sd, func.count(), reach_rules.total(s.c.follower_snapshot, s.c.network, caps)).group_by(sd),
         "shares", "estimated_reach")
    fill(select(cd, func.count()).group_by(cd), "comments")
    fill(select(kd, func.count()).group_by(kd), "clicks")
    return list(days.values())


EXPORT_HEADER = ("share_id", "created_at", "post_id", "post_title", "network", "team", "sharer",
                 "personal_caption", "caption", "clicks", "reach_snapshot", "reach_counted")


def export_rows(session: Session, *, start: date, end: date, tz: str, caps: FollowerCaps, team_id: int | None = None):
    """Yield one tuple per share in the window, oldest first, streamed from the database.

    `reach_snapshot` is the follower count the sharer declared; `reach_counted` what the
    estimated reach counts of it (capped per network)."""
    lo, hi = window(start, end, tz)
    stmt = (select(Share.id, Share.created_at, Share.post_id, Post.title, Share.network, Team.name,
                   User.display_name, User.erased_at, Share.personal_caption, Share.caption, Share.click_count,
                   Share.follower_snapshot)
            .join(Post, Post.id == Share.post_id).outerjoin(Team, Team.id == Share.team_id)
            .outerjoin(User, User.id == Share.user_id)
            .where(Share.created_at >= lo, Share.created_at < hi).order_by(Share.id)
            .execution_options(yield_per=2000))
    if team_id is not None:
        stmt = stmt.where(Share.team_id == team_id)
    for row in session.execute(stmt):
        (sid, at, pid, title, network, team, name, erased, personal, caption, clicks, reach) = row
        yield (sid, at.isoformat(), pid, title, network, team or "", "" if erased else (name or ""),
               "yes" if personal else "no", "" if erased else (caption or ""), clicks, reach,
               min(reach, caps.cap(network)))


