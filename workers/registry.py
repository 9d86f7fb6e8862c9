"""Which job handles each outbox topic, and which jobs run periodically: one explicit table each.

Nothing registers itself on import: a job module only defines functions, and this module names
the ones the outbox (api/outbox.py topics) and the schedulers (workers/schedule.py) run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api import outbox as topics
from workers import queues
from workers.jobs import challenges, mail, maintenance, publishing, push, reminders, tally
from workers.outbox import sweep_outbox


@dataclass(frozen=True)
class Handler:
    """How a topic is processed: `batch` jobs take no args and drain all pending work
    (e.g. tally); otherwise the job takes the row's ref_id (e.g. a post id)."""

    func: Callable[..., Any]
    queue: str = queues.DEFAULT
    batch: bool = False
    job_id_prefix: str | None = None


@dataclass(frozen=True)
class Periodic:
    func: Callable[..., Any]
    every_seconds: int
    queue: str = queues.DEFAULT


HANDLERS: dict[str, Handler] = {
    topics.TALLY: Handler(tally.tally_events, queue=queues.TALLY, batch=True),
    topics.PUSH: Handler(push.send_pending, queue=queues.PUSH, batch=True),
    topics.ANNOUNCE: Handler(push.fan_out_post, queue=queues.PUSH, job_id_prefix="announce"),
    topics.MAIL: Handler(mail.send_mail, job_id_prefix="mail"),
}

PERIODIC: tuple[Periodic, ...] = (
    Periodic(sweep_outbox, 5),
    Periodic(maintenance.purge_idempotency_records, 3600),
    Periodic(maintenance.purge_audit_events, 3600),
    Periodic(maintenance.purge_finished_sign_ins, 3600),
    Periodic(publishing.publish_due_posts, 30),
    Periodic(push.send_deferred, 15, queue=queues.PUSH),
    Periodic(reminders.send_reminders, 3600),
    Periodic(challenges.run_challenges, 30),
    Periodic(mail.send_due_mail, 30),
)
