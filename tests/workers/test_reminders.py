"""Gentle reminders: weekly digest of unshared top stories, a nudge after 14 quiet days — once each,
never for people who switched reminders off or left gamification."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from api.clock import utcnow
from api.models.notifications import Notification, NotificationPreference
from api.models.shares import Share
from tests.factories import UserFactory
from tests.factories_content import PostFactory


def _run(app):
    from workers.jobs.reminders import send_reminders

    with app.app_context():
        return send_reminders()


def _reminders(session, user):
    session.expire_all()
    return session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                      Notification.category == "reminders")).all()


def test_weekly_digest_lists_stories_i_have_not_shared_once_a_week(app, session):
    old = utcnow() - timedelta(days=30)
    ann = UserFactory(created_at=old)
    shared, hot = PostFactory(title="Shared"), PostFactory(title="Hot")
    PostFactory(title="Quiet")
    session.add_all([Share(post_id=shared.id, user_id=ann.id, network="x", code="r1")]
                    + [Share(post_id=hot.id, user_id=UserFactory().id, network="x", code=f"h{i}") for i in range(3)])
    session.commit()

    _run(app)
    _run(app)

    digest = [n for n in _reminders(session, ann) if n.dedupe_key.startswith("digest:")]
    assert len(digest) == 1
    assert digest[0].body.startswith("Hot") and "Shared" not in digest[0].body
    assert digest[0].data["deep_link"] == f"stafet://posts/{hot.id}"


def test_inactivity_nudge_after_14_days_once(app, session):
    ann = UserFactory(created_at=utcnow() - timedelta(days=40))
    PostFactory()
    session.add(Share(post_id=PostFactory().id, user_id=ann.id, network="x", code="a1",
                      created_at=utcnow() - timedelta(days=13)))
    session.commit()
    _run(app)
    assert not [n for n in _reminders(session, ann) if n.dedupe_key.startswith("inactive:")]

    with time_machine.travel(utcnow() + timedelta(days=2)):
        _run(app)
        _run(app)

    assert len([n for n in _reminders(session, ann) if n.dedupe_key.startswith("inactive:")]) == 1


def test_no_reminders_for_people_who_opted_out(app, session):
    old = utcnow() - timedelta(days=40)
    no_reminders = UserFactory(created_at=old)
    session.add(NotificationPreference(user_id=no_reminders.id, push_enabled=True,
                                       categories={"reminders": False}))
    session.commit()
    no_games = UserFactory(created_at=old, gamification_enabled=False)
    PostFactory()

    _run(app)

    assert _reminders(session, no_reminders) == [] and _reminders(session, no_games) == []
