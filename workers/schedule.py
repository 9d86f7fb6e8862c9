"""Running the periodic jobs declared in workers/registry.py.

Production runs them under RQ's own cron scheduler (`stafet cron`, which wraps
`rq.cron.CronScheduler`); the embedded mode (`make run` without Redis) runs the same
declarations on a thread in the web process. Every periodic job is idempotent, so a
missed or doubled tick is harmless.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask
from redis import Redis
from rq import Queue
from rq.cron import CronJob, CronScheduler
from rq.serializers import JSONSerializer

from workers.registry import PERIODIC

log = logging.getLogger(__name__)


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
    for periodic in PERIODIC:
        scheduler.register(periodic.func, queue_name=periodic.queue, interval=periodic.every_seconds,
                           result_ttl=60, failure_ttl=24 * 3600, job_timeout=600)
        scheduler._cron_jobs[-1].__class__ = JSONCronJob
    return scheduler


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
        due = {p.func: 0.0 for p in PERIODIC}
        while not self._stop.is_set():
            now = time.monotonic()
            for periodic in PERIODIC:
                if now >= due.get(periodic.func, 0.0):
                    due[periodic.func] = now + periodic.every_seconds
                    with self.app.app_context():
                        try:
                            periodic.func()
                        except Exception:
                            log.exception("periodic job %s failed", periodic.func.__name__)
            self._stop.wait(self.tick)
