"""A tiny per-process cache with a time to live, for read-heavy data that may be seconds old."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any


class TtlCache:
    """Values by key for `seconds` each; past `max_entries` the stale ones go, else the oldest
    quarter. A computed None is not kept (an unknown key stays unknown only until asked again).

    `clock` gives the time in seconds (monotonic by default); tests pass a clock they move, so
    expiry is tested without waiting for it."""

    def __init__(self, max_entries: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_entries = max_entries
        self.clock = clock
        self._store: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, seconds: float, compute: Callable[[], Any]) -> Any:
        if seconds <= 0:
            return compute()
        now = self.clock()
        hit = self._store.get(key)  # a dict read is atomic: no lock on the hot path
        if hit is not None and hit[0] > now:
            return hit[1]
        value = compute()
        if value is None:
            return None
        with self._lock:
            if len(self._store) >= self.max_entries:
                stale = [k for k, (exp, _v) in self._store.items() if exp <= now]
                for old in stale or list(self._store)[: self.max_entries // 4]:
                    self._store.pop(old, None)
            self._store[key] = (now + seconds, value)
        return value

    def forget(self, kind: str | None = None) -> None:
        """Drop every entry, or those whose key is a tuple starting with `kind`."""
        with self._lock:
            if kind is None:
                self._store.clear()
                return
            for key in [k for k in self._store if isinstance(k, tuple) and k and k[0] == kind]:
                self._store.pop(key, None)


shared = TtlCache(256)  # feed pages, leaderboard tables, analytics summaries


def cached(key: Hashable, seconds: float, compute: Callable[[], Any]) -> Any:
    return shared.get(key, seconds, compute)


def forget(kind: str) -> None:
    shared.forget(kind)
