"""The staff app (staff_app/, served at /app/) in a real browser — Chromium with phone profiles
(Pixel 7; iPhone 13's viewport, user agent and touch) — on a live server with the demo organisation:
what issue 16's "Done when" asks of staff1, offline reading and writing, activation from an invite
link, and an axe-core scan of every screen. Each test asserts what the person sees and the rows the
server wrote.

One live server and one browser serve the whole module; the tests run in file order and share
staff1's phone (sign-in → feed → share → ... → leaving gamification last). No sleeps: every wait is
for a selector, a text or a response. With STAFET_SCREENSHOTS=1 the feed and share tests write the
README's screenshots (staff_app/screenshots/); otherwise nothing in the tree changes.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import base_env, build_app
from tests.e2e.live import ROOT, AxeScans, axe, card, cards, expect, open_phone, require_staff_app, serving, sign_in

SCREENSHOTS = ROOT / "staff_app" / "screenshots"
WRITE_SCREENSHOTS = os.environ.get("STAFET_SCREENSHOTS") == "1"

PASSWORD = "stafet-demo"
STAFF1 = "staff1@demo.stafet.dev"
# A Firebase *web app* config (public values by design) so /client-config offers web push.
FCM_WEB_CONFIG = {"apiKey": "test-api-key", "projectId": "stafet-e2e", "messagingSenderId": "1234567890",
                  "appId": "1:1234567890:web:e2e", "vapidKey": "BE2eTestVapidKey"}
# The module the Settings switch loads when push is turned on, stubbed with the real one's export
# (staff_app/README.md, "For browser tests"): no Google servers, a fixed token.
FIREBASE_STUB = ("export async function getWebPushToken(firebase, vapidKey, serviceWorkerRegistration) "
                 "{ return 'e2e-web-token' }")

# The demo's scoring rules (api/models/scoring.py DEFAULT_RULES, what the seeds set up):
SHARE_POINTS = 10
OWN_WORDS_BONUS = 5

# Stories made for these tests, newest first in the feed after the pinned ones.
SHARE_STORY = ("Our bakers' new rye bread is out", "Baked with grain from three local farms.",
               "Fresh rye bread, baked in store today.", ["linkedin", "x"], "https://example.com/news/rye-bread")
STORY_SITE = "/healthz"  # where the shared story's link goes (see `live`)
OFFLINE_STORY = ("Night shift sets a picking record", "4,200 orders picked in one night.",
                 "Record night for the warehouse team!", ["linkedin", "facebook"], "https://example.com/news/record")
ARCHIVE = 24  # older stories, so the feed has more than one page of 20
OLDEST_ARCHIVE = "Archive story 01"
INVITEE = "new.starter@demo.stafet.dev"


# --- the server --------------------------------------------------------------------

@pytest.fixture(scope="module")
def live(tmp_path_factory):
    require_staff_app()
    from datetime import timedelta

    from sqlalchemy import select

    from api.clock import utcnow
    from api.db import Base, db
    from api.models.posts import Post
    from api.models.teams import Team
    from api.models.users import User
    from api.seed import seed_demo
    from api.services import inbox, ledger, users

    app = build_app(base_env(tmp_path_factory.mktemp("staff-app-e2e"), FCM_WEB_CONFIG=json.dumps(FCM_WEB_CONFIG)))
    Base.metadata.create_all(app.extensions["stafet.db"]["engine"])
    now = utcnow()
    with app.app_context():
        seed_demo(db.session)

        def story(title, body, caption, networks, link, hours_ago):
            post = Post(title=title, body=body, link_url=link, media=[], networks=networks, campaign="e2e",
                        suggested_captions={n: caption for n in networks}, status="published",
                        publish_at=now - timedelta(hours=hours_ago))
            db.session.add(post)
            db.session.flush()
            return post

        share_post = story(*SHARE_STORY, hours_ago=0.5)
        offline_post = story(*OFFLINE_STORY, hours_ago=0.75)
        for i in range(1, ARCHIVE + 1):  # 01 is the oldest: it can only show on the last page
            story(f"Archive story {i:02d}", "From the archive.", "A story from our archive.", ["linkedin"],
                  f"https://example.com/news/archive-{i}", hours_ago=1000 - i)
        staff1 = db.session.scalar(select(User).where(User.email == STAFF1))
        for email in (STAFF1, "staff3@demo.stafet.dev"):  # enough to redeem a reward
            person = db.session.scalar(select(User).where(User.email == email))
            ledger.append(db.session, user_id=person.id, amount=500, action="adjustment", dedupe_key=f"e2e-{email}")
        note = inbox.notify(db.session, staff1.id, "new_content", "New story: rye bread",
                            "Our bakers have something new.", data={"deep_link": f"stafet://posts/{share_post.id}"},
                            dedupe_key="e2e-inbox")
        team = db.session.scalar(select(Team).order_by(Team.id))
        _, invite_token = users.invite(db.session, email=INVITEE, display_name="New Starter", role="staff",
                                       team_ids=[team.id], invite_ttl=3600)
        db.commit()
        ids = {"share_post": share_post.id, "offline_post": offline_post.id, "staff1": staff1.id,
               "notification": note.id}
    with serving(app) as url:
        with app.app_context():
            # The story's own site: a page of this server (the machine may have no internet, and Chromium
            # does not hand a redirect's target to Playwright's routes).
            db.session.get(Post, ids["share_post"]).link_url = url + STORY_SITE
            db.commit()
        yield {"url": url, "app": app, "invite_token": invite_token, **ids}


def screenshot(page, name: str) -> None:
    """The README's screenshots, at the phone's CSS size (small PNGs), only when asked for."""
    if WRITE_SCREENSHOTS:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), scale="css", animations="disabled", caret="hide")


# --- staff1's phone: the tests below run in order on it ---------------------------------------------

@pytest.fixture(scope="module")
def staff1(browser, pw, live):
    """staff1's Pixel 7, signed in through the form. Notifications are allowed in this browser and
    the Firebase chunk answers with the stub."""
    context, page = open_phone(browser, pw, "Pixel 7", permissions=["notifications"])
    fetched = []

    def firebase_stub(route):
        fetched.append(route.request.url)
        route.fulfill(status=200, content_type="text/javascript", body=FIREBASE_STUB)

    context.route(re.compile(r".*/app/assets/firebase-[^/]*\.js$"), firebase_stub)
    page.goto(live["url"] + "/app/")
    yield {"page": page, "context": context, "firebase_fetched": fetched}
    context.close()


def test_staff1_signs_in_and_scrolls_the_feed_to_its_second_page(staff1, live):
    page = staff1["page"]
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill(STAFF1)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Feed", exact=True)).to_be_visible()
    expect(cards(page)).to_have_count(20)  # one page
    first = cards(page).first
    expect(first.get_by_text("Pinned")).to_be_visible()  # pinned stories come first
    story = card(page, SHARE_STORY[0])
    expect(story.get_by_text(f"+{SHARE_POINTS} for sharing")).to_be_visible()
    expect(story.get_by_text(f"+{OWN_WORDS_BONUS} in your own words")).to_be_visible()
    expect(story.get_by_role("link", name="0 comments")).to_be_visible()
    screenshot(page, "feed.png")
    assert page.get_by_role("heading", name=OLDEST_ARCHIVE).count() == 0

    # Infinite scroll: bringing the end of the list into view fetches the next page by its cursor.
    pages_fetched = 0
    while not page.get_by_text("You have seen all stories.").is_visible():
        with page.expect_response(lambda r: "/api/v1/feed" in r.url and "cursor=" in r.url) as response:
            cards(page).last.scroll_into_view_if_needed()
        assert response.value.status == 200
        pages_fetched += 1
        assert pages_fetched <= 3, "the feed never reached its end"
        page.get_by_text("You have seen all stories.").or_(page.get_by_role("button", name="Show more")).wait_for()
    assert pages_fetched >= 1
    assert cards(page).count() > 20
    expect(page.get_by_role("heading", name=OLDEST_ARCHIVE)).to_be_visible()


def test_staff1_shares_a_story_in_their_own_words_once_and_sees_the_points(staff1, live, db):
    from sqlalchemy import select

    from api.models.ledger import LedgerEntry
    from api.models.shares import Share

    page = staff1["page"]
    page.goto(live["url"] + "/app/")
    card(page, SHARE_STORY[0]).get_by_role("link", name="Share").click()
    expect(page.get_by_role("heading", name=SHARE_STORY[0])).to_be_visible()
    page.get_by_label("LinkedIn").check()
    caption = page.get_by_label("Your text for LinkedIn")
    expect(caption).to_have_value(SHARE_STORY[2])  # the suggested caption to start from
    hint = page.get_by_test_id("caption-hint")
    expect(hint).to_contain_text(f"This is close to the suggested text: {SHARE_POINTS} points. "
                                 f"Make it your own for +{OWN_WORDS_BONUS}.")
    own_words = "Tasted it on my break this morning: the best rye we have ever sold, and the grain is local."
    caption.fill(own_words)
    expect(hint).to_contain_text(f"In your own words — you earn {SHARE_POINTS + OWN_WORDS_BONUS} points.")
    expect(page.get_by_text(f"{len(own_words)} / 3,000 characters")).to_be_visible()
    screenshot(page, "share.png")

    with page.expect_response(lambda r: r.url.endswith(f"/posts/{live['share_post']}/shares")
                              and r.request.method == "POST") as created:
        page.locator("form").get_by_role("button", name="Share").click()
    assert created.value.status == 201
    expect(page.get_by_role("heading", name="Your link is ready")).to_be_visible()
    expect(page.get_by_test_id("handoff")).to_have_text("Post on LinkedIn")
    status = page.get_by_test_id("points-status")
    # The tally runs after the share is committed; the app watches /me until the points arrive.
    expect(status).to_have_text(f"+{SHARE_POINTS + OWN_WORDS_BONUS} points added!", timeout=20_000)

    shares = db.scalars(select(Share).where(Share.post_id == live["share_post"],
                                            Share.user_id == live["staff1"])).all()
    assert len(shares) == 1, "the share is created exactly once"
    assert (shares[0].network, shares[0].caption, shares[0].personal_caption) == ("linkedin", own_words, True)
    tracked = page.get_by_label("Your personal link").input_value()
    assert tracked.endswith(f"/s/{shares[0].code}")
    earned = db.scalars(select(LedgerEntry.amount).where(LedgerEntry.user_id == live["staff1"],
                                                          LedgerEntry.action.in_(("share", "personal_caption_bonus")),
                                                          LedgerEntry.created_at >= shares[0].created_at)).all()
    assert sorted(earned) == [OWN_WORDS_BONUS, SHARE_POINTS]


def test_staff1_opens_their_tracked_link_and_the_click_counts(staff1, live, db):
    from sqlalchemy import func, select

    from api.models.shares import Click, Share

    page = staff1["page"]
    tracked = page.get_by_label("Your personal link").input_value()
    code = urlsplit(tracked).path.rsplit("/", 1)[-1]
    visitor = staff1["context"].new_page()
    # The link's host is PUBLIC_BASE_URL; the same path on this server is what the network's visitor reaches.
    with visitor.expect_response(lambda r: f"/s/{code}" in r.url) as redirect:
        visitor.goto(f"{live['url']}/s/{code}")
    assert redirect.value.status == 302
    # The story's own site, with our UTM tags.
    assert visitor.url == (f"{live['url']}{STORY_SITE}?utm_source=linkedin&utm_medium=employee_advocacy"
                           "&utm_campaign=e2e"), visitor.url
    visitor.close()
    share_id = db.scalar(select(Share.id).where(Share.code == code))
    assert db.scalar(select(func.count()).select_from(Click).where(Click.share_id == share_id)) == 1


def test_staff1_comments_on_the_story(staff1, live, db):
    from sqlalchemy import select

    from api.models.comments import Comment

    page = staff1["page"]
    page.goto(f"{live['url']}/app/posts/{live['share_post']}")
    expect(page.get_by_role("heading", name=SHARE_STORY[0], level=1)).to_be_visible()
    expect(page.get_by_text("No comments yet. Be the first.")).to_be_visible()
    page.get_by_label("Write a comment").fill("The rye is brilliant with our smoked salmon.")
    page.locator("form").get_by_role("button", name="Comment").click()
    comment = page.locator(".comment").filter(has_text="The rye is brilliant with our smoked salmon.")
    expect(comment).to_be_visible()
    expect(comment.get_by_role("button", name="Delete")).to_be_visible()  # mine: I may delete it
    expect(page.get_by_role("heading", name="1 comment")).to_be_visible()
    rows = db.scalars(select(Comment).where(Comment.post_id == live["share_post"])).all()
    assert [(c.user_id, c.body) for c in rows] == [(live["staff1"], "The rye is brilliant with our smoked salmon.")]


def test_staff1_suggests_a_story_and_sees_it_waiting_for_review(staff1, live, db):
    from sqlalchemy import select

    from api.models.posts import Suggestion

    page = staff1["page"]
    page.goto(live["url"] + "/app/")
    page.get_by_role("link", name="Suggest a story").click()
    expect(page.get_by_role("heading", name="Suggest a story", level=1)).to_be_visible()
    page.get_by_label("Headline").fill("Our deli team won the cheese award")
    page.get_by_label("What happened").fill("Gold at the regional cheese fair for our aged gouda.")
    page.get_by_label("Link (optional)").fill("https://example.com/cheese")
    page.get_by_role("button", name="Send suggestion").click()
    expect(page.get_by_text("Thanks! Your suggestion was sent.")).to_be_visible()
    mine = page.locator(".list-item").filter(has_text="Our deli team won the cheese award")
    expect(mine.get_by_text("Waiting for review")).to_be_visible()
    rows = db.scalars(select(Suggestion).where(Suggestion.title == "Our deli team won the cheese award")).all()
    assert len(rows) == 1
    assert (rows[0].status, rows[0].link_url) == ("pending", "https://example.com/cheese")


def test_staff1_redeems_a_reward_after_confirming(staff1, live, db):
    from sqlalchemy import select

    from api.models.rewards import Redemption, Reward

    page = staff1["page"]
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Rewards").click()
    coffee = page.locator("article").filter(has=page.get_by_role("heading", name="Coffee on us"))
    balance = int(re.sub(r"\D", "", page.get_by_test_id("balance").inner_text()))
    coffee.get_by_role("button", name="Redeem").click()
    dialog = page.get_by_role("dialog", name="Redeem this reward?")
    expect(dialog).to_contain_text(f"Coffee on us costs 50 points. Your balance will be {balance - 50:,} points.")
    dialog.get_by_role("button", name="Yes, redeem").click()
    expect(page.get_by_text("You redeemed Coffee on us.")).to_be_visible()
    mine = page.locator("#redemptions .list-item").filter(has_text="Coffee on us")
    expect(mine.get_by_text("Waiting for approval")).to_be_visible()
    expect(page.get_by_test_id("balance")).to_have_text(f"{balance - 50:,} points")
    rows = db.execute(select(Redemption.status, Redemption.cost).join(Reward, Reward.id == Redemption.reward_id)
                      .where(Redemption.user_id == live["staff1"], Reward.name == "Coffee on us")).all()
    assert [tuple(r) for r in rows] == [("pending", 50)]


def test_staff1_reads_an_inbox_item_and_follows_its_deep_link(staff1, live, db):
    from api.models.notifications import Notification

    page = staff1["page"]
    inbox_link = page.get_by_test_id("inbox-link")
    expect(inbox_link).to_have_attribute("aria-label", re.compile(r"^Inbox, \d+ unread$"))
    inbox_link.click()
    expect(page.get_by_role("heading", name="Inbox", level=1)).to_be_visible()
    item = page.get_by_role("button", name=re.compile("New story: rye bread"))
    expect(item.get_by_label("Unread")).to_have_count(1)
    item.click()
    page.wait_for_url(f"**/app/posts/{live['share_post']}")
    expect(page.get_by_role("heading", name=SHARE_STORY[0], level=1)).to_be_visible()
    assert db.get(Notification, live["notification"]).read_at is not None


def test_staff1_turns_push_on_and_this_browser_is_registered_as_web(staff1, live, db):
    from sqlalchemy import select

    from api.models.notifications import Device, NotificationPreference

    page = staff1["page"]
    page.goto(live["url"] + "/app/settings")
    push = page.get_by_role("switch", name="Push notifications")
    expect(push).not_to_be_checked()  # off until the person turns it on
    assert staff1["firebase_fetched"] == []  # the Firebase SDK is not loaded before that
    push.check()
    expect(page.get_by_test_id("push-note")).to_have_text("This browser will get notifications.")
    expect(page.get_by_text("Notifications on.")).to_be_visible()
    assert len(staff1["firebase_fetched"]) == 1
    devices = db.scalars(select(Device).where(Device.user_id == live["staff1"])).all()
    assert [(d.platform, d.token, d.active, d.locale) for d in devices] == [("web", "e2e-web-token", True, "en")]
    pref = db.scalar(select(NotificationPreference).where(NotificationPreference.user_id == live["staff1"]))
    assert pref.push_enabled is True


def test_staff1_downloads_their_data_as_a_json_file(staff1, live):
    page = staff1["page"]
    page.goto(live["url"] + "/app/settings")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    assert re.fullmatch(r"stafet-my-data-\d{4}-\d{2}-\d{2}\.json", download.value.suggested_filename)
    data = json.loads(Path(download.value.path()).read_text())
    assert STAFF1 in json.dumps(data)


def test_staff1_leaves_gamification_and_the_app_says_so(staff1, live, db):
    from api.models.users import User

    page = staff1["page"]
    page.goto(live["url"] + "/app/settings")
    switch = page.get_by_role("switch", name="Points, badges and challenges")
    expect(switch).to_be_checked()
    switch.uncheck()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(switch).not_to_be_checked()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Leaderboard").click()
    expect(page.get_by_text("You left gamification, so you are not ranked.")).to_be_visible()
    expect(page.get_by_test_id("my-rank")).to_have_count(0)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Me").click()
    expect(page.get_by_text("You left gamification: you earn no points or badges.")).to_be_visible()
    db.expire_all()
    assert db.get(User, live["staff1"]).gamification_enabled is False
    # Sharing now offers nothing: the share screen's hint says 0 points.
    page.goto(f"{live['url']}/app/posts/{live['offline_post']}/share")
    page.get_by_label("LinkedIn").check()
    page.get_by_label("Your text for LinkedIn").fill("Amazing work by the night shift, four thousand orders!")
    expect(page.get_by_test_id("caption-hint")).to_contain_text("you earn 0 points")


# --- offline -----------------------------------------------------------------------------------------

def outbox_keys(page) -> list[str]:
    """The Idempotency-Keys of the writes waiting in the app's IndexedDB outbox."""
    return page.evaluate("""() => new Promise((resolve, reject) => {
        const open = indexedDB.open('stafet-outbox')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
            const req = open.result.transaction('writes').objectStore('writes').getAll()
            req.onsuccess = () => resolve(req.result.map((w) => w.idempotencyKey))
            req.onerror = () => reject(req.error)
        }
    })""")


def test_offline_the_cached_feed_shows_and_a_share_is_sent_once_on_reconnect(phones, live, db):
    from sqlalchemy import select

    from api.models.idempotency import IdempotencyRecord
    from api.models.shares import Share
    from api.models.users import User

    page = phones("iPhone 13")
    context = page.context
    sign_in(page, live["url"], "staff2@demo.stafet.dev", PASSWORD)
    cards(page).first.wait_for()
    staff2 = db.scalar(select(User.id).where(User.email == "staff2@demo.stafet.dev"))
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # The worker controls the page after the first load; this load's /feed and /me go through it into its cache.
    page.reload()
    card(page, OFFLINE_STORY[0]).wait_for()
    assert page.evaluate("!!navigator.serviceWorker.controller")

    context.set_offline(True)
    page.reload()  # the shell from the worker's precache, the feed from its API cache
    banner = page.get_by_test_id("offline-banner")
    expect(banner).to_contain_text("You are offline. You are seeing what was saved on this phone.")
    expect(card(page, OFFLINE_STORY[0])).to_be_visible()

    sends = []
    page.on("request", lambda r: sends.append(r.headers.get("idempotency-key"))
            if r.method == "POST" and r.url.endswith(f"/posts/{live['offline_post']}/shares") else None)
    card(page, OFFLINE_STORY[0]).get_by_role("link", name="Share").click()
    page.get_by_label("Facebook").check()
    page.get_by_label("Your text for Facebook").fill("Proud of our night shift: a new record, and nobody got hurt.")
    page.locator("form").get_by_role("button", name="Share").click()
    expect(page.get_by_text("You are offline. Your share is saved")).to_be_visible()
    expect(banner).to_contain_text("1 action waits to be sent.")
    keys = outbox_keys(page)
    assert len(keys) == 1
    assert db.scalars(select(Share).where(Share.user_id == staff2, Share.post_id == live["offline_post"])).all() == []

    context.set_offline(False)  # the 'online' event: the outbox replays
    expect(page.get_by_text("You are back online. What you did offline has been sent.")).to_be_visible()
    expect(banner).to_have_count(0)
    assert outbox_keys(page) == []
    # A second start of the app (and its outbox) sends nothing more.
    page.goto(live["url"] + "/app/")
    card(page, OFFLINE_STORY[0]).wait_for()
    expect(card(page, OFFLINE_STORY[0]).get_by_text("You shared on Facebook")).to_be_visible()

    assert sends == keys, "sent once, with the Idempotency-Key made when the person tapped Share"
    shares = db.scalars(select(Share).where(Share.user_id == staff2, Share.post_id == live["offline_post"])).all()
    assert [(s.network, s.personal_caption) for s in shares] == [("facebook", True)]
    records = db.scalars(select(IdempotencyRecord).where(IdempotencyRecord.user_id == staff2,
                                                         IdempotencyRecord.path.like("%/shares"))).all()
    assert [(r.key, r.status_code) for r in records] == [(keys[0], 201)]


# --- activation --------------------------------------------------------------------------------------

def test_an_invited_person_activates_from_the_invite_link(phones, live, db):
    from sqlalchemy import select

    from api.models.users import User

    page = phones("iPhone 13")
    page.goto(f"{live['url']}/app/activate?token={live['invite_token']}")
    expect(page.get_by_role("heading", name="Welcome to Stafet")).to_be_visible()
    page.get_by_label("Your name as colleagues see it (optional)").fill("Nina Starter")
    page.get_by_label("New password").fill("a-long-new-password-42")
    page.get_by_label("Repeat the password").fill("a-long-new-password-4")
    expect(page.get_by_text("The two passwords are not the same.")).to_be_visible()
    page.get_by_label("Repeat the password").fill("a-long-new-password-42")
    page.get_by_role("button", name="Create my account").click()
    expect(cards(page).first).to_be_visible()
    assert urlsplit(page.url).path == "/app/"
    user = db.scalar(select(User).where(User.email == INVITEE))
    assert (user.display_name, user.activated_at is not None, user.invite_token_hash) == ("Nina Starter", True, None)


# --- accessibility -----------------------------------------------------------------------------------

def test_every_screen_passes_an_axe_scan_without_serious_or_critical_violations(phones, live, db):
    from sqlalchemy import select

    from api.models.badges import Badge

    badge, badge_name = db.execute(select(Badge.code, Badge.name).order_by(Badge.id)).first()
    # Only this context bypasses the CSP, so axe's injected script may run.
    page = phones("Pixel 7", bypass_csp=True)
    scan = AxeScans(page)

    page.goto(f"{live['url']}/app/activate?token=not-a-real-token")
    scan("activate", page.get_by_role("button", name="Create my account"))
    page.goto(f"{live['url']}/app/")
    scan("sign in", page.get_by_role("button", name="Sign in"))
    page.get_by_label("Email").fill("staff3@demo.stafet.dev")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    cards(page).first.wait_for()
    screens = [
        ("feed", "/", cards(page).first),
        ("post", f"/posts/{live['share_post']}", page.get_by_role("heading", name=re.compile(r"^\d+ comments?$"))),
        ("share", f"/posts/{live['share_post']}/share", page.get_by_label("LinkedIn")),
        ("suggest", "/suggest", page.get_by_role("heading", name="My suggestions")),
        ("me", "/me", page.get_by_role("heading", name="My impact")),
        ("badge", f"/badges/{badge}", page.get_by_role("heading", name=badge_name, level=1)),
        ("leaderboard", "/leaderboard", page.locator("ol.board, p.empty").first),
        ("challenges", "/challenges", page.locator("main article.card, main p.empty").first),
        ("rewards", "/rewards", page.get_by_role("heading", name="My rewards")),
        ("inbox", "/inbox", page.locator("main .inbox-item, main p.empty").first),
        ("settings", "/settings", page.get_by_role("heading", name="My data")),
        ("results", "/results", page.get_by_role("heading", name="Top stories")),
    ]
    for name, route, ready in screens:
        page.goto(f"{live['url']}/app{route}")
        scan(name, ready)
    # A challenge, opened from the list: the demo's ended one is every team's.
    page.goto(f"{live['url']}/app/challenges")
    page.get_by_role("button", name="Ended").click()
    page.locator("main a[href^='/app/challenges/']").first.click()
    scan("challenge", page.get_by_role("heading", name="Standings"))
    # The share flow's caption step and the redeem confirmation are screens of their own to a user.
    page.goto(f"{live['url']}/app/posts/{live['share_post']}/share")
    page.get_by_label("LinkedIn").check()
    scan("share caption", page.get_by_test_id("caption-hint"))
    page.goto(f"{live['url']}/app/rewards")
    page.locator("article").filter(has=page.get_by_role("heading", name="Coffee on us")) \
        .get_by_role("button", name="Redeem").click()
    scan("redeem confirmation", page.get_by_role("dialog", name="Redeem this reward?"))
    # The scan can fail: an image without a text alternative on a screen is reported as critical.
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/app/icons/icon-192.png\">')")
    assert "image-alt" in {v["id"] for v in axe(page)}

    assert len(scan.found) == 17
    assert scan.failing() == {}
