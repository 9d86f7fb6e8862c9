"""The web console: sign-in with CSRF, staff sent to the app, and each page doing its job through the services."""

from __future__ import annotations

import re

from sqlalchemy import select

from api.clock import utcnow
from api.models.posts import Post
from api.models.rewards import Redemption
from api.models.shares import Share
from api.models.users import User
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.factories_content import PostFactory
from tests.factories_rewards import RewardFactory, give_points
from tests.helpers import ApiClient


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _login(web, email):
    page = web.get("/console/login")
    return web.post("/console/login", data={"email": email, "password": PASSWORD,
                                            "csrf_token": _csrf(page.get_data(as_text=True))})


def _signed_in(app, user):
    web = app.test_client()
    assert _login(web, user.email).status_code == 302
    return web


def _post(web, path, data):
    page = web.get("/console/")
    return web.post(path, data={**data, "csrf_token": _csrf(page.get_data(as_text=True))})


def test_sign_in_needs_a_csrf_token_and_the_right_password(app, session):
    admin = UserFactory(role="admin")
    web = app.test_client()

    assert web.get("/console/").status_code == 302  # to the sign-in page
    assert web.post("/console/login", data={"email": admin.email, "password": PASSWORD}).status_code == 400
    page = web.get("/console/login")
    wrong = web.post("/console/login", data={"email": admin.email, "password": "nope",
                                             "csrf_token": _csrf(page.get_data(as_text=True))})
    assert wrong.status_code == 401 and "wrong" in wrong.get_data(as_text=True)
    assert _login(web, admin.email).headers["Location"].endswith("/console/")
    assert web.get("/console/").status_code == 200


def test_staff_get_a_friendly_use_the_app_page(app, session):
    staff = UserFactory()
    web = _signed_in(app, staff)

    page = web.get("/console/").get_data(as_text=True)

    assert "Stafet app" in page and "Dashboard" not in page


def test_dashboard_renders_kpis_and_svg_charts_with_security_headers(app, session):
    web = _signed_in(app, UserFactory(role="admin"))

    r = web.get("/console/?from=2026-11-01&to=2026-11-20")

    html = r.get_data(as_text=True)
    assert r.status_code == 200 and html.count("<svg") == 4 and 'id="kpi-participation"' in html
    assert "default-src 'self'" in r.headers["Content-Security-Policy"] and r.headers["X-Frame-Options"] == "DENY"
    assert "https://" not in re.sub(r'href="[^"]*"', "", html.split("<main>")[0])  # no CDN assets


def test_dashboard_counts_reach_with_the_configured_follower_cap(app, session, monkeypatch):
    """FOLLOWER_CAP applies on the console as in the API: a share declaring 5,000 followers counts 300."""
    monkeypatch.setitem(app.config, "FOLLOWER_CAP", 300)
    admin = UserFactory(role="admin")
    session.add(Share(post_id=PostFactory().id, user_id=admin.id, network="x", code="cap1", follower_snapshot=5000,
                      created_at=utcnow()))
    session.commit()
    web = _signed_in(app, admin)

    html = web.get("/console/").get_data(as_text=True)
    reach = re.search(r'Estimated reach</div><div class="v">([^<]*)<', html).group(1)
    assert reach == "300"
    api = ApiClient(app).as_(admin).get(f"/admin/analytics/summary?from={utcnow().date()}&to={utcnow().date()}")
    assert api.get_json()["estimated_reach"] == 300


def test_leads_see_their_team_and_not_admin_pages(app, session):
    team = TeamFactory(name="Harbour")
    lead = UserFactory(role="lead", teams=[team], teams__lead=True)
    web = _signed_in(app, lead)

    assert "Harbour" in web.get("/console/").get_data(as_text=True)
    assert web.get("/console/posts").status_code == 302


def test_admin_creates_a_scheduled_post_through_the_same_rules(app, session):
    web = _signed_in(app, UserFactory(role="admin"))

    ok = _post(web, "/console/posts/save", {"title": "Open day", "networks": ["x"], "caption_x": "Come by!",
                                            "link_url": "https://example.com", "publish_at": "2030-01-01T09:00"})
    too_long = _post(web, "/console/posts/save", {"title": "Bad", "networks": ["x"], "caption_x": "a" * 281})

    assert ok.status_code == too_long.status_code == 302
    post = session.scalar(select(Post))
    assert post.title == "Open day" and post.publish_at.year == 2030
    assert session.scalar(select(Post).where(Post.title == "Bad")) is None
    assert "x allows at most 280" in web.get("/console/posts").get_data(as_text=True)


def test_admin_works_the_redemption_queue(app, session):
    ann = UserFactory()
    give_points(session, ann, 100)
    reward = RewardFactory(cost=100, stock=1)
    from api.db import db
    from api.services import rewards as service

    with app.app_context():
        rid = service.redeem(db.session, db.session.get(User, ann.id), reward.id).id
        db.commit()
    web = _signed_in(app, UserFactory(role="admin"))
    assert f'id="redemption-{rid}"' in web.get("/console/rewards").get_data(as_text=True)

    _post(web, f"/console/redemptions/{rid}", {"status": "rejected"})

    session.expire_all()
    assert session.get(Redemption, rid).status == "rejected"


def test_admin_invites_someone_and_sees_the_link(app, session):
    web = _signed_in(app, UserFactory(role="admin"))

    _post(web, "/console/people/invite", {"email": "new@example.test", "display_name": "New Person",
                                          "role": "staff"})

    page = web.get("/console/people").get_data(as_text=True)
    assert "/app/activate?token=" in page and "new@example.test" in page
    assert session.scalar(select(User).where(User.email == "new@example.test")) is not None


def test_lead_starts_a_challenge_for_their_team_and_follows_it(app, session):
    from api.models.challenges import Challenge

    mine, other = TeamFactory(name="Harbour"), TeamFactory(name="Airport")
    lead = UserFactory(role="lead", teams=[mine], teams__lead=True)
    UserFactory(teams=[mine], display_name="Runa Rask")
    web = _signed_in(app, lead)
    form = {"title": "Harbour week", "kind": "individual", "metric": "shares",
            "starts_at": utcnow().strftime("%Y-%m-%dT%H:%M"), "ends_at": "2099-01-01T08:00", "prize_points": "90"}

    page = web.get("/console/challenges").get_data(as_text=True)
    assert "Harbour" in page and "Airport" not in page  # only the teams I lead are offered
    forbidden = _post(web, "/console/challenges/add", {**form, "team_ids": [str(other.id)]})
    assert forbidden.status_code == 302 and session.scalar(select(Challenge)) is None
    assert "only for the teams you lead" in web.get("/console/challenges").get_data(as_text=True)
    created = _post(web, "/console/challenges/add", {**form, "team_ids": [str(mine.id)]})

    ch = session.scalar(select(Challenge))
    assert (ch.title, ch.prize_points, [t.team_id for t in ch.teams]) == ("Harbour week", 90, [mine.id])
    standings = web.get(created.headers["Location"]).get_data(as_text=True)
    assert 'id="standings"' in standings and "Runa Rask" in standings and 'http-equiv="refresh"' in standings
    _post(web, f"/console/challenges/{ch.id}/cancel", {})
    session.expire_all()
    assert session.get(Challenge, ch.id).cancelled_at is not None


def test_admin_moves_someone_to_other_teams(app, session):
    from api.models.teams import TeamMembership

    north, south = TeamFactory(name="North"), TeamFactory(name="South")
    ann = UserFactory(teams=[north], display_name="Ann Berg")
    web = _signed_in(app, UserFactory(role="admin"))

    assert 'aria-label="teams of Ann Berg"' in web.get("/console/people").get_data(as_text=True)
    _post(web, f"/console/people/{ann.id}/teams", {"team_ids": [str(south.id)]})

    assert session.scalars(select(TeamMembership.team_id).where(TeamMembership.user_id == ann.id)).all() == [south.id]
    assert "Ann Berg is now in: South." in web.get("/console/people").get_data(as_text=True)
