"""Scoring rules, adjustments, my points and my level, through the HTTP API."""

from __future__ import annotations

from sqlalchemy import select

from api.models.ledger import LedgerEntry
from api.models.scoring import DEFAULT_LEVELS
from tests.factories import TeamFactory, UserFactory
from tests.factories_tally import Facts
from tests.helpers import assert_problem


def rules_body(**changes):
    body = {
        "share": 10, "share_by_network": {"instagram": 0}, "personal_caption_bonus": 5, "comment": 2, "click": 1,
        "suggestion_accepted": 20, "admins_earn_points": False,
        "daily_caps": {"share": 100, "comment": 20, "click": None}, "max_clicks_per_share": 25,
        "levels": [{"number": 1, "name": "Rookie", "min_points": 0}, {"number": 2, "name": "Pro", "min_points": 30}],
    }
    body.update(changes)
    return body


def test_admin_reads_the_default_rules_and_levels(client, session):
    """Before any change the defaults are served, levels included."""
    admin = UserFactory(role="admin")
    r = client.as_(admin).get("/admin/scoring-rules")
    assert r.status_code == 200
    body = r.get_json()
    assert body["share"] == 10 and body["admins_earn_points"] is False
    assert body["daily_caps"] == {"share": 100, "comment": 20, "click": 50}
    assert [lvl["min_points"] for lvl in body["levels"]] == [m for _, _, m in DEFAULT_LEVELS]


def test_put_stores_a_new_version_used_by_later_tallies(app, client, session):
    """PUT returns the new rules; the next share earns the new amount with the new rule version."""
    admin, user = UserFactory(role="admin"), UserFactory()
    r = client.as_(admin).put("/admin/scoring-rules", json=rules_body(share=7))
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["share"] == 7 and r.get_json()["levels"][1]["name"] == "Pro"
    assert client.as_(admin).get("/admin/scoring-rules").get_json() == r.get_json()
    facts = Facts(app)
    facts.share(user.id, facts.post(), "linkedin")
    facts.share(user.id, facts.post(networks=("instagram",)), "instagram")
    entry = session.scalar(select(LedgerEntry))
    assert (entry.amount, entry.rule_version) == (7, 1)
    assert client.as_(user).get("/me").get_json()["points"] == {
        "balance": 7, "lifetime": 7, "level": {"number": 1, "name": "Rookie", "next_level_at": 30}}


def test_invalid_rules_are_refused(client, session):
    """Negative points, negative caps, unknown networks and unordered levels are 422 naming the field;
    nothing is stored."""
    admin = UserFactory(role="admin")
    c = client.as_(admin)
    unordered = [{"number": 1, "name": "A", "min_points": 0}, {"number": 2, "name": "B", "min_points": 0}]
    not_from_zero = [{"number": 1, "name": "A", "min_points": 10}]
    cases = [
        ({"share": -1}, "share"),
        ({"daily_caps": {"share": -5, "comment": 1, "click": 1}}, "daily_caps.share"),
        ({"share_by_network": {"myspace": 1}}, "share_by_network"),
        ({"share_by_network": {"x": -3}}, "share_by_network"),
        ({"levels": unordered}, "levels"),
        ({"levels": not_from_zero}, "levels"),
        ({"max_clicks_per_share": -1}, "max_clicks_per_share"),
    ]
    for change, field in cases:
        body = assert_problem(c.put("/admin/scoring-rules", json=rules_body(**change)), 422)
        assert any(k == field or k.startswith(field + ".") for k in body["errors"]), (change, body["errors"])
    assert c.get("/admin/scoring-rules").get_json()["share_by_network"] == {}


def test_staff_and_leads_cannot_touch_the_rules(client, session):
    """Scoring rules are admin-only."""
    lead = UserFactory(role="lead")
    assert_problem(client.as_(lead).get("/admin/scoring-rules"), 403)
    assert_problem(client.as_(lead).put("/admin/scoring-rules", json=rules_body()), 403)


def test_adjustment_writes_a_ledger_entry_once_per_idempotency_key(client, session):
    """POST an adjustment twice with one key: one entry, the second answer replayed; points move once."""
    team = TeamFactory()
    admin, user = UserFactory(role="admin"), UserFactory(teams=[team])
    body = {"user_id": user.id, "amount": 40, "reason": "Won the photo contest"}
    headers = {"Idempotency-Key": "adj-1"}
    first = client.as_(admin).post("/admin/points/adjustments", json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    again = client.as_(admin).post("/admin/points/adjustments", json=body, headers=headers)
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json() == first.get_json()
    assert first.get_json()["action"] == "adjustment" and first.get_json()["amount"] == 40
    entries = session.scalars(select(LedgerEntry)).all()
    assert [(e.amount, e.created_by_id, e.team_id) for e in entries] == [(40, admin.id, team.id)]
    assert client.as_(user).get("/me").get_json()["points"]["balance"] == 40


def test_adjustment_validation_and_unknown_user(client, session):
    """Amount 0 or no reason is 422; an unknown user is 404."""
    admin = UserFactory(role="admin")
    c = client.as_(admin)
    assert_problem(c.post("/admin/points/adjustments", json={"user_id": admin.id, "amount": 0, "reason": "x"}),
                   422, "amount")
    assert_problem(c.post("/admin/points/adjustments", json={"user_id": admin.id, "amount": 5, "reason": " "}),
                   422, "reason")
    assert_problem(c.post("/admin/points/adjustments", json={"user_id": 999999, "amount": 5, "reason": "x"}), 404)


def test_my_points_lists_my_entries_newest_first_with_a_cursor(app, client, session):
    """Three entries, pages of two: newest first, then the rest; nobody else's entries."""
    user, other = UserFactory(), UserFactory()
    facts = Facts(app)
    post = facts.post()
    facts.share(user.id, post, "linkedin", personal=True)
    facts.comment(user.id, post)
    facts.share(other.id, post, "x")
    c = client.as_(user)
    page = c.get("/me/points?limit=2").get_json()
    assert [(e["action"], e["amount"]) for e in page["items"]] == [("comment", 2), ("personal_caption_bonus", 5)]
    assert page["items"][0]["post_id"] == post and page["items"][0]["reason"]
    rest = c.get(f"/me/points?limit=2&cursor={page['next_cursor']}").get_json()
    assert [(e["action"], e["amount"]) for e in rest["items"]] == [("share", 10)]
    assert rest["next_cursor"] is None


def test_level_comes_from_lifetime_and_spending_does_not_lower_it(app, client, session):
    """Lifetime 120 → level 2 (default table); a redemption lowers the balance, not the level."""
    from api.db import db
    from api.services import ledger

    admin, user = UserFactory(role="admin"), UserFactory()
    client.as_(admin).post("/admin/points/adjustments", json={"user_id": user.id, "amount": 120, "reason": "x"})
    with app.app_context():
        ledger.debit(db.session, user_id=user.id, amount=100, action="redemption", dedupe_key="redemption:1")
        db.commit()
    points = client.as_(user).get("/me").get_json()["points"]
    assert points == {"balance": 20, "lifetime": 120, "level": {"number": 2, "name": "Messenger", "next_level_at": 500}}
