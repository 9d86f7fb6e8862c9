"""Signing in, as both doors do it: the API (`POST /auth/login`, the SSO exchange) and the console.

One place applies PASSWORD_LOGIN and its break-glass admin (accounts.PasswordRule, which the other
password doors apply too: activation, resets, join codes), checks the password, and writes the
audit log's `sign_in` / `sign_in_failed` events, so a sign-in is recorded whichever door it used.
"""

from __future__ import annotations

import re

from flask import current_app, request

from api.db import db
from api.errors import DomainError
from api.models.users import User
from api.services import accounts, audit


def with_password(email: str | None, username: str | None, password: str, *, door: str) -> User:
    """The person these credentials name, or the refusal (recorded and committed here: the
    answer is an error, so the request's unit of work would roll the record back)."""
    rule = password_rule()
    rule.check(email)
    try:
        user = accounts.authenticate(db.session, email, password, username=username)
    except DomainError as error:
        known = accounts.find_account(db.session, email, username)
        audit.record(db.session, "sign_in_failed", subject_user_id=known.id if known else None,
                     detail={"method": "password", "door": door, "account": _typed_account(email or username, known),
                             "reason": error.slug, **_origin()})
        db.commit()
        raise
    rule.check(email, user)
    signed_in(user, method="password", door=door)
    return user


def password_rule() -> accounts.PasswordRule:
    """PASSWORD_LOGIN and BREAK_GLASS_EMAIL as every password door applies them (accounts.PasswordRule)."""
    return accounts.PasswordRule.from_config(current_app.config)


def signed_in(user: User, *, method: str, door: str) -> None:
    """Record a sign-in that succeeded (password or single sign-on), in the request's transaction."""
    audit.record(db.session, "sign_in", actor_id=user.id, subject_user_id=user.id,
                 detail={"method": method, "door": door, **_origin()})


_EMAIL_SHAPE = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")


def _typed_account(typed: str | None, known: User | None) -> str | None:
    """What was typed as the account, when it names one or looks like an address: someone who typed
    their password into the wrong field must not find it in the audit log (or its CSV)."""
    typed = (typed or "")[:254]
    return typed if known is not None or _EMAIL_SHAPE.fullmatch(typed) else None


def _origin() -> dict[str, str]:
    """Where the sign-in came from: the client's address (behind TRUSTED_PROXIES, the client's, not
    the proxy's) and its browser, shortened."""
    return {"ip": request.remote_addr or "", "user_agent": (request.user_agent.string or "")[:200]}
