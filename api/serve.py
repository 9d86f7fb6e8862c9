"""gunicorn as a library: `stafet serve` runs the same app object in production and in `make run`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from api.redirects import buffer_of
from api.request_limits import GUNICORN_LIMITS


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


def _flush_clicks(_arbiter: Any, _worker: Any) -> None:
    """A worker that stops writes the clicks it has answered but not yet written."""
    buffer = buffer_of(_Server.current_app)  # type: ignore[attr-defined]
    if buffer is not None:
        try:
            buffer.flush()
        except Exception:  # the database is away: nothing more to be done on the way out
            logging.getLogger(__name__).exception("could not write %d buffered click(s)", buffer.pending())


def run_gunicorn(app: Flask, *, host: str, port: int, workers: int, embedded: bool,
                 on_worker_start: Callable[[Flask], None] | None = None) -> None:
    """Serve `app`; `on_worker_start(app)` runs in each worker process once it is up (the `stafet`
    command passes the embedded scheduler there: this module knows nothing of the workers)."""
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
        **GUNICORN_LIMITS,  # above the app's own, which answer as problem+json (api.request_limits)
    }
    _Server.current_app = app  # type: ignore[attr-defined]
    if on_worker_start is not None:
        options["post_worker_init"] = lambda _worker: on_worker_start(app)
    _Server(app, options).run()
