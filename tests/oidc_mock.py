"""The OpenID provider the SSO tests sign in at: the `oidc-provider-mock` package, not ours.

It is an Authlib authorization server run on a free port in a thread: discovery, JWKS (a fresh
RSA key per server), an authorization form, the token endpoint and per-subject claims set over
HTTP (`PUT /users/<sub>`). Any client id and secret are accepted. `authorize` does what a person
does in the browser: open the authorization URL and submit the form for a subject.

Tokens a real provider would never issue (signed with a foreign key, for another audience or
from another issuer) come from tests/oidc_provider.py, the forging provider.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import oidc_provider_mock
import requests

CLIENT_ID = "stafet-mock-client"
CLIENT_SECRET = "mock-provider-secret-123"


class MockProvider:
    def __init__(self, issuer: str) -> None:
        self.issuer = issuer

    def set_user(self, sub: str, **claims: Any) -> None:
        """The claims the provider puts in `sub`'s id token (scopes permitting)."""
        r = requests.put(f"{self.issuer}/users/{quote(sub, safe='')}", json=claims, timeout=5)
        assert r.status_code == 204, r.text

    def authorize(self, authorization_url: str, sub: str) -> str:
        """A person at the provider's form signs in as `sub`: where the provider sends the browser."""
        form = requests.get(authorization_url, allow_redirects=False, timeout=5)
        assert form.status_code == 200 and 'name="sub"' in form.text, form.text[:500]
        done = requests.post(authorization_url, data={"sub": sub}, allow_redirects=False, timeout=5)
        assert done.status_code == 302, done.text[:500]
        return done.headers["Location"]


@contextmanager
def running_mock_provider(*, token_max_age: timedelta = timedelta(hours=1)) -> Iterator[MockProvider]:
    """`token_max_age` below zero makes the provider hand out id tokens that have already expired."""
    with oidc_provider_mock.run_server_in_thread(require_nonce=True, access_token_max_age=token_max_age) as server:
        yield MockProvider(f"http://localhost:{server.server_port}")
