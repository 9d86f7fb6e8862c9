"""The outbox belongs to the API and reaches the jobs through one port (issue 15, point 8).

Rows are written in the caller's transaction and handed to the app's job gateway only after
the commit, a topic's ids of one transaction together; a bare `create_app()` (no workers
plugged in) still writes them and leaves them to the sweep; every topic has one handler in the
workers' explicit table.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import func, select

from api import create_app, jobs, outbox
from api.config import load_settings
from api.db import Base, db
from api.models.activity import OutboxMessage
from tests.conftest import base_env
from workers import registry
from workers.gateway import QueueGateway
from workers.jobs import mail, push, tally


class RecordingGateway:
    def __init__(self) -> None:
        self.calls: list[tuple[str, list[int]]] = []

    def dispatch(self, topic: str, ref_ids: Sequence[int]) -> None:
        self.calls.append((topic, list(ref_ids)))

    def readiness(self) -> dict[str, str]:
        return {"queue": "ok"}


@pytest.fixture
def recorder(app, monkeypatch) -> RecordingGateway:
    gateway = RecordingGateway()
    monkeypatch.setitem(app.extensions, jobs.EXTENSION, gateway)
    return gateway


def test_published_rows_are_dispatched_once_after_the_commit_per_topic(app, recorder):
    """Three rows on two topics: nothing is dispatched before the commit, then one call per topic."""
    with app.app_context():
        outbox.publish(db.session, outbox.PUSH, 7)
        outbox.publish(db.session, outbox.ANNOUNCE, 3)
        outbox.publish(db.session, outbox.PUSH, 8)
        db.session.flush()
        assert recorder.calls == []
        db.commit()
    assert sorted(recorder.calls) == sorted([(outbox.PUSH, [7, 8]), (outbox.ANNOUNCE, [3])])


def test_a_rolled_back_transaction_dispatches_nothing(app, session, recorder):
    """The rows and their dispatch go together: a rollback leaves no row and queues no job."""
    with app.app_context():
        outbox.publish(db.session, outbox.PUSH, 7)
        db.session.flush()
        db.rollback()
        db.commit()  # a later commit in the same context does not resurrect the dispatch
    assert recorder.calls == []
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_a_failing_queue_leaves_the_committed_row_to_the_sweep(app, session, monkeypatch):
    """The queue is down at dispatch: the commit stands, the row stays unprocessed for the sweep."""

    class Down(RecordingGateway):
        def dispatch(self, topic: str, ref_ids: Sequence[int]) -> None:
            raise ConnectionError("redis is down")

    monkeypatch.setitem(app.extensions, jobs.EXTENSION, Down())
    with app.app_context():
        outbox.publish(db.session, outbox.PUSH, 9)
        db.commit()
    rows = session.scalars(select(OutboxMessage)).all()
    assert [(r.topic, r.ref_id, r.processed_at) for r in rows] == [(outbox.PUSH, 9, None)]


def test_an_app_without_workers_writes_the_rows_and_dispatches_nothing(tmp_path):
    """`create_app()` alone (no composition root): /readyz says so, and publishing still works."""
    app = create_app({"TESTING": True, "RATELIMIT_STORAGE_URI": "memory://"}, settings=load_settings(base_env(tmp_path)))
    Base.metadata.create_all(app.extensions["stafet.db"]["engine"])
    assert app.test_client().get("/readyz").get_json()["checks"] == {"database": "ok", "queue": "outbox only"}
    with app.app_context():
        outbox.publish(db.session, outbox.TALLY, 1)
        db.commit()
        assert db.session.scalar(select(OutboxMessage.ref_id)) == 1
    db.dispose(app)


def test_the_composed_app_dispatches_through_the_workers_gateway(app):
    """The tests build the app as `stafet` does (api.cli.compose): the gateway is the workers' one."""
    assert isinstance(jobs.gateway(app), QueueGateway)


def test_each_topic_has_its_handler_in_the_one_table():
    """Written from the issue's topics: tally drains in batches on the tally queue, pushes in
    batches on the push queue, an announcement per post on the push queue, a mail per message on the
    default queue (issue 17)."""
    expected = {
        outbox.TALLY: (tally.tally_events, "tally", True),
        outbox.PUSH: (push.send_pending, "push", True),
        outbox.ANNOUNCE: (push.fan_out_post, "push", False),
        outbox.MAIL: (mail.send_mail, "default", False),
    }
    assert {t: (h.func, h.queue, h.batch) for t, h in registry.HANDLERS.items()} == expected
    assert set(expected) == set(outbox.TOPICS)
