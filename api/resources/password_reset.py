"""Forgotten passwords: ask for a link by mail, then choose a new password with it."""

from __future__ import annotations

from flask import current_app, request
from flask_limiter.util import get_remote_address

from api import sign_in
from api.db import db
from api.extensions import Blueprint, limiter
from api.login_limits import failed
from api.services import accounts, mail, password_resets
from api.token_pairs import X_CLIENT, token_pair
from schemas.auth import TokenPairSchema
from schemas.onboarding import PasswordResetAcceptedSchema, PasswordResetConfirmSchema, PasswordResetRequestSchema

URL_PREFIX = "/auth"
blp = Blueprint("password_reset", __name__, description="Forgotten passwords")

ACCEPTED = "If this address belongs to an account, a link to choose a new password is on its way."


def _address_key() -> str:
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return "reset-address:" + (accounts.normalise_email(email) if isinstance(email, str) else "-")


@blp.route("/password-reset", methods=["POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_LIMIT_PER_IP"], key_func=get_remote_address,
               scope="password-reset-ip")
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_LIMIT_PER_ADDRESS"], key_func=_address_key,
               scope="password-reset-address")
@blp.arguments(PasswordResetRequestSchema)
@blp.response(202, PasswordResetAcceptedSchema)
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def request_reset(data: dict):
    """Ask for a password reset link by mail

    Always 202 with the same body, whether or not the address belongs to an account. The link
    (`/app/reset?token=…`) works once, for 60 minutes. Limited per address and per IP address
    (429 with Retry-After past the limit). While passwords are off (PASSWORD_LOGIN=off) no link
    is mailed, except to the break-glass admin; the answer is the same 202.
    """
    password_resets.request_by_email(db.session, data["email"], ttl=current_app.config["RESET_TTL"],
                                     settings=mail.MailSettings.from_config(current_app.config))
    return {"detail": ACCEPTED}


@blp.route("/password-reset/confirm", methods=["POST"])
@limiter.limit("20 per 15 minutes", key_func=get_remote_address, deduct_when=failed, scope="password-reset-confirm")
@blp.arguments(PasswordResetConfirmSchema)
@blp.response(200, TokenPairSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@blp.doc(parameters=[X_CLIENT])
def confirm_reset(data: dict):
    """Choose a new password with a reset token; signs out every other session

    Answers a token pair like sign-in. The token works once; an unknown, used or expired one is
    401. Every refresh token the person had is revoked. 403 `password-login-off`: the organisation
    signs in with single sign-on only (PASSWORD_LOGIN=off) and this is not its break-glass admin
    (the token is not spent).
    """
    user = password_resets.confirm(db.session, data["token"], data["password"], passwords=sign_in.password_rule())
    return token_pair(user)
