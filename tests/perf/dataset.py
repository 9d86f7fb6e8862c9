"""The bench dataset, generated in SQL on PostgreSQL in seconds: 10,000 users in 20 teams,
5,000 posts (a fifth of them targeted), 200,000 shares over 90 days with clicks and comments,
and leaderboard totals for 100,000 people (the 10,000 plus 90,000 more who only have points).
Settings: BENCH_USERS, BENCH_POSTS, BENCH_SHARES, BENCH_RANKED."""

from __future__ import annotations

import os

from sqlalchemy import create_engine, text

from api.clock import utcnow
from api.services.ledger import PERIODS, period_day, period_start

USERS = int(os.environ.get("BENCH_USERS", 10_000))
POSTS = int(os.environ.get("BENCH_POSTS", 5_000))
SHARES = int(os.environ.get("BENCH_SHARES", 200_000))
RANKED = int(os.environ.get("BENCH_RANKED", 100_000))  # the leaderboard bench ranks this many people

STATEMENTS = (
    """INSERT INTO users (email, display_name, role, is_active, gamification_enabled, leaderboard_visible,
                          password_hash, created_at, updated_at)
       SELECT 'u' || g || '@bench.test', 'User ' || g, 'staff', true, true, g % 20 <> 0, 'no-password-login',
              now() - interval '200 days', now() FROM generate_series(1, :users) g""",
    "INSERT INTO teams (name, name_key, created_at) SELECT 'Team ' || g, 'team ' || g, now() FROM generate_series(1, 20) g",
    """INSERT INTO team_memberships (team_id, user_id, is_lead, joined_at)
       SELECT 1 + (id % 20), id, false, now() FROM users""",
    """INSERT INTO posts (title, body, link_url, media, suggested_captions, networks, campaign, pinned, status,
                          publish_at, notify, created_at, updated_at)
       SELECT 'Story ' || g, 'A story worth passing on, number ' || g, 'https://example.com/stories/' || g, '[]',
              '{"linkedin": "Proud of our team", "x": "Proud!"}', '["linkedin", "x", "facebook", "instagram"]',
              'campaign-' || (g % 30), g % 500 = 0, 'published', now() - (g || ' minutes')::interval, false, now(),
              now()
       FROM generate_series(1, :posts) g""",
    "INSERT INTO post_targets (post_id, team_id) SELECT id, 1 + (id % 20) FROM posts WHERE id % 5 = 0",
    # (post, user, network) repeats every 10,000 shares (7 is invertible mod 10,000): people share
    # again, and only the first share of a post on a network earns (shares.is_repeat).
    """INSERT INTO shares (post_id, user_id, network, caption, personal_caption, code, follower_snapshot, team_id,
                           click_count, created_at, is_repeat)
       SELECT 1 + g % :posts, 1 + (g * 7) % :users, (ARRAY['linkedin','x','facebook','instagram'])[1 + g % 4],
              CASE WHEN g % 3 = 0 THEN 'In my own words ' || g END, g % 3 = 0, 'bench' || g, 50 + g % 950,
              1 + ((1 + (g * 7) % :users) % 20), g % 4, now() - ((g % 129600) || ' minutes')::interval,
              g > 10000
       FROM generate_series(1, :shares) g""",
    """INSERT INTO clicks (share_id, day, visitor_hash, created_at)
       SELECT s.id, (s.created_at)::date, md5(s.id || '-' || k), s.created_at
       FROM shares s, generate_series(1, 3) k WHERE k <= s.click_count""",
    """INSERT INTO comments (post_id, user_id, body, created_at)
       SELECT 1 + g % :posts, 1 + (g * 13) % :users, 'Great story ' || g, now() - ((g % 129600) || ' minutes')::interval
       FROM generate_series(1, :shares / 4) g""",
    """INSERT INTO users (email, display_name, role, is_active, gamification_enabled, leaderboard_visible,
                          password_hash, created_at, updated_at)
       SELECT 'r' || g || '@bench.test', 'Ranked ' || g, 'staff', true, true, g % 20 <> 0, 'no-password-login',
              now() - interval '200 days', now() FROM generate_series(:users + 1, GREATEST(:ranked, :users)) g""",
    """INSERT INTO team_memberships (team_id, user_id, is_lead, joined_at)
       SELECT 1 + (id % 20), id, false, now() FROM users WHERE id > :users""",
    """INSERT INTO period_totals (period, period_start, user_id, points)
       SELECT p.period, p.start, u.id, (u.id * 37) % 1000 + 1
       FROM users u, (VALUES ('week', CAST(:week AS date)), ('month', CAST(:month AS date)),
                             ('all_time', CAST(:all_time AS date))) AS p(period, start)""",  # the app's periods
    """INSERT INTO user_points (user_id, balance, lifetime) SELECT id, (id * 37) % 1000 + 1, (id * 37) % 1000 + 1
       FROM users""",
    "VACUUM ANALYZE",  # what autovacuum keeps true in production: index-only counts work
)


def build(db_url: str) -> dict[str, int]:
    engine = create_engine(db_url)
    params = {"users": USERS, "posts": POSTS, "shares": SHARES, "ranked": RANKED}
    today = period_day(utcnow())  # the leaderboard reads the current periods as the app counts them
    starts = {period: period_start(period, today) for period in PERIODS}
    with engine.begin() as conn:
        for statement in STATEMENTS[:-1]:
            conn.execute(text(statement), {**params, **starts})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(STATEMENTS[-1]))
    engine.dispose()
    return params
