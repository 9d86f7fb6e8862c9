"""The workers' side of the API's job port (api.jobs.JobGateway): outbox topics become RQ jobs.

`install(app)` is called by the composition root (api.cli.compose): it sets up the queues
(Redis, or in-process jobs when REDIS_URL is unset) and gives the app a `QueueGateway`, which
looks each topic up in the explicit table of workers/registry.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from flask import Flask

from api import jobs
from workers import queues
from workers.registry import HANDLERS

log = logging.getLogger(__name__)


def _batch_options(topic: str) -> dict[str, Any]:
    """One queued batch job per topic at a time: while one waits, more events need no new job
    (it drains everything when it runs). The id is freed as soon as the job ends (result_ttl 0,
    failure_ttl 60 s) so the next event — or the sweeper — can queue it again."""
    return {"job_id": f"{topic}-batch", "result_ttl": 0, "failure_ttl": 60}


def jobs_for(topic: str, ref_ids: Sequence[int]) -> list[tuple[Callable[..., Any], tuple, dict[str, Any]]]:
    """(function, args, enqueue options) for the rows of `topic`: one job for a batch topic, else
    one per row."""
    handler = HANDLERS.get(topic)
    if handler is None:
        log.error("no handler for outbox topic %s", topic)
        return []
    if handler.batch:
        return [(handler.func, (), {"queue": handler.queue, **_batch_options(topic)})]
    prefix = handler.job_id_prefix
    return [(handler.func, (ref_id,), {"queue": handler.queue, "job_id": f"{prefix}-{ref_id}" if prefix else None})
            for ref_id in ref_ids]


class QueueGateway:
    """Dispatches outbox topics to RQ (or the in-process runner) for one app."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def dispatch(self, topic: str, ref_ids: Sequence[int]) -> None:
        for func, args, options in jobs_for(topic, ref_ids):
            queues.enqueue(func, *args, **options)

    def readiness(self) -> dict[str, str]:
        if not self.app.config.get("REDIS_URL"):
            return {"queue": "embedded"}
        try:
            queues.redis_connection().ping()
            return {"redis": "ok"}
        except Exception as exc:  # readiness reports; it never raises
            return {"redis": f"unavailable: {type(exc).__name__}"}


def install(app: Flask) -> None:
    queues.init_app(app)
    jobs.install(app, QueueGateway(app))
