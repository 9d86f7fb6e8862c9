"""Push delivery: `send_pending` (outbox topic "push": one queued job drains every new inbox
notification, so a badge storm or a nudge to a big team costs a few FCM calls of up to 500,
not a job each), `fan_out_post` (topic "post_published") and `send_deferred` (periodic: quiet
hours over, retries due).

Three steps, so no database transaction is open during the network call:
1. decide and claim (one transaction): skipped / deferred are final for now; "send"
   claims the notification for LEASE seconds — `deferred` with `sent_at` set and reason
   "sending" — so it counts against the daily limit at once, no other deliverer takes it, and
   if this worker dies before step 3 `send_deferred` sends it again once the lease is over
   (at least once: a worker killed between FCM's answer and step 3 makes a duplicate, never a
   loss);
2. send to FCM in calls of up to 500 messages;
3. record what FCM said: `sent`; unusable tokens deactivate their device; a transient failure
   defers the notification for a retry with exponential backoff (honouring Retry-After),
   giving up after MAX_ATTEMPTS.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from api.clock import utcnow
from api.db import db, insert_ignore
from api.models.activity import OutboxMessage
from api.models.notifications import Device, Notification, NotificationPreference
from api.models.posts import Post
from api.outbox import ANNOUNCE as ANNOUNCE_TOPIC
from api.outbox import PUSH as PUSH_TOPIC
from api.outbox import mark_processed
from api.services import push as push_service
from api.services.visibility import targeted_user_ids
from workers import fcm
from workers.queues import job

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
LEASE = timedelta(seconds=120)  # longer than an FCM call may take (fcm.HTTP_TIMEOUT) plus step 3
BASE_BACKOFF = 30  # seconds; doubled per attempt
CHUNK = fcm.MAX_BATCH


def _transport() -> fcm.Transport:
    return fcm.transport(current_app.config.get("FCM_CREDENTIALS"))


def _web_link(platform: str, deep_link: str) -> str | None:
    """A web push opens the staff app at the notification's page (an absolute URL, as FCM requires)."""
    if platform != "web":
        return None
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + push_service.app_path(deep_link)


def _decide_and_claim(ids: list[int]) -> list[tuple[int, int, fcm.PushMessage]]:
    """Step 1 for these notifications; returns (notification_id, device_id, message) to send."""
    session = db.session
    now = utcnow()
    due = select(Notification).where(
        Notification.id.in_(ids),
        (Notification.delivery_status == "pending")
        | ((Notification.delivery_status == "deferred") & (Notification.deferred_until <= now))
    ).order_by(Notification.id)
    if session.get_bind().dialect.name == "postgresql":
        # Two deliverers never take the same notification (an overlapping deferred sweep, a fan-out
        # and a single send): the second skips rows the first holds, and sees them sent afterwards.
        due = due.with_for_update(skip_locked=True)
    rows = list(session.scalars(due))
    if not rows:
        return []
    user_ids = sorted({n.user_id for n in rows})
    prefs = {p.user_id: p for p in session.scalars(select(NotificationPreference).where(
        NotificationPreference.user_id.in_(user_ids)).with_for_update()
        if session.get_bind().dialect.name == "postgresql" else
        select(NotificationPreference).where(NotificationPreference.user_id.in_(user_ids)))}
    counts = push_service.sent_today_many(session, {u: p for u, p in prefs.items() if p.push_enabled}, now)
    tokens = push_service.active_tokens(session, user_ids)
    out: list[tuple[int, int, fcm.PushMessage]] = []
    for n in sorted(rows, key=lambda r: r.id):
        decision = push_service.decide(prefs.get(n.user_id), n.category, now, counts.get(n.user_id, 0))
        if decision.status == "send" and not tokens[n.user_id]:
            decision = push_service.Decision("skipped", "no active device")
        if decision.status == "send":
            n.delivery_status, n.sent_at, n.delivery_reason, n.deferred_until = "deferred", now, "sending", now + LEASE
            n.attempts += 1
            counts[n.user_id] = counts.get(n.user_id, 0) + 1
            data = push_service.payload_data(n)
            out += [(n.id, device_id, fcm.PushMessage(token, n.category, n.title, n.body, data, platform=platform,
                                                      link=_web_link(platform, data["deep_link"])))
                    for device_id, token, platform in tokens[n.user_id]]
        else:
            n.delivery_status, n.delivery_reason, n.deferred_until = decision.status, decision.reason, decision.until
    db.commit()
    return out


def _send(batch: list[tuple[int, int, fcm.PushMessage]]) -> list[fcm.Outcome]:
    transport = _transport()
    outcomes: list[fcm.Outcome] = []
    for start in range(0, len(batch), CHUNK):
        chunk = [m for _n, _d, m in batch[start:start + CHUNK]]
        try:
            outcomes += transport.send(chunk)
        except Exception as exc:  # FCM unreachable altogether: treat every message as transient
            log.warning("FCM call failed (%s); will retry", exc)
            outcomes += [fcm.Outcome("retry", type(exc).__name__)] * len(chunk)
    return outcomes


def _record(batch: list[tuple[int, int, fcm.PushMessage]], outcomes: list[fcm.Outcome]) -> None:
    session = db.session
    now = utcnow()
    per_notification: dict[int, list[fcm.Outcome]] = defaultdict(list)
    dead: dict[int, str] = {}
    for (nid, device_id, _m), outcome in zip(batch, outcomes, strict=True):
        per_notification[nid].append(outcome)
        if outcome.status == "invalid_token":
            dead[device_id] = outcome.detail
    for device_id, reason in dead.items():
        session.execute(update(Device).where(Device.id == device_id, Device.active.is_(True))
                        .values(active=False, deactivated_at=now, deactivation_reason=reason[:80]))
    notifications = {n.id: n for n in session.scalars(
        select(Notification).where(Notification.id.in_(list(per_notification))))}
    for nid, results in per_notification.items():
        n = notifications.get(nid)
        if n is None:
            continue
        sent = sum(r.status == "sent" for r in results)
        retry = [r for r in results if r.status == "retry"]
        config = [r for r in results if r.status == "config_error"]
        if sent:
            n.delivery_status, n.deferred_until = "sent", None
            n.delivery_reason = None if sent == len(results) else f"sent to {sent} of {len(results)} devices"
        elif retry and n.attempts < MAX_ATTEMPTS:
            wait = max(max(r.retry_after for r in retry), BASE_BACKOFF * 2 ** (n.attempts - 1))
            n.delivery_status, n.sent_at = "deferred", None
            n.deferred_until = now + timedelta(seconds=wait)
            n.delivery_reason = f"FCM {retry[0].detail}: retry {n.attempts} of {MAX_ATTEMPTS - 1}"
        elif retry or config:
            n.delivery_status, n.sent_at = "failed", None
            n.delivery_reason = config[0].detail if config else f"gave up after {n.attempts} attempts"
        else:
            n.delivery_status, n.sent_at = "skipped", None
            n.delivery_reason = "no valid device: " + ", ".join(sorted({r.detail or r.status for r in results}))
    db.commit()


def deliver(ids: list[int]) -> int:
    """Decide, send and record for these notifications; returns how many FCM messages were sent."""
    batch = _decide_and_claim(ids)
    if not batch:
        return 0
    outcomes = _send(batch)
    _record(batch, outcomes)
    return sum(o.status == "sent" for o in outcomes)


@job
def send_pending() -> int:
    """Deliver every notification whose "push" outbox row is unprocessed, CHUNK at a time."""
    total = 0
    while True:
        ids = list(db.session.scalars(select(OutboxMessage.ref_id).where(OutboxMessage.pending(PUSH_TOPIC))
                                      .order_by(OutboxMessage.id).limit(CHUNK)))
        db.commit()
        if not ids:
            return total
        total += deliver(ids)
        # After delivery: a crash before this re-runs the batch, and what was claimed is not taken
        # twice; notifications another deliverer held are that deliverer's to send.
        mark_processed(db.session, PUSH_TOPIC, ids)
        db.commit()
        if len(ids) < CHUNK:
            return total


@job
def send_deferred() -> int:
    """Send what quiet hours or a transient FCM error held back, now that its time has come."""
    total = 0
    while True:
        due = list(db.session.scalars(select(Notification.id).where(
            Notification.delivery_status == "deferred", Notification.deferred_until <= utcnow())
            .order_by(Notification.id).limit(CHUNK)))
        db.commit()
        if not due:
            return total
        total += deliver(due)
        if len(due) < CHUNK:
            return total


@job
def fan_out_post(post_id: int) -> int:
    """Inbox notifications for everyone a newly published post targets, then pushes in bulk."""
    session = db.session
    post = session.get(Post, post_id)
    if post is None or post.deleted_at is not None:
        mark_processed(session, ANNOUNCE_TOPIC, [post_id])
        db.commit()
        return 0
    users = list(session.scalars(targeted_user_ids(session, post)))
    data = {"deep_link": f"stafet://posts/{post.id}", "post_id": post.id}
    table = Notification.__table__
    for start in range(0, len(users), 1000):
        session.execute(insert_ignore(table, session), [
            {"user_id": uid, "category": "new_content", "title": post.title[:200], "body": post.body[:240],
             "data": data, "dedupe_key": f"post:{post.id}:u{uid}", "delivery_status": "pending", "attempts": 0,
             "created_at": utcnow()} for uid in users[start:start + 1000]])
    mark_processed(session, ANNOUNCE_TOPIC, [post_id])
    db.commit()
    pending = list(session.scalars(select(Notification.id).where(
        Notification.dedupe_key.like(f"post:{post.id}:u%"), Notification.delivery_status == "pending")))
    db.commit()
    sent = 0
    for start in range(0, len(pending), 2000):
        sent += deliver(pending[start:start + 2000])
    log.info("post %s announced to %d people (%d pushes)", post_id, len(users), sent)
    return sent


def pending_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.delivery_status == "pending")) or 0

