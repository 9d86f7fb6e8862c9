"""Whether, when and where a notification is pushed — decided at send time, recorded per notification.

In order: push turned on (it is off until the person turns it on)? category on? inside
quiet hours in the person's own timezone → deferred to the end of the quiet hours (not
dropped)? today's pushes (in their timezone) already at `max_per_day` → inbox only? Then it
goes to every active device. Every outcome is written on the notification
(`delivery_status`, `delivery_reason`, `deferred_until`, `sent_at`) so support can answer
"why didn't I get it".
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models.notifications import CATEGORIES, Device, Notification, NotificationPreference


@dataclass(frozen=True)
class Decision:
    status: str  # send | skipped | deferred
    reason: str = ""
    until: datetime | None = None


def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def quiet_until(pref: NotificationPreference, now: datetime) -> datetime | None:
    """The end of the quiet period `now` falls in (UTC), or None when not in quiet hours.

    Works across midnight (22:00–07:00) and DST changes: the end is computed as a local
    wall-clock time on the right local date, then converted to UTC.
    """
    if not pref.quiet_start or not pref.quiet_end:
        return None
    tz = ZoneInfo(pref.timezone)
    local = now.astimezone(tz)
    start, end = _hhmm(pref.quiet_start), _hhmm(pref.quiet_end)
    t = local.time().replace(second=0, microsecond=0)
    if start == end:
        return None
    if start < end:
        inside = start <= t < end
        end_day = local.date()
    else:  # across midnight
        inside = t >= start or t < end
        end_day = local.date() + timedelta(days=1) if t >= start else local.date()
    if not inside:
        return None
    until = datetime.combine(end_day, end, tzinfo=tz)
    return until.astimezone(ZoneInfo("UTC"))


def local_midnight(pref: NotificationPreference | None, now: datetime) -> datetime:
    tz = ZoneInfo(pref.timezone if pref else "UTC")
    local = now.astimezone(tz)
    return datetime.combine(local.date(), time(0), tzinfo=tz).astimezone(ZoneInfo("UTC"))


def sent_today_many(session: Session, prefs: dict[int, NotificationPreference | None], now: datetime) -> dict[int, int]:
    """{user_id: pushes sent since their local midnight}, one grouped query per distinct midnight
    (usually one: most people share a few timezones)."""
    by_midnight: dict[datetime, list[int]] = defaultdict(list)
    for user_id, pref in prefs.items():
        by_midnight[local_midnight(pref, now)].append(user_id)
    counts: dict[int, int] = {}
    for midnight, user_ids in by_midnight.items():
        for start in range(0, len(user_ids), 1000):
            counts.update(session.execute(
                select(Notification.user_id, func.count()).where(
                    Notification.user_id.in_(user_ids[start:start + 1000]),
                    Notification.delivery_status.in_(("sent", "deferred")),  # deferred + sent_at: being sent
                    Notification.sent_at >= midnight).group_by(Notification.user_id)).all())
    return counts


def decide(pref: NotificationPreference | None, category: str, now: datetime, already_sent_today: int) -> Decision:
    if pref is None or not pref.push_enabled:
        return Decision("skipped", "push is off")
    if not (pref.categories or {}).get(category, True):
        return Decision("skipped", f"{category} notifications are off")
    until = quiet_until(pref, now)
    if until is not None:
        return Decision("deferred", "quiet hours", until)
    if already_sent_today >= pref.max_per_day:
        return Decision("skipped", f"daily limit of {pref.max_per_day} reached (inbox only)")
    return Decision("send")


def preference(session: Session, user_id: int, *, lock: bool = False) -> NotificationPreference | None:
    stmt = select(NotificationPreference).where(NotificationPreference.user_id == user_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def active_tokens(session: Session, user_ids: list[int]) -> dict[int, list[tuple[int, str, str]]]:
    """Each person's active devices as (device id, token, platform)."""
    out: dict[int, list[tuple[int, str, str]]] = {u: [] for u in user_ids}
    if user_ids:
        for device_id, user_id, token, platform in session.execute(
                select(Device.id, Device.user_id, Device.token, Device.platform)
                .where(Device.user_id.in_(user_ids), Device.active.is_(True)).order_by(Device.id)):
            out[user_id].append((device_id, token, platform))
    return out


_APP_ROUTES = {"posts": "posts/{}", "challenges": "challenges/{}", "badges": "badges/{}",
               "redemptions": "rewards#redemption-{}"}


def app_path(deep_link: str) -> str:
    """The staff app's path for a push's deep link: what a web push opens when tapped
    (`stafet://posts/12` → `/app/posts/12`; anything unknown → the inbox). The app maps the
    same links the same way (staff_app/src/deep-links.ts)."""
    kind, _, rest = deep_link.removeprefix("stafet://").partition("/")
    if kind in _APP_ROUTES and re.fullmatch(r"[a-z0-9][a-z0-9-]*", rest):
        return "/app/" + _APP_ROUTES[kind].format(rest)
    if kind == "feed" and not rest:
        return "/app/"
    return "/app/inbox"


def payload_data(notification: Notification) -> dict[str, str]:
    """FCM data values must be strings; category, notification_id and deep_link are always there."""
    data: dict[str, Any] = {k: v for k, v in (notification.data or {}).items() if v is not None}
    data.update(category=notification.category, notification_id=notification.id,
                deep_link=(notification.data or {}).get("deep_link") or "stafet://inbox")
    return {str(k): str(v) for k, v in data.items()}


DEFAULT_CATEGORIES = {c: True for c in CATEGORIES}
