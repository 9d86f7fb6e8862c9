"""Failed sign-ins, limited per account and per address, on every door that takes a password.

The API (`POST /api/v1/auth/login`) and the console (`/console/login`) are two doors to the same
accounts, so they share one budget: both decorators use flask-limiter *shared* limits, whose
storage key is the scope and the key alone (not the endpoint). Five wrong passwords for one
email, on either door or split between them, lock that email on both for LOGIN_LIMIT_PER_ACCOUNT;
LOGIN_LIMIT_PER_IP does the same per client address. Only failures count (a 401 answer); past the
limit the answer is 429 with Retry-After, even for the right password.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Response, current_app
from flask_limiter.util import get_remote_address

from api.extensions import limiter
from api.services.accounts import normalise_email

F = TypeVar("F", bound=Callable[..., Any])


def failed(response: Response) -> bool:
    """A sign-in that counts against a budget: refused credentials (401), not bad input or a 429."""
    return response.status_code == 401


def account_key(email: object) -> str:
    """The per-account bucket: the email as sign-in looks it up, so ` Ada@X ` and `ada@x` are one."""
    return "login-account:" + (normalise_email(email) if isinstance(email, str) else "-")


def limit_failed_logins(email_of_request: Callable[[], object]) -> Callable[[F], F]:
    """Decorate a sign-in view; `email_of_request` reads the email the view will authenticate
    (each door reads its own body: JSON for the API, the form for the console)."""
    per_ip = limiter.shared_limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], scope="login-ip",
                                  key_func=get_remote_address, methods=["POST"], deduct_when=failed)
    per_account = limiter.shared_limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], scope="login-account",
                                       key_func=lambda: account_key(email_of_request()), methods=["POST"],
                                       deduct_when=failed)

    def decorator(view: F) -> F:
        return cast(F, per_ip(per_account(view)))

    return decorator
