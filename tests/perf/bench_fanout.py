"""`make bench BENCH=fanout`: publishing a post to 50,000 opted-in devices with one worker.

The fan-out job (inbox rows, push decisions, firebase-admin calls of 500) runs in its own
process against PostgreSQL and the local fake FCM server (answering at once, served from the
bench's own process so the worker's peak memory is the worker's alone). Baseline, in
the same run: calling `messaging.send_each_for_multicast` directly with the same number of
messages in calls of 500 (target ratio >= 0.5). Also reports the worker's peak memory.
Settings: BENCH_DEVICES (50000).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from sqlalchemy import create_engine, text

from tests.perf import benchkit
from tests.perf.benchkit import PY, ROOT, Result

DEVICES = int(os.environ.get("BENCH_DEVICES", 50_000))


def _seed(url: str, n: int) -> int:
    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(text("""INSERT INTO users (email, display_name, role, is_active, gamification_enabled,
                          leaderboard_visible, created_at, updated_at)
                          SELECT 'f' || g || '@bench.test', 'Fan ' || g, 'staff', true, true, true, now(), now()
                          FROM generate_series(1, CAST(:n AS int)) g"""), {"n": n})
        c.execute(text("""INSERT INTO notification_preferences (user_id, push_enabled, categories, timezone,
                          max_per_day, updated_at)
                          SELECT id, true, '{}', 'UTC', 20, now() FROM users"""))
        c.execute(text("""INSERT INTO devices (user_id, token, token_hash, platform, active, created_at, last_seen_at)
                          SELECT id, 'token-' || id, md5('token-' || id), 'android', true, now(), now()
                          FROM users"""))
        post_id = c.execute(text("""INSERT INTO posts (title, body, media, suggested_captions, networks, pinned,
                          status, publish_at, notify, created_at, updated_at)
                          VALUES ('Big news', 'Read it', '[]', '{}', '["linkedin"]', false, 'published', now(), true,
                          now(), now()) RETURNING id""")).scalar_one()
    engine.dispose()
    return post_id


def child(mode: str, post_id: int, n: int) -> None:
    """Runs in a fresh process: the worker's job (`fanout`) or the direct SDK baseline (`direct`)."""

    from tests.fake_fcm import FakeFCMClient, firebase_transport

    fake = FakeFCMClient(os.environ["BENCH_FAKE_FCM_URL"])  # served by the parent: its memory is not ours
    with firebase_transport(fake) as transport:
        start = time.perf_counter()
        if mode == "fanout":
            from api.cli import compose
            from workers import fcm
            from workers.jobs.push import fan_out_post

            fcm.set_transport(transport)
            app = compose()
            with app.app_context():
                sent = fan_out_post(post_id)
        else:
            from firebase_admin import messaging

            sent = 0
            for first in range(0, n, 500):
                tokens = [f"token-{i}" for i in range(first + 1, min(n, first + 500) + 1)]
                message = messaging.MulticastMessage(tokens=tokens, data={"category": "new_content"},
                                                     notification=messaging.Notification(title="Big news"))
                sent += messaging.send_each_for_multicast(message, app=transport.app).success_count
        seconds = time.perf_counter() - start
    from tests.perf.benchkit import own_peak_mb

    peak = own_peak_mb()
    print(json.dumps({"sent": sent, "seconds": seconds, "peak_mb": peak}))


def _run_child(env: dict[str, str], mode: str, post_id: int) -> dict:
    out = subprocess.run([PY, "-W", "ignore", "-c",
                          f"from tests.perf.bench_fanout import child; child({mode!r}, {post_id}, {DEVICES})"],
                         env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> list[Result]:
    with benchkit.database("stafet_bench_fanout") as (url, env):
        env = {**env, "REDIS_URL": ""}
        env.pop("REDIS_URL")
        post_id = _seed(url, DEVICES)
        from tests.fake_fcm import FakeFCM

        fake = FakeFCM().start()
        env["BENCH_FAKE_FCM_URL"] = fake.url
        try:
            direct = _run_child(env, "direct", post_id)
            fanout = _run_child(env, "fanout", post_id)
        finally:
            fake.stop()
    assert fanout["sent"] == DEVICES, fanout
    return [
        Result("direct send_each_for_multicast (baseline)", direct["sent"] / direct["seconds"], "msg/s"),
        Result("fan-out job, one worker", fanout["sent"] / fanout["seconds"], "msg/s",
               direct["sent"] / direct["seconds"], 0.5),
        Result("fan-out worker peak memory", fanout["peak_mb"], "MB", target=300, lower_is_better=True),
    ]


if __name__ == "__main__":
    sys.exit(0)
