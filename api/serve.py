"""gunicorn as a library: `stafet serve` runs the same app object in production and in `make run`."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def _start_embedded_scheduler(_worker: Any) -> None:
    from workers.schedule import EmbeddedScheduler

    EmbeddedScheduler(_Server.current_app).start()  # type: ignore[attr-defined]


def _flush_clicks(_arbiter: Any, _worker: Any) -> None:
    """A worker that stops writes the clicks it has answered but not yet written."""
    from api.services.click_buffer import buffer_of

    buffer = buffer_of(_Server.current_app)  # type: ignore[attr-defined]
    if buffer is not None:
        try:
            buffer.flush()
        except Exception:  # the database is away: nothing more to be done on the way out
            logging.getLogger(__name__).exception("could not write %d buffered click(s)", buffer.pending())


def run_gunicorn(app: Flask, *, host: str, port: int, workers: int, embedded: bool) -> None:
    options: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": 8 if embedded else 4,
        "worker_class": "gthread",
        "timeout": 60,
        "graceful_timeout": 20,
        "accesslog": None,
        "forwarded_allow_ips": "127.0.0.1",
        "worker_exit": _flush_clicks,
    }
    _Server.current_app = app  # type: ignore[attr-defined]
    if embedded:
        # Periodic jobs (outbox sweep, scheduled publishing, challenge closing) run in the one worker.
        options["post_worker_init"] = _start_embedded_scheduler
    _Server(app, options).run()
