"""Periodic gentle reminders (weekly digest, 14-day inactivity nudge); see api/services/reminders.py."""

from __future__ import annotations

from api.db import db
from api.services import reminders
from workers.queues import job


@job
def send_reminders() -> int:
    """Idempotent: each reminder has a dedupe key, so running hourly sends each at most once."""
    sent = reminders.weekly_digest(db.session) + reminders.inactivity_nudges(db.session)
    db.commit()
    return sent

