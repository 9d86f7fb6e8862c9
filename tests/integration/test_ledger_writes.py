"""The ledger's one write path, on SQLite and on PostgreSQL: one entry at a time or all in one batch
gives the same rows and the same projections, and every value arrives as given — an empty string
stays '' (it once became NULL on PostgreSQL), NULL stays NULL, a timestamp keeps its microseconds."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from api.db import db
from api.models.ledger import LedgerEntry, PeriodTotal, TeamPeriodTotal, UserPoints
from api.services import ledger
from tests.factories import TeamFactory, UserFactory
from tests.factories_content import PostFactory

SUNDAY_NIGHT = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)  # the last hour of ISO week 2026-02-23
MONDAY = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)
MONTH_END = datetime(2026, 3, 31, 23, 59, 59, 123456, tzinfo=UTC)

# (person, amount, action, key, reason, at): person 0 is in a team, person 1 in none.
ENTRIES = [
    (0, 10, "share", "s1", "Shared on x", SUNDAY_NIGHT),
    (0, 5, "personal_caption_bonus", "b1", "", MONDAY),
    (0, -3, "redemption", "r1", None, MONDAY),
    (1, 7, "adjustment", "a1", 'Ünïcode, commas; "quotes" and \x1f', MONTH_END),
    (0, 99, "share", "s1", "a second fact under a used key", MONDAY),  # inserts nothing, moves nothing
]
EXPECTED_POINTS = {0: (12, 15), 1: (7, 7)}  # (balance, lifetime): spending moves only the balance
EXPECTED_PERIODS = {
    (0, "week", date(2026, 2, 23)): 10, (0, "week", date(2026, 3, 2)): 5, (0, "month", date(2026, 3, 1)): 15,
    (0, "all_time", date(2000, 1, 1)): 15,
    (1, "week", date(2026, 3, 30)): 7, (1, "month", date(2026, 3, 1)): 7, (1, "all_time", date(2000, 1, 1)): 7,
}
EXPECTED_TEAM = {("week", date(2026, 2, 23)): 10, ("week", date(2026, 3, 2)): 5, ("month", date(2026, 3, 1)): 15,
                 ("all_time", date(2000, 1, 1)): 15}


@pytest.fixture(params=["app", "pg_app"])
def backend(request):
    """(app, inspection session) on SQLite, then on PostgreSQL."""
    app = request.getfixturevalue(request.param)
    session = request.getfixturevalue("session" if request.param == "app" else "pg_session")
    return app, session


def _world(session):
    """Two people (one in a team), an admin and a post: the rows entries refer to."""
    team = TeamFactory()
    return {"people": [UserFactory(teams=[team]), UserFactory()], "team": team, "admin": UserFactory(role="admin"),
            "post": PostFactory()}


def _entries(world, prefix):
    people, team = world["people"], world["team"]
    return [ledger.NewEntry(user_id=people[who].id, amount=amount, action=action, dedupe_key=f"{prefix}:{key}",
                            at=at, reason=reason, team_id=team.id if who == 0 else None,
                            post_id=world["post"].id if action == "share" else None,
                            created_by_id=world["admin"].id if action == "adjustment" else None,
                            rule_version=3 if action == "share" else None)
            for who, amount, action, key, reason, at in ENTRIES]


def _state(session, world):
    """Everything the writes left for these people, with people and teams as their index in `world`."""
    session.expire_all()
    who = {p.id: n for n, p in enumerate(world["people"])}
    rows = sorted((who[e.user_id], e.amount, e.action, e.dedupe_key.split(":", 1)[1], e.reason, e.created_at,
                   e.team_id == world["team"].id, e.post_id == world["post"].id,
                   e.created_by_id == world["admin"].id, e.rule_version, e.event_id)
                  for e in session.scalars(select(LedgerEntry).where(LedgerEntry.user_id.in_(who))))
    points = {who[p.user_id]: (p.balance, p.lifetime)
              for p in session.scalars(select(UserPoints).where(UserPoints.user_id.in_(who)))}
    periods = {(who[t.user_id], t.period, t.period_start): t.points
               for t in session.scalars(select(PeriodTotal).where(PeriodTotal.user_id.in_(who)))}
    team = {(t.period, t.period_start): t.points
            for t in session.scalars(select(TeamPeriodTotal).where(TeamPeriodTotal.team_id == world["team"].id))}
    return rows, points, periods, team


def test_one_at_a_time_and_in_one_batch_write_the_same_rows(backend):
    app, session = backend
    single, batch = _world(session), _world(session)
    with app.app_context():
        returned = [ledger.append(db.session, user_id=e.user_id, amount=e.amount, action=e.action,
                                  dedupe_key=e.dedupe_key, reason=e.reason, event_id=e.event_id,
                                  rule_version=e.rule_version, team_id=e.team_id, post_id=e.post_id,
                                  created_by_id=e.created_by_id, at=e.at)
                    for e in _entries(single, "one")]
        ids = ledger.append_many(db.session, _entries(batch, "many"))
        db.commit()

    one, many = _state(session, single), _state(session, batch)
    assert one == many
    rows, points, periods, team = many
    assert [(r[0], r[1], r[2], r[4], r[5]) for r in rows] == sorted(
        (who, amount, action, reason, at) for who, amount, action, _key, reason, at in ENTRIES[:4])
    assert points == EXPECTED_POINTS
    assert periods == EXPECTED_PERIODS
    assert team == EXPECTED_TEAM
    # What each call reports: the new entry's id, or nothing for the key used twice.
    assert [a is not None for a in returned] == [True, True, True, True, False]
    by_key = {e.dedupe_key: e.id for e in session.scalars(select(LedgerEntry).where(
        LedgerEntry.dedupe_key.like("many:%")))}
    assert ids == by_key


def test_empty_strings_and_nulls_keep_their_meaning(backend):
    """'' is a value, NULL is its absence: a reason of '' reads back as '' and None as None."""
    app, session = backend
    world = _world(session)
    ann = world["people"][0].id
    with app.app_context():
        ledger.append_many(db.session, [
            ledger.NewEntry(user_id=ann, amount=1, action="adjustment", dedupe_key="empty", at=MONDAY, reason=""),
            ledger.NewEntry(user_id=ann, amount=1, action="adjustment", dedupe_key="null", at=MONDAY, reason=None),
        ])
        ledger.append(db.session, user_id=ann, amount=1, action="adjustment", dedupe_key="one-empty", reason="",
                      at=MONDAY)
        db.commit()
    session.expire_all()
    reasons = dict(session.execute(select(LedgerEntry.dedupe_key, LedgerEntry.reason)).all())
    assert reasons == {"empty": "", "null": None, "one-empty": ""}
