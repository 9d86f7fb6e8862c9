"""`make bench BENCH=import`: importing HR's staff list, on PostgreSQL.

The time to import 10,000 new people (each with an email, so each is invited, in one of 50 teams,
a tenth with an employee id) through `user_import.run` — reading the CSV, checking every row, the
plan and the bulk apply, in one transaction — as a ratio to inserting the same users with one
plain batched INSERT in the same database in the same run; lower is
better. Also the time to import the same file again (every row unchanged). Each figure is the
median of BENCH_ROUNDS rounds, each on an empty users table. Settings: BENCH_IMPORT_ROWS (10000).
"""

from __future__ import annotations

import os
import time

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.models.teams import Team
from api.models.users import User
from api.services import mail, user_import
from schemas.user_import import ImportRowSchema
from tests.perf import benchkit
from tests.perf.benchkit import Result

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", 10_000))
TEAMS = 50
INVITE_TTL = 14 * 24 * 3600
MAIL = mail.MailSettings(base_url="https://go.stafet.test", default_language="en", timezone="Europe/Copenhagen")


def _csv(rows: int) -> bytes:
    lines = ["email;display_name;teams;role;employee_id;locale"]
    for n in range(rows):
        lines.append(f"person{n}@bench.test;Person Nummer {n};Team {n % TEAMS};staff;"
                     f"{f'E-{n}' if n % 10 == 0 else ''};{'da' if n % 2 else 'en'}")
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def _empty(engine) -> None:
    with engine.begin() as c:
        c.execute(text("TRUNCATE users RESTART IDENTITY CASCADE"))


def _baseline(engine) -> float:
    """The same users written with plain batched INSERTs (1,000 rows per statement), nothing else."""
    _empty(engine)
    now = utcnow()
    rows = [{"email": f"person{n}@bench.test", "display_name": f"Person Nummer {n}", "role": "staff",
             "employee_id": f"E-{n}" if n % 10 == 0 else None, "locale": "da" if n % 2 else "en",
             "is_active": True, "gamification_enabled": True, "leaderboard_visible": True, "session_version": 0,
             "created_at": now, "updated_at": now} for n in range(ROWS)]
    start = time.perf_counter()
    with engine.begin() as c:
        for at in range(0, len(rows), 1_000):
            c.execute(User.__table__.insert().values(rows[at:at + 1_000]))
    return time.perf_counter() - start


def _import(engine, data: bytes, *, fresh: bool) -> tuple[float, dict]:
    if fresh:
        _empty(engine)
    start = time.perf_counter()
    with Session(engine) as s, s.begin():
        report = user_import.run(s, data, validate=ImportRowSchema().load, create_teams=False, dry_run=False,
                                 invite_ttl=INVITE_TTL, mail_settings=MAIL)
    elapsed = time.perf_counter() - start
    assert report["applied"] and not report["errors"], report["errors"][:3]
    return elapsed, report


def run() -> list[Result]:
    data = _csv(ROWS)
    with benchkit.database("stafet_bench_import") as (url, _env):
        engine = create_engine(url)
        with Session(engine) as s, s.begin():  # through the model, so each team gets its name_key
            s.add_all(Team(name=f"Team {n}") for n in range(TEAMS))
        rounds = []
        for _ in range(benchkit.ROUNDS):
            base = _baseline(engine)
            first, report = _import(engine, data, fresh=True)
            assert (report["created"], report["invited"]) == (ROWS, ROWS)
            again, report = _import(engine, data, fresh=False)
            assert report["unchanged"] == ROWS
            rounds.append((base, first, again))
        engine.dispose()
    rounds.sort(key=lambda r: r[1] / r[0])
    base, first, again = rounds[len(rounds) // 2]
    return [
        Result(f"import {ROWS:,} new people (s) / batched INSERT of them", first, "s", baseline=base,
               target=10.0, lower_is_better=True),
        Result(f"re-import of the same {ROWS:,} (all unchanged) (s) / batched INSERT", again, "s", baseline=base),
    ]
