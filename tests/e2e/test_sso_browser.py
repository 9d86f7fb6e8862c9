"""Single sign-on in the staff app, in a real browser (Chromium, iPhone 13: 390x844) against a real
OpenID provider we did not write (the `oidc-provider-mock` package through tests/oidc_mock.py: discovery,
JWKS, code + PKCE, nonce, claims per user), on live servers with the demo organisation:

(a) an invited person taps "Sign in with …", authorizes at the provider and lands in the app signed in;
(b) a person whose email the provider has not verified reads the refusal in the app, in their language;
(c) with PASSWORD_LOGIN=off the password form is folded behind "Admin sign-in", which the break-glass
    admin still uses;
then an axe-core scan of those screens. With STAFET_SCREENSHOTS=1 the sign-in and refusal screens are
drawn in light and dark to tests/artifacts/ (git-ignored).

The provider's own page is an HTML form: the test types the person's subject into its `sub` field and
presses Authorize, as a person would sign in there. Its one remote asset (a CDN stylesheet) is refused
by the test, so nothing leaves the machine. No sleeps: every wait is for a selector, a text or a URL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
import requests

from tests.conftest import base_env, build_app
from tests.e2e.live import ROOT, AxeScans, cards, expect, free_port, require_staff_app, serving
from tests.oidc_mock import CLIENT_ID, CLIENT_SECRET, MockProvider, running_mock_provider

ARTIFACTS = ROOT / "tests" / "artifacts"
WRITE_SCREENSHOTS = os.environ.get("STAFET_SCREENSHOTS") == "1"
ADMIN = ("admin@demo.stafet.dev", "stafet-admin")
PROVIDER_NAME = "Contoso ID"
INVITEE = ("ines.invited@demo.stafet.dev", "Ines Invited")
UNVERIFIED = "uma.unverified@demo.stafet.dev"


# --- the provider and the servers ---------------------------------------------------------------

@pytest.fixture(scope="module")
def provider() -> Iterator[MockProvider]:
    # Its issuer is the host it is called on: the API and the browser both call it as localhost.
    with running_mock_provider() as p:
        yield p


@pytest.fixture(scope="module")
def issuer(provider: MockProvider) -> str:
    return provider.issuer


@contextmanager
def stafet(tmp, issuer: str, **env: str) -> Iterator[dict]:
    """A live Stafet with the demo organisation and single sign-on at `issuer`. PUBLIC_BASE_URL is its own
    address: the provider sends the browser back to its callback, and the app's /app/ is on the allow-list."""
    from api.db import Base, db
    from api.seed import seed_demo

    port = free_port()
    app = build_app(base_env(tmp, PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", OIDC_ISSUER=issuer,
                             OIDC_CLIENT_ID=CLIENT_ID, OIDC_CLIENT_SECRET=CLIENT_SECRET,
                             OIDC_PROVIDER_NAME=PROVIDER_NAME, **env))
    Base.metadata.create_all(app.extensions["stafet.db"]["engine"])
    with app.app_context():
        seed_demo(db.session)
        db.commit()
    with serving(app, port) as url:
        yield {"url": url, "app": app}
    app.extensions["stafet.db"]["engine"].dispose()


@pytest.fixture(scope="module")
def live(tmp_path_factory, issuer):
    require_staff_app()
    with stafet(tmp_path_factory.mktemp("sso-e2e"), issuer) as server:
        yield server


@pytest.fixture(scope="module")
def sso_only(tmp_path_factory, issuer):
    """PASSWORD_LOGIN=off: everyone signs in with the provider, except the break-glass admin."""
    require_staff_app()
    with stafet(tmp_path_factory.mktemp("sso-only-e2e"), issuer, PASSWORD_LOGIN="off",
                BREAK_GLASS_EMAIL=ADMIN[0]) as server:
        yield server


def admin_token(url: str) -> str:
    r = requests.post(f"{url}/api/v1/auth/login", json={"email": ADMIN[0], "password": ADMIN[1]}, timeout=5)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def phone(phones, **options):
    """iPhone 13 with its whole screen as the viewport (390x844); the provider page's CDN stylesheet is
    refused (no network in tests)."""
    page = phones("iPhone 13", **options)
    page.set_viewport_size({"width": 390, "height": 844})
    page.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
    return page


def authorize_at_provider(page, issuer: str, sub: str) -> None:
    """The provider's sign-in page: type the subject, press Authorize."""
    page.wait_for_url(f"{issuer}/oauth2/authorize**")
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def sso_button(page):
    return page.get_by_role("link", name=f"Sign in with {PROVIDER_NAME}")


def screenshots(page, name: str) -> None:
    """The screen as it is now, light and dark, at the phone's CSS size (only with STAFET_SCREENSHOTS=1)."""
    if not WRITE_SCREENSHOTS:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.screenshot(path=str(ARTIFACTS / f"sso-{name}-{scheme}.png"), scale="css", animations="disabled",
                        caret="hide")
    page.emulate_media(color_scheme="light")


# --- (a) an invited person signs in with the provider ---------------------------------------------

def test_an_invited_person_signs_in_with_the_provider_and_lands_in_the_app_signed_in(live, provider, issuer, phones,
                                                                                      db):
    from sqlalchemy import select

    from api.models.teams import Team
    from api.models.users import User

    url = live["url"]
    team = db.scalar(select(Team.id).where(Team.name == "Stores North"))
    invited = requests.post(f"{url}/api/v1/admin/users", headers={"Authorization": f"Bearer {admin_token(url)}"},
                            json={"email": INVITEE[0], "display_name": INVITEE[1], "role": "staff",
                                  "team_ids": [team]}, timeout=5)
    assert invited.status_code == 201, invited.text
    provider.set_user("sub-ines", email=INVITEE[0], email_verified=True, name="Ines at Contoso")

    page = phone(phones)
    page.goto(url + "/app/")
    button = sso_button(page)
    expect(button).to_be_visible()
    # The company's button comes first; the password form is still there below it (passwords are on).
    identifier = page.get_by_label("Email or username")
    expect(identifier).to_be_visible()
    assert button.bounding_box()["y"] < identifier.bounding_box()["y"]
    screenshots(page, "signin")

    button.click()
    authorize_at_provider(page, issuer, "sub-ines")

    # Back in the app, signed in: the feed, then Me with the name the admin gave her.
    expect(cards(page).first).to_be_visible()
    assert urlsplit(page.url).path == "/app/" and "code=" not in page.url
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Me", exact=True).click()
    expect(page.get_by_role("heading", name=INVITEE[1])).to_be_visible()
    user = db.scalar(select(User).where(User.email == INVITEE[0]))
    assert (user.oidc_subject, user.activated_at is not None) == ("sub-ines", True)

    # The session is the app's usual one: a reload keeps her signed in, and no code is left to reuse.
    page.reload()
    expect(page.get_by_role("heading", name=INVITEE[1])).to_be_visible()


def test_the_return_address_keeps_no_code_so_going_back_to_it_does_not_sign_in_again(live, issuer, phones):
    """The code is taken off the address bar before it is used: /app/signed-in opened again is just sign-in."""
    page = phone(phones)
    page.goto(live["url"] + "/app/signed-in")
    expect(sso_button(page)).to_be_visible()
    expect(page).to_have_url(f"{live['url']}/app/signin")


# --- (b) the provider has not verified the email ------------------------------------------------------

def test_a_person_whose_email_is_not_verified_reads_why_in_the_app_and_can_go_back(live, provider, issuer, phones,
                                                                                   db):
    from sqlalchemy import select

    from api.models.users import User

    provider.set_user("sub-uma", email=UNVERIFIED, email_verified=False, name="Uma")
    page = phone(phones)
    page.goto(live["url"] + "/app/")
    sso_button(page).click()
    authorize_at_provider(page, issuer, "sub-uma")

    expect(page.get_by_role("heading", name="Sign-in did not work")).to_be_visible()
    expect(page.get_by_test_id("sso-refused")).to_contain_text("Your email address is not verified")
    expect(page).to_have_url(f"{live['url']}/app/signed-in")  # the error is off the address bar: nothing to reload
    assert db.scalar(select(User).where(User.email == UNVERIFIED)) is None
    screenshots(page, "refused")

    page.get_by_role("link", name="Back to sign-in").click()
    expect(sso_button(page)).to_be_visible()


def test_the_refusal_is_in_danish_for_a_danish_phone(live, provider, issuer, phones):
    provider.set_user("sub-uma", email=UNVERIFIED, email_verified=False, name="Uma")
    page = phone(phones)
    page.add_init_script("localStorage.setItem('stafet.locale', 'da')")  # what Settings stores
    page.goto(live["url"] + "/app/")
    page.get_by_role("link", name=f"Log ind med {PROVIDER_NAME}").click()
    authorize_at_provider(page, issuer, "sub-uma")
    expect(page.get_by_role("heading", name="Login lykkedes ikke")).to_be_visible()
    expect(page.get_by_test_id("sso-refused")).to_contain_text("Din e-mailadresse er ikke bekræftet")
    expect(page.get_by_role("link", name="Tilbage til log ind")).to_be_visible()


def test_an_unknown_refusal_says_so_generically_with_the_servers_words(live, phones):
    """A slug this app does not know yet (a newer server): the generic message and the description."""
    page = phone(phones)
    page.goto(live["url"] + "/app/signed-in?error=something-new&error_description=The+provider+is+in+maintenance.")
    refused = page.get_by_test_id("sso-refused")
    expect(refused).to_contain_text("The sign-in did not work out")
    expect(refused).to_contain_text("The provider is in maintenance.")


def test_a_used_code_is_refused_with_a_way_back(live, phones):
    page = phone(phones)
    page.goto(live["url"] + "/app/signed-in?code=not-a-real-code")
    expect(page.get_by_test_id("sso-refused")).to_contain_text("This sign-in has expired or was already used")
    expect(page.get_by_role("link", name="Back to sign-in")).to_be_visible()
    expect(page).to_have_url(f"{live['url']}/app/signed-in")


# --- (c) PASSWORD_LOGIN=off ----------------------------------------------------------------------------

def test_with_password_login_off_the_form_is_folded_behind_the_admin_link(sso_only, phones):
    page = phone(phones)
    page.goto(sso_only["url"] + "/app/")
    expect(sso_button(page)).to_be_visible()
    toggle = page.get_by_role("button", name="Admin sign-in")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_label("Email or username")).to_have_count(0)
    expect(page.get_by_label("Password")).to_have_count(0)
    screenshots(page, "signin-sso-only")

    # The break-glass admin opens it and signs in with a password.
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_text("Your organisation signs in with Contoso ID.")).to_be_visible()
    screenshots(page, "signin-sso-only-admin")
    page.get_by_label("Email or username").fill(ADMIN[0])
    page.get_by_label("Password").fill(ADMIN[1])
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(cards(page).first).to_be_visible()
    assert urlsplit(page.url).path == "/app/"


def test_offline_the_button_says_single_sign_on_needs_a_connection(live, phones):
    page = phone(phones)
    page.goto(live["url"] + "/app/")
    expect(sso_button(page)).to_be_visible()
    page.context.set_offline(True)
    offline = page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME} needs a connection")
    expect(offline).to_be_disabled()
    screenshots(page, "signin-offline")
    page.context.set_offline(False)
    expect(sso_button(page)).to_be_visible()


# --- accessibility ---------------------------------------------------------------------------------------

def test_the_sso_screens_pass_an_axe_scan_without_serious_or_critical_violations(live, sso_only, provider, issuer,
                                                                                 phones):
    provider.set_user("sub-uma", email=UNVERIFIED, email_verified=False, name="Uma")
    page = phone(phones, bypass_csp=True)  # only this context bypasses the CSP, so axe's script may run
    scan = AxeScans(page)

    page.goto(live["url"] + "/app/")
    scan("sign in with the provider", sso_button(page))
    sso_button(page).click()
    authorize_at_provider(page, issuer, "sub-uma")
    scan("refused", page.get_by_test_id("sso-refused"))
    page.goto(sso_only["url"] + "/app/")
    scan("sso only: folded", page.get_by_role("button", name="Admin sign-in"))
    page.get_by_role("button", name="Admin sign-in").click()
    scan("sso only: admin form", page.get_by_label("Email or username"))
    page.emulate_media(color_scheme="dark")
    scan("sso only: admin form, dark", page.get_by_label("Email or username"))
    page.goto(live["url"] + "/app/")
    scan("sign in with the provider, dark", sso_button(page))

    assert len(scan.found) == 6
    assert scan.failing() == {}
