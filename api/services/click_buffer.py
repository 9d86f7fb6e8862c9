"""Counted clicks, written in batches: the redirect answers at once and a thread per web process
writes what it saw every CLICK_FLUSH_SECONDS (default 0.2) in one statement.

Why: when a share goes viral the redirect is the most-hit endpoint, and a click written per
request costs a database write, a commit and a queue round trip each — and every one of them
updates the same share row. A batch writes N clicks (with their activity events and outbox rows,
in one transaction as before) for about the cost of one, and queues one tally job.

What it costs: a click is in the database a fraction of a second later; if the process is
killed outright (not stopped: a stop flushes) the clicks of that fraction of a second are lost —
never a redirect. A batch that fails (the database restarting) is kept and written on a later
tick; at most MAX_PENDING clicks wait, beyond that the oldest are dropped with a warning.
Counting stays exact: one click per visitor per share per day is still the database's unique key.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

MAX_PENDING = 100_000
BATCH = 1_000
T = TypeVar("T")


class ClickBuffer(Generic[T]):
    """The items (clicks) this process has answered but not yet written, and the thread that
    writes them every `interval` seconds through `write(batch) -> how many counted`, which the
    caller supplies (api/redirects.py: its own transaction in an application context)."""

    def __init__(self, write: Callable[[list[T]], int], interval: float) -> None:
        self.write = write
        self.interval = interval
        self._pending: list[T] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._owner_pid = 0

    def add(self, item: T) -> None:
        with self._lock:
            self._pending.append(item)
            if len(self._pending) > MAX_PENDING:
                dropped = len(self._pending) - MAX_PENDING
                del self._pending[:dropped]
                log.warning("click buffer full: %d click(s) dropped", dropped)
            self._ensure_thread()

    def _ensure_thread(self) -> None:
        # Started on first use in each (forked) web worker: a thread does not survive fork.
        if self._thread is None or not self._thread.is_alive() or self._owner_pid != os.getpid():
            self._owner_pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="stafet-clicks", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        delay = self.interval
        while True:
            time.sleep(delay)
            try:
                self.flush()
                delay = self.interval
            except Exception:  # the database is away: keep the clicks, try again a little later
                log.warning("could not write buffered clicks; trying again", exc_info=True)
                delay = min(max(delay * 2, self.interval), 5.0)

    def flush(self) -> int:
        """Write every pending item now; returns how many were counted (new visitor that day)."""
        counted = 0
        while True:
            with self._lock:
                batch, self._pending = self._pending[:BATCH], self._pending[BATCH:]
            if not batch:
                return counted
            try:
                counted += self.write(batch)
            except BaseException:
                with self._lock:
                    self._pending[:0] = batch  # back in front, in order, for the next attempt
                raise

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)
