"""Sending mail: `send_mail` (outbox topic "mail", one job per message) and `send_due_mail`
(periodic: messages whose retry is due, and any the fast path never reached).

Three steps, so no database transaction is open during the SMTP conversation (like push.py):
1. claim the message (one conditional UPDATE): not sent, not failed, due — and lease it for
   LEASE, so a second deliverer (the periodic job, a re-dispatched outbox row) leaves it alone;
2. send it through the transport (workers/mail.py);
3. record the outcome: `sent_at` (and the bodies cleared — they hold single-use links), or the
   error and the next attempt (exponential backoff from BASE_BACKOFF, at most MAX_BACKOFF apart),
   or `failed_at` when the server refused the message for good or MAX_ATTEMPTS ran out.

An SMTP outage therefore loses nothing: the message waits in `mail_messages` and goes out once
the server is back. A worker killed between the server's "250 OK" and step 3 sends it again when
the lease ends (at least once); the Message-ID stays the same so clients can tell.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import cast

from flask import current_app
from sqlalchemy import CursorResult, or_, select, update

from api.clock import utcnow
from api.db import db
from api.models.mail import MailMessage
from api.outbox import MAIL as MAIL_TOPIC
from api.outbox import mark_processed
from workers import mail as transports
from workers.queues import job

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 15
BASE_BACKOFF = 30  # seconds before the second attempt; doubled each time
MAX_BACKOFF = 3600
LEASE = timedelta(seconds=3 * transports.SMTP_TIMEOUT + 30)  # connect, TLS, send — then record
BATCH = 200


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min, … capped at an hour."""
    return timedelta(seconds=min(MAX_BACKOFF, BASE_BACKOFF * 2 ** (attempts - 1)))


def _due(now: datetime):
    return (MailMessage.sent_at.is_(None), MailMessage.failed_at.is_(None),
            or_(MailMessage.next_attempt_at.is_(None), MailMessage.next_attempt_at <= now))


def _claim(mail_id: int, now: datetime) -> MailMessage | None:
    claimed = cast(CursorResult, db.session.execute(
        update(MailMessage).where(MailMessage.id == mail_id, *_due(now))
        .values(attempts=MailMessage.attempts + 1, next_attempt_at=now + LEASE)))
    if claimed.rowcount != 1:
        db.commit()
        return None
    message = db.session.get(MailMessage, mail_id, populate_existing=True)
    db.commit()
    return message


def _email(m: MailMessage, mail_from: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = m.subject
    msg["From"] = mail_from
    msg["To"] = m.recipient
    msg["Date"] = format_datetime(m.created_at)
    domain = mail_from.rsplit("@", 1)[-1].rstrip(">").strip() or "localhost"
    msg["Message-ID"] = f"<stafet-{m.kind}-{m.id}.{int(m.created_at.timestamp())}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Stafet-Kind"] = m.kind
    msg.set_content(m.text or "")
    msg.add_alternative(m.html or "", subtype="html")
    msg["Content-Language"] = m.locale  # after the content: set_content drops Content-* headers
    return msg


def deliver(mail_id: int) -> str:
    """Claim, send and record one message; returns its status now (or `skipped`: not due, or
    another deliverer holds it, or it is already sent)."""
    now = utcnow()
    message = _claim(mail_id, now)
    if message is None:
        return "skipped"
    if message.text is None:  # bodies are only ever cleared once sent; never send an empty mail
        return "skipped"
    config = current_app.config
    outcome = transports.transport(config).send(_email(message, config["MAIL_FROM"]), sent_at=now, mail_id=mail_id)
    message = db.session.get(MailMessage, mail_id, populate_existing=True)
    assert message is not None
    done = utcnow()
    if outcome.status == "sent":
        message.sent_at, message.next_attempt_at, message.last_error = done, None, None
        message.text = message.html = None
    elif outcome.status == "retry" and message.attempts < MAX_ATTEMPTS:
        message.next_attempt_at = done + backoff(message.attempts)
        message.last_error = f"attempt {message.attempts}: {outcome.detail}"[:500]
        log.warning("mail %s (%s) not sent, attempt %d of %d: %s; next at %s", mail_id, message.kind,
                    message.attempts, MAX_ATTEMPTS, outcome.detail, message.next_attempt_at.isoformat())
    else:
        message.failed_at, message.next_attempt_at = done, None
        message.last_error = f"gave up after attempt {message.attempts}: {outcome.detail}"[:500]
        log.error("mail %s (%s) failed for good: %s", mail_id, message.kind, outcome.detail)
    db.commit()
    return "sent" if outcome.status == "sent" else ("failed" if message.failed_at else "waiting")


@job
def send_mail(mail_id: int) -> str:
    """Send one queued message (outbox topic "mail")."""
    status = deliver(mail_id)
    # Processed once tried: a retry is send_due_mail's, at the time the backoff says.
    mark_processed(db.session, MAIL_TOPIC, [mail_id])
    db.commit()
    return status


@job
def send_due_mail() -> int:
    """Send every message whose time has come (retries after an outage; any never tried)."""
    sent = 0
    seen: set[int] = set()
    while True:
        ids = [i for i in db.session.scalars(select(MailMessage.id).where(*_due(utcnow()))
                                             .order_by(MailMessage.id).limit(BATCH)) if i not in seen]
        db.commit()
        if not ids:
            return sent
        for mail_id in ids:
            seen.add(mail_id)
            sent += deliver(mail_id) == "sent"
