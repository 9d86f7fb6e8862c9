"""Declarative base, engine and the unit of work.

One session per application context (a request or a job), kept on `flask.g`.
A request's session commits once, after the view returned a success (the unit
of work in `api.http`); jobs call `db.commit()` themselves. Work that must only happen
once the data is durable (enqueueing a job) is registered with `db.after_commit()`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import JSON, DateTime, Engine, MetaData, create_engine, event, insert
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSONType, list[Any]: JSONType}


def _configure_sqlite(engine: Engine, immediate: bool = True) -> None:
    """Foreign keys on, WAL, a busy timeout, and write transactions that start as writers.

    pysqlite's own transaction handling starts a DEFERRED transaction lazily; a reader that
    later writes can then fail with "database is locked" instead of waiting. Beginning with
    BEGIN IMMEDIATE makes concurrent writers queue on the busy timeout instead.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    if immediate:
        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = 20, autocommit: bool = False,
                pre_ping: bool = True) -> Engine:
    """The app's engine; `autocommit=True` gives one where every statement commits (test inspection).

    `pre_ping=False` skips the round trip that tests each pooled connection before use: the web
    server can, because a request whose connection turns out dead runs again (api.http) and the
    pool then drops every connection older than the failure."""
    if autocommit:
        engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        if url.startswith("sqlite"):
            _configure_sqlite(engine, immediate=False)
        return engine
    if url.startswith("sqlite"):
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
            raise ValueError("an in-memory SQLite database cannot be shared between threads; use a file")
        engine = create_engine(url, poolclass=NullPool, **kwargs)
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=pre_ping)
    _retry_connecting(engine)
    return engine


CONNECT_PATIENCE = 15.0  # seconds: longer than a PostgreSQL restart or failover usually takes


def _retry_connecting(engine: Engine, patience: float = CONNECT_PATIENCE) -> None:
    """While PostgreSQL restarts, a new connection waits for it (backing off) instead of failing
    the request: a short outage becomes latency, not errors."""

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        deadline = time.monotonic() + patience
        delay = 0.1
        while True:
            try:
                return dialect.loaded_dbapi.connect(*cargs, **cparams)
            except dialect.loaded_dbapi.OperationalError:
                if time.monotonic() + delay > deadline:
                    raise
                log.warning("database unavailable; connecting again in %.1f s", delay)
                time.sleep(delay)
                delay = min(delay * 2, 2.0)


class WriteInRead(RuntimeError):
    """A statement that writes ran in a read-only request outside a single atomic statement."""


def _reads_engine(engine: Engine, pool_size: int, max_overflow: int, pre_ping: bool) -> Engine | None:
    """The engine for requests that only read, on PostgreSQL: autocommit, so a read costs its
    statements and nothing else (no BEGIN, no COMMIT round trip; each statement sees its own
    snapshot, which is all a GET needs). Their own pool of connections that stay in autocommit:
    switching a pooled connection back and forth costs more Python than the query.

    A write there would commit piecemeal, so a plain INSERT/UPDATE/DELETE is refused; one
    self-contained statement (the redirect's `WITH ... INSERT ...`) is atomic on its own and
    allowed. SQLite keeps one transaction per request (its BEGIN costs no round trip)."""
    if engine.dialect.name != "postgresql":
        return None
    reads = create_engine(engine.url, isolation_level="AUTOCOMMIT", pool_reset_on_return=None,
                          pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=pre_ping)
    _retry_connecting(reads)

    @event.listens_for(reads, "before_cursor_execute")
    def _refuse_piecemeal_writes(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement[:7].upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise WriteInRead(f"a read-only request tried to write: {statement[:60]}")

    return reads


def after_commit(session: Session, callback: Callable[[], None], key: Hashable | None = None) -> Callable[[], None]:
    """Run `callback` once `session`'s transaction has committed through `Database.commit` (never if
    it rolls back). Callbacks with the same `key` run once per transaction: the first one registered,
    which is returned, so a caller can add to it (the outbox collects a transaction's ids that way)."""
    return session.info.setdefault("after_commit", {}).setdefault(object() if key is None else key, callback)


class Database:
    """The app's engine and the application-context session."""

    def init_app(self, app: Flask, engine: Engine | None = None) -> None:
        pool = {"pool_size": app.config["DB_POOL_SIZE"], "max_overflow": app.config["DB_MAX_OVERFLOW"],
                "pre_ping": app.config["DB_PRE_PING"]}
        if engine is None:
            engine = make_engine(app.config["DATABASE_URL"], **pool)
        reads = _reads_engine(engine, **pool)
        # What services need of the settings and may not import Flask for: the organisation's language
        # (a notification to someone who chose none is written in it).
        info = {"default_language": app.config["DEFAULT_LANGUAGE"]}
        app.extensions["stafet.db"] = {"engine": engine, "sessionmaker": sessionmaker(engine, info=info),
                                       "reads_engine": reads,
                                       "reads": sessionmaker(reads, info=info) if reads is not None else None}
        app.teardown_appcontext(self._teardown)

    @staticmethod
    def dispose(app: Flask) -> None:
        """Close every pooled connection of `app` (shutdown, tests)."""
        for engine in (app.extensions["stafet.db"]["engine"], app.extensions["stafet.db"]["reads_engine"]):
            if engine is not None:
                engine.dispose()

    @property
    def engine(self) -> Engine:
        return current_app.extensions["stafet.db"]["engine"]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def session(self) -> Session:
        session = g.get("_db_session")
        if session is None:
            state = current_app.extensions["stafet.db"]
            reads = bool(g.get("_db_reads")) and state["reads"] is not None
            session = (state["reads"] if reads else state["sessionmaker"])()
            session.info["after_commit"] = {}
            session.info["reads"] = reads
            g._db_session = session
        return session

    def use_reads(self) -> None:
        """This application context only reads (a GET): its statements run without a transaction
        around them (see `_reads_engine`). Call before the session is first used."""
        g._db_reads = True

    def use_transaction(self) -> None:
        """This GET reads in one transaction after all: one snapshot for all it reads, and the
        server-side cursor a streamed read needs (PostgreSQL declares one only in a transaction).
        Call before the session is first used (the `one_transaction` decorator in api.http)."""
        if g.get("_db_session") is not None:
            raise RuntimeError("use_transaction() after the request's session was opened")
        g._db_reads = False

    def new_session(self) -> Session:
        """A session outside the app-context one, for work that must commit on its own."""
        return current_app.extensions["stafet.db"]["sessionmaker"]()

    def after_commit(self, callback: Callable[[], None], key: Hashable | None = None) -> Callable[[], None]:
        """`after_commit(db.session, ...)`: on the application context's session."""
        return after_commit(self.session, callback, key)

    def commit(self) -> None:
        session = self.session
        if session.info["reads"]:  # a reads session's statements committed as they ran
            if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
                # Changes a GET made without declaring it (`one_transaction`) would vanish without a
                # word on PostgreSQL, where reads run in autocommit and nothing flushes them: refuse.
                raise WriteInRead("a read-only request changed rows; declare the view @one_transaction")
        else:
            session.commit()
        callbacks, session.info["after_commit"] = session.info["after_commit"], {}
        for callback in callbacks.values():
            try:
                callback()
            except Exception:  # the data is committed; the outbox sweeper catches up on anything lost here
                log.exception("after-commit callback failed")

    def rollback(self) -> None:
        session = g.get("_db_session")
        if session is not None:
            session.rollback()
            session.info["after_commit"] = {}

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Commit on success, roll back on error (for jobs and commands)."""
        try:
            yield self.session
            self.commit()
        except BaseException:
            self.rollback()
            raise

    def _teardown(self, _exc: BaseException | None) -> None:
        session = g.pop("_db_session", None)
        if session is not None:
            session.close()


db = Database()


def insert_ignore(table: Any, session: Session | None = None):
    """`INSERT ... ON CONFLICT DO NOTHING` for the session's dialect (PostgreSQL or SQLite)."""
    name = (session or db.session).get_bind().dialect.name
    if name == "postgresql":
        return pg_insert(table).on_conflict_do_nothing()
    if name == "sqlite":
        return sqlite_insert(table).on_conflict_do_nothing()
    return insert(table)  # pragma: no cover - only PostgreSQL and SQLite are supported


def upsert(table: Any, session: Session | None = None):
    """A dialect `insert()` whose `.on_conflict_do_update(...)` works on PostgreSQL and SQLite."""
    name = (session or db.session).get_bind().dialect.name
    return pg_insert(table) if name == "postgresql" else sqlite_insert(table)
