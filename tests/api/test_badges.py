"""Badges: criteria, once only, never taken away by edits, revocation, notifications — and end to
end: shares through the API, tallied, earn a badge and a leaderboard place."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select

from api.clock import utcnow
from api.models.badges import Badge, BadgeAward
from api.models.notifications import Notification
from api.services import badges, ledger
from tests.factories import UserFactory
from tests.factories_content import PostFactory
from tests.helpers import assert_problem


def _badge(session, code, criteria):
    b = Badge(code=code, name=code.title(), description="", criteria=criteria)
    session.add(b)
    session.commit()
    return b


def _entry(session, user, action="share", at=None):
    ledger.append(session, user_id=user.id, amount=10, action=action, dedupe_key=uuid.uuid4().hex, at=at)


def _evaluate(app, user_ids):
    from api.db import db

    with app.app_context():
        new = badges.evaluate_after_tally(db.session, user_ids, timezone=app.config["ORG_TIMEZONE"])
        db.commit()
    return new


def test_count_badge_awarded_once_with_a_notification(app, session):
    ann = UserFactory()
    _badge(session, "three-shares", {"type": "count", "action": "share", "threshold": 3})
    for _ in range(2):
        _entry(session, ann)
    session.commit()
    assert _evaluate(app, [ann.id]) == []
    _entry(session, ann)
    session.commit()

    assert len(_evaluate(app, [ann.id])) == 1
    assert _evaluate(app, [ann.id]) == []
    note = session.scalar(select(Notification).where(Notification.user_id == ann.id))
    assert note.category == "badges" and note.data["deep_link"] == "stafet://badges/three-shares"


def test_streak_needs_consecutive_days(app, session):
    ann, bob = UserFactory(), UserFactory()
    _badge(session, "streak", {"type": "streak", "action": "share", "threshold": 3})
    now = utcnow()
    for d in (0, 1, 2):
        _entry(session, ann, at=now - timedelta(days=d))
    for d in (0, 1, 3):
        _entry(session, bob, at=now - timedelta(days=d))
    session.commit()

    _evaluate(app, [ann.id, bob.id])

    holders = set(session.scalars(select(BadgeAward.user_id)))
    assert holders == {ann.id}


def test_opted_out_people_earn_no_badges(app, session):
    gone = UserFactory(gamification_enabled=False)
    _badge(session, "first", {"type": "count", "action": "share", "threshold": 1})
    _entry(session, gone)
    session.commit()

    assert _evaluate(app, [gone.id]) == []


def test_edits_never_take_a_badge_away_but_an_admin_may_revoke(app, client, session):
    admin, ann = UserFactory(role="admin"), UserFactory()
    b = _badge(session, "first", {"type": "count", "action": "share", "threshold": 1})
    _entry(session, ann)
    session.commit()
    _evaluate(app, [ann.id])

    r = client.as_(admin).patch(f"/admin/badges/{b.id}", json={"criteria": {"type": "count", "action": "share",
                                                                             "threshold": 50}})
    assert r.status_code == 200 and r.get_json()["holders"] == 1
    assert [x["badge"]["code"] for x in client.as_(ann).get("/me/badges").get_json()["items"]] == ["first"]

    assert client.as_(admin).post(f"/admin/badges/{b.id}/revocations",
                                  json={"user_id": ann.id, "reason": "Shared a deleted post"}).status_code == 204
    assert client.as_(ann).get("/me/badges").get_json()["items"] == []
    award = session.scalar(select(BadgeAward))
    assert award.revoke_reason == "Shared a deleted post" and award.revoked_by_id == admin.id
    assert_problem(client.as_(admin).post(f"/admin/badges/{b.id}/revocations",
                                          json={"user_id": ann.id, "reason": "again"}), 404)


def test_admin_validation(client, session):
    admin = UserFactory(role="admin")
    good = {"code": "ok", "name": "OK", "criteria": {"type": "count", "action": "share", "threshold": 2}}
    assert client.as_(admin).post("/admin/badges", json=good).status_code == 201
    assert_problem(client.as_(admin).post("/admin/badges", json=good), 409)
    assert_problem(client.as_(admin).post("/admin/badges", json={**good, "code": "x",
                                                                  "criteria": {"type": "count", "action": "share",
                                                                               "threshold": 0}}), 422)
    assert_problem(client.as_(admin).post("/admin/badges", json={**good, "code": "y",
                                                                  "criteria": {"type": "vibes", "action": "share",
                                                                               "threshold": 1}}), 422)


def test_end_to_end_share_tally_badge_and_board(app, client, session):
    """A share through the API is tallied (jobs in-process), earns points, the first-share badge
    and a leaderboard place; the catalog shows when I earned it."""
    from api.db import db

    with app.app_context():
        badges.seed_defaults(db.session)
        db.commit()
    ann = UserFactory()
    post = PostFactory()

    r = client.as_(ann).post(f"/posts/{post.id}/shares", json={"network": "linkedin"})
    assert r.status_code == 201

    me = client.as_(ann).get("/me").get_json()
    assert me["points"]["balance"] == r.get_json()["points_pending"] > 0
    catalog = {b["code"]: b["earned_at"] for b in client.as_(ann).get("/badges").get_json()["items"]}
    assert catalog["first-share"] is not None and catalog["ten-shares"] is None
    board = client.as_(ann).get("/leaderboard").get_json()
    assert board["entries"][0]["user"]["id"] == ann.id and board["me"]["rank"] == 1
    assert session.scalar(select(func.count()).select_from(Notification).where(
        Notification.category == "badges")) == 1
