"""Queue names, enqueueing, and the embedded mode when REDIS_URL is unset.

Production: RQ on Redis with the JSON serializer, deterministic job ids and retries.
Embedded (no Redis): the same job functions run in this process after the request's
commit (api.outbox dispatches through workers.gateway), on one background thread (or
inline, for tests: EMBEDDED_JOBS=inline).
Nothing depends on a job being delivered: every job re-reads the database, and the
outbox sweeper re-enqueues anything accepted but not yet processed.
"""

from __future__ import annotations

import logging
import queue as stdlib_queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Flask, current_app, has_app_context
from redis import Redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError
from rq.job import Job
from rq.serializers import JSONSerializer

from api.db import db
from api.observability.metrics import JOBS

log = logging.getLogger(__name__)

TALLY, PUSH, DEFAULT = "tally", "push", "default"
QUEUE_NAMES = (TALLY, PUSH, DEFAULT)
DEFAULT_RETRY = Retry(max=5, interval=[5, 15, 60, 300, 900])

_worker_app: Flask | None = None


def set_worker_app(app: Flask) -> None:
    """The app job functions run in when no app context is active (the RQ worker process)."""
    global _worker_app
    _worker_app = app


def job(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a job function in a fresh application context (its own DB session)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        app = current_app._get_current_object() if has_app_context() else _worker_app  # type: ignore[attr-defined]
        if app is None:
            raise RuntimeError("no Flask app for this job: call workers.queues.set_worker_app(app) first")
        with app.app_context():
            try:
                result = fn(*args, **kwargs)
            except Exception:
                JOBS.labels(fn.__name__, "failed").inc()
                db.rollback()
                raise
            JOBS.labels(fn.__name__, "ok").inc()
            return result

    return wrapper


@dataclass
class EmbeddedRunner:
    """Runs jobs in this process: on one daemon thread, or inline when `inline`."""

    app: Flask
    inline: bool = False
    _queue: stdlib_queue.Queue = field(default_factory=stdlib_queue.Queue)
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _pending: set[str] = field(default_factory=set)

    def submit(self, func: Callable[..., Any], args: tuple, job_id: str | None) -> None:
        if self.inline:
            self._run(func, args)
            return
        with self._lock:
            if job_id and job_id in self._pending:
                return
            if job_id:
                self._pending.add(job_id)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="stafet-jobs", daemon=True)
                self._thread.start()
        self._queue.put((func, args, job_id))

    def _run(self, func: Callable[..., Any], args: tuple) -> None:
        with self.app.app_context():
            try:
                func(*args)
            except Exception:  # the outbox sweep / periodic jobs retry; never kill the loop
                log.exception("embedded job %s failed", getattr(func, "__name__", func))

    def _loop(self) -> None:
        while True:
            func, args, job_id = self._queue.get()
            with self._lock:
                self._pending.discard(job_id)
            self._run(func, args)
            self._queue.task_done()

    def drain(self, timeout: float = 30.0) -> None:
        """Wait until every submitted job ran (tests, shutdown)."""
        if not self.inline:
            self._queue.join()


def init_app(app: Flask) -> None:
    state: dict[str, Any] = {}
    if app.config.get("REDIS_URL"):
        state["redis"] = Redis.from_url(app.config["REDIS_URL"], socket_timeout=5, socket_connect_timeout=2)
    else:
        state["runner"] = EmbeddedRunner(app, inline=app.config.get("EMBEDDED_JOBS") == "inline")
    app.extensions["stafet.queues"] = state


def _state() -> dict[str, Any]:
    return current_app.extensions["stafet.queues"]


def redis_connection() -> Redis:
    return _state()["redis"]


def get_queue(name: str, connection: Redis | None = None) -> Queue:
    return Queue(name, connection=connection or redis_connection(), serializer=JSONSerializer)


def embedded_runner() -> EmbeddedRunner | None:
    return _state().get("runner")


def enqueue(
    func: Callable[..., Any],
    *args: Any,
    queue: str = DEFAULT,
    job_id: str | None = None,
    retry: Retry | None = DEFAULT_RETRY,
    at_front: bool = False,
    result_ttl: int = 60,
    failure_ttl: int = 7 * 24 * 3600,
) -> None:
    """Enqueue `func(*args)` now. Args must be JSON values (ids, not objects).

    A `job_id` makes the job unique while it is queued or running: a second enqueue of
    the same id is dropped (the job will see the latest state when it runs anyway).
    """
    runner = embedded_runner()
    if runner is not None:
        runner.submit(func, args, job_id)
        return
    if job_id is not None and redis_connection().exists(Job.key_for(job_id)):
        return  # queued or running: one round trip instead of RQ's full unique-enqueue transaction
    try:
        get_queue(queue).enqueue(
            func,
            args=args,
            job_id=job_id,
            unique=job_id is not None,
            retry=retry,
            at_front=at_front,
            result_ttl=result_ttl,
            failure_ttl=failure_ttl,
        )
    except DuplicateJobError:
        log.debug("job %s already queued", job_id)
