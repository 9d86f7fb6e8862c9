"""`make bench BENCH=http`: the hot endpoints on gunicorn + PostgreSQL with the bench dataset
(tests/perf/dataset.py), each as a ratio to `GET /healthz` on the same server in the same run,
measured beside it in alternating rounds (`benchkit.against_baseline`).

- feed: `GET /api/v1/feed` (page of 20) for many different staff (target >= 0.30);
- redirect: `GET /s/<code>` for different shares and visitors, clicks recorded (target >= 0.60);
- leaderboard: org, this week, 100,000 ranked users, with `me` (target >= 0.30);
- analytics: the 90-day summary for the whole organisation (target >= 0.10).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from tests.perf import benchkit, dataset
from tests.perf.benchkit import Result

TARGETS = {"feed": 0.30, "redirect": 0.60, "leaderboard": 0.30, "analytics": 0.10}


def _tokens(env: dict[str, str], user_ids: list[int]) -> list[str]:
    import os

    os.environ.update(env)
    from api.cli import compose
    from tests.helpers import token_for

    app = compose()
    with app.app_context():
        from api.db import db
        from api.models.users import User

        return [token_for(app, db.session.get(User, uid)) for uid in user_ids]


def run() -> list[Result]:
    with benchkit.database("stafet_bench_http") as (url, env):
        dataset.build(url)
        users = list(range(1, 200))
        tokens = _tokens(env, users)
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        with engine.begin() as c:
            admin_id = c.execute(text(
                "INSERT INTO users (email, display_name, role, is_active, gamification_enabled, leaderboard_visible,"
                " password_hash, created_at, updated_at) VALUES ('admin@bench.test', 'Admin', 'admin', true, true,"
                " true, 'no-password-login', now(), now()) RETURNING id")).scalar_one()
            codes = [r[0] for r in c.execute(text("SELECT code FROM shares ORDER BY id LIMIT 2000"))]
        engine.dispose()
        admin_token = _tokens(env, [admin_id])[0]
        with benchkit.server(env, port=18091, workers=2) as base:
            auth = [{"Authorization": f"Bearer {t}"} for t in tokens]
            agents = [{"User-Agent": f"Mozilla/5.0 (iPhone; bench {uuid.uuid4().hex[:6]})",
                       "X-Forwarded-For": f"10.0.{i % 250}.{i % 200}"} for i in range(200)]
            healthz = lambda seconds: benchkit.rate(f"{base}/healthz", seconds=seconds)  # noqa: E731
            measures = {
                "feed": lambda seconds: benchkit.rate(f"{base}/api/v1/feed?limit=20", auth, seconds=seconds),
                "redirect": lambda seconds: benchkit.rate([f"{base}/s/{c}" for c in codes], agents, expect=(302,),
                                                          seconds=seconds),
                "leaderboard": lambda seconds: benchkit.rate(f"{base}/api/v1/leaderboard?period=week&limit=20", auth,
                                                             seconds=seconds),
                "analytics": lambda seconds: benchkit.rate(f"{base}/api/v1/admin/analytics/summary"
                                                           f"?from={_days_ago(89)}&to={_days_ago(0)}",
                                                           {"Authorization": f"Bearer {admin_token}"},
                                                           seconds=seconds, threads=4),
            }
            figures = {name: benchkit.against_baseline(measure, healthz) for name, measure in measures.items()}
        out = [Result(name, value, "req/s", base_rate, TARGETS[name]) for name, (value, base_rate) in figures.items()]
        Path(benchkit.ROOT / "tests" / "artifacts").mkdir(exist_ok=True)
        return out


def _days_ago(n: int) -> str:
    from datetime import timedelta

    from api.clock import utcnow

    return (utcnow() - timedelta(days=n)).date().isoformat()
