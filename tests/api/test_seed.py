"""The demo organisation."""

from __future__ import annotations

from sqlalchemy import func, select

from api.models.teams import Team, TeamMembership
from api.models.users import User


def test_seed_is_idempotent_and_logins_work(app, client, session):
    from api.db import db
    from api.seed import seed_demo

    for _ in range(2):
        with app.app_context():
            seed_demo(db.session)
            db.commit()
    assert session.scalar(select(func.count()).select_from(User)) == 34  # 33 people and a joiner waiting (below)
    assert session.scalar(select(func.count()).select_from(Team)) == 3
    assert session.scalar(select(func.count()).select_from(TeamMembership).where(TeamMembership.is_lead)) == 2
    r = client.post("/auth/login", json={"email": "admin@demo.stafet.dev", "password": "stafet-admin"})
    assert r.status_code == 200 and r.get_json()["user"]["role"] == "admin"
    r = client.post("/auth/login", json={"email": "staff30@demo.stafet.dev", "password": "stafet-demo"})
    assert r.status_code == 200 and len(r.get_json()["user"]["teams"]) == 1


def test_demo_lead1_has_a_join_request_to_approve(app, client, session):
    """Stores North has the join code DEMC-JXYN-NRTH and Mia waits for lead1, who is told in the inbox;
    once approved, Mia signs in with her username. Seeding twice makes one code and one joiner."""
    from api.db import db
    from api.seed import seed_demo

    for _ in range(2):
        with app.app_context():
            seed_demo(db.session)
            db.commit()
    north = session.scalar(select(Team).where(Team.name == "Stores North"))
    lead = client.post("/auth/login", json={"email": "lead1@demo.stafet.dev", "password": "stafet-demo"}).get_json()
    auth = {"Authorization": f"Bearer {lead['access_token']}"}

    codes = client.get(f"/teams/{north.id}/join-codes", headers=auth).get_json()
    waiting = client.get(f"/teams/{north.id}/join-requests?status=pending", headers=auth).get_json()["items"]
    inbox = client.get("/me/notifications", headers=auth).get_json()["items"]
    assert [(c["code"], c["state"], c["uses"]) for c in codes] == [("DEMC-JXYN-NRTH", "active", 1)]
    assert [(w["display_name"], w["username"]) for w in waiting] == [("Mia Holm", "mia.demo")]
    assert any(n["title"] == "Mia Holm asks to join Stores North" for n in inbox)
    assert client.post("/auth/login", json={"username": "mia.demo", "password": "stafet-demo"}).status_code == 403

    approved = client.post(f"/teams/{north.id}/join-requests/{waiting[0]['id']}/approve", headers=auth)
    assert approved.status_code == 200
    assert client.post("/auth/login", json={"username": "mia.demo", "password": "stafet-demo"}).status_code == 200


def test_demo_feed_has_pinned_targeted_scheduled_and_expired_stories(app, client, session):
    """A demo staff member sees a realistic feed: pinned first, no scheduled or expired story, once only."""
    from api.db import db
    from api.models.posts import Post
    from api.seed import seed_demo

    for _ in range(2):
        with app.app_context():
            seed_demo(db.session)
            db.commit()
    assert session.scalar(select(func.count()).select_from(Post)) == 20
    token = client.post("/auth/login", json={"email": "staff1@demo.stafet.dev", "password": "stafet-demo"}).get_json()
    feed = client.get("/feed?limit=100", headers={"Authorization": f"Bearer {token['access_token']}"}).get_json()
    titles = [i["title"] for i in feed["items"]]
    assert feed["items"][0]["pinned"] and feed["items"][1]["pinned"]
    assert "Black Friday: we're donating instead" not in titles  # scheduled
    assert "Summer festival recap" not in titles  # expired
    assert 12 <= len(titles) < 18  # some stories target other teams


def test_demo_activity_fills_the_dashboard_and_the_ledger_adds_up(app, client, session):
    """The demo has four weeks of shares, clicks and comments, tallied: the admin's dashboard shows
    them, the leaderboard is populated and every balance equals its ledger."""
    from api.db import db
    from api.models.ledger import LedgerEntry, UserPoints
    from api.seed import seed_demo

    with app.app_context():
        seed_demo(db.session)
        db.commit()
    token = client.post("/auth/login", json={"email": "admin@demo.stafet.dev", "password": "stafet-admin"}).get_json()
    auth = {"Authorization": f"Bearer {token['access_token']}"}

    summary = client.get("/admin/analytics/summary", headers=auth).get_json()
    board = client.get("/leaderboard?period=month", headers=auth).get_json()

    assert summary["shares"] > 50 and summary["clicks"] > 0 and summary["participation"]["active"] > 5
    assert len(board["entries"]) >= 10
    sums = {u: s for u, s in session.execute(select(LedgerEntry.user_id, func.sum(LedgerEntry.amount))
                                             .group_by(LedgerEntry.user_id))}
    assert sums == {u: b for u, b in session.execute(select(UserPoints.user_id, UserPoints.balance))}


def test_demo_has_a_running_challenge_and_an_ended_one_with_results(app, client, session):
    from api.db import db
    from api.models.ledger import LedgerEntry
    from api.seed import seed_demo

    for _ in range(2):
        with app.app_context():
            seed_demo(db.session)
            db.commit()
    token = client.post("/auth/login", json={"email": "lead1@demo.stafet.dev", "password": "stafet-demo"}).get_json()
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    running = client.get("/challenges?status=active", headers=auth).get_json()["items"]
    ended = client.get("/challenges?status=ended", headers=auth).get_json()["items"]
    assert [c["title"] for c in running] == ["December share sprint"]
    assert [c["title"] for c in ended] == ["Autumn stories: team against team"]
    live = client.get(f"/challenges/{running[0]['id']}", headers=auth).get_json()["standings"]
    final = client.get(f"/challenges/{ended[0]['id']}", headers=auth).get_json()["standings"]
    assert len(live) >= 10 and live[0]["value"] > 0
    assert [row["rank"] for row in final][0] == 1 and len(final) == 3
    prizes = session.scalars(select(LedgerEntry.amount).where(LedgerEntry.action == "challenge_prize")).all()
    assert prizes and set(prizes) == {50}
