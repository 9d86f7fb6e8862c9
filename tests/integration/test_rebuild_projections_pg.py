"""`stafet rebuild-projections` on real PostgreSQL: projections damaged every way (a wrong balance, a lost
row, a stray row, a wrong team total, a lost badge) come back exactly as the live path left them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select, update

from api.cli import cli
from api.db import db
from api.models.badges import Badge, BadgeAward
from api.models.ledger import PeriodTotal, TeamPeriodTotal, UserPoints
from api.services import adjustments, ledger
from tests.conftest import base_env
from tests.factories import TeamFactory, UserFactory
from tests.factories_tally import Facts, projection_rows, tally_all

pytestmark = [pytest.mark.postgres]

WEDNESDAY = datetime(2026, 3, 4, 9, tzinfo=UTC)  # ISO week of Monday 2026-03-02
NEXT_WEEK = datetime(2026, 3, 10, 9, tzinfo=UTC)
LAST_MONTH = datetime(2026, 2, 20, 9, tzinfo=UTC)

# Ann (team North): a share with her own caption (10 + 5), a click on it (1), a comment (2), then spends 3.
# Bob (no team): a share (10) and an admin's adjustment (7). Default scoring rules.
ANN_POINTS = (15, 18)  # (balance, lifetime)
BOB_POINTS = (17, 17)
ANN_PERIODS = {("week", date(2026, 3, 2)): 16, ("week", date(2026, 3, 9)): 2, ("month", date(2026, 3, 1)): 18,
               ("all_time", date(2000, 1, 1)): 18}


def _live_state(app, session):
    north = TeamFactory(name="North")
    ann, bob, admin = UserFactory(teams=[north]), UserFactory(), UserFactory(role="admin")
    session.add(Badge(code="first_share", name="First share",
                      criteria={"type": "count", "action": "share", "threshold": 1}))
    session.commit()
    facts = Facts(app)
    post = facts.post()
    share = facts.share(ann.id, post, "linkedin", personal=True, at=WEDNESDAY)
    facts.click(share, at=WEDNESDAY + timedelta(hours=1))
    facts.comment(ann.id, post, at=NEXT_WEEK)
    facts.share(bob.id, post, "x", at=LAST_MONTH)
    tally_all(app)
    with app.app_context():
        assert ledger.debit(db.session, user_id=ann.id, amount=3, action="redemption", dedupe_key="redemption:ann")
        adjustments.adjust(db.session, user_id=bob.id, amount=7, reason="Helped at the fair", admin_id=admin.id)
        db.commit()
    return ann, bob, north


def test_rebuild_projections_command_restores_the_live_state(pg_app, pg_url, pg_session, tmp_path):
    ann, bob, north = _live_state(pg_app, pg_session)
    live = projection_rows(pg_session)
    badges = sorted(pg_session.execute(select(BadgeAward.badge_id, BadgeAward.user_id)).all())
    # The live state is what the rules say (so the comparison below compares against something right).
    assert dict((u, (b, lt)) for u, b, lt in live["user_points"]) == {ann.id: ANN_POINTS, bob.id: BOB_POINTS}
    assert {(p, s): v for p, s, u, v in live["period_totals"] if u == ann.id} == ANN_PERIODS
    assert {(p, s): v for p, s, t, v in live["team_period_totals"] if t == north.id} == ANN_PERIODS
    assert len(badges) == 2  # both shared once

    pg_session.execute(update(UserPoints).where(UserPoints.user_id == ann.id).values(balance=999))
    pg_session.execute(delete(UserPoints).where(UserPoints.user_id == bob.id))
    pg_session.execute(delete(PeriodTotal).where(PeriodTotal.user_id == ann.id))
    pg_session.add(PeriodTotal(period="week", period_start=date(2020, 1, 6), user_id=bob.id, points=50))
    pg_session.execute(update(TeamPeriodTotal).values(points=1))
    pg_session.execute(delete(BadgeAward).where(BadgeAward.user_id == ann.id))
    pg_session.commit()
    assert projection_rows(pg_session) != live

    env = base_env(tmp_path, DATABASE_URL=pg_url, CLICK_FLUSH_SECONDS="0", REDIS_URL="")
    result = CliRunner().invoke(cli, ["rebuild-projections"], env=env)

    assert result.exit_code == 0, result.output
    assert "projections rebuilt: user_points 2," in result.output
    assert projection_rows(pg_session) == live
    assert sorted(pg_session.execute(select(BadgeAward.badge_id, BadgeAward.user_id)).all()) == badges
