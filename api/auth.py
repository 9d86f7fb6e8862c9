"""Who is calling: access JWTs (signed with key ids so keys rotate) and the role decorator.

Every protected endpoint goes through `require_role`; there are no ad-hoc role checks.
The user is re-read on every request, so a deactivation or a role change applies at once.
Tokens issued at sign-in carry their session's id (`sid`); a token of a signed-out session is
refused from the next request: the query that reads the user reads the session too (`_load_user`).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, current_app, g
from flask_jwt_extended import create_access_token, get_current_user, get_jwt, verify_jwt_in_request
from jwt import InvalidTokenError
from sqlalchemy import and_, select

from api.db import db
from api.errors import Forbidden, Unauthorized, problem
from api.extensions import jwt
from api.keys import derive_key
from api.models.auth_tokens import AuthSession
from api.models.users import User

F = TypeVar("F", bound=Callable[..., Any])


def key_id(secret: str) -> str:
    return hashlib.sha256(("kid:" + secret).encode()).hexdigest()[:16]


def signing_keys(app: Flask) -> dict[str, str]:
    """kid -> JWT key for the current SECRET_KEY and every key in JWT_PREVIOUS_KEYS."""
    secrets_ = [app.config["SECRET_KEY"], *app.config["JWT_PREVIOUS_KEYS"]]
    return {key_id(s): derive_key(s, "jwt") for s in secrets_}


def init_auth(app: Flask) -> None:
    app.config.setdefault("JWT_ALGORITHM", "HS256")
    app.config["JWT_SECRET_KEY"] = derive_key(app.config["SECRET_KEY"], "jwt")
    app.config["JWT_ACCESS_TOKEN_EXPIRES"] = app.config["ACCESS_TOKEN_TTL"]
    app.config["JWT_TOKEN_LOCATION"] = ["headers"]
    app.config["JWT_DECODE_ISSUER"] = app.config["JWT_ENCODE_ISSUER"] = "stafet"


@jwt.additional_headers_loader
def _kid_header(_identity: Any) -> dict[str, str]:
    return {"kid": key_id(current_app.config["SECRET_KEY"])}


@jwt.decode_key_loader
def _decode_key(header: dict, _payload: dict) -> str:
    """The key of the token's `kid`; a missing or unknown kid is refused outright.

    Never answer with a stand-in key: any key we hand back here is one a token can be signed
    with, and a constant one is the same on every installation (SECURITY.md, finding 1).
    flask-jwt-extended turns the raised InvalidTokenError into the 401 of `_invalid_token`.
    """
    kid = header.get("kid")
    key = signing_keys(current_app).get(kid) if isinstance(kid, str) else None
    if key is None:
        raise InvalidTokenError("unknown or missing key id")
    return key


@jwt.user_lookup_loader
def _load_user(_header: dict, payload: dict) -> User | None:
    """The token's user. With a `sid`, the same query reads whether that session is still live (a
    session of this user, not revoked): `g.live_session_id` is the sid then, for `authenticate_request`."""
    try:
        user_id = int(payload["sub"])
    except (KeyError, TypeError, ValueError):
        return None
    sid = payload.get("sid")
    if not isinstance(sid, int):
        return db.session.get(User, user_id)
    row = db.session.execute(
        select(User, AuthSession.id)
        .outerjoin(AuthSession, and_(AuthSession.id == sid, AuthSession.user_id == User.id,
                                     AuthSession.revoked_at.is_(None)))
        .where(User.id == user_id)
    ).first()
    if row is None:
        return None
    g.live_session_id = row[1]
    return row[0]


def _unauthorized(detail: str):
    return problem(401, detail, slug="unauthorized", headers={"WWW-Authenticate": 'Bearer realm="stafet"'})


@jwt.unauthorized_loader
def _missing_token(_reason: str):
    return _unauthorized("Send an access token: Authorization: Bearer <token>.")


@jwt.invalid_token_loader
def _invalid_token(_reason: str):
    return _unauthorized("The access token is invalid. Sign in again.")


@jwt.expired_token_loader
def _expired_token(_header: dict, _payload: dict):
    return _unauthorized("The access token has expired. Use your refresh token to get a new one.")


@jwt.user_lookup_error_loader
def _unknown_user(_header: dict, _payload: dict):
    return _unauthorized("The account for this token no longer exists.")


def issue_access_token(user: User, session_id: int | None = None) -> str:
    """An access token; `session_id` (the `sid` claim) ties it to a sign-in that can be revoked.

    Every token the API hands out has one; a token without it (minted by tests or tools with the
    signing key) lives until it expires unless the person is deactivated.
    """
    claims: dict[str, Any] = {"role": user.role}
    if session_id is not None:
        claims["sid"] = session_id
    return create_access_token(identity=str(user.id), additional_claims=claims)


def current_session_id() -> int | None:
    """The `sid` of this request's access token (None for a token without one)."""
    sid = get_jwt().get("sid")
    return sid if isinstance(sid, int) else None


def current_user() -> User:
    """The authenticated user of this request (only inside `require_role` views)."""
    return g.current_user


def authenticate_request(role: str) -> User:
    verify_jwt_in_request()
    user = get_current_user()
    if user is None or not user.can_log_in:
        raise Unauthorized("This account is deactivated or no longer exists.")
    sid = get_jwt().get("sid")
    if sid is not None and (not isinstance(sid, int) or g.get("live_session_id") != sid):
        raise Unauthorized("This session has been signed out. Sign in again.", slug="session-ended")
    if not user.has_role(role):
        raise Forbidden(f"This needs the {role} role; you are signed in as {user.role}.")
    g.current_user = user
    return user


def require_role(role: str = "staff") -> Callable[[F], F]:
    """Allow the view to users with at least `role` (staff < lead < admin)."""

    def decorator(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            authenticate_request(role)
            return fn(*args, **kwargs)

        doc = copy.deepcopy(getattr(fn, "_apidoc", {}))
        doc.setdefault("manual_doc", {})["security"] = [{"bearerAuth": []}]
        responses = doc.setdefault("response", {}).setdefault("responses", {})
        responses.setdefault(401, []).append("UNAUTHORIZED")
        if role != "staff":
            responses.setdefault(403, []).append("FORBIDDEN")
        wrapper._apidoc = doc  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator
