"""The token pair every way of signing in answers: password, invitation, password reset, join
code and single sign-on (api/resources/{auth,password_reset,join_codes,oidc}.py), and refresh.

A sign-in starts a refresh-token family and its session (what GET /me/sessions lists, named from
the request's User-Agent, X-Client and Origin); the access token carries the session's id.
"""

from __future__ import annotations

from flask import current_app, request

from api.auth import issue_access_token
from api.db import db
from api.models.users import User
from api.services import sessions, tokens, users

# A sign-in starts a session that GET /me/sessions lists; the app can name itself for that list.
X_CLIENT = {"in": "header", "name": "X-Client", "required": False, "schema": {"type": "string", "maxLength": 32},
            "description": "Which app signs in, for my sessions list: `staff-app` (or `console`); others "
                           "show as `other`"}


def _client() -> sessions.Client:
    return sessions.Client(user_agent=request.headers.get("User-Agent"),
                           client_header=request.headers.get("X-Client"), origin=request.headers.get("Origin"),
                           public_base_url=current_app.config["PUBLIC_BASE_URL"])


def token_pair(user: User) -> dict:
    """A new sign-in: a refresh-token family, its session and the pair."""
    ttl = current_app.config["REFRESH_TOKEN_TTL"]
    refresh = tokens.issue_refresh_token(db.session, user, ttl)
    signed_in = sessions.start(db.session, user, refresh.family_id, _client(), ttl)
    return _pair(user, refresh.token, signed_in.id)


def refreshed_pair(user: User, successor: tokens.IssuedRefresh) -> dict:
    """The pair after a refresh: `successor` continues its family, and so its session (a family from
    before sessions were recorded gets its session now)."""
    signed_in = sessions.for_family(db.session, user, successor.family_id, _client(),
                                    current_app.config["REFRESH_TOKEN_TTL"])
    return _pair(user, successor.token, signed_in.id)


def _pair(user: User, refresh_token: str, session_id: int) -> dict:
    db.session.flush()
    return {
        "access_token": issue_access_token(user, session_id),
        "refresh_token": refresh_token,
        "token_type": "Bearer",
        "expires_in": current_app.config["ACCESS_TOKEN_TTL"],
        "user": users.profile(db.session, user),
    }
