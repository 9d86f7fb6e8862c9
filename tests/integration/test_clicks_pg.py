"""Counting clicks on PostgreSQL (one statement for the click, counter, event and outbox row):
once per visitor per share per day, tallied into exactly one click entry, bots ignored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from api.models.activity import ActivityEvent, OutboxMessage
from api.models.ledger import LedgerEntry
from api.models.shares import Click, Share
from tests.factories import UserFactory
from tests.factories_content import PostFactory

pytestmark = [pytest.mark.postgres]
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


def _visit(client, code, ip, ua=BROWSER):
    return client.get(f"/s/{code}", headers={"User-Agent": ua}, environ_base={"REMOTE_ADDR": ip})


def test_each_visitor_counts_once_and_is_tallied_once(pg_client, pg_session):
    ann = UserFactory()
    post = PostFactory(link_url="https://example.com/story?ref=1")
    share = pg_client.as_(ann).post(f"/posts/{post.id}/shares", json={"network": "linkedin"}).get_json()
    code = share["tracked_url"].rsplit("/", 1)[1]

    answers = [_visit(pg_client, code, ip) for ip in ("10.0.0.1", "10.0.0.1", "10.0.0.2")]
    bot = _visit(pg_client, code, "10.0.0.3", "LinkedInBot/1.0 (compatible; Mozilla/5.0)")

    assert [r.status_code for r in answers] == [302, 302, 302] and bot.status_code == 302
    assert _visit(pg_client, "no-such-code", "10.0.0.4").status_code == 404
    assert answers[0].headers["Location"].startswith("https://example.com/story?ref=1&utm_source=linkedin")
    pg_session.expire_all()
    assert pg_session.scalar(select(func.count()).select_from(Click)) == 2
    assert pg_session.get(Share, share["id"]).click_count == 2
    events = pg_session.scalars(select(ActivityEvent).where(ActivityEvent.kind == "click_counted")).all()
    assert [(e.user_id, e.share_id, e.network) for e in events] == [(ann.id, share["id"], "linkedin")] * 2
    outbox = pg_session.scalars(select(OutboxMessage.ref_id).where(OutboxMessage.topic == "tally")).all()
    assert {e.id for e in events} <= set(outbox)
    clicks = pg_session.scalars(select(LedgerEntry.amount).where(LedgerEntry.action == "click",
                                                                 LedgerEntry.user_id == ann.id)).all()
    assert len(clicks) == 2 and all(a > 0 for a in clicks)  # tallied in-process after each commit
