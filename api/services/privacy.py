"""Privacy rights: a person's data on request (GDPR art. 15/20) and its erasure (art. 17).

Erasure anonymises rather than deletes the account row: the ledger, shares, clicks and
redemptions stay (with no personal data) so balances, analytics and stock stay correct.
What goes: email, name, password, invite, captions, comment and suggestion text, devices,
refresh tokens and sessions, idempotency replays (they hold response bodies), notification
preferences and inbox, social profiles, team memberships and policy acceptances; the audit log's
events about them lose the account typed and any name (audit.forget).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.errors import Conflict
from api.models.auth_tokens import AuthSession, RefreshToken
from api.models.badges import BadgeAward
from api.models.comments import Comment
from api.models.idempotency import IdempotencyRecord
from api.models.ledger import LedgerEntry
from api.models.notifications import Device, Notification, NotificationPreference
from api.models.policies import PolicyAcceptance
from api.models.posts import Suggestion
from api.models.rewards import Redemption, Reward
from api.models.shares import Share
from api.models.teams import TeamMembership
from api.models.users import SocialProfile, User
from api.services import audit
from api.services import users as users_service

ERASED_NAME = "Former colleague"
ERASED_TEXT = ""


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _rows(session: Session, stmt, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    out = []
    for row in session.scalars(stmt):
        item = {}
        for name in fields:
            value = getattr(row, name)
            item[name] = _iso(value) if isinstance(value, datetime) else value
        out.append(item)
    return out


def export(session: Session, user: User) -> dict[str, Any]:
    """Every personal datum we hold about `user`, as plain JSON."""
    prefs = session.get(NotificationPreference, user.id)
    badges = [
        {"code": a.badge.code, "name": a.badge.name, "awarded_at": _iso(a.awarded_at),
         "revoked_at": _iso(a.revoked_at), "revoke_reason": a.revoke_reason}
        for a in session.scalars(select(BadgeAward).where(BadgeAward.user_id == user.id).order_by(BadgeAward.id))
    ]
    redemptions = [
        {"id": r.id, "reward": name, "cost": r.cost, "status": r.status, "note": r.note,
         "created_at": _iso(r.created_at), "updated_at": _iso(r.updated_at)}
        for r, name in session.execute(
            select(Redemption, Reward.name).join(Reward, Reward.id == Redemption.reward_id)
            .where(Redemption.user_id == user.id).order_by(Redemption.id)
        )
    ]
    return {
        "exported_at": utcnow().isoformat(),
        "profile": {
            **users_service.profile(session, user),
            "created_at": _iso(user.created_at),
            "activated_at": _iso(user.activated_at),
            "last_active_at": _iso(user.last_active_at),
        },
        "devices": _rows(session, select(Device).where(Device.user_id == user.id).order_by(Device.id),
                         ("id", "token", "platform", "app_version", "locale", "timezone", "active", "created_at",
                          "last_seen_at")),
        "notification_preferences": None if prefs is None else {
            "push_enabled": prefs.push_enabled, "categories": prefs.categories,
            "quiet_hours": {"start": prefs.quiet_start, "end": prefs.quiet_end} if prefs.quiet_start else None,
            "timezone": prefs.timezone, "max_per_day": prefs.max_per_day,
        },
        "shares": _rows(session, select(Share).where(Share.user_id == user.id).order_by(Share.id),
                        ("id", "post_id", "network", "caption", "personal_caption", "code", "follower_snapshot",
                         "click_count", "created_at")),
        "comments": _rows(session, select(Comment).where(Comment.user_id == user.id).order_by(Comment.id),
                          ("id", "post_id", "body", "created_at", "deleted_at")),
        "suggestions": _rows(session, select(Suggestion).where(Suggestion.user_id == user.id).order_by(Suggestion.id),
                             ("id", "title", "body", "link_url", "image_url", "status", "note", "created_at")),
        "ledger": _rows(session, select(LedgerEntry).where(LedgerEntry.user_id == user.id).order_by(LedgerEntry.id),
                        ("id", "amount", "action", "reason", "post_id", "created_at")),
        "badges": badges,
        "redemptions": redemptions,
        "sessions": _rows(session, select(AuthSession).where(AuthSession.user_id == user.id).order_by(AuthSession.id),
                          ("id", "device", "app", "created_at", "last_used_at", "revoked_at")),
        "policy_acceptances": _rows(session, select(PolicyAcceptance).where(PolicyAcceptance.user_id == user.id)
                                    .order_by(PolicyAcceptance.version), ("version", "accepted_at")),
        "notifications": _rows(session,
                               select(Notification).where(Notification.user_id == user.id).order_by(Notification.id),
                               ("id", "category", "title", "body", "data", "created_at", "read_at",
                                "delivery_status", "delivery_reason")),
    }


def erase(session: Session, user: User) -> None:
    """Anonymise `user` for good: they can no longer sign in and nothing personal remains.

    The last active admin cannot erase themselves (the organisation would be locked out):
    another admin must be appointed first.
    """
    if user.role == "admin" and user.is_active and users_service.active_admin_count(session) <= 1:
        raise Conflict("You are the last active admin: appoint another admin before erasing your account.")
    uid = user.id
    session.execute(update(Share).where(Share.user_id == uid).values(caption=None))
    session.execute(
        update(Comment).where(Comment.user_id == uid)
        .values(body=ERASED_TEXT, deleted_at=utcnow(), deleted_by_id=uid)
    )
    session.execute(
        update(Suggestion).where(Suggestion.user_id == uid)
        .values(title="(erased)", body=ERASED_TEXT, link_url=None, image_url=None)
    )
    for model in (Device, RefreshToken, IdempotencyRecord, NotificationPreference, Notification, SocialProfile,
                  TeamMembership, AuthSession, PolicyAcceptance):
        session.execute(delete(model).where(model.user_id == uid))  # type: ignore[attr-defined]
    audit.forget(session, uid)  # the audit log keeps that events happened, not what named them
    user.email = None
    user.display_name = ERASED_NAME
    user.password_hash = None
    user.invite_token_hash = None
    user.invite_expires_at = None
    user.is_active = False
    user.leaderboard_visible = False
    user.gamification_enabled = False
    user.erased_at = utcnow()
    session.flush()
    session.expire(user)
