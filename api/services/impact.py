"""What my sharing achieved, and what we achieved together.

Staff keep sharing when they see the value *for themselves* (PRODUCT.md): my shares, the
counted clicks on them, the people they could reach, my streak and my place. `results` is
the organisation's side of the same story for everyone to read — figures only, never a
person, so it says nothing about people who left gamification or hid from leaderboards.

Periods are the leaderboards' (ISO week, calendar month, all time, in UTC), so "my rank
this week" and "my shares this week" count the same days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from api.clock import local_date, utcnow
from api.models.posts import Post
from api.models.shares import Click, Share
from api.models.users import User
from api.services import reach as reach_rules
from api.services.leaderboards import period_bounds
from api.services.reach import FollowerCaps

PERIODS = ("week", "month", "all_time")


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def streak_days(share_days: set[date], today: date) -> int:
    """Consecutive days with at least one share, ending today — or yesterday, so a streak
    is not shown as broken in the morning before today's share."""
    day = today if today in share_days else today - timedelta(days=1)
    run = 0
    while day in share_days:
        run += 1
        day -= timedelta(days=1)
    return run


def _period(period: str, now: datetime) -> tuple[dict[str, Any], datetime, datetime]:
    """The period as answered ({key, start, end}) and its moments [lo, hi); the open end of
    all time is tomorrow."""
    start, end = period_bounds(period, now.date())
    hi = _utc(end) if end is not None else now + timedelta(days=1)
    return {"key": period, "start": start, "end": end}, _utc(start), hi


def mine(session: Session, user: User, *, period: str, caps: FollowerCaps, rank: int | None,
         timezone: str) -> dict[str, Any]:
    """My impact in the period. `rank` is my place on the organisation's board (computed by the
    leaderboards, passed in); None when I left gamification. The streak counts calendar days in
    `timezone` (ORG_TIMEZONE), as the streak badges do, so "my streak" and "On a roll" agree."""
    now = utcnow()
    shown, lo, hi = _period(period, now)
    s = select(Share).where(Share.user_id == user.id, Share.created_at >= lo, Share.created_at < hi).subquery()
    clicks = (select(func.count()).select_from(Click).join(Share, Share.id == Click.share_id)
              .where(Share.user_id == user.id, Click.created_at >= lo, Click.created_at < hi)
              .correlate(None).scalar_subquery())
    n_shares, reached, n_clicks = session.execute(
        select(func.count(), reach_rules.total(s.c.follower_snapshot, s.c.network, caps), clicks)
        .select_from(s)).one()
    today = local_date(now, timezone)
    recent = select(Share.created_at).where(Share.user_id == user.id, Share.created_at >= now - timedelta(days=400))
    days = {local_date(at, timezone) for at in session.scalars(recent)}
    listed = user.gamification_enabled and user.leaderboard_visible
    return {
        "period": shown,
        "shares": int(n_shares or 0),
        "clicks": int(n_clicks or 0),
        "estimated_reach": int(reached or 0),
        "streak_days": streak_days(days, today),
        "rank": rank if user.gamification_enabled else None,
        "on_leaderboard": listed,
    }


def results(session: Session, *, period: str, caps: FollowerCaps) -> dict[str, Any]:
    """The organisation's figures for the period, with nothing about any person: participation
    (active advocates among eligible staff, as the admin dashboard counts them), shares,
    counted clicks and estimated reach. One query."""
    shown, lo, hi = _period(period, utcnow())
    shares = select(Share).where(Share.created_at >= lo, Share.created_at < hi).subquery()
    people = select(User.id).where(User.is_active.is_(True), User.erased_at.is_(None), User.role != "admin")
    eligible = select(func.count()).select_from(people.subquery()).scalar_subquery()
    active = (select(func.count(func.distinct(shares.c.user_id))).where(shares.c.user_id.in_(people))
              .correlate(None).scalar_subquery())
    clicks = (select(func.count()).select_from(Click).where(Click.created_at >= lo, Click.created_at < hi)
              .scalar_subquery())
    n_shares, reached, n_clicks, eligible, active = session.execute(
        select(func.count(), reach_rules.total(shares.c.follower_snapshot, shares.c.network, caps), clicks,
               eligible, active).select_from(shares)).one()
    eligible, active = int(eligible or 0), int(active or 0)
    return {
        "period": shown,
        "participation": {"eligible": eligible, "active": active,
                          "rate": round(active / eligible, 4) if eligible else 0.0},
        "shares": int(n_shares or 0),
        "clicks": int(n_clicks or 0),
        "estimated_reach": int(reached or 0),
    }


def top_posts(session: Session, *, period: str, visible: Select, top: int = 5) -> list[dict[str, Any]]:
    """The most clicked (then most shared) stories of the period among `visible` posts — the
    reader's own feed, so a story targeted at other teams is not revealed by its title."""
    _shown, lo, hi = _period(period, utcnow())
    shares = select(Share.post_id).where(Share.created_at >= lo, Share.created_at < hi).subquery()
    per_post_shares = select(shares.c.post_id, func.count().label("n")).group_by(shares.c.post_id).subquery()
    per_post_clicks = (select(Share.post_id, func.count().label("n")).join(Click, Click.share_id == Share.id)
                       .where(Click.created_at >= lo, Click.created_at < hi).group_by(Share.post_id).subquery())
    shared, clicked = func.coalesce(per_post_shares.c.n, 0), func.coalesce(per_post_clicks.c.n, 0)
    rows = session.execute(
        select(Post.id, Post.title, shared, clicked)
        .outerjoin(per_post_shares, per_post_shares.c.post_id == Post.id)
        .outerjoin(per_post_clicks, per_post_clicks.c.post_id == Post.id)
        .where((shared > 0) | (clicked > 0), Post.id.in_(visible.with_only_columns(Post.id)))
        .order_by(clicked.desc(), shared.desc(), Post.id).limit(top)).all()
    return [{"id": pid, "title": title, "shares": int(sh), "clicks": int(cl)} for pid, title, sh, cl in rows]
