"""A tiny per-process cache with a time to live, for read-heavy figures that may be a minute old."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

_store: dict[Hashable, tuple[float, Any]] = {}
_lock = threading.Lock()
MAX_ENTRIES = 256


def cached(key: Hashable, seconds: float, compute: Callable[[], Any]) -> Any:
    if seconds <= 0:
        return compute()
    now = time.monotonic()
    with _lock:
        hit = _store.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
    value = compute()
    with _lock:
        if len(_store) >= MAX_ENTRIES:
            for stale in [k for k, (exp, _v) in _store.items() if exp <= now] or list(_store)[:MAX_ENTRIES // 4]:
                _store.pop(stale, None)
        _store[key] = (now + seconds, value)
    return value


def forget(kind: str) -> None:
    """Drop every entry whose key is a tuple starting with `kind` (e.g. after the data changed)."""
    with _lock:
        for key in [k for k in _store if isinstance(k, tuple) and k and k[0] == kind]:
            _store.pop(key, None)
