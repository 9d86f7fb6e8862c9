"""The CSV export streams: 200,000 shares are written without holding them in memory."""

from __future__ import annotations

import tracemalloc

from sqlalchemy import text

from tests.factories import UserFactory
from tests.factories_content import PostFactory
from tests.helpers import ApiClient


def _bulk_shares(session, post_id: int, user_id: int, n: int, offset: int) -> None:
    session.execute(text(
        "INSERT INTO shares (post_id, user_id, network, caption, personal_caption, code, follower_snapshot, "
        "click_count, is_repeat, created_at) SELECT :p, :u, 'linkedin', 'My own words about this story number ' || g, "
        "true, 'bulk' || g, 100, 0, g > 1, now() - interval '1 hour' "
        "FROM generate_series(CAST(:a AS int), CAST(:b AS int)) g"),
        {"p": post_id, "u": user_id, "a": offset + 1, "b": offset + n})
    session.commit()


def _peak_while_streaming(client, admin) -> tuple[int, int]:
    tracemalloc.start()
    response = client.as_(admin).get("/admin/analytics/export.csv", buffered=False)
    lines = 0
    for chunk in response.response:
        lines += chunk.count("\n") if isinstance(chunk, str) else chunk.count(b"\n")
    response.close()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return lines, peak


def test_memory_stays_flat_from_2000_to_200000_rows(pg_app, pg_session):
    admin, ann = UserFactory(role="admin"), UserFactory()
    post = PostFactory()
    client = ApiClient(pg_app)
    _bulk_shares(pg_session, post.id, ann.id, 2_000, 0)
    small_lines, small_peak = _peak_while_streaming(client, admin)
    _bulk_shares(pg_session, post.id, ann.id, 198_000, 2_000)

    lines, peak = _peak_while_streaming(client, admin)

    assert (small_lines, lines) == (2_001, 200_001)
    # 100x the rows, yet the peak stays within a small constant of the small export.
    assert peak < small_peak * 3 + 2_000_000, (small_peak, peak)
