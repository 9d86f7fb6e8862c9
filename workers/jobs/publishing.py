"""Scheduled publishing: announce `notify` posts whose `publish_at` has arrived.

Visibility needs no job (the feed compares `publish_at` with now); only the push fan-out
does, and `announce_if_due` makes it happen exactly once per post.
"""

from __future__ import annotations

from api.db import db
from api.services.posts import announce_if_due, due_announcements
from workers.queues import job


@job
def publish_due_posts() -> int:
    """Announce every due post; returns how many were announced by this run."""
    announced = 0
    for post_id in due_announcements(db.session):
        announced += announce_if_due(db.session, post_id)
    db.commit()
    return announced

