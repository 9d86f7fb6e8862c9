"""The web console for admins and leads (`/console`): server-rendered pages on the same services as the API.

Sign-in is a cookie session (same passwords as the app, the same failed sign-in budget as the API,
ended server-side at sign-out through users.session_version); every form is CSRF-protected;
staff who sign in get a friendly page sending them to the app. Form input goes through
the API's own marshmallow schemas and service functions, so no rule is written twice.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from api.db import db
from api.errors import DomainError, flatten_errors
from api.extensions import csrf, retry_after_seconds
from api.models.teams import Team
from api.models.users import User
from api.services import teams

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates", static_folder="static")


@bp.context_processor
def _password_login() -> dict[str, bool]:
    """`passwords_on`: whether the pages offer password doors (reset links, join codes); PASSWORD_LOGIN."""
    return {"passwords_on": bool(current_app.config["PASSWORD_LOGIN"])}


def cookie_settings(public_base_url: str) -> dict[str, Any]:
    """The session cookie's attributes; create_app applies them before its `config` overrides."""
    return {
        "SESSION_COOKIE_HTTPONLY": True,  # no script reads it
        "SESSION_COOKIE_SAMESITE": "Lax",  # not sent on cross-site POSTs (CSRF tokens stay the main guard)
        "SESSION_COOKIE_SECURE": public_base_url.startswith("https://"),  # https sites: never over plain http
    }


def start_session(user: User) -> None:
    session.clear()  # nothing from before sign-in survives it
    session["uid"], session["sv"] = user.id, user.session_version


def current() -> User | None:
    uid = session.get("uid")
    if uid is None:
        return None
    user = db.session.get(User, uid)
    # The cookie is signed but lives on the client, so a copy outlives any sign-out that only clears
    # it: a session is valid while it carries the user's current session_version, which sign-out and
    # a new password bump (accounts.end_sessions).
    if user is None or not user.can_log_in or session.get("sv") != user.session_version:
        session.clear()
        return None
    return user


def need(role: str):
    def decorator(view):
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            user = current()
            if user is None:
                return redirect(url_for("console.login", next=request.path))
            g.console_user = user
            if not user.has_role("lead"):
                return render_template("staff.html", me=user)
            if not user.has_role(role):
                flash("That page is for admins.", "error")
                return redirect(url_for("console.dashboard"))
            return view(user, *args, **kwargs)

        return wrapper

    return decorator


def led_teams(me: User) -> list[Team]:
    """The teams `me` leads in the console (an admin: every team), in two queries whatever their number."""
    all_teams = teams.list_teams(db.session)
    if me.role == "admin":
        return all_teams
    led = teams.led_team_ids(db.session, me.id)
    return [t for t in all_teams if t.id in led]


def problem_message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        fields = flatten_errors(exc.messages)
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items())
    if isinstance(exc, DomainError):
        detail = exc.detail
        if exc.errors:
            detail += " " + "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())
        return detail
    return str(exc)


@bp.before_request
def _protect() -> None:
    if request.method == "POST":
        # A view may take a larger form than the app's usual body (the people import: a whole file);
        # set before csrf.protect() reads the form.
        limit = getattr(current_app.view_functions.get(request.endpoint or ""), "body_limit", None)
        if limit:
            request.max_content_length = request.max_form_memory_size = limit
        csrf.protect()


@bp.errorhandler(429)
def _too_many(exc: HTTPException):
    """Past the failed sign-in budget (api/login_limits.py): a page, not the API's problem+json."""
    seconds = retry_after_seconds()
    return render_template("try_later.html", me=None, minutes=max(1, -(-seconds // 60))), 429, {
        "Retry-After": str(seconds)}


@bp.after_request
def _no_store(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_console(app) -> None:
    # Imported here, once `bp` exists: pages.py defines its views with `@bp.route`, so importing
    # it at the top would be a cycle (pages needs this module's `bp` and helpers).
    from api.console import (  # noqa: F401 - they register their views on `bp`
        audit_page,
        join_codes,
        onboarding,
        pages,
        people_import,
        policy_page,
        sso,
    )

    app.register_blueprint(bp)


__all__ = ["bp", "cookie_settings", "start_session", "current", "need", "problem_message", "init_console",
           "current_app"]
