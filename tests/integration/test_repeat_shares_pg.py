"""One share per person, post and network earns, even when a phone sends the same share twice at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from api.models.ledger import LedgerEntry
from api.models.shares import Share
from tests.factories import UserFactory
from tests.factories_content import PostFactory
from tests.helpers import ApiClient


def test_twelve_concurrent_shares_of_one_post_on_one_network_earn_once(pg_app, pg_session):
    """12 simultaneous shares (different Idempotency-Keys): all 201, exactly one is the first (earns
    10 points, announced as 10 pending), the others are repeats announcing 0."""
    ann = UserFactory()
    post = PostFactory()
    clients = [ApiClient(pg_app).as_(ann) for _ in range(12)]

    def share(client):
        return client.post(f"/posts/{post.id}/shares", json={"network": "linkedin"})

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(share, clients))

    assert [r.status_code for r in answers] == [201] * 12
    assert sorted(r.get_json()["points_pending"] for r in answers) == [0] * 11 + [10]
    pg_session.expire_all()
    assert sorted(pg_session.scalars(select(Share.is_repeat))) == [False] + [True] * 11
    earned = pg_session.scalars(select(LedgerEntry.amount).where(LedgerEntry.user_id == ann.id)).all()
    assert earned == [10]
