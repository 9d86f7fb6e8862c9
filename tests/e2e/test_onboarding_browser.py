"""Issue 17's screens of the staff app in a real browser (Chromium, phone profiles) on a live server
with the demo organisation: activation from the invitation mail, password reset from the sign-in
screen, joining a team with its code, the social media policy before sharing, and "where I am signed
in" with Sign out everywhere; then an axe-core scan of those screens.

Nothing is faked: admins and leads act through the HTTP API of the same live server (Playwright's
request context, a client of its own like a phone app), the mail is the file transport's .eml files
in MAIL_DIR (no SMTP_URL; jobs run inline, so a mail is written before the API answers), and every
check is what the person sees, what the API answers afterwards, or the rows the server wrote.

One live server and one browser serve the module; each test opens its own phone (a fresh browser
context, signed out). The policy test publishes a policy, which every later sign-in is asked to
accept, so it runs after the others and the axe scan last. No sleeps: every wait is for a selector,
a text or a response.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from tests.conftest import base_env, build_app
from tests.e2e.live import AxeScans, card, cards, expect, require_staff_app, serving, sign_in
from tests.mailbox import link_in, mails_in

PUBLIC = "https://go.stafet.test"  # PUBLIC_BASE_URL of base_env: what the links in mails and answers start with
DEMO_PASSWORD = "stafet-demo"
ADMIN = ("admin@demo.stafet.dev", "stafet-admin")
LEAD = ("lead1@demo.stafet.dev", DEMO_PASSWORD)  # leads Stores North, the first team
NEW_PASSWORD = "a whole new sentence 42"
INVITEE = "ines.newcomer@demo.stafet.dev"
POLICY_TEXT = ("Share our stories in your own words.\n\n"
               "Never post customers' names or faces, and ask your lead when in doubt.")
POLICY_STORY = ("The new shop in Aarhus opens on Friday", "Doors open at nine.", "Come and see our new shop!")


# --- the server and the API ---------------------------------------------------------------

@pytest.fixture(scope="module")
def live(tmp_path_factory):
    require_staff_app()
    from sqlalchemy import select

    from api.clock import utcnow
    from api.db import Base, db
    from api.models.posts import Post
    from api.models.teams import Team
    from api.seed import seed_demo

    app = build_app(base_env(tmp_path_factory.mktemp("onboarding-e2e")))
    assert not app.config.get("SMTP_URL"), "the mail must go to MAIL_DIR's files"
    Base.metadata.create_all(app.extensions["stafet.db"]["engine"])
    with app.app_context():
        seed_demo(db.session)
        story = Post(title=POLICY_STORY[0], body=POLICY_STORY[1], link_url="https://example.com/news/aarhus",
                     media=[], networks=["linkedin"], campaign="e2e", suggested_captions={"linkedin": POLICY_STORY[2]},
                     status="published", publish_at=utcnow() - timedelta(minutes=5))
        db.session.add(story)
        db.commit()
        team_id = db.session.scalar(select(Team.id).where(Team.name == "Stores North"))
        story_id = story.id
    with serving(app) as url:
        yield {"url": url, "app": app, "mail_dir": app.config["MAIL_DIR"], "team": team_id, "story": story_id}


@pytest.fixture(scope="module")
def http(pw, live):
    """An API client of the live server (no browser, no Origin, no X-Client): admins and leads use it."""
    context = pw.request.new_context(base_url=live["url"])
    yield context
    context.dispose()


def login(http, password: str, **who):
    return http.post("/api/v1/auth/login", data={**who, "password": password})


def token(http, email: str, password: str) -> str:
    r = login(http, password, email=email)
    assert r.status == 200, r.text()
    return r.json()["access_token"]


def call(http, method: str, path: str, bearer: str, body: dict | None = None):
    return http.fetch(path, method=method, headers={"Authorization": f"Bearer {bearer}"}, data=body)


def publish_policy(http) -> int:
    """The admin publishes POLICY_TEXT (the same text again keeps its version): its version."""
    published = call(http, "PUT", "/api/v1/admin/policy", token(http, *ADMIN), {"text": POLICY_TEXT})
    assert published.status == 200, published.text()
    return published.json()["version"]


def on_live(live, url: str) -> str:
    """A link from a mail or an answer (PUBLIC_BASE_URL/app/…), opened on the live server."""
    assert url.startswith(PUBLIC + "/app/"), url
    return live["url"] + url.removeprefix(PUBLIC)


def new_password_twice(page, password: str = NEW_PASSWORD) -> None:
    page.get_by_label("New password").fill(password)
    page.get_by_label("Repeat the password").fill(password)


def path_of(page) -> str:
    return urlsplit(page.url).path


# --- (a) activation --------------------------------------------------------------------------------------

def test_an_invitation_mail_opens_activation_and_the_link_then_no_longer_works(live, http, phones, db):
    from sqlalchemy import select

    from api.models.users import User

    admin = token(http, *ADMIN)
    r = call(http, "POST", "/api/v1/admin/users", admin,
             {"email": INVITEE, "display_name": "Ines Newcomer", "role": "staff", "team_ids": [live["team"]]})
    assert r.status == 201, r.text()
    mails = mails_in(live["mail_dir"], to=INVITEE)
    assert len(mails) == 1, [m["Subject"] for m in mails]
    link = link_in(mails[0])
    assert link.startswith(PUBLIC + "/app/activate?token=")
    assert link == r.json()["invite_url"]  # the admin's answer and the mail carry the same link

    page = phones("iPhone 13")
    page.goto(on_live(live, link))
    expect(page.get_by_role("heading", name="Welcome to Stafet")).to_be_visible()
    new_password_twice(page)
    page.get_by_role("button", name="Create my account").click()
    expect(cards(page).first).to_be_visible()
    assert path_of(page) == "/app/"
    user = db.scalar(select(User).where(User.email == INVITEE))
    assert (user.activated_at is not None, user.invite_token_hash) == (True, None)
    assert login(http, NEW_PASSWORD, email=INVITEE).status == 200

    # The same link on another phone: spent. The screen says so instead of leaving the form up.
    again = phones("Pixel 7")
    again.goto(on_live(live, link))
    new_password_twice(again, "somebody else's password")
    again.get_by_role("button", name="Create my account").click()
    expect(again.get_by_test_id("invite-expired")).to_contain_text("no longer works")
    expect(again.get_by_role("button", name="Create my account")).to_have_count(0)
    assert login(http, "somebody else's password", email=INVITEE).status == 401


# --- (b) password reset ------------------------------------------------------------------------------------

def test_a_forgotten_password_is_reset_from_the_mailed_link_once(live, http, phones):
    email, unknown = "staff2@demo.stafet.dev", "nobody.here@demo.stafet.dev"
    page = phones()
    page.goto(live["url"] + "/app/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    assert path_of(page) == "/app/reset"
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Send me a link").click()
    confirmation = page.get_by_test_id("reset-sent").inner_text()

    mails = mails_in(live["mail_dir"], to=email)
    assert len(mails) == 1, [m["Subject"] for m in mails]
    link = link_in(mails[0])
    assert link.startswith(PUBLIC + "/app/reset?token=")
    page.goto(on_live(live, link))
    new_password_twice(page)
    page.get_by_role("button", name="Save my new password").click()
    expect(cards(page).first).to_be_visible()  # signed in with the new password
    assert path_of(page) == "/app/"
    assert login(http, DEMO_PASSWORD, email=email).status == 401  # the old password no longer works
    assert login(http, NEW_PASSWORD, email=email).status == 200

    # The link a second time, on another phone: it worked once, and says it no longer does.
    again = phones("iPhone 13")
    again.goto(on_live(live, link))
    new_password_twice(again, "yet another password 9")
    again.get_by_role("button", name="Save my new password").click()
    expect(again.get_by_test_id("link-dead")).to_contain_text("no longer works")
    assert login(http, "yet another password 9", email=email).status == 401

    # An address without an account: the very same confirmation, and no mail to anyone.
    again.get_by_role("link", name="Send me a new link").click()
    again.get_by_label("Email", exact=True).fill(unknown)
    again.get_by_role("button", name="Send me a link").click()
    expect(again.get_by_test_id("reset-sent")).to_have_text(confirmation)
    assert mails_in(live["mail_dir"], to=unknown) == []
    assert len(mails_in(live["mail_dir"], to=email)) == 1


# --- (c) join codes ----------------------------------------------------------------------------------------

def test_joining_with_a_code_waits_for_the_lead_then_signs_in_by_username(live, http, phones, db):
    from sqlalchemy import select

    from api.models.teams import TeamMembership
    from api.models.users import User

    lead = token(http, *LEAD)
    r = call(http, "POST", f"/api/v1/teams/{live['team']}/join-codes", lead, {})
    assert r.status == 201, r.text()
    code = r.json()
    assert code["url"] == f"{PUBLIC}/app/join?code={code['code']}"

    page = phones("iPhone 13")
    page.goto(on_live(live, code["url"]))
    expect(page.get_by_role("heading", name="Join your team on Stafet")).to_be_visible()
    page.get_by_label("Your name as colleagues know you").fill("Sami Lager")
    page.get_by_label("With a username").check()
    page.get_by_label("Username", exact=True).fill("Sami.Lager")
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/auth/join")) as joined:
        page.get_by_role("button", name="Join the team").click()
    assert joined.value.status == 202
    expect(page.get_by_test_id("join-pending")).to_contain_text("sami.lager")  # usernames are lower-case

    # Before a lead says yes, signing in says why not (403 awaiting-approval, its own words).
    page.get_by_role("link", name="Go to sign in").click()
    page.get_by_label("Email or username").fill("sami.lager")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/auth/login")) as refused:
        page.get_by_role("button", name="Sign in").click()
    assert (refused.value.status, refused.value.json()["type"]) == (403, "https://stafet.dev/problems/awaiting-approval")
    # In the app's own words (its catalog has them in Danish too), not a generic error.
    expect(page.get_by_role("alert")).to_have_text(
        "Your request to join is waiting for a team lead’s approval. You can sign in once it is approved.")

    waiting = call(http, "GET", f"/api/v1/teams/{live['team']}/join-requests?status=pending", lead).json()["items"]
    sami = next(item for item in waiting if item["username"] == "sami.lager")
    approved = call(http, "POST", f"/api/v1/teams/{live['team']}/join-requests/{sami['id']}/approve", lead)
    assert (approved.status, approved.json()["status"]) == (200, "approved")

    page.get_by_role("button", name="Sign in").click()
    expect(cards(page).first).to_be_visible()
    user = db.scalar(select(User).where(User.username == "sami.lager"))
    assert (user.display_name, user.email) == ("Sami Lager", None)
    assert db.scalar(select(TeamMembership.team_id).where(TeamMembership.user_id == user.id)) == live["team"]


def test_a_revoked_join_code_says_so_plainly(live, http, phones, db):
    from sqlalchemy import func, select

    from api.models.users import User

    lead = token(http, *LEAD)
    code = call(http, "POST", f"/api/v1/teams/{live['team']}/join-codes", lead, {}).json()
    assert call(http, "DELETE", f"/api/v1/teams/{live['team']}/join-codes/{code['id']}", lead).status == 204

    page = phones()
    page.goto(on_live(live, code["url"]))
    page.get_by_label("Your name as colleagues know you").fill("Too Late")
    page.get_by_label("With a username").check()
    page.get_by_label("Username", exact=True).fill("too.late")
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/auth/join")) as answer:
        page.get_by_role("button", name="Join the team").click()
    problem = answer.value.json()
    assert (answer.value.status, problem["type"]) == (410, "https://stafet.dev/problems/join-code-revoked")
    # Plain words (the app's catalog, in Danish too): not a generic error.
    expect(page.get_by_role("alert")).to_have_text("This join code has been withdrawn. Ask your team lead for a new one.")
    assert "withdrawn" in problem["detail"]
    assert db.scalar(select(func.count()).select_from(User).where(User.username == "too.late")) == 0


# --- (e) my sessions -----------------------------------------------------------------------------------------

def test_settings_lists_this_session_first_and_sign_out_everywhere_ends_them_all(live, http, phones):
    email = "staff4@demo.stafet.dev"
    elsewhere = login(http, DEMO_PASSWORD, email=email)  # another app, signed in first
    assert elsewhere.status == 200

    page = phones("Pixel 7")
    sign_in(page, live["url"], email, DEMO_PASSWORD)
    expect(cards(page).first).to_be_visible()
    browser_refresh = page.evaluate("JSON.parse(localStorage.getItem('stafet.tokens')).refresh")
    page.goto(live["url"] + "/app/settings")
    rows = page.get_by_test_id("sessions").get_by_test_id("session")
    expect(rows).to_have_count(2)
    # PUBLIC_BASE_URL is not this server's origin, so only the X-Client header can name the app here.
    expect(rows.first).to_contain_text("This device")
    expect(rows.first).to_contain_text("Chrome on Android")
    expect(rows.first).to_contain_text("Stafet app")
    expect(rows.nth(1)).to_contain_text("Another app")

    page.get_by_test_id("sessions").get_by_role("button", name="Sign out everywhere").click()
    page.get_by_role("dialog", name="Sign out everywhere").get_by_role("button", name="Sign out everywhere").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page).to_have_url(live["url"] + "/app/signin")
    assert page.evaluate("localStorage.getItem('stafet.tokens')") is None
    for refresh in (browser_refresh, elsewhere.json()["refresh_token"]):
        assert http.post("/api/v1/auth/refresh", data={"refresh_token": refresh}).status == 401


# --- (d) the social media policy (published here: every later sign-in is asked) ------------------------------

def test_the_policy_comes_first_and_once_accepted_the_story_is_shared_once(live, http, phones, db):
    from sqlalchemy import select

    from api.models.policies import PolicyAcceptance
    from api.models.shares import Share
    from api.models.users import User

    version = publish_policy(http)
    email = "staff5@demo.stafet.dev"
    user_id = db.scalar(select(User.id).where(User.email == email))

    page = phones("iPhone 13")
    sign_in(page, live["url"], email, DEMO_PASSWORD)
    policy = page.get_by_test_id("policy")
    expect(policy).to_contain_text("Never post customers' names or faces")
    # Put off: reading is fine, but the share flow asks again before anything is sent.
    policy.get_by_role("button", name="Not now").click()
    expect(policy).to_have_count(0)
    card(page, POLICY_STORY[0]).get_by_role("link", name="Share").click()
    expect(policy).to_be_visible()
    mine = select(Share).where(Share.user_id == user_id, Share.post_id == live["story"])
    assert db.scalars(mine).all() == []
    with page.expect_response(lambda r: r.url.endswith("/api/v1/me/policy-acceptance")) as accepted:
        policy.get_by_role("button", name="I accept").click()
    assert accepted.value.status == 204
    expect(policy).to_have_count(0)

    page.get_by_role("radio", name="LinkedIn").check()
    with page.expect_response(lambda r: r.url.endswith(f"/posts/{live['story']}/shares")
                              and r.request.method == "POST") as created:
        page.locator("form").get_by_role("button", name="Share").click()
    assert created.value.status == 201
    expect(page.get_by_role("heading", name="Your link is ready")).to_be_visible()
    assert [s.network for s in db.scalars(mine).all()] == ["linkedin"]  # one Share row
    assert db.scalars(select(PolicyAcceptance.version).where(PolicyAcceptance.user_id == user_id)).all() == [version]


# --- accessibility ---------------------------------------------------------------------------------------------

def test_the_onboarding_screens_pass_an_axe_scan_without_serious_or_critical_violations(live, http, phones):
    lead = token(http, *LEAD)
    code = call(http, "POST", f"/api/v1/teams/{live['team']}/join-codes", lead, {}).json()
    # Only this context bypasses the CSP, so axe's injected script may run.
    page = phones("Pixel 7", bypass_csp=True)
    scan = AxeScans(page)

    page.goto(live["url"] + "/app/")
    scan("sign in", page.get_by_role("button", name="Sign in"))
    page.goto(live["url"] + "/app/reset")
    scan("reset: ask for a link", page.get_by_role("button", name="Send me a link"))
    page.get_by_label("Email", exact=True).fill("staff6@demo.stafet.dev")
    page.get_by_role("button", name="Send me a link").click()
    scan("reset: link sent", page.get_by_test_id("reset-sent"))
    page.goto(live["url"] + "/app/reset?token=not-a-real-token")
    scan("reset: new password", page.get_by_role("button", name="Save my new password"))
    new_password_twice(page)
    page.get_by_role("button", name="Save my new password").click()
    scan("reset: link dead", page.get_by_test_id("link-dead"))
    page.goto(on_live(live, code["url"]))
    scan("join", page.get_by_role("button", name="Join the team"))
    page.get_by_label("With a username").check()
    scan("join: by username", page.get_by_label("Username", exact=True))
    page.get_by_role("button", name="Join the team").click()  # empty: the form's own checks
    scan("join: errors", page.locator(".field-error").first)
    page.goto(live["url"] + "/app/activate?token=not-a-real-token")
    scan("activate", page.get_by_role("button", name="Create my account"))
    new_password_twice(page)
    page.get_by_role("button", name="Create my account").click()
    scan("activate: invitation expired", page.get_by_test_id("invite-expired"))
    publish_policy(http)
    sign_in(page, live["url"], "staff7@demo.stafet.dev", DEMO_PASSWORD)  # has not accepted the policy
    scan("policy", page.get_by_test_id("policy").get_by_role("button", name="I accept"))
    page.get_by_role("button", name="Not now").click()
    page.goto(live["url"] + "/app/settings")
    scan("settings: sessions", page.get_by_test_id("session").first)

    assert len(scan.found) == 12
    assert scan.failing() == {}
