"""The points-to-rank table behind `me.rank` gives competition ranks exactly."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from api.services.leaderboards import RankTable


@given(st.lists(st.integers(1, 50), max_size=200), st.integers(0, 60))
def test_ahead_is_the_number_of_people_with_more_points(points, mine):
    rows = sorted(Counter(points).items(), reverse=True)

    assert RankTable(rows).ahead(mine) == sum(1 for p in points if p > mine)


def test_ties_share_a_rank_and_the_next_rank_skips():
    table = RankTable([(90, 1), (70, 2), (10, 1)])

    assert [table.ahead(p) + 1 for p in (90, 70, 10, 0, 100)] == [1, 2, 4, 5, 1]
