"""SECURITY.md finding 1: nobody can sign their own access token.

The forged tokens are built here by hand, exactly as an attacker with the source would
build them, so the test does not depend on any helper of the code under test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets

import pytest

from tests.conftest import SECRET, base_env, build_app
from tests.factories import UserFactory
from tests.helpers import assert_problem

FAR_FUTURE = 4102444800  # 2100-01-01


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(key: str | bytes, header: dict, payload: dict) -> str:
    key_bytes = key.encode() if isinstance(key, str) else key
    signing_input = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(payload).encode())
    signature = hmac.new(key_bytes, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + _b64(signature)


def _claims(user_id: int) -> dict:
    return {"sub": str(user_id), "type": "access", "iss": "stafet", "exp": FAR_FUTURE, "fresh": False,
            "jti": secrets.token_hex(8)}


# The constant key the former fallback handed out for an unknown kid: the same on every installation.
FORMER_FALLBACK_KEY = hmac.new(b"unknown-kid", b"jwt", hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    "header, key",
    [
        pytest.param({"alg": "HS256", "kid": "x", "typ": "JWT"}, FORMER_FALLBACK_KEY, id="former-fallback-key"),
        pytest.param({"alg": "HS256", "typ": "JWT"}, FORMER_FALLBACK_KEY, id="no-kid-former-fallback-key"),
        pytest.param({"alg": "HS256", "kid": "x", "typ": "JWT"}, secrets.token_hex(32), id="random-key"),
        pytest.param({"alg": "HS256", "typ": "JWT"}, secrets.token_hex(32), id="no-kid-random-key"),
        pytest.param({"alg": "HS256", "kid": "", "typ": "JWT"}, "", id="empty-kid-empty-key"),
        pytest.param({"alg": "HS256", "kid": ["x"], "typ": "JWT"}, FORMER_FALLBACK_KEY, id="kid-not-a-string"),
    ],
)
def test_a_token_signed_with_a_key_we_do_not_hold_is_refused(client, session, header, key):
    """A forged admin token answers 401 problem+json, never 200 or 500."""
    admin = UserFactory(role="admin")
    token = forge(key, header, _claims(admin.id))
    r = client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert_problem(r, 401)
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_from_a_previous_key_still_works_but_a_forged_kid_does_not(tmp_path, session):
    """A token whose kid names a key in JWT_PREVIOUS_KEYS verifies (rotation keeps sessions);
    the same claims signed with that key's kid but another key do not."""
    user = UserFactory()
    url = str(session.get_bind().url)
    old_app = build_app(base_env(tmp_path, DATABASE_URL=url))
    with old_app.test_request_context():
        from api.auth import issue_access_token

        legit = issue_access_token(user)
    rotated = build_app(base_env(tmp_path, SECRET_KEY="n" * 40, JWT_PREVIOUS_KEYS=SECRET, DATABASE_URL=url))
    c = rotated.test_client()
    assert c.get("/api/v1/me", headers={"Authorization": f"Bearer {legit}"}).status_code == 200

    kid = json.loads(base64.urlsafe_b64decode(legit.split(".")[0] + "==="))["kid"]
    forged = forge(secrets.token_hex(32), {"alg": "HS256", "kid": kid, "typ": "JWT"}, _claims(user.id))
    r = c.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401 and r.mimetype == "application/problem+json"
