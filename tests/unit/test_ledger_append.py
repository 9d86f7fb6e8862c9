"""Ledger append: once per key, projections move with it, debits never overdraw."""

from __future__ import annotations

from sqlalchemy import func, select

from api.models.ledger import LedgerEntry, PeriodTotal, UserPoints
from api.services import ledger
from tests.factories import TeamFactory, UserFactory


def test_append_is_once_per_key_and_moves_projections(app, session):
    from api.db import db

    team = TeamFactory()
    user = UserFactory(teams=[team])
    with app.app_context():
        s = db.session
        assert ledger.append(s, user_id=user.id, amount=10, action="share", dedupe_key="k1", team_id=team.id)
        assert ledger.append(s, user_id=user.id, amount=10, action="share", dedupe_key="k1", team_id=team.id) is None
        assert ledger.debit(s, user_id=user.id, amount=4, action="redemption", dedupe_key="r1")
        assert ledger.debit(s, user_id=user.id, amount=7, action="redemption", dedupe_key="r2") is None
        db.commit()
    points = session.get(UserPoints, user.id)
    assert (points.balance, points.lifetime) == (6, 10)
    assert session.scalar(select(func.sum(LedgerEntry.amount)).where(LedgerEntry.user_id == user.id)) == 6
    totals = {p.period: p.points for p in session.scalars(select(PeriodTotal))}
    assert totals == {"week": 10, "month": 10, "all_time": 10}
