"""The console in a real browser (Playwright driving the machine's Chromium, headless) on a live
server with the demo organisation: sign in, read the dashboard charts, schedule a post,
approve a redemption. Screenshots of each page go to tests/artifacts/ (git-ignored)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import base_env, build_app
from tests.e2e.live import serving

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    from api.db import Base, db
    from api.models.rewards import Reward
    from api.models.users import User
    from api.seed import seed_demo
    from api.services import ledger, rewards

    app = build_app(base_env(tmp_path_factory.mktemp("e2e")), WTF_CSRF_ENABLED=True)
    Base.metadata.create_all(app.extensions["stafet.db"]["engine"])
    with app.app_context():
        seed_demo(db.session)
        from sqlalchemy import select

        staff = db.session.scalar(select(User).where(User.email == "staff1@demo.stafet.dev"))
        ledger.append(db.session, user_id=staff.id, amount=500, action="adjustment", dedupe_key="e2e-grant")
        mug = db.session.scalar(select(Reward).order_by(Reward.cost))
        redemption = rewards.redeem(db.session, staff, mug.id)
        db.commit()
        redemption_id = redemption.id
    ARTIFACTS.mkdir(exist_ok=True)
    with serving(app) as url:
        yield {"url": url, "redemption_id": redemption_id, "app": app}


def _signed_in(browser, live, email, password):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live["url"] + "/console/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    return page


@pytest.fixture(scope="module")
def page(browser, live):
    return _signed_in(browser, live, "admin@demo.stafet.dev", "stafet-admin")


def test_dashboard_charts_render_with_demo_data(page):
    page.screenshot(path=str(ARTIFACTS / "console-dashboard.png"), full_page=True)
    assert page.locator("svg.chart").count() == 4
    assert page.locator("#kpi-participation").inner_text().endswith("%")
    box = page.locator("svg.chart").first.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100  # actually drawn, not collapsed


def test_admin_creates_and_schedules_a_post(page, live):
    from api.clock import utcnow

    page.goto(live["url"] + "/console/posts")
    page.fill("#title", "Browser-made story")
    page.fill("#caption-x", "x" * 10)
    assert page.locator("#caption-x-count").inner_text() == "10 / 280"  # the live counter works
    page.fill("#publish_at", (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    page.click("form[action$='/posts/save'] button[type=submit]")
    page.screenshot(path=str(ARTIFACTS / "console-posts.png"), full_page=True)
    assert "Saved “Browser-made story” (scheduled)" in page.content()


def test_admin_approves_a_redemption(page, live):
    page.goto(live["url"] + "/console/rewards")
    row = page.locator(f"#redemption-{live['redemption_id']}")
    row.get_by_role("button", name="Approve").click()
    page.screenshot(path=str(ARTIFACTS / "console-rewards.png"), full_page=True)
    assert f"Redemption #{live['redemption_id']} is now approved" in page.content()


def test_lead_starts_a_challenge_and_sees_live_standings(browser, live):
    from api.clock import utcnow

    page = _signed_in(browser, live, "lead1@demo.stafet.dev", "stafet-demo")
    page.goto(live["url"] + "/console/challenges")
    page.fill("#title", "Browser sprint")
    page.select_option("#metric", "points")
    page.fill("#starts_at", utcnow().strftime("%Y-%m-%dT%H:%M"))  # this minute: live at once
    page.fill("#ends_at", (utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    page.click("form[action$='/challenges/add'] button[type=submit]")
    page.screenshot(path=str(ARTIFACTS / "console-challenge.png"), full_page=True)

    assert "Challenge “Browser sprint” is set up" in page.content()
    assert page.get_by_text("Live standings").count() == 1
    assert page.locator("#standings tr").count() > 5  # the team's people, ranked from now on


def test_a_copied_session_cookie_dies_at_sign_out(browser, live):
    """Copy a signed-in lead's cookies into a second browser: it opens the console until the lead
    clicks Sign out, then it only reaches the sign-in page. The cookie is HttpOnly, SameSite=Lax and
    (PUBLIC_BASE_URL is https) Secure."""
    owner = _signed_in(browser, live, "lead2@demo.stafet.dev", "stafet-demo")
    cookies = owner.context.cookies()
    copy = browser.new_context()
    copy.add_cookies(cookies)
    thief = copy.new_page()
    thief.goto(live["url"] + "/console/challenges")
    assert urlsplit(thief.url).path == "/console/challenges"  # the copy works while the lead is signed in

    owner.get_by_role("button", name="Sign out").click()
    owner.wait_for_url("**/console/login")
    thief.goto(live["url"] + "/console/challenges")

    thief.screenshot(path=str(ARTIFACTS / "console-copied-cookie-after-sign-out.png"))
    assert urlsplit(thief.url).path == "/console/login"
    assert thief.locator("#password").count() == 1
    session_cookie = next(c for c in cookies if c["name"] == "session")
    assert (session_cookie["httpOnly"], session_cookie["sameSite"], session_cookie["secure"]) == (True, "Lax", True)
    copy.close()
    owner.context.close()


def test_the_audit_log_on_a_phone(browser, live):
    """At 390 px an admin finds the audit log in the nav, sees their own sign-in, filters by kind,
    and downloads the CSV; the page itself never scrolls sideways (the table scrolls in itself)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    page = context.new_page()
    page.goto(live["url"] + "/console/login")
    page.fill("#email", "admin@demo.stafet.dev")
    page.fill("#password", "stafet-admin")
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    page.get_by_role("link", name="Audit log").click()
    page.wait_for_url("**/console/audit-log")

    page.select_option("#audit-kind", "sign_in")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**kind=sign_in")
    page.screenshot(path=str(ARTIFACTS / "console-audit-log-phone.png"), full_page=True)
    assert "admin@demo.stafet.dev" in page.locator("#audit-events").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = Path(download.value.path()).read_text()
    assert text.startswith("id,occurred_at,kind,") and "sign_in" in text and "sign_in_failed" not in text
    context.close()
