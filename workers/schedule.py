"""The periodic jobs, declared once.

Production runs them under RQ's own cron scheduler (`stafet cron`, which wraps
`rq.cron.CronScheduler`); the embedded mode (`make run` without Redis) runs the same
declarations on a thread in the web process. Every periodic job is idempotent, so a
missed or doubled tick is harmless.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from redis import Redis
from rq import Queue
from rq.cron import CronJob, CronScheduler
from rq.serializers import JSONSerializer

from workers import outbox
from workers.jobs import maintenance
from workers.queues import DEFAULT

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    func: Callable[..., Any]
    every_seconds: int
    queue: str = DEFAULT


PERIODIC: list[Periodic] = [
    Periodic(outbox.sweep_outbox, 5),
    Periodic(maintenance.purge_idempotency_records, 3600),
]


def register(periodic: Periodic) -> None:
    """Add a periodic job (feature modules call this at import of workers.schedule_all)."""
    if all(p.func is not periodic.func for p in PERIODIC):
        PERIODIC.append(periodic)


class JSONCronJob(CronJob):
    """rq's CronJob enqueues with the default (pickle) serializer; our workers speak JSON."""

    def enqueue(self, connection: Redis):  # type: ignore[override]
        if not self.func:
            raise ValueError("CronJob has no function to enqueue")
        queue = Queue(self.queue_name, connection=connection, serializer=JSONSerializer)
        job = queue.enqueue(self.func, args=self.args, kwargs=self.kwargs, **self.job_options)
        log.info("cron enqueued %s", self.func_name)
        return job


def cron_scheduler(connection: Redis) -> CronScheduler:
    scheduler = CronScheduler(connection=connection, name="stafet-cron")
    for periodic in all_periodic():
        scheduler.register(periodic.func, queue_name=periodic.queue, interval=periodic.every_seconds,
                           result_ttl=60, failure_ttl=24 * 3600, job_timeout=600)
        scheduler._cron_jobs[-1].__class__ = JSONCronJob
    return scheduler


def all_periodic() -> list[Periodic]:
    import workers.jobs as _jobs  # noqa: F401  (feature job modules register themselves on import)
    from workers import registry

    registry.load_all()
    return list(PERIODIC)


class EmbeddedScheduler:
    """Runs `PERIODIC` in the web process when there is no Redis (the `make run` default)."""

    def __init__(self, app: Flask, tick: float = 1.0) -> None:
        self.app = app
        self.tick = tick
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="stafet-cron", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        due = {p.func: 0.0 for p in all_periodic()}
        while not self._stop.is_set():
            now = time.monotonic()
            for periodic in all_periodic():
                if now >= due.get(periodic.func, 0.0):
                    due[periodic.func] = now + periodic.every_seconds
                    with self.app.app_context():
                        try:
                            periodic.func()
                        except Exception:
                            log.exception("periodic job %s failed", periodic.func.__name__)
            self._stop.wait(self.tick)
