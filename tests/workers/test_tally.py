"""The tally in-process (SQLite, jobs inline after each commit): events in, ledger entries out."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from api.models.activity import ActivityEvent, OutboxMessage
from api.models.ledger import LedgerEntry, UserPoints
from tests.factories import TeamFactory, UserFactory
from tests.factories_tally import Facts, tally_all


def entries(session, user_id):
    session.expire_all()
    return [(e.action, e.amount) for e in session.scalars(
        select(LedgerEntry).where(LedgerEntry.user_id == user_id).order_by(LedgerEntry.id))]


def balance(session, user_id):
    session.expire_all()
    row = session.get(UserPoints, user_id)
    return (row.balance, row.lifetime) if row else (0, 0)


def test_a_share_earns_share_points_and_the_personal_caption_bonus(app, session):
    """A share on LinkedIn with my own caption earns 10 + 5 with the default rules, in my team."""
    team = TeamFactory()
    user = UserFactory(teams=[team])
    facts = Facts(app)
    post = facts.post()
    facts.share(user.id, post, "linkedin", personal=True)
    assert entries(session, user.id) == [("share", 10), ("personal_caption_bonus", 5)]
    assert balance(session, user.id) == (15, 15)
    rows = session.scalars(select(LedgerEntry)).all()
    assert {r.team_id for r in rows} == {team.id}
    assert {r.rule_version for r in rows} == {0}
    assert rows[0].dedupe_key == f"event:{rows[0].event_id}:share:u{user.id}"
    assert session.scalar(select(func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.processed_at.is_(None))) == 0


def test_a_backlog_larger_than_one_job_continues_in_a_fresh_job(app, session, monkeypatch):
    """A job tallies at most MAX_BATCHES_PER_JOB batches, then hands the rest to a new job."""
    from api.services import tally
    from workers.jobs import tally as tally_job

    user = UserFactory()
    facts = Facts(app)
    post = facts.post(networks=("linkedin", "x", "facebook", "instagram"))
    runner = app.extensions["stafet.queues"]["runner"]
    with monkeypatch.context() as held:
        held.setattr(runner, "submit", lambda *a, **k: None)
        for network in ("linkedin", "x", "facebook", "instagram"):
            facts.share(user.id, post, network)
            facts.click(facts.share(user.id, post, network))
    backlog = tally.untallied(session)
    monkeypatch.setattr(tally, "BATCH_SIZE", 2)
    monkeypatch.setattr(tally_job, "MAX_BATCHES_PER_JOB", 2)
    assert len(backlog) == 12
    assert tally_all(app) == 4  # the hand-over job ran inline and tallied the other 8
    assert tally.untallied(session) == set()
    # 8 shares, each network twice: the second share of a post on a network earns nothing
    assert sum(amount for action, amount in entries(session, user.id) if action == "share") == 40


def test_tallying_again_adds_nothing(app, session):
    """Re-running the tally (and replaying tallied events) writes no second entry."""
    from api.db import db
    from api.services import tally

    user = UserFactory()
    facts = Facts(app)
    post = facts.post()
    facts.share(user.id, post)
    assert tally_all(app) == 0
    with app.app_context():
        ids = list(db.session.scalars(select(ActivityEvent.id)))
        result = tally.tally_batch(db.session, timezone="UTC", ids=ids)
        db.commit()
    assert result.entries == 0
    assert entries(session, user.id) == [("share", 10)]
    assert balance(session, user.id) == (10, 10)


def set_rules(app, **changes):
    """A new rule version (what PUT /admin/scoring-rules stores)."""
    from api.db import db
    from api.models.scoring import ScoringRuleSet
    from api.services.scoring import current_rules

    with app.app_context():
        _, rules = current_rules(db.session)
        db.session.add(ScoringRuleSet(rules={**rules, **changes}))
        db.commit()


def test_daily_cap_cuts_the_award_that_crosses_it(app, session):
    """Share cap 25: shares of 10 + bonus 5 → 15, then 10 (cut to what is left), then nothing that day."""
    set_rules(app, daily_caps={"share": 25, "comment": 20, "click": 50})
    user = UserFactory()
    facts = Facts(app)
    post = facts.post()
    day = datetime(2026, 3, 2, 9, tzinfo=UTC)
    facts.share(user.id, post, "linkedin", personal=True, at=day)
    facts.share(user.id, post, "x", personal=False, at=day.replace(hour=10))
    facts.share(user.id, post, "facebook", personal=False, at=day.replace(hour=11))
    assert entries(session, user.id) == [("share", 10), ("personal_caption_bonus", 5), ("share", 10)]
    assert balance(session, user.id) == (25, 25)
    facts.share(user.id, post, "instagram", at=day.replace(day=3))  # a new day
    assert balance(session, user.id) == (35, 35)


def test_daily_cap_day_is_the_org_timezone_day(app, session, monkeypatch):
    """With ORG_TIMEZONE=Pacific/Auckland, 23:00 UTC is already the next local day: a fresh cap."""
    monkeypatch.setitem(app.config, "ORG_TIMEZONE", "Pacific/Auckland")
    set_rules(app, daily_caps={"share": 10, "comment": 20, "click": 50})
    user = UserFactory()
    facts = Facts(app)
    post = facts.post()
    facts.share(user.id, post, "linkedin", at=datetime(2026, 3, 2, 1, tzinfo=UTC))  # 14:00 local, 2 March
    facts.share(user.id, post, "x", at=datetime(2026, 3, 2, 10, tzinfo=UTC))  # 23:00 local, 2 March: capped
    facts.share(user.id, post, "facebook", at=datetime(2026, 3, 2, 12, tzinfo=UTC))  # 01:00 local, 3 March
    assert entries(session, user.id) == [("share", 10), ("share", 10)]


def test_network_override_of_zero_earns_nothing_not_even_the_bonus(app, session):
    """An admin set Instagram to 0 (platform policy): no share points and no caption bonus there."""
    set_rules(app, share_by_network={"instagram": 0, "x": 3})
    user = UserFactory()
    facts = Facts(app)
    post = facts.post(networks=("instagram", "x"))
    facts.share(user.id, post, "instagram", personal=True)
    facts.share(user.id, post, "x")
    assert entries(session, user.id) == [("share", 3)]


def test_clicks_count_up_to_the_maximum_per_share(app, session):
    """max_clicks_per_share 3: the sharer earns for the first 3 clicks of each share only."""
    set_rules(app, max_clicks_per_share=3)
    user = UserFactory()
    facts = Facts(app)
    post = facts.post()
    first = facts.share(user.id, post, "linkedin")
    second = facts.share(user.id, post, "x")
    for _ in range(5):
        facts.click(first)
    facts.click(second)
    assert entries(session, user.id) == [("share", 10), ("share", 10)] + [("click", 1)] * 4


def test_comment_points_and_no_points_on_my_own_post(app, session):
    """Commenting earns 2; commenting on a post I authored earns nothing."""
    lead = UserFactory(role="lead")
    facts = Facts(app)
    theirs, mine = facts.post(), facts.post(author_id=lead.id)
    facts.comment(lead.id, theirs)
    facts.comment(lead.id, mine)
    assert entries(session, lead.id) == [("comment", 2)]


def test_deleting_a_comment_reverses_exactly_what_it_earned(app, session):
    """A comment that earned 2 is reversed by -2; one cut to 1 by the cap by -1; one that earned nothing by nothing."""
    set_rules(app, daily_caps={"share": 100, "comment": 3, "click": 50})
    user = UserFactory()
    facts = Facts(app)
    post = facts.post()
    day = datetime(2026, 3, 2, 9, tzinfo=UTC)
    full, cut, none = (facts.comment(user.id, post, at=day) for _ in range(3))
    assert entries(session, user.id) == [("comment", 2), ("comment", 1)]
    for comment in (full, cut, none):
        facts.delete_comment(comment)
    assert entries(session, user.id) == [("comment", 2), ("comment", 1), ("comment_reversal", -2),
                                         ("comment_reversal", -1)]
    assert balance(session, user.id) == (0, 0)


def test_a_comment_created_and_deleted_in_one_batch_is_reversed(app, session, monkeypatch):
    """Both events tallied together: the reversal sees the entry written earlier in the same batch."""
    user = UserFactory()
    facts = Facts(app)
    post = facts.post()
    runner = app.extensions["stafet.queues"]["runner"]
    monkeypatch.setattr(runner, "submit", lambda *a, **k: None)  # hold the jobs
    comment = facts.comment(user.id, post)
    facts.delete_comment(comment)
    assert tally_all(app) == 2
    assert entries(session, user.id) == [("comment", 2), ("comment_reversal", -2)]


def test_opted_out_users_earn_nothing_and_re_enabling_is_not_retroactive(app, session, monkeypatch):
    """Opt-out is checked when the event is tallied: events recorded before opting out earn nothing
    either, and opting back in awards nothing for the time away."""
    from api.models.users import User

    user = UserFactory()
    facts = Facts(app)
    post = facts.post()
    runner = app.extensions["stafet.queues"]["runner"]
    with monkeypatch.context() as m:
        m.setattr(runner, "submit", lambda *a, **k: None)
        facts.share(user.id, post, "linkedin")  # recorded while still opted in...
        session.get(User, user.id).gamification_enabled = False
        session.commit()
        assert tally_all(app) == 1  # ...tallied after opting out
    facts.comment(user.id, post)
    assert entries(session, user.id) == []
    session.get(User, user.id).gamification_enabled = True
    session.commit()
    assert tally_all(app) == 0
    facts.comment(user.id, post)
    assert entries(session, user.id) == [("comment", 2)]


def test_admins_earn_only_when_the_rules_say_so(app, session):
    """By default an admin's share earns nothing; with admins_earn_points it does."""
    admin = UserFactory(role="admin")
    facts = Facts(app)
    post = facts.post()
    facts.share(admin.id, post, "linkedin")
    assert entries(session, admin.id) == []
    set_rules(app, admins_earn_points=True)
    facts.share(admin.id, post, "x")
    assert entries(session, admin.id) == [("share", 10)]


def test_rule_changes_apply_to_later_events_and_never_rewrite_history(app, session):
    """Share points 10 → 40: the first entry keeps 10 and version 0, the next has 40 and the new version."""
    user = UserFactory()
    facts = Facts(app)
    post = facts.post()
    facts.share(user.id, post, "linkedin")
    set_rules(app, share=40)
    facts.share(user.id, post, "x")
    session.expire_all()
    rows = session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)).all()
    assert [(r.amount, r.rule_version) for r in rows] == [(10, 0), (40, 1)]


def test_accepted_suggestion_earns_its_points(app, session):
    """An accepted story suggestion earns 20 (default) for the person who suggested it."""
    user = UserFactory()
    Facts(app).suggestion_accepted(user.id)
    assert entries(session, user.id) == [("suggestion_accepted", 20)]


def test_team_is_the_first_membership_when_tallied(app, session):
    """A member of two teams earns for the team they joined first; moving later leaves old entries alone."""
    from api.models.teams import TeamMembership

    first, second = TeamFactory(), TeamFactory()
    user = UserFactory(teams=[first])
    session.add(TeamMembership(user_id=user.id, team_id=second.id))
    session.commit()
    facts = Facts(app)
    post = facts.post()
    facts.share(user.id, post, "linkedin")
    session.delete(session.get(TeamMembership, (first.id, user.id)))
    session.commit()
    facts.share(user.id, post, "x")
    session.expire_all()
    assert [r.team_id for r in session.scalars(select(LedgerEntry).order_by(LedgerEntry.id))] == [first.id, second.id]


def test_transient_database_errors_are_retried_with_backoff(app, session, monkeypatch):
    """A deadlock on the first attempt rolls back and the batch is tried again; a real error is not retried."""
    import pytest
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from api.services import tally
    from workers.jobs import tally as tally_job

    class Deadlock(Exception):
        sqlstate = "40P01"

    user = UserFactory()
    facts = Facts(app)
    post = facts.post()
    runner = app.extensions["stafet.queues"]["runner"]
    monkeypatch.setattr(runner, "submit", lambda *a, **k: None)
    facts.share(user.id, post)
    real = tally.tally_batch
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            real(*args, **kwargs)  # wrote entries, then the database gave up on us
            raise OperationalError("UPDATE ...", {}, Deadlock("deadlock detected"))
        return real(*args, **kwargs)

    monkeypatch.setattr(tally, "tally_batch", flaky)
    monkeypatch.setattr(tally_job.time, "sleep", lambda s: None)
    assert tally_all(app) == 1
    assert entries(session, user.id) == [("share", 10)]
    monkeypatch.setattr(tally, "tally_batch", lambda *a, **k: (_ for _ in ()).throw(
        ProgrammingError("SELECT", {}, Exception("syntax error"))))
    with pytest.raises(ProgrammingError):
        tally_all(app)


def test_tally_job_is_the_outbox_handler_for_tally_on_the_tally_queue():
    """Events published on topic "tally" run tally_events (a batch job) on the tally queue."""
    from workers.jobs.tally import tally_events
    from workers.registry import HANDLERS

    handler = HANDLERS["tally"]
    assert (handler.func, handler.queue, handler.batch) == (tally_events, "tally", True)


def test_a_cap_set_later_in_the_day_counts_what_was_earned_without_one(app, session):
    """No share cap, 10 earned; the cap becomes 10: the day's next share earns nothing."""
    set_rules(app, daily_caps={"share": None, "comment": 20, "click": 50})
    user = UserFactory()
    facts = Facts(app)
    post = facts.post()
    day = datetime(2026, 3, 2, 9, tzinfo=UTC)
    facts.share(user.id, post, "linkedin", at=day)
    set_rules(app, daily_caps={"share": 10, "comment": 20, "click": 50})
    facts.share(user.id, post, "x", at=day.replace(hour=10))

    assert entries(session, user.id) == [("share", 10)]
    assert balance(session, user.id) == (10, 10)


def test_a_share_whose_row_is_gone_takes_the_personal_caption_from_its_event(app, session):
    """The event carries whether the caption was personal, for when the share row no longer exists."""
    from api.db import db
    from api.services.activity import record_event

    user = UserFactory()
    facts = Facts(app)
    post = facts.post()
    with app.app_context():
        record_event(db.session, "share_created", "share:gone-1", user_id=user.id, post_id=post, share_id=None,
                     network="linkedin", payload={"personal_caption": True})
        record_event(db.session, "share_created", "share:gone-2", user_id=user.id, post_id=post, share_id=None,
                     network="x", payload={"personal_caption": False})
        db.commit()
    assert entries(session, user.id) == [("share", 10), ("personal_caption_bonus", 5), ("share", 10)]
