"""Keep a long-running Redis consumer alive across Redis restarts.

An RQ worker exits when Redis goes away (a restart, a failover). Rather than rely on a
supervisor to notice, `stafet worker` starts a fresh worker once Redis answers again;
nothing is lost meanwhile, because the outbox sweeper re-enqueues what Redis forgot.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

MAX_DELAY = 30.0


def run_reconnecting(run: Callable[[], None], what: str, *, sleep: Callable[[float], None] = time.sleep) -> None:
    """Call `run` until it returns normally; after a Redis connection error, wait (1 s, doubling
    to 30 s) and call it again."""
    delay = 1.0
    while True:
        try:
            run()
            return
        except (RedisConnectionError, RedisTimeoutError) as exc:
            log.warning("%s lost Redis (%s); starting again in %.0f s", what, exc, delay)
            sleep(delay)
            delay = min(delay * 2, MAX_DELAY)
