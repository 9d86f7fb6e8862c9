"""Test fixtures: one database per run, emptied (with the mail folder) after each test; an app per backend.

- SQLite (a file per run) backs the fast API and unit tests.
- PostgreSQL (`TEST_DATABASE_URL`) and Redis (`TEST_REDIS_URL`) back `tests/integration`;
  without them those tests skip with the reason. With `STAFET_REQUIRE_SERVICES=1`
  (set by `.ci/run`) any skip fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

import api.models  # noqa: F401
from api.cli import compose
from api.config import load_settings
from api.db import Base, db, make_engine
from api.extensions import limiter
from tests import factories
from tests.helpers import ApiClient

SECRET = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
REQUIRE_SERVICES = os.environ.get("STAFET_REQUIRE_SERVICES") == "1"
_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if REQUIRE_SERVICES and _skipped:
        print(f"\nSTAFET_REQUIRE_SERVICES=1 and {len(_skipped)} test(s) skipped, e.g. {_skipped[0]}: failing the run.")
        session.exitstatus = 1


def base_env(tmp: Path, **overrides: str) -> dict[str, str]:
    env = {
        "SECRET_KEY": SECRET,
        "STAFET_INSTANCE_DIR": str(tmp),
        "DATABASE_URL": f"sqlite:///{tmp / 'test.db'}",
        "PUBLIC_BASE_URL": "https://go.stafet.test",
        "EMBEDDED_JOBS": "inline",
        "LOG_JSON": "false",
        "LOG_LEVEL": "WARNING",
    }
    env.update(overrides)
    return env


def build_app(env: dict[str, str], **config: object) -> Flask:
    # The limiter is process-global (flask-limiter keeps the last app's storage); tests keep it in memory.
    config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    config.setdefault("ANALYTICS_CACHE_SECONDS", 0)  # every test sees its own data
    config.setdefault("LEADERBOARD_CACHE_SECONDS", 0)
    config.setdefault("FEED_CACHE_SECONDS", 0)
    config.setdefault("CLICK_FLUSH_SECONDS", 0)  # each redirect writes its click (tests/integration/test_click_buffer_pg.py batches)
    # The same wiring as production: the web app plus the workers' job gateway (api.cli.compose).
    return compose({"TESTING": True, **config}, settings=load_settings(env))


def empty_database(app: Flask) -> None:
    engine = app.extensions["stafet.db"]["engine"]
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))
            conn.execute(text("DELETE FROM sqlite_sequence")) if _has_sqlite_sequence(conn) else None


def empty_mail_dir(app: Flask) -> None:
    """The .eml files the file transport wrote (MAIL_DIR), gone: each test reads only its own mail."""
    for path in Path(app.config["MAIL_DIR"]).glob("*.eml"):
        path.unlink()


@pytest.fixture
def mail_dir(app: Flask) -> Path:
    """The SQLite app's mail folder (the file transport's; emptied after every test)."""
    return Path(app.config["MAIL_DIR"])


def _has_sqlite_sequence(conn) -> bool:
    return conn.execute(text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first() is not None


# --- the SQLite app ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("stafet")
    app = build_app(base_env(tmp))
    Base.metadata.create_all(app.extensions["stafet.db"]["engine"])
    yield app


@pytest.fixture(autouse=True)
def _clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    for name in ("app", "pg_app"):
        if name in request.fixturenames:
            empty_database(request.getfixturevalue(name))
            empty_mail_dir(request.getfixturevalue(name))
    if getattr(limiter, "_storage", None) is not None:  # unset until an app was built
        limiter.reset()


def inspection_session(app: Flask) -> Session:
    """A session outside any request whose statements commit at once, so it never holds a
    lock a request waits for and always reads what requests committed. Call
    `session.expire_all()` before asserting on objects loaded earlier."""
    engine = make_engine(str(app.extensions["stafet.db"]["engine"].url.render_as_string(hide_password=False)),
                         autocommit=True)
    s = Session(engine, expire_on_commit=True)
    factories.bind(s)
    return s


def _on_postgres(request: pytest.FixtureRequest) -> bool:
    """A test marked `postgres` (`pytestmark = pytest.mark.postgres`) gets `session` and `client`
    on the PostgreSQL app; every other test on the embedded SQLite one."""
    return request.node.get_closest_marker("postgres") is not None


@pytest.fixture
def session(request: pytest.FixtureRequest) -> Iterator[Session]:
    if _on_postgres(request):
        yield request.getfixturevalue("pg_session")
        return
    s = inspection_session(request.getfixturevalue("app"))
    yield s
    s.close()
    s.get_bind().dispose()


@pytest.fixture
def client(request: pytest.FixtureRequest) -> ApiClient:
    if _on_postgres(request):
        return request.getfixturevalue("pg_client")
    return ApiClient(request.getfixturevalue("app"))


# --- real PostgreSQL and Redis -------------------------------------------------------------------

def _require(var: str) -> str:
    value = os.environ.get(var)
    if not value:
        pytest.skip(f"{var} is not set: this test needs a real service (see README, 'Tests')")
    return value


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, dropped at the end."""
    base = make_url(_require("TEST_DATABASE_URL")).set(drivername="postgresql+psycopg")
    name = f"stafet_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def pg_app(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("stafet-pg")
    app = build_app(base_env(tmp, DATABASE_URL=pg_url))
    Base.metadata.create_all(app.extensions["stafet.db"]["engine"])
    yield app
    db.dispose(app)


@pytest.fixture
def pg_session(pg_app: Flask) -> Iterator[Session]:
    s = inspection_session(pg_app)
    yield s
    s.close()
    s.get_bind().dispose()


@pytest.fixture
def pg_client(pg_app: Flask) -> ApiClient:
    return ApiClient(pg_app)


@pytest.fixture(scope="session")
def redis_url() -> str:
    return _require("TEST_REDIS_URL")


@pytest.fixture
def rq_app(pg_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """PostgreSQL + Redis, jobs on real RQ queues (run them with `run_jobs`)."""
    from redis import Redis

    Redis.from_url(redis_url).flushdb()
    tmp = tmp_path_factory.mktemp("stafet-rq")
    app = build_app(base_env(tmp, DATABASE_URL=pg_url, REDIS_URL=redis_url))
    Base.metadata.create_all(app.extensions["stafet.db"]["engine"])
    yield app
    empty_database(app)
    Redis.from_url(redis_url).flushdb()
    db.dispose(app)
