"""Sign in, refresh, sign out, activate an invitation."""

from __future__ import annotations

from flask import current_app, request
from flask_limiter.util import get_remote_address

from api import sign_in
from api.db import db
from api.extensions import Blueprint, limiter
from api.login_limits import failed, limit_failed_logins
from api.services import accounts, tokens
from api.token_pairs import X_CLIENT, refreshed_pair, token_pair
from schemas.auth import ActivateSchema, LoginSchema, RefreshSchema, TokenPairSchema

URL_PREFIX = "/auth"
blp = Blueprint("auth", __name__, description="Sign in and keep a session going")


def _account_in_body() -> object:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None
    email, username = body.get("email"), body.get("username")
    if isinstance(email, str) and email:
        return email
    return "username:" + accounts.normalise_username(username) if isinstance(username, str) and username else None


@blp.route("/login", methods=["POST"])
@limit_failed_logins(_account_in_body)
@blp.arguments(LoginSchema)
@blp.response(200, TokenPairSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@blp.doc(parameters=[X_CLIENT])
def login(data: dict):
    """Sign in with email (or username) and password

    Failed attempts are limited per account and per IP address; past the limit the
    answer is 429 with Retry-After, even for the right password. 403 `password-login-off`: the
    organisation signs in with single sign-on only (PASSWORD_LOGIN=off; `GET /client-config` says
    where), except its break-glass admin. 403 `awaiting-approval`: the right
    password of someone who joined with a code that a team lead has not approved yet.
    """
    user = sign_in.with_password(data.get("email"), data.get("username"), data["password"], door="api")
    return token_pair(user)


@blp.route("/refresh", methods=["POST"])
@blp.arguments(RefreshSchema)
@blp.response(200, TokenPairSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
def refresh(data: dict):
    """Swap a refresh token for a new pair

    Each refresh token works once. Presenting a used one again signs out every session
    of its family (it has leaked).
    """
    try:
        user, successor = tokens.rotate_refresh_token(
            db.session, data["refresh_token"], current_app.config["REFRESH_TOKEN_TTL"]
        )
    except tokens.RefreshTokenReused:
        db.commit()  # the family's revocation must stick although the answer is 401
        raise
    return refreshed_pair(user, successor)


@blp.route("/logout", methods=["POST"])
@blp.arguments(RefreshSchema)
@blp.response(204)
def logout(data: dict):
    """Sign out the session of this refresh token"""
    tokens.revoke_refresh_token(db.session, data["refresh_token"])


@blp.route("/activate", methods=["POST"])
@limiter.limit("20 per 15 minutes", key_func=get_remote_address, deduct_when=failed, scope="activate-ip")
@blp.arguments(ActivateSchema)
@blp.response(200, TokenPairSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@blp.doc(parameters=[X_CLIENT])
def activate(data: dict):
    """First sign-in of an invited person: choose a password

    401 `invalid-invite` for an unknown or expired invitation. 403 `password-login-off`: the
    organisation signs in with single sign-on only (PASSWORD_LOGIN=off; `GET /client-config` says
    where) — the invited person signs in with their company account instead, and their invited
    email links them. Only the break-glass admin may still choose a password.
    """
    user = accounts.activate(db.session, data["invite_token"], data["password"], data.get("display_name"),
                             passwords=sign_in.password_rule())
    return token_pair(user)
