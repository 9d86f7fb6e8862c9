"""The tally on real PostgreSQL + Redis: RQ workers, Redis outages, concurrent workers, crashes."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, make_url, select, update

from api.clock import local_date, utcnow
from api.db import db
from api.models.activity import ActivityEvent, OutboxMessage
from api.models.ledger import DailyCapUsage, LedgerEntry, UserPoints
from api.services import projections, tally
from tests.conftest import base_env, build_app
from tests.factories import TeamFactory, UserFactory
from tests.factories_tally import Facts
from tests.helpers import run_concurrently, run_jobs
from workers import outbox

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def ledger_summary(session):
    session.expire_all()
    rows = session.execute(select(LedgerEntry.user_id, LedgerEntry.action, func.count(), func.sum(LedgerEntry.amount))
                           .group_by(LedgerEntry.user_id, LedgerEntry.action)).all()
    return {(u, a): (n, s) for u, a, n, s in rows}


def assert_consistent(session):
    """No (event, rule, user) twice; balances are the ledger; cap usage is what the ledger awarded."""
    session.expire_all()
    dupes = session.execute(select(LedgerEntry.event_id, LedgerEntry.action, LedgerEntry.user_id)
                            .group_by(LedgerEntry.event_id, LedgerEntry.action, LedgerEntry.user_id)
                            .having(func.count() > 1)).all()
    assert dupes == []
    sums = dict(session.execute(select(LedgerEntry.user_id, func.sum(LedgerEntry.amount))
                                .group_by(LedgerEntry.user_id)).all())
    assert {p.user_id: p.balance for p in session.scalars(select(UserPoints))} == sums
    used: dict[tuple, int] = defaultdict(int)
    for e in session.scalars(select(LedgerEntry)):
        group = tally.CAP_GROUP.get(e.action)
        if group:
            used[(e.user_id, local_date(e.created_at, "UTC"), group)] += e.amount
    recorded = {(c.user_id, c.day, c.action): c.used for c in session.scalars(select(DailyCapUsage)) if c.used}
    assert recorded == {k: v for k, v in used.items() if v}


def test_shares_are_tallied_by_a_real_rq_worker(rq_app, pg_session):
    """Shares recorded with Redis up are enqueued after commit and tallied by an RQ worker, outbox processed."""
    user = UserFactory(teams=[TeamFactory()])
    facts = Facts(rq_app)
    post = facts.post()
    for network in ("linkedin", "x", "facebook"):
        facts.share(user.id, post, network)
    assert ledger_summary(pg_session) == {}  # nothing runs until a worker does
    assert run_jobs(rq_app) >= 1
    assert ledger_summary(pg_session) == {(user.id, "share"): (3, 30)}
    assert pg_session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.processed_at.is_(None))) == 0


def test_redis_down_then_back_the_sweeper_tallies_each_event_once(rq_app, pg_session, pg_url, tmp_path):
    """With Redis unreachable the facts are still committed and nothing is tallied; once the sweep
    runs against a live Redis every event is tallied exactly once (a second sweep adds nothing)."""
    down = build_app(base_env(tmp_path, DATABASE_URL=pg_url, REDIS_URL="redis://127.0.0.1:1/3"))
    user = UserFactory()
    facts = Facts(down)
    post = facts.post()
    shares = [facts.share(user.id, post, network) for network in ("linkedin", "x", "facebook", "instagram")]
    assert len(shares) == 4
    pg_session.expire_all()
    assert pg_session.scalar(select(func.count()).select_from(ActivityEvent)) == 4
    assert run_jobs(rq_app) == 0 and ledger_summary(pg_session) == {}
    with time_machine.travel(utcnow() + timedelta(minutes=1)):
        with rq_app.app_context():
            assert outbox.sweep_outbox() == 4
    run_jobs(rq_app)
    assert ledger_summary(pg_session) == {(user.id, "share"): (4, 40)}
    with time_machine.travel(utcnow() + timedelta(minutes=2)):
        with rq_app.app_context():
            assert outbox.sweep_outbox() == 0
    run_jobs(rq_app)
    assert ledger_summary(pg_session) == {(user.id, "share"): (4, 40)}
    db.dispose(down)


def _record_many(app, users, posts, n):
    """n mixed events (shares, clicks, comments, deletions) recorded without running any job."""
    facts = Facts(app)
    shares, comments = [], []
    for i in range(n):
        who = users[i % len(users)]
        match i % 5:
            case 0 | 1:
                shares.append(facts.share(who, posts[i % 2], ("linkedin", "x", "facebook")[i % 3], personal=i % 2 == 0))
            case 2:
                facts.click(shares[i % len(shares)])
            case 3:
                comments.append(facts.comment(who, posts[0]))
            case 4:
                facts.delete_comment(comments.pop(0))


@pytest.fixture
def quiet_pg_app(pg_app, monkeypatch):
    """pg_app with the inline job runner held: events pile up until a test tallies them."""
    monkeypatch.setattr(pg_app.extensions["stafet.queues"]["runner"], "submit", lambda *a, **k: None)
    return pg_app


def test_two_workers_tallying_the_same_backlog_write_each_entry_once(quiet_pg_app, pg_session, monkeypatch):
    """Two tally jobs race over 300 events with small batches: every event tallied once, nothing twice."""
    from workers.jobs import tally as tally_job

    monkeypatch.setattr(tally, "BATCH_SIZE", 7)
    monkeypatch.setattr(tally_job, "MAX_BATCHES_PER_JOB", 1000)  # no hand-over to a fresh job (none would run)
    team = TeamFactory()
    users = [UserFactory(teams=[team]).id for _ in range(4)]
    facts = Facts(quiet_pg_app)
    posts = [facts.post(), facts.post()]
    _record_many(quiet_pg_app, users, posts, 300)
    run_concurrently(quiet_pg_app, tally_job.tally_events)
    pg_session.expire_all()
    assert tally.untallied(pg_session) == set()
    assert_consistent(pg_session)
    first = ledger_summary(pg_session)
    assert first[(users[0], "share")][0] > 0 and (users[0], "comment_reversal") in first


def test_events_another_transaction_holds_are_tallied_by_the_same_job_once_released(
        quiet_pg_app, pg_session, pg_url):
    """Another transaction holds the outbox rows of a share and of a comment (a worker mid-batch
    that then rolls back, or the sweep re-dispatching them): the job's first scan skips them and
    defers the comment's deletion; its scan from the start waits for them, so the share and the
    comment earn their points and the deletion reverses the comment's, all within the same job."""
    import threading

    from sqlalchemy import create_engine

    from workers.jobs.tally import tally_events

    author = UserFactory().id
    member = UserFactory().id
    facts = Facts(quiet_pg_app)
    post = facts.post(author_id=author)
    facts.share(member, post, "linkedin")
    comment = facts.comment(member, post)
    facts.delete_comment(comment)
    holder = create_engine(make_url(pg_url).set(drivername="postgresql+psycopg")).connect()
    held = holder.scalars(select(OutboxMessage.id).join(ActivityEvent, ActivityEvent.id == OutboxMessage.ref_id)
                          .where(ActivityEvent.kind.in_(("share_created", "comment_created")))
                          .with_for_update()).all()
    assert len(held) == 2
    threading.Timer(0.5, holder.rollback).start()
    with quiet_pg_app.app_context():
        assert tally_events() == 3
    holder.close()
    assert tally.untallied(pg_session) == set()
    assert ledger_summary(pg_session) == {(member, "share"): (1, 10), (member, "comment"): (1, 2),
                                          (member, "comment_reversal"): (1, -2)}


def test_two_workers_replaying_the_same_events_concurrently_add_nothing_twice(quiet_pg_app, pg_session):
    """Two explicit replays of the same untallied events at once (no row locks): the unique keys let one
    win per entry, the loser gives its cap claim back; balances and cap usage match the ledger."""
    users = [UserFactory().id for _ in range(3)]
    facts = Facts(quiet_pg_app)
    posts = [facts.post(), facts.post()]
    _record_many(quiet_pg_app, users, posts, 120)
    with quiet_pg_app.app_context():
        ids = list(db.session.scalars(select(ActivityEvent.id).where(ActivityEvent.kind != "comment_deleted")))

    def replay():
        from workers.jobs.tally import with_db_retry

        def work():
            tally.tally_batch(db.session, timezone="UTC", ids=ids)
            db.commit()

        with_db_retry(work, attempts=10)

    run_concurrently(quiet_pg_app, replay)
    assert_consistent(pg_session)
    once = ledger_summary(pg_session)
    run_concurrently(quiet_pg_app, replay)
    assert ledger_summary(pg_session) == once


def test_a_batch_that_dies_midway_leaves_nothing_and_the_retry_tallies_once(quiet_pg_app, pg_session, monkeypatch):
    """The worker fails after writing entries but before committing: nothing is kept, the events stay
    untallied; the retry writes every entry once."""
    from api.services import badges
    from workers.jobs.tally import tally_events

    users = [UserFactory().id for _ in range(2)]
    facts = Facts(quiet_pg_app)
    _record_many(quiet_pg_app, users, [facts.post(), facts.post()], 40)

    def crash(session, user_ids, **_options):
        raise RuntimeError("worker killed")

    with monkeypatch.context() as m:
        m.setattr(badges, "evaluate_after_tally", crash)
        with pytest.raises(RuntimeError):
            with quiet_pg_app.app_context():
                tally_events()
    assert ledger_summary(pg_session) == {}
    assert len(tally.untallied(pg_session)) == 40
    with quiet_pg_app.app_context():
        assert tally_events() == 40
    assert_consistent(pg_session)
    assert sum(n for n, _ in ledger_summary(pg_session).values()) > 0


def test_rebuild_equals_live_on_postgresql(quiet_pg_app, pg_session):
    """After a mixed backlog is tallied, rebuilding the projections changes nothing."""
    from tests.workers.test_tally_properties import projection_rows
    from workers.jobs.tally import tally_events

    users = [UserFactory(teams=[TeamFactory()]).id for _ in range(3)]
    facts = Facts(quiet_pg_app)
    _record_many(quiet_pg_app, users, [facts.post(), facts.post()], 60)
    with quiet_pg_app.app_context():
        tally_events()
    live = projection_rows(pg_session)
    pg_session.execute(update(UserPoints).values(balance=0, lifetime=0))
    with quiet_pg_app.app_context():
        projections.rebuild(db.session, timezone=quiet_pg_app.config["ORG_TIMEZONE"])
        db.commit()
    assert projection_rows(pg_session) == live


