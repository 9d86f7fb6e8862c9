"""The console's findings of the outside security review (issue #14), each reproduced over HTTP:
one failed-login budget for both doors (3), no organisation-wide figures for a lead without a team (5),
sign-out that really ends the session and honest cookie attributes (6), and a `next` that can neither
break the response nor lead off-site (13)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.conftest import base_env, build_app
from tests.factories import PASSWORD, TeamFactory, UserFactory, lead_of

EMAIL = "ada@example.test"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _console_login(web, email, password=PASSWORD, **kw):
    page = web.get("/console/login", **kw)
    return web.post("/console/login", data={"email": email, "password": password,
                                            "csrf_token": _csrf(page.get_data(as_text=True))}, **kw)


def _api_login(client, email, password=PASSWORD, **kw):
    return client.post("/auth/login", json={"email": email, "password": password}, **kw)


def _post(web, path, data=None):
    page = web.get("/console/login") if path.endswith("/login") else web.get("/console/")
    return web.post(path, data={**(data or {}), "csrf_token": _csrf(page.get_data(as_text=True))})


def _is_refused(r) -> None:
    assert r.status_code == 429, r.status_code
    assert int(r.headers["Retry-After"]) > 0
    assert "try again later" in r.get_data(as_text=True).lower()


# --- finding 3: one failed-login limiter for the API and the console --------------------------------

def test_eight_wrong_console_passwords_lock_the_account_even_for_the_right_one(app, session):
    """Five wrong passwords on /console/login use up the account's budget: the next attempts are 429
    with Retry-After and a try-again-later page, even with the right password, and nobody is signed in."""
    UserFactory(email=EMAIL, role="admin")
    web = app.test_client()

    answers = [_console_login(web, EMAIL, "wrong-password").status_code for _ in range(8)]
    right = _console_login(web, EMAIL)

    assert answers == [401] * 5 + [429] * 3
    _is_refused(right)
    assert web.get("/console/").status_code == 302  # still signed out


def test_failures_on_the_api_lock_the_console_door(app, session, client):
    """Five wrong passwords on POST /api/v1/auth/login: the console then refuses the right password (429)."""
    UserFactory(email=EMAIL, role="admin")
    for _ in range(5):
        assert _api_login(client, EMAIL, "wrong-password").status_code == 401

    _is_refused(_console_login(app.test_client(), " ADA@example.test"))


def test_failures_on_the_console_lock_the_api_door(app, session, client):
    """Five wrong passwords on the console: the API then answers 429 for the right password."""
    UserFactory(email=EMAIL, role="admin")
    web = app.test_client()
    for _ in range(5):
        assert _console_login(web, "Ada@Example.test", "wrong-password").status_code == 401

    r = _api_login(client, EMAIL)

    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0


def test_failures_on_both_doors_add_up_to_one_budget(app, session, client):
    """Three failures on the API and two on the console are five on the account: both doors refuse it,
    while another account from the same address still signs in."""
    UserFactory(email=EMAIL, role="admin")
    other = UserFactory(role="admin")
    web = app.test_client()
    for _ in range(3):
        assert _api_login(client, EMAIL, "wrong-password").status_code == 401
    for _ in range(2):
        assert _console_login(web, EMAIL, "wrong-password").status_code == 401

    _is_refused(_console_login(web, EMAIL))
    assert _api_login(client, EMAIL).status_code == 429
    assert _console_login(web, other.email).status_code == 302


def test_failures_from_one_address_count_on_both_doors(app, session, client):
    """The per-address budget (30 failures) is shared too: 15 on each door throttle that address on both,
    and the same person from another address signs in."""
    UserFactory(email=EMAIL, role="admin")
    web = app.test_client()
    for i in range(15):
        assert _api_login(client, f"nobody{i}@example.test", "wrong-password").status_code == 401
        assert _console_login(web, f"nobody-else{i}@example.test", "wrong-password").status_code == 401

    _is_refused(_console_login(web, EMAIL))
    assert _api_login(client, EMAIL).status_code == 429
    elsewhere = app.test_client()
    assert _console_login(elsewhere, EMAIL, environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 302


def test_right_passwords_on_the_console_do_not_use_up_the_budget(app, session):
    """Signing in correctly many times is never throttled (only failures count)."""
    UserFactory(email=EMAIL, role="admin")
    for _ in range(8):
        assert _console_login(app.test_client(), EMAIL).status_code == 302


# --- finding 5: a lead who leads no team sees no organisation-wide figures --------------------------

def test_a_lead_who_leads_no_team_sees_no_organisation_figures(app, session):
    """A lead who is only a plain member of a team (and leads none) gets "You don't lead a team yet"
    and no KPI cards, charts or other teams' names."""
    harbour, airport = TeamFactory(name="Harbour"), TeamFactory(name="Airport")
    lead = UserFactory(role="lead", teams=[harbour])  # a member, not its lead
    UserFactory.create_batch(3, teams=[airport])
    web = app.test_client()
    assert _console_login(web, lead.email).status_code == 302

    for url in ("/console/", f"/console/?team_id={airport.id}", f"/console/?team_id={harbour.id}"):
        r = web.get(url)
        html = r.get_data(as_text=True)
        assert r.status_code == 200
        assert "You don't lead a team yet" in html or "You don&#39;t lead a team yet" in html
        assert 'id="kpi-participation"' not in html and 'id="kpi-shares"' not in html
        assert "<svg" not in html and "people</div>" not in html
        assert "Airport" not in html and "Harbour" not in html


def test_a_lead_asking_for_another_team_gets_their_own(app, session):
    """?team_id= of a team the lead does not lead shows the lead's own team (2 people), not that one (4)."""
    harbour, airport = TeamFactory(name="Harbour"), TeamFactory(name="Airport")
    lead = lead_of(harbour)
    UserFactory(teams=[harbour])
    UserFactory.create_batch(4, teams=[airport])
    web = app.test_client()
    assert _console_login(web, lead.email).status_code == 302

    html = web.get(f"/console/?team_id={airport.id}").get_data(as_text=True)

    assert "— Harbour" in html and "Airport" not in html
    assert "of 2 people" in html and "of 4 people" not in html


# --- finding 6: sign-out ends the session on the server; cookie attributes --------------------------

def test_a_copied_cookie_is_dead_after_sign_out(app, session):
    """Someone copies the console cookie; the owner signs out; the copy then only reaches the sign-in page."""
    admin = UserFactory(role="admin")
    web = app.test_client()
    assert _console_login(web, admin.email).status_code == 302
    copied = web.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/console/people").status_code == 200  # the copy works while the owner is signed in

    out = _post(web, "/console/logout")

    assert out.status_code == 302 and urlsplit(out.headers["Location"]).path == "/console/login"
    r = thief.get("/console/people")
    assert r.status_code == 302 and urlsplit(r.headers["Location"]).path == "/console/login"
    assert web.get("/console/people").status_code == 302
    assert _console_login(web, admin.email).status_code == 302  # signing in again works
    assert web.get("/console/people").status_code == 200


def test_a_password_change_ends_console_sessions(app, session):
    """Setting a new password signs out the console sessions opened with the old one."""
    from api.db import db
    from api.models.users import User
    from api.services import accounts

    admin = UserFactory(role="admin")
    web = app.test_client()
    assert _console_login(web, admin.email).status_code == 302
    with app.app_context():
        accounts.set_password(db.session.get(User, admin.id), "another-long-password")
        db.commit()

    assert web.get("/console/people").status_code == 302


def _session_cookie(r) -> str:
    cookies = [c for c in r.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, r.headers
    return cookies[-1]


def _attributes(cookie: str) -> set[str]:
    return {part.strip().lower() for part in cookie.split(";")[1:]}


def test_the_console_cookie_is_secure_httponly_and_lax_on_https(app):
    """With an https PUBLIC_BASE_URL the session cookie is Secure, HttpOnly and SameSite=Lax."""
    assert app.config["PUBLIC_BASE_URL"].startswith("https://")

    attributes = _attributes(_session_cookie(app.test_client().get("/console/login")))

    assert {"secure", "httponly", "samesite=lax"} <= attributes


def test_the_console_cookie_is_httponly_and_lax_but_not_secure_on_http(tmp_path):
    """With an http PUBLIC_BASE_URL (a laptop) the cookie is HttpOnly and SameSite=Lax, not Secure."""
    http_app = build_app(base_env(tmp_path, PUBLIC_BASE_URL="http://localhost:5000"))

    attributes = _attributes(_session_cookie(http_app.test_client().get("/console/login")))

    assert {"httponly", "samesite=lax"} <= attributes and "secure" not in attributes


def test_create_app_config_still_overrides_the_cookie_attributes(tmp_path):
    """A test or a deployment passing SESSION_COOKIE_SECURE=False to create_app gets it."""
    plain = build_app(base_env(tmp_path), SESSION_COOKIE_SECURE=False)

    assert "secure" not in _attributes(_session_cookie(plain.test_client().get("/console/login")))


# --- finding 13: `next` after sign-in ---------------------------------------------------------------

BAD_NEXT = [
    "/console/\r\nX-Injected: 1",
    "/console/\nX-Injected: 1",
    "/console/\x00",
    "/console/\tpeople",
    "//evil.example",
    "//evil.example/console/",
    "/\\evil.example",
    "/console/\\evil.example",
    "https://evil.example/console",
    "https://evil.example/console/",
    "javascript:alert(1)",
    "/console/../x",
    "/console/%2e%2e/x",
    "/console//evil.example",
    "/consolex",
    "evil.example/console/",
    "",
]


@pytest.mark.parametrize("target", BAD_NEXT)
def test_a_bad_next_falls_back_to_the_dashboard(app, session, target):
    """A `next` that is not a plain path under /console/ sends the signed-in person to the dashboard:
    302 to /console/, never a 500 and never another site."""
    admin = UserFactory(role="admin")
    web = app.test_client()
    page = web.get("/console/login")

    r = web.post("/console/login", query_string={"next": target},
                 data={"email": admin.email, "password": PASSWORD, "csrf_token": _csrf(page.get_data(as_text=True))})

    assert r.status_code == 302
    location = urlsplit(r.headers["Location"])
    assert location.netloc in ("", "localhost") and location.path == "/console/" and not location.query


def test_the_reported_crlf_next_is_a_redirect_to_the_dashboard(app, session):
    """The review's request, byte for byte: POST /console/login?next=/console/%0d%0aX-Injected:%201."""
    admin = UserFactory(role="admin")
    web = app.test_client()
    page = web.get("/console/login")

    r = web.post("/console/login?next=/console/%0d%0aX-Injected:%201",
                 data={"email": admin.email, "password": PASSWORD, "csrf_token": _csrf(page.get_data(as_text=True))})

    assert r.status_code == 302 and urlsplit(r.headers["Location"]).path == "/console/"
    assert "X-Injected" not in r.headers


def test_a_good_next_is_followed(app, session):
    """A plain path under /console/ (with a query) is where the sign-in leads."""
    admin = UserFactory(role="admin")
    web = app.test_client()
    assert web.get("/console/people").status_code == 302  # the page asked for sets `next`
    page = web.get("/console/login")

    r = web.post("/console/login", query_string={"next": "/console/rewards?tab=queue"},
                 data={"email": admin.email, "password": PASSWORD, "csrf_token": _csrf(page.get_data(as_text=True))})

    assert r.status_code == 302 and r.headers["Location"].endswith("/console/rewards?tab=queue")
