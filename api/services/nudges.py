"""Lead nudges: a friendly reminder to one team, at most once per team per day (ORG_TIMEZONE)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.clock import local_date, utcnow
from api.errors import NotFound, TooManyRequests
from api.models.notifications import TeamNudge
from api.models.posts import Post
from api.models.teams import TeamMembership
from api.models.users import User
from api.services import inbox, teams
from api.services.visibility import live_posts, targeted_at_teams


def _seconds_to_tomorrow(tz: str) -> int:
    now = utcnow()
    tomorrow = datetime.combine(local_date(now, tz) + timedelta(days=1), time(0), tzinfo=ZoneInfo(tz))
    return max(1, int((tomorrow - now).total_seconds()))


def nudge(session: Session, sender: User, team_id: int, *, title: str, body: str, post_id: int | None,
          timezone: str) -> int:
    """Notify the team's active members; returns how many. 429 when the team was nudged today."""
    team = teams.require_lead_of(session, sender, team_id)
    # The post must be one the team's members can open: a link to another team's post would show
    # them a 404 (and tell the sender which ids are live posts elsewhere).
    if post_id is not None and session.scalar(
            live_posts().where(Post.id == post_id, targeted_at_teams([team.id]))) is None:
        raise NotFound(f"There is no live post {post_id} for {team.name}.")
    day = local_date(utcnow(), timezone)
    try:
        with session.begin_nested():
            record = TeamNudge(team_id=team.id, sender_id=sender.id, day=day, title=title, body=body,
                               post_id=post_id)
            session.add(record)
            session.flush()
    except IntegrityError:
        raise TooManyRequests(f"{team.name} was already nudged today; try again tomorrow.",
                              retry_after=_seconds_to_tomorrow(timezone)) from None
    members = session.scalars(select(User.id).join(TeamMembership, TeamMembership.user_id == User.id).where(
        TeamMembership.team_id == team.id, User.is_active.is_(True), User.erased_at.is_(None), User.id != sender.id))
    link = f"stafet://posts/{post_id}" if post_id else "stafet://feed"
    count = 0
    for uid in members:
        if inbox.notify(session, uid, "reminders", title, body, data={"deep_link": link, "nudge_id": record.id},
                        dedupe_key=f"nudge:{record.id}:u{uid}") is not None:
            count += 1
    return count
