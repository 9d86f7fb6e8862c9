"""`make bench BENCH=tally`: tally throughput and worker memory on PostgreSQL.

100,000 mixed activity events (shares, clicks, comments, comment deletions, accepted
suggestions) over 10,000 users are tallied by ONE `stafet worker` process (RQ, real
Redis). Throughput is events per second from the job's start to its end, reported as a
ratio to inserting the same number of ledger rows with one batched INSERT in the same
database in the same run (target >= 0.20). The worker's peak RSS is reported too
(target < 300 MB). Settings: BENCH_EVENTS (100000), BENCH_USERS (10000).
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

from redis import Redis
from rq.serializers import JSONSerializer
from sqlalchemy import create_engine, insert, text

from api.models.scoring import DEFAULT_RULES
from api.services.scoring import share_award
from tests.perf import benchkit
from tests.perf.benchkit import Result

EVENTS = int(os.environ.get("BENCH_EVENTS", 100_000))
USERS = int(os.environ.get("BENCH_USERS", 10_000))


def _seed(engine, events: int, users: int) -> None:
    """Users, teams, posts, and the events with their facts and outbox rows, generated in SQL. Each
    person's shares are of different posts or networks (a repeat would earn nothing: not the work
    being measured)."""
    shares = events * 40 // 100
    clicks = events * 40 // 100
    comments = events * 15 // 100
    deletions = events * 3 // 100
    suggestions = events - shares - clicks - comments - deletions
    with engine.begin() as c:
        c.execute(text("""
            INSERT INTO users (email, display_name, role, is_active, gamification_enabled, leaderboard_visible,
                               created_at, updated_at)
            SELECT 'u' || g || '@bench.test', 'User ' || g, CASE WHEN g % 500 = 0 THEN 'admin' ELSE 'staff' END,
                   true, g % 50 <> 0, true, now(), now()
            FROM generate_series(1, :users) g"""), {"users": users})
        c.execute(text("INSERT INTO teams (name, name_key, created_at) SELECT 'Team ' || g, 'team ' || g, now() FROM generate_series(1, 100) g"))
        c.execute(text("""
            INSERT INTO team_memberships (team_id, user_id, is_lead, joined_at)
            SELECT 1 + (id % 100), id, false, now() FROM users"""))
        c.execute(text("""
            INSERT INTO posts (title, body, media, suggested_captions, networks, pinned, status, notify, author_id,
                               created_at, updated_at)
            SELECT 'Post ' || g, '', '[]', '{}', '["linkedin", "x", "facebook", "instagram"]', false, 'published',
                   false, g, now(), now()
            FROM generate_series(1, 50) g"""))
        c.execute(text("""
            INSERT INTO shares (post_id, user_id, network, personal_caption, code, follower_snapshot, click_count,
                                created_at)
            SELECT 1 + (g + g / :users) % 50, 1 + g % :users,
                   (ARRAY['linkedin','x','facebook','instagram'])[1 + (g / :users) % 4],
                   g % 3 = 0, 's' || g, 0, 0, now()
            FROM generate_series(1, :n) g"""), {"users": users, "n": shares})
        c.execute(text("""
            INSERT INTO comments (post_id, user_id, body, created_at)
            SELECT 1 + g % 50, 1 + (g * 7) % :users, 'Nice', now() FROM generate_series(1, :n) g"""),
                  {"users": users, "n": comments})
        c.execute(text("""
            INSERT INTO suggestions (user_id, title, body, status, created_at)
            SELECT 1 + (g * 13) % :users, 'Idea', '', 'approved', now() FROM generate_series(1, :n) g"""),
                  {"users": users, "n": suggestions})
        # Interleave the kinds over 30 days; a deletion comes an hour after its comment.
        c.execute(text("""
            INSERT INTO activity_events (kind, dedupe_key, user_id, post_id, share_id, comment_id, suggestion_id,
                                         network, payload, occurred_at)
            SELECT kind, dedupe_key, user_id, post_id, share_id, comment_id, suggestion_id, network, '{}', occurred
            FROM (
              SELECT 'share_created' kind, 'share:' || s.id dedupe_key, s.user_id, s.post_id, s.id share_id,
                     NULL::int comment_id, NULL::int suggestion_id, s.network,
                     timestamptz '2026-01-01' + (s.id * interval '25 seconds') occurred FROM shares s
              UNION ALL
              SELECT 'click_counted', 'click:' || g, s.user_id, s.post_id, s.id, NULL, NULL, s.network,
                     timestamptz '2026-01-01' + (s.id * interval '25 seconds') + interval '2 hours'
              FROM generate_series(1, :clicks) g JOIN shares s ON s.id = 1 + (g * 31) % :shares
              UNION ALL
              SELECT 'comment_created', 'comment:' || m.id, m.user_id, m.post_id, NULL, m.id, NULL, NULL,
                     timestamptz '2026-01-01' + (m.id * interval '60 seconds') FROM comments m
              UNION ALL
              SELECT 'comment_deleted', 'comment_deleted:' || m.id, m.user_id, m.post_id, NULL, m.id, NULL, NULL,
                     timestamptz '2026-01-01' + (m.id * interval '60 seconds') + interval '1 hour'
              FROM comments m WHERE m.id <= :deletions
              UNION ALL
              SELECT 'suggestion_accepted', 'suggestion:' || x.id, x.user_id, NULL, NULL, NULL, x.id, NULL,
                     timestamptz '2026-01-01' + (x.id * interval '500 seconds') FROM suggestions x
            ) e ORDER BY occurred"""), {"clicks": clicks, "shares": shares, "deletions": deletions})
        c.execute(text("""
            INSERT INTO outbox_messages (topic, ref_id, created_at, dispatched_at, attempts)
            SELECT 'tally', id, now(), now(), 0 FROM activity_events"""))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("VACUUM ANALYZE"))


def _baseline_rows_per_second(engine, n: int) -> float:
    """Rows/s of one batched INSERT of n ledger rows (rolled back)."""
    from api.models.ledger import LedgerEntry

    at = datetime.now(UTC)
    points, _bonus = share_award(DEFAULT_RULES, "linkedin", personal=False, repeat=False)
    rows = [{"user_id": 1 + i % USERS, "amount": points, "action": "share", "dedupe_key": f"baseline:{i}",
             "reason": "Shared on linkedin", "event_id": None, "rule_version": 0, "team_id": 1 + i % 100,
             "post_id": 1 + i % 50, "created_by_id": None, "created_at": at} for i in range(n)]
    with engine.connect() as c:
        trans = c.begin()
        start = time.perf_counter()
        c.execute(insert(LedgerEntry.__table__), rows)
        elapsed = time.perf_counter() - start
        trans.rollback()
    return n / elapsed


def _tally_with_one_worker(env: dict[str, str]) -> tuple[float, float, int]:
    """(seconds the tally job ran, worker peak RSS in MB, events tallied)."""
    from rq import Queue

    redis = Redis.from_url(env["REDIS_URL"])
    queue = Queue("tally", connection=redis, serializer=JSONSerializer)
    queue.empty()
    job = queue.enqueue("workers.jobs.tally.tally_events", job_timeout=3600, result_ttl=600)
    rss = benchkit.run_measured(["worker", "--burst", "tally"], env)
    job.refresh()
    if job.get_status() != "finished":
        raise RuntimeError(f"tally job ended {job.get_status()}: {job.latest_result()}")
    assert job.started_at and job.ended_at
    seconds = (job.ended_at - job.started_at).total_seconds()
    return seconds, rss, int(job.return_value() or 0)


def run() -> list[Result]:
    with benchkit.database("stafet_bench_tally") as (url, env):
        engine = create_engine(url)
        t0 = time.perf_counter()
        _seed(engine, EVENTS, USERS)
        print(f"   seeded {EVENTS:,} events over {USERS:,} users in {time.perf_counter() - t0:.1f} s", flush=True)
        # The baseline is measured before (empty ledger) and after the tally (full ledger, or a busier
        # machine) and the faster one is used: the conservative ratio.
        before = _baseline_rows_per_second(engine, EVENTS)
        seconds, rss, tallied = _tally_with_one_worker(env)
        after = _baseline_rows_per_second(engine, EVENTS)
        baseline = max(before, after)
        print(f"   baseline: {before:,.0f} rows/s before, {after:,.0f} rows/s after the tally", flush=True)
        with engine.connect() as c:
            left = c.execute(text("SELECT count(*) FROM outbox_messages WHERE topic = 'tally' AND processed_at IS NULL")).scalar()
            entries = c.execute(text("SELECT count(*) FROM ledger_entries")).scalar()
        engine.dispose()
    print(f"   tallied {tallied:,} events into {entries:,} entries in {seconds:.1f} s ({left} left)", flush=True)
    if left:
        raise RuntimeError(f"{left} events were not tallied")
    return [
        Result("tally throughput (events/s, 1 worker) vs one batched INSERT of ledger rows", tallied / seconds,
               "events/s", baseline=baseline, target=0.20),
        Result("tally worker peak RSS", rss, "MB", target=300, lower_is_better=True),
    ]
