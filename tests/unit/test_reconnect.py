"""`stafet worker` survives Redis going away: it starts again, backing off, until Redis answers."""

from __future__ import annotations

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from workers.reconnect import run_reconnecting


def test_starts_again_after_redis_errors_with_backoff():
    attempts: list[int] = []
    waits: list[float] = []

    def run() -> None:
        attempts.append(1)
        if len(attempts) < 4:
            raise RedisConnectionError("Connection refused")

    run_reconnecting(run, "worker", sleep=waits.append)

    assert len(attempts) == 4 and waits == [1.0, 2.0, 4.0]


def test_other_errors_are_not_swallowed():
    def run() -> None:
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        run_reconnecting(run, "worker", sleep=lambda _s: None)
