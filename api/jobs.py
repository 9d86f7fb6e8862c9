"""The port through which the API hands committed work to the job system.

`api/` never imports `workers/`: the outbox (api.outbox) calls the app's `JobGateway`, and
the `stafet` command's composition root (`api.cli.compose`) installs the one the workers
provide (RQ queues, or in-process jobs without Redis). An app built without one — a bare
`create_app()` — still writes every outbox row; it only leaves the dispatching to the
workers' outbox sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from flask import Flask, current_app

log = logging.getLogger(__name__)

EXTENSION = "stafet.jobs"


class JobGateway(Protocol):
    def dispatch(self, topic: str, ref_ids: Sequence[int]) -> None:
        """Queue the handler of `topic` for these committed outbox rows; raises if the queue is down."""
        ...

    def readiness(self) -> dict[str, str]:
        """What `/readyz` reports about the job system: {name: "ok" | "embedded" | "unavailable: …"}."""
        ...


class OutboxOnly:
    """No job system in this process: rows wait in the outbox until the workers' sweep sends them."""

    def dispatch(self, topic: str, ref_ids: Sequence[int]) -> None:
        log.debug("no job gateway installed: %s %s left to the outbox sweep", topic, list(ref_ids))

    def readiness(self) -> dict[str, str]:
        return {"queue": "outbox only"}


_OUTBOX_ONLY = OutboxOnly()


def install(app: Flask, gateway: JobGateway) -> None:
    app.extensions[EXTENSION] = gateway


def gateway(app: Flask | None = None) -> JobGateway:
    """The gateway of `app` (default: the current app)."""
    return (app or current_app).extensions.get(EXTENSION, _OUTBOX_ONLY)
