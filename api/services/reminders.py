"""Gentle reminders (category `reminders`): a weekly digest of the top stories I have not shared,
and one nudge after 14 days without activity.

Both skip people who switched reminders off or left gamification, and both land in the
inbox first, so the push decision (opt-in, quiet hours, daily limit) still applies. Each is
sent at most once: the digest once per ISO week, the inactivity nudge once per quiet spell
(keyed by the date of the last activity).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.models.comments import Comment
from api.models.notifications import NotificationPreference
from api.models.posts import Post
from api.models.shares import Share
from api.models.users import User
from api.services import inbox
from api.services.notification_texts import text
from api.services.visibility import visible_posts

INACTIVE_AFTER = timedelta(days=14)
DIGEST_SIZE = 3


def _eligible(session: Session) -> list[int]:
    """Active people with gamification on who did not switch the reminders category off."""
    rows = session.execute(
        select(User.id, NotificationPreference.categories)
        .outerjoin(NotificationPreference, NotificationPreference.user_id == User.id)
        .where(User.is_active.is_(True), User.erased_at.is_(None), User.gamification_enabled.is_(True))
    ).all()
    return [uid for uid, categories in rows if (categories or {}).get("reminders", True)]


def weekly_digest(session: Session, now: datetime | None = None) -> int:
    now = now or utcnow()
    year, week, _ = now.isocalendar()
    since = now - timedelta(days=7)
    popular = (select(Share.post_id, func.count().label("n")).where(Share.created_at >= since)
               .group_by(Share.post_id).subquery())
    sent = 0
    for uid in _eligible(session):
        mine = select(Share.post_id).where(Share.user_id == uid)
        top = session.execute(
            visible_posts(uid, now).with_only_columns(Post.id, Post.title)
            .outerjoin(popular, popular.c.post_id == Post.id).where(Post.id.not_in(mine))
            .order_by(func.coalesce(popular.c.n, 0).desc(), Post.publish_at.desc()).limit(DIGEST_SIZE)
        ).all()
        if not top:
            continue
        body = "; ".join(title for _id, title in top)
        note = inbox.notify(session, uid, "reminders", text("digest.title"), body,
                            data={"deep_link": f"stafet://posts/{top[0][0]}", "post_id": top[0][0]},
                            dedupe_key=f"digest:{year}-W{week:02d}:u{uid}")
        sent += note is not None
    return sent


def inactivity_nudges(session: Session, now: datetime | None = None) -> int:
    now = now or utcnow()
    cutoff = now - INACTIVE_AFTER
    last_share = select(Share.user_id, func.max(Share.created_at).label("at")).group_by(Share.user_id).subquery()
    last_comment = (select(Comment.user_id, func.max(Comment.created_at).label("at"))
                    .group_by(Comment.user_id).subquery())
    eligible = set(_eligible(session))
    rows = session.execute(
        select(User.id, User.created_at, last_share.c.at, last_comment.c.at)
        .outerjoin(last_share, last_share.c.user_id == User.id)
        .outerjoin(last_comment, last_comment.c.user_id == User.id)
        .where(User.created_at <= cutoff)
    ).all()
    sent = 0
    for uid, created, shared, commented in rows:
        if uid not in eligible:
            continue
        last = max(t for t in (created, shared, commented) if t is not None)
        if last > cutoff:
            continue
        note = inbox.notify(session, uid, "reminders", text("inactive.title"), text("inactive.body"),
                            data={"deep_link": "stafet://feed"}, dedupe_key=f"inactive:u{uid}:{last.date()}")
        sent += note is not None
    return sent
