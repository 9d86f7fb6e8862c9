"""Property tests: for any sequence of events, replays, rule changes and opt-outs —
balance == sum(ledger), no (event, rule, user) twice, caps never exceeded, reversals exact,
and a rebuild of the projections equals the live state."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from api.clock import local_date
from api.db import db
from api.models.activity import ActivityEvent
from api.models.badges import Badge, BadgeAward
from api.models.ledger import SPENDING_ACTIONS, LedgerEntry, PeriodTotal, UserPoints
from api.models.scoring import ScoringRuleSet
from api.models.users import User
from api.services import ledger, projections, tally
from api.services.scoring import DEFAULT_RULES
from tests.conftest import empty_database
from tests.factories import TeamFactory, UserFactory
from tests.factories_tally import Facts, projection_rows, tally_all

DAY0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
NETWORKS = ("linkedin", "x", "facebook")

ops = st.lists(st.one_of(
    st.tuples(st.just("share"), st.integers(0, 2), st.sampled_from(NETWORKS), st.booleans(), st.integers(0, 1)),
    st.tuples(st.just("click"), st.integers(0, 20), st.integers(0, 1)),
    st.tuples(st.just("comment"), st.integers(0, 2), st.integers(0, 1), st.integers(0, 1)),
    st.tuples(st.just("delete"), st.integers(0, 20)),
    st.tuples(st.just("suggestion"), st.integers(0, 2)),
    st.tuples(st.just("rules"), st.integers(0, 12), st.integers(0, 4), st.one_of(st.none(), st.integers(0, 30)),
              st.integers(0, 3), st.booleans()),
    st.tuples(st.just("opt"), st.integers(0, 2), st.booleans()),
    st.tuples(st.just("tally"), st.integers(1, 4)),
    st.tuples(st.just("replay"),),
), max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(steps=ops)
def test_tally_invariants(app, session, monkeypatch, steps):
    empty_database(app)
    monkeypatch.setattr(app.extensions["stafet.queues"]["runner"], "submit", lambda *a, **k: None)
    team = TeamFactory()
    people = [UserFactory(teams=[team]), UserFactory(), UserFactory(role="admin", teams=[team])]
    # Tight caps from the start, so short sequences reach them.
    session.add(ScoringRuleSet(rules={**DEFAULT_RULES, "daily_caps": {"share": 15, "comment": 3, "click": 2}}))
    session.commit()
    facts = Facts(app)
    posts = [facts.post(), facts.post(author_id=people[0].id)]
    shares: list[int] = []
    comments: list[int] = []
    deleted: set[int] = set()
    for step in steps:
        kind = step[0]
        if kind == "share":
            _, who, network, personal, day = step
            shares.append(facts.share(people[who].id, posts[0], network, personal, at=DAY0 + timedelta(days=day)))
        elif kind == "click" and shares:
            facts.click(shares[step[1] % len(shares)], at=DAY0 + timedelta(days=step[2], hours=1))
        elif kind == "comment":
            _, who, post, day = step
            comments.append(facts.comment(people[who].id, posts[post], at=DAY0 + timedelta(days=day)))
        elif kind == "delete" and comments:
            comment = comments[step[1] % len(comments)]
            if comment not in deleted:
                deleted.add(comment)
                facts.delete_comment(comment)
        elif kind == "suggestion":
            facts.suggestion_accepted(people[step[1]].id)
        elif kind == "rules":
            _, share, comment, share_cap, click_max, admins = step
            rules = {**DEFAULT_RULES, "share": share, "comment": comment, "max_clicks_per_share": click_max,
                     "admins_earn_points": admins, "daily_caps": {"share": share_cap, "comment": 3, "click": 2}}
            session.add(ScoringRuleSet(rules=rules))
            session.commit()
        elif kind == "opt":
            session.execute(update(User).where(User.id == people[step[1]].id).values(gamification_enabled=step[2]))
            session.commit()
        elif kind == "tally":
            with app.app_context():
                tally.tally_batch(db.session, timezone="UTC", limit=step[1])
                db.commit()
        elif kind == "replay":
            with app.app_context():
                ids = list(db.session.scalars(select(ActivityEvent.id)))
                tally.tally_batch(db.session, timezone="UTC", ids=ids)
                db.commit()
    tally_all(app)
    check_invariants(app, session)


def check_invariants(app, session):
    session.expire_all()
    entries = session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)).all()
    # Exactly once per (event, rule, user).
    keys = [(e.event_id, e.action, e.user_id) for e in entries if e.event_id is not None]
    assert len(keys) == len(set(keys))
    # Balances are the ledger.
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for e in entries:
        sums[e.user_id][0] += e.amount
        sums[e.user_id][1] += 0 if e.action in SPENDING_ACTIONS else e.amount
    live = {p.user_id: [p.balance, p.lifetime] for p in session.scalars(select(UserPoints))}
    assert {u: v for u, v in live.items() if v != [0, 0]} == {u: v for u, v in sums.items() if v != [0, 0]}
    # Caps never exceeded: each capped award fits under the cap of the rules it was computed with.
    versions = {r.id: r.rules for r in session.scalars(select(ScoringRuleSet))}
    used: dict[tuple, int] = defaultdict(int)
    for e in entries:
        group = tally.CAP_GROUP.get(e.action)
        if group is None:
            continue
        key = (e.user_id, local_date(e.created_at, "UTC"), group)
        used[key] += e.amount
        cap = (versions.get(e.rule_version, DEFAULT_RULES)["daily_caps"] or {}).get(group)
        assert cap is None or used[key] <= cap, (e.action, used[key], cap)
    # A reversal takes back exactly what its comment earned.
    by_key = {e.dedupe_key: e for e in entries}
    events = {ev.id: ev for ev in session.scalars(select(ActivityEvent))}
    created = {ev.comment_id: ev for ev in events.values() if ev.kind == "comment_created"}
    for e in entries:
        if e.action == "comment_reversal":
            original = created[events[e.event_id].comment_id]
            assert e.amount == -by_key[tally.dedupe_key(original.id, "comment", e.user_id)].amount
    # Everything tallied; the rebuild equals the live projections.
    assert tally.untallied(session) == set()
    before = projection_rows(session)
    with app.app_context():
        projections.rebuild(db.session, timezone=app.config["ORG_TIMEZONE"])
        db.commit()
    assert projection_rows(session) == before


def test_rebuild_restores_wiped_projections(app, session):
    """Projections deleted (or corrupted) → the rebuild restores exactly the live numbers (the service on
    SQLite; the `stafet rebuild-projections` command on PostgreSQL: tests/integration/test_rebuild_projections_pg.py)."""
    user = UserFactory(teams=[TeamFactory()])
    session.add(Badge(code="first_share", name="First share", criteria={"type": "count", "action": "share",
                                                                         "threshold": 1}))
    session.commit()
    facts = Facts(app)
    post = facts.post()
    facts.share(user.id, post, "linkedin", personal=True)
    facts.comment(user.id, post)
    with app.app_context():
        ledger.debit(db.session, user_id=user.id, amount=3, action="redemption", dedupe_key="redemption:1")
        db.commit()
    live = projection_rows(session)
    badges_before = sorted(session.execute(select(BadgeAward.badge_id, BadgeAward.user_id)).all())
    session.execute(update(UserPoints).values(balance=999))
    session.execute(PeriodTotal.__table__.delete())
    session.execute(BadgeAward.__table__.delete())  # e.g. lost to a bad migration
    session.commit()
    with app.app_context():
        counts = projections.rebuild(db.session, timezone=app.config["ORG_TIMEZONE"])
        db.commit()
    assert projection_rows(session) == live
    assert live["user_points"] == [(user.id, 14, 17)]
    assert counts["user_points"] == 1
    assert badges_before and sorted(session.execute(select(BadgeAward.badge_id, BadgeAward.user_id)).all()) == \
        badges_before
    assert counts["badges"] == len(badges_before)
