"""Small helpers for API tests: an authenticated JSON client and job draining."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from api.auth import issue_access_token
from api.models.users import User


def token_for(app: Flask, user: User) -> str:
    with app.test_request_context():
        return issue_access_token(user)


class ApiClient:
    """`client.as_(user).get("/feed")` → response; paths are relative to /api/v1."""

    def __init__(self, app: Flask, user: User | None = None, token: str | None = None) -> None:
        self.app = app
        self.flask: FlaskClient = app.test_client()
        self.user = user
        self.token = token

    def as_(self, user: User) -> ApiClient:
        return ApiClient(self.app, user, token_for(self.app, user))

    def _url(self, path: str) -> str:
        return path if path.startswith(("/api/", "/s/", "/healthz", "/readyz", "/metrics", "/console")) else "/api/v1" + path

    def open(self, method: str, path: str, *, headers: dict[str, str] | None = None, **kw: Any) -> TestResponse:
        headers = dict(headers or {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return self.flask.open(self._url(path), method=method, headers=headers, **kw)

    def get(self, path: str, **kw: Any) -> TestResponse:
        return self.open("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> TestResponse:
        return self.open("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> TestResponse:
        return self.open("PUT", path, **kw)

    def patch(self, path: str, **kw: Any) -> TestResponse:
        return self.open("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any) -> TestResponse:
        return self.open("DELETE", path, **kw)


def assert_problem(response: TestResponse, status: int, field: str | None = None) -> dict:
    """The response is an RFC 9457 problem with this status (and a message for `field`)."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/problem+json", response.mimetype
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    if field is not None:
        assert field in body.get("errors", {}), body
    return body


def run_jobs(app: Flask) -> int:
    """Run every queued RQ job for real (SimpleWorker, burst) until the queues are empty.

    For apps built with REDIS_URL (the `rq_app` fixture); returns the number of jobs run.
    Scheduled retries are moved to the queue first, so a retried job runs again here.
    """
    from rq import SimpleWorker
    from rq.registry import ScheduledJobRegistry
    from rq.serializers import JSONSerializer

    from workers import queues as q

    q.set_worker_app(app)
    total = 0
    with app.app_context():
        connection = q.redis_connection()
        qs = [q.get_queue(name, connection) for name in q.QUEUE_NAMES]
        for _ in range(20):
            for queue in qs:
                registry = ScheduledJobRegistry(queue=queue)
                for job_id in registry.get_job_ids():
                    registry.remove(job_id)
                    queue.enqueue_job(queue.fetch_job(job_id))
            pending = sum(queue.count for queue in qs)
            if not pending:
                break
            total += pending
            SimpleWorker(qs, connection=connection, serializer=JSONSerializer).work(burst=True)
    return total


def drain_embedded(app: Flask) -> None:
    """Wait for the embedded (thread) runner to finish its queued jobs."""
    from workers.queues import EmbeddedRunner

    state = app.extensions["stafet.queues"]
    runner: EmbeddedRunner | None = state.get("runner")
    if runner is not None:
        runner.drain()


def run_concurrently(app: Flask, target: Callable[[], Any], workers: int = 2) -> None:
    """Run `target` in `workers` threads at once (each in its own app context, released together
    by a barrier) and fail with their errors, if any."""
    import threading

    errors: list[BaseException] = []
    barrier = threading.Barrier(workers)

    def run() -> None:
        try:
            with app.app_context():
                barrier.wait()
                target()
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
