"""Badges: criteria evaluated after each tally batch, awarded once, never taken away by rule changes.

Criteria (`Badge.criteria`):
- `{"type": "count", "action": A, "threshold": N, "window_days": W?}` — at least N earning
  ledger entries of action A (within the last W days when given);
- `{"type": "streak", "action": A, "threshold": N}` — entries of action A on N
  consecutive days (calendar days in ORG_TIMEZONE), at any time.
Evaluation is a delta: only the users of the batch. An award is unique per (badge, user);
later rule edits never remove it, only an admin may revoke one (kept, with the reason).
People who left gamification earn none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.clock import local_date, utcnow
from api.db import insert_ignore
from api.errors import NotFound
from api.models.badges import Badge, BadgeAward
from api.models.ledger import LedgerEntry
from api.models.users import User
from api.services import inbox
from api.services.notification_texts import text

DEFAULT_BADGES = (
    ("first-share", "First share", "You shared your first story.", {"type": "count", "action": "share",
                                                                    "threshold": 1}),
    ("ten-shares", "Storyteller", "10 stories shared.", {"type": "count", "action": "share", "threshold": 10}),
    ("fifty-shares", "Amplifier", "50 stories shared.", {"type": "count", "action": "share", "threshold": 50}),
    ("own-words", "In your own words", "Your first share with a caption you wrote yourself.",
     {"type": "count", "action": "personal_caption_bonus", "threshold": 1}),
    ("five-day-streak", "On a roll", "Shared on 5 days in a row.", {"type": "streak", "action": "share",
                                                                    "threshold": 5}),
    ("hundred-clicks", "Crowd puller", "100 clicks earned on your shares.",
     {"type": "count", "action": "click", "threshold": 100}),
)


def longest_run(days: Iterable[date]) -> int:
    best = run = 0
    previous: date | None = None
    for day in sorted(set(days)):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    return best


def _qualifying(session: Session, badge: Badge, user_ids: list[int], timezone: str) -> list[int]:
    criteria = badge.criteria
    base = select(LedgerEntry.user_id).where(LedgerEntry.user_id.in_(user_ids),
                                             LedgerEntry.action == criteria["action"], LedgerEntry.amount > 0)
    if criteria["type"] == "count":
        if criteria.get("window_days"):
            base = base.where(LedgerEntry.created_at >= utcnow() - timedelta(days=int(criteria["window_days"])))
        rows = session.execute(base.add_columns(func.count()).group_by(LedgerEntry.user_id)
                               .having(func.count() >= int(criteria["threshold"])))
        return [uid for uid, _n in rows]
    days: dict[int, set[date]] = defaultdict(set)
    for uid, at in session.execute(base.add_columns(LedgerEntry.created_at)):
        days[uid].add(local_date(at, timezone))
    return [uid for uid, d in days.items() if longest_run(d) >= int(criteria["threshold"])]


def evaluate_after_tally(session: Session, user_ids: Iterable[int], *, timezone: str) -> list[int]:
    """Award every badge whose criteria the given users now meet; returns the new award ids.

    Called by the tally worker inside its transaction, for the users of the batch only; a streak
    counts calendar days in `timezone` (the organisation's, ORG_TIMEZONE).
    """
    ids = sorted(set(user_ids))
    if not ids:
        return []
    active = list(session.scalars(select(Badge).where(Badge.active.is_(True)).order_by(Badge.id)))
    if not active:
        return []
    eligible = list(session.scalars(select(User.id).where(User.id.in_(ids), User.gamification_enabled.is_(True),
                                                           User.is_active.is_(True), User.erased_at.is_(None))))
    if not eligible:
        return []
    awarded: list[int] = []
    for badge in active:
        have = set(session.scalars(select(BadgeAward.user_id).where(BadgeAward.badge_id == badge.id,
                                                                    BadgeAward.user_id.in_(eligible))))
        todo = [u for u in eligible if u not in have]
        for uid in _qualifying(session, badge, todo, timezone) if todo else []:
            row = session.execute(insert_ignore(BadgeAward.__table__, session)
                                  .values(badge_id=badge.id, user_id=uid, awarded_at=utcnow())
                                  .returning(BadgeAward.__table__.c.id)).first()
            if row is None:
                continue
            awarded.append(row[0])
            inbox.notify(session, uid, "badges", text("badge.new.title", name=badge.name), badge.description,
                         data={"deep_link": f"stafet://badges/{badge.code}", "badge_code": badge.code},
                         dedupe_key=f"badge:{badge.id}:u{uid}")
    return awarded


def rebuild(session: Session, *, timezone: str) -> int:
    """Award every badge anyone with ledger entries meets but lacks (`stafet rebuild-projections`).
    Never takes a badge away, and a revoked award stays revoked. Returns the number awarded."""
    users = list(session.scalars(select(LedgerEntry.user_id).distinct().order_by(LedgerEntry.user_id)))
    return sum(len(evaluate_after_tally(session, users[i:i + 1000], timezone=timezone))
               for i in range(0, len(users), 1000))


def get_badge(session: Session, badge_id: int) -> Badge:
    badge = session.get(Badge, badge_id)
    if badge is None:
        raise NotFound(f"There is no badge {badge_id}.")
    return badge


def create_badge(session: Session, data: dict[str, Any]) -> Badge:
    """A code another badge has is refused by the unique badges.code (a 409, api/conflicts.py)."""
    badge = Badge(**data)
    session.add(badge)
    session.flush()
    return badge


def update_badge(session: Session, badge: Badge, data: dict[str, Any]) -> Badge:
    """Edits apply to future evaluations; badges already earned stay earned. A taken code is a 409
    from the unique badges.code."""
    for name, value in data.items():
        setattr(badge, name, value)
    session.flush()
    return badge


def revoke(session: Session, badge: Badge, user_id: int, reason: str, admin_id: int) -> BadgeAward:
    award = session.scalar(select(BadgeAward).where(BadgeAward.badge_id == badge.id, BadgeAward.user_id == user_id,
                                                    BadgeAward.revoked_at.is_(None)))
    if award is None:
        raise NotFound(f"User {user_id} does not hold the badge {badge.code}.")
    award.revoked_at, award.revoked_by_id, award.revoke_reason = utcnow(), admin_id, reason
    session.flush()
    return award


def catalog(session: Session, user_id: int) -> list[dict[str, Any]]:
    earned = {b: at for b, at in session.execute(select(BadgeAward.badge_id, BadgeAward.awarded_at).where(
        BadgeAward.user_id == user_id, BadgeAward.revoked_at.is_(None)))}
    return [{**view(b), "earned_at": earned.get(b.id)}
            for b in session.scalars(select(Badge).where(Badge.active.is_(True)).order_by(Badge.id))]


def mine(session: Session, user_id: int) -> list[dict[str, Any]]:
    awards = session.scalars(select(BadgeAward).where(BadgeAward.user_id == user_id, BadgeAward.revoked_at.is_(None))
                             .order_by(BadgeAward.awarded_at.desc(), BadgeAward.id.desc()))
    return [{"badge": view(a.badge), "awarded_at": a.awarded_at} for a in awards]


def view(badge: Badge) -> dict[str, Any]:
    return {"id": badge.id, "code": badge.code, "name": badge.name, "description": badge.description,
            "icon_url": badge.icon_url}


def admin_view(session: Session, badge: Badge) -> dict[str, Any]:
    holders = session.scalar(select(func.count()).select_from(BadgeAward).where(
        BadgeAward.badge_id == badge.id, BadgeAward.revoked_at.is_(None))) or 0
    return {**view(badge), "criteria": badge.criteria, "active": badge.active, "holders": holders}


def seed_defaults(session: Session) -> int:
    existing = set(session.scalars(select(Badge.code)))
    created = 0
    for code, name, description, criteria in DEFAULT_BADGES:
        if code not in existing:
            session.add(Badge(code=code, name=name, description=description, criteria=criteria))
            created += 1
    return created
