"""Join codes on real PostgreSQL: concurrent joins for a code's last use."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from api.models.join_codes import JoinCode, JoinRequest
from api.models.users import User
from tests.factories import TeamFactory, lead_of
from tests.helpers import ApiClient

RACERS = 8


def test_joins_racing_for_the_last_use_let_exactly_one_in(pg_app, pg_session):
    """max_uses=1 and eight people pressing "join" at the same moment: one 202, seven 410
    join-code-used-up, one account and one request, and the code counts one use."""
    team = TeamFactory(name="Harbour")
    lead = lead_of(team)
    made = ApiClient(pg_app).as_(lead).post(f"/teams/{team.id}/join-codes", json={"max_uses": 1})
    assert made.status_code == 201, made.get_json()
    code = made.get_json()["code"]
    barrier = threading.Barrier(RACERS)

    def join(i: int) -> tuple[int, str]:
        client = ApiClient(pg_app)
        barrier.wait()
        r = client.post("/auth/join", json={"code": code, "display_name": f"Racer {i}",
                                            "password": "warehouse-night-shift", "username": f"racer{i}"})
        return r.status_code, (r.get_json() or {}).get("type", "")

    with ThreadPoolExecutor(RACERS) as pool:
        results = list(pool.map(join, range(RACERS)))

    assert Counter(status for status, _ in results) == Counter({202: 1, 410: RACERS - 1}), results
    assert all(kind.endswith("/join-code-used-up") for status, kind in results if status == 410)
    pg_session.expire_all()
    assert pg_session.scalar(select(JoinCode.uses).where(JoinCode.team_id == team.id)) == 1
    assert pg_session.scalar(select(func.count()).select_from(JoinRequest)) == 1
    assert pg_session.scalar(select(func.count()).select_from(User).where(User.username.like("racer%"))) == 1
