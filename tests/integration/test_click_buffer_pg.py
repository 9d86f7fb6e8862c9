"""Clicks written in batches on PostgreSQL (the web server's default): the redirect answers at
once, the batch writes each counted click once with its event and outbox row, a failed batch is
kept for the next attempt, and a stopping worker writes what it holds."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from api.db import db
from api.models.activity import ActivityEvent, OutboxMessage
from api.models.ledger import LedgerEntry
from api.models.shares import Click, Share
from api.redirects import buffer_of
from api.serve import _flush_clicks, _Server
from api.services import clicks
from tests.conftest import base_env, build_app
from tests.factories import UserFactory
from tests.factories_content import PostFactory
from tests.helpers import ApiClient

pytestmark = [pytest.mark.postgres]
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


@pytest.fixture
def batching(pg_url, tmp_path, pg_session):
    app = build_app(base_env(tmp_path, DATABASE_URL=pg_url), CLICK_FLUSH_SECONDS=60)  # flushed by hand here
    clicks.forget_links()
    yield app
    db.dispose(app)


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def _share(app, user, post, network="linkedin"):
    r = ApiClient(app).as_(user).post(f"/posts/{post.id}/shares", json={"network": network})
    assert r.status_code == 201, r.get_data(as_text=True)
    return r.get_json()


def _visit(app, code, ip, ua=BROWSER):
    return app.test_client().get(f"/s/{code}", headers={"User-Agent": ua}, environ_base={"REMOTE_ADDR": ip})


def test_a_batch_counts_each_visitor_once_with_its_event_and_points(batching, pg_session):
    ann = UserFactory()
    share = _share(batching, ann, PostFactory(link_url="https://example.com/story"))
    code = share["tracked_url"].rsplit("/", 1)[1]

    answers = [_visit(batching, code, ip) for ip in ("10.0.0.1", "10.0.0.1", "10.0.0.2")]
    bot = _visit(batching, code, "10.0.0.3", "Slackbot-LinkExpanding 1.0")
    assert [r.status_code for r in answers + [bot]] == [302] * 4
    assert answers[0].headers["Location"].startswith("https://example.com/story?utm_source=linkedin")
    assert _visit(batching, "no-such-code", "10.0.0.4").status_code == 404
    assert _count(pg_session, Click) == 0 and buffer_of(batching).pending() == 3  # answered, not yet written

    assert buffer_of(batching).flush() == 2

    pg_session.expire_all()
    assert _count(pg_session, Click) == 2 and pg_session.get(Share, share["id"]).click_count == 2
    events = pg_session.scalars(select(ActivityEvent).where(ActivityEvent.kind == "click_counted")).all()
    assert [(e.user_id, e.share_id) for e in events] == [(ann.id, share["id"])] * 2
    assert {e.id for e in events} <= set(pg_session.scalars(select(OutboxMessage.ref_id)))
    points = pg_session.scalars(select(LedgerEntry.amount).where(LedgerEntry.action == "click")).all()
    assert len(points) == 2  # tallied (in-process here) after the batch committed

    assert _visit(batching, code, "10.0.0.1").status_code == 302  # the same visitor, the same day
    assert buffer_of(batching).flush() == 0
    assert _count(pg_session, Click) == 2


def test_a_failed_batch_is_kept_and_written_later(batching, pg_session, monkeypatch):
    share = _share(batching, UserFactory(), PostFactory())
    code = share["tracked_url"].rsplit("/", 1)[1]
    for ip in ("10.1.0.1", "10.1.0.2", "10.1.0.3"):
        _visit(batching, code, ip)

    real = clicks.record_many
    monkeypatch.setattr(clicks, "record_many", lambda session, batch: (_ for _ in ()).throw(ConnectionError("db restarting")))
    with pytest.raises(ConnectionError):
        buffer_of(batching).flush()
    assert buffer_of(batching).pending() == 3 and _count(pg_session, Click) == 0

    monkeypatch.setattr(clicks, "record_many", real)
    assert buffer_of(batching).flush() == 3
    assert _count(pg_session, Click) == 3 and buffer_of(batching).pending() == 0


def test_a_stopping_worker_writes_the_clicks_it_holds(batching, pg_session, monkeypatch):
    share = _share(batching, UserFactory(), PostFactory())
    _visit(batching, share["tracked_url"].rsplit("/", 1)[1], "10.2.0.1")
    monkeypatch.setattr(_Server, "current_app", batching, raising=False)

    _flush_clicks(None, None)  # gunicorn's worker_exit hook

    assert _count(pg_session, Click) == 1


def test_a_changed_link_applies_at_once(batching, pg_session):
    admin, ann = UserFactory(role="admin"), UserFactory()
    post = PostFactory(link_url="https://example.com/old")
    code = _share(batching, ann, post)["tracked_url"].rsplit("/", 1)[1]
    assert _visit(batching, code, "10.3.0.1").headers["Location"].startswith("https://example.com/old?")

    r = ApiClient(batching).as_(admin).patch(f"/admin/posts/{post.id}", json={"link_url": "https://example.com/new"})
    assert r.status_code == 200, r.get_data(as_text=True)

    assert _visit(batching, code, "10.3.0.2").headers["Location"].startswith("https://example.com/new?")
