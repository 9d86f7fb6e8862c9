"""Behind a proxy (issue 15): X-Forwarded-For counts only from trusted hops (TRUSTED_PROXIES).

What the resolved address decides, checked where it shows: a share's click count (one per
visitor), the per-address sign-in limit (429), and the client address in the logs. A forged
X-Forwarded-For from an untrusted peer changes none of them; from a trusted proxy it is the client.
"""

from __future__ import annotations

import logging

import pytest
from flask import Flask, request
from sqlalchemy import select

from api.config import ConfigError, load_settings
from api.models.shares import Share
from api.observability.logs import ContextFilter
from api.proxies import client_address
from tests.conftest import base_env, build_app
from tests.factories import UserFactory
from tests.factories_content import PostFactory
from tests.helpers import ApiClient

PROXY = "10.0.0.5"  # the TLS proxy, in 10.0.0.0/8
UA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile Safari/537.36"


def app_with(app: Flask, tmp_path, trusted: str | None) -> Flask:
    """An app on the suite's SQLite database with this TRUSTED_PROXIES (None: unset) and a per-address
    sign-in limit of 2 failures."""
    env = base_env(tmp_path, DATABASE_URL=str(app.extensions["stafet.db"]["engine"].url),
                   LOGIN_LIMIT_PER_IP="2 per 15 minutes")
    if trusted is not None:
        env["TRUSTED_PROXIES"] = trusted
    built = build_app(env)

    @built.get("/_client")
    def _client() -> dict:
        logging.getLogger("tests.proxies").warning("who is it")
        return {"remote_addr": request.remote_addr, "scheme": request.scheme}

    return built


def visit(web, code: str, peer: str, forwarded_for: str | None = None) -> None:
    headers = {"User-Agent": UA}
    if forwarded_for is not None:
        headers["X-Forwarded-For"] = forwarded_for
    assert web.get(f"/s/{code}", headers=headers, environ_base={"REMOTE_ADDR": peer}).status_code == 302


def make_share(proxied: Flask) -> tuple[int, str]:
    post, user = PostFactory(), UserFactory()
    r = ApiClient(proxied).as_(user).post(f"/posts/{post.id}/shares", json={"network": "linkedin"})
    assert r.status_code == 201
    return r.get_json()["id"], r.get_json()["tracked_url"].rsplit("/", 1)[1]


def clicks(session, share_id: int) -> int:
    session.expire_all()
    return session.scalar(select(Share.click_count).where(Share.id == share_id))


def failed_login(web, peer: str, forwarded_for: str | None, n: int) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    r = web.post("/api/v1/auth/login", json={"email": f"nobody{n}@example.test", "password": "wrong-password-1"},
                 headers=headers, environ_base={"REMOTE_ADDR": peer})
    return r.status_code


# --- untrusted: forged headers change nothing -----------------------------------------------------

@pytest.mark.parametrize("trusted", [None, "192.168.0.0/16"])
def test_forged_forwarded_for_from_an_untrusted_peer_is_one_visitor(app, tmp_path, session, trusted):
    """Unset, or the peer not among the trusted networks: ten different X-Forwarded-For values from
    one address are one visitor, one click."""
    proxied = app_with(app, tmp_path, trusted)
    share_id, code = make_share(proxied)
    web = proxied.test_client()
    for i in range(10):
        visit(web, code, "203.0.113.7", f"198.51.100.{i}")
    assert clicks(session, share_id) == 1


@pytest.mark.parametrize("trusted", [None, "192.168.0.0/16"])
def test_forged_forwarded_for_from_an_untrusted_peer_shares_its_sign_in_limit(app, tmp_path, trusted):
    """The per-address limit (2 failures here) holds whatever X-Forwarded-For the peer sends."""
    web = app_with(app, tmp_path, trusted).test_client()
    answers = [failed_login(web, "203.0.113.7", f"198.51.100.{i}", i) for i in range(3)]
    assert answers == [401, 401, 429]


# --- trusted: the proxy's word is the client ------------------------------------------------------

@pytest.mark.parametrize("trusted", ["1", "10.0.0.0/8"])
def test_clients_behind_a_trusted_proxy_are_visitors_of_their_own(app, tmp_path, session, trusted):
    """Three people behind the proxy are three clicks; the same person twice is still one."""
    proxied = app_with(app, tmp_path, trusted)
    share_id, code = make_share(proxied)
    web = proxied.test_client()
    for client in ("198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.1"):
        visit(web, code, PROXY, client)
    assert clicks(session, share_id) == 3


@pytest.mark.parametrize("trusted", ["1", "10.0.0.0/8"])
def test_behind_a_trusted_proxy_each_client_has_its_own_sign_in_limit(app, tmp_path, trusted):
    """One client past its limit (429) does not lock out another client of the same proxy."""
    web = app_with(app, tmp_path, trusted).test_client()
    first = [failed_login(web, PROXY, "198.51.100.1", i) for i in range(3)]
    other = failed_login(web, PROXY, "198.51.100.2", 3)
    assert first == [401, 401, 429] and other == 401


@pytest.mark.parametrize("trusted", ["1", "10.0.0.0/8"])
def test_a_client_cannot_choose_its_address_through_a_trusted_proxy(app, tmp_path, session, trusted):
    """The client sends its own X-Forwarded-For; the proxy appends the real address. Only that one
    counts: rotating the forged part is still one visitor."""
    proxied = app_with(app, tmp_path, trusted)
    share_id, code = make_share(proxied)
    web = proxied.test_client()
    for i in range(5):
        visit(web, code, PROXY, f"198.51.100.{i}, 203.0.113.9")
    assert clicks(session, share_id) == 1


def test_the_logs_and_the_app_see_the_client_and_the_proxys_scheme(app, tmp_path, caplog):
    proxied = app_with(app, tmp_path, "10.0.0.0/8")
    caplog.handler.addFilter(ContextFilter())
    web = proxied.test_client()

    trusted = web.get("/_client", headers={"X-Forwarded-For": "198.51.100.1", "X-Forwarded-Proto": "https"},
                      environ_base={"REMOTE_ADDR": PROXY}).get_json()
    forged = web.get("/_client", headers={"X-Forwarded-For": "198.51.100.1", "X-Forwarded-Proto": "https"},
                     environ_base={"REMOTE_ADDR": "203.0.113.7"}).get_json()

    assert trusted == {"remote_addr": "198.51.100.1", "scheme": "https"}
    assert forged == {"remote_addr": "203.0.113.7", "scheme": "http"}
    logged = [r.client for r in caplog.records if r.name == "tests.proxies"]
    assert logged == ["198.51.100.1", "203.0.113.7"]


# --- the rule itself, and the setting --------------------------------------------------------------

TRUSTED = ("10.0.0.0/8", "fd00::/8")


@pytest.mark.parametrize(("peer", "forwarded_for", "client"), [
    ("203.0.113.7", "198.51.100.1", None),  # an untrusted peer's header is ignored
    ("10.0.0.5", None, None),  # a trusted peer without the header is the client itself
    ("10.0.0.5", "198.51.100.1", "198.51.100.1"),
    ("10.0.0.5", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the client's own value is left of the proxy's
    ("10.0.0.5", "198.51.100.1, 10.0.0.9", "198.51.100.1"),  # two proxies of ours: skip both
    ("10.0.0.5", "10.0.0.8, 10.0.0.9", "10.0.0.8"),  # all ours: the origin is the first
    ("10.0.0.5", "2001:db8::1", "2001:db8::1"),
    ("fd00::1", "198.51.100.1", "198.51.100.1"),
    ("10.0.0.5", "not-an-address", None),
    ("10.0.0.5", "198.51.100.1, junk", None),
])
def test_client_address_walks_forwarded_for_from_the_right(peer, forwarded_for, client):
    from ipaddress import ip_network

    assert client_address(peer, forwarded_for, [ip_network(n) for n in TRUSTED]) == client


@pytest.mark.parametrize(("raw", "parsed"), [
    (None, 0), ("", 0), ("1", 1), ("2", 2), ("10.0.0.0/8", ("10.0.0.0/8",)),
    ("10.0.0.5, fd00::/8", ("10.0.0.5/32", "fd00::/8")),
])
def test_trusted_proxies_setting(tmp_path, raw, parsed):
    env = base_env(tmp_path) if raw is None else base_env(tmp_path, TRUSTED_PROXIES=raw)
    assert load_settings(env).trusted_proxies == parsed


@pytest.mark.parametrize("raw", ["9", "proxy.internal", "10.0.0.0/33"])
def test_a_bad_trusted_proxies_setting_stops_the_start(tmp_path, raw):
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        load_settings(base_env(tmp_path, TRUSTED_PROXIES=raw))
