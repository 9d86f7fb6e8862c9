"""`GET /s/<code>`: the tracked link behind every share. Public, fast, never an open redirect.

The target is always the post's stored `link_url` (plus UTM parameters); nothing in the
request can change where it goes. The click is recorded in the same request, or on PostgreSQL
in the next batch a fraction of a second later (api.services.click_buffer, which this module
gives the function that writes a batch).
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, redirect, request

from api.db import db
from api.errors import NotFound
from api.services import clicks
from api.services.click_buffer import ClickBuffer

blp = Blueprint("redirects", __name__)
EXTENSION = "stafet.clicks"


def _client_ip() -> str:
    # Behind the proxy, ProxyFix (when configured) has already set remote_addr.
    return request.remote_addr or ""


@blp.get("/s/<code>")
def follow(code: str):
    """Redirect to the shared story and count the click."""
    found = clicks.follow(db.session, code, secret=current_app.config["SECRET_KEY"], ip=_client_ip(),
                          user_agent=request.headers.get("User-Agent", ""),
                          buffer=buffer_of(current_app)) if len(code) <= 32 else None
    if found is None:
        raise NotFound("This link does not exist.")
    target = (clicks.with_utm(found.link, found.network, found.campaign) if found.link
              else current_app.config["PUBLIC_BASE_URL"])
    response = redirect(target, code=302)
    response.headers["Cache-Control"] = "private, no-store"  # every visit must reach us to be counted
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _batch_writer(app: Flask):
    """How the buffer's thread writes a batch: one transaction in an application context of its own
    (the tally is dispatched after it commits)."""

    def write(batch: list[clicks.PendingClick]) -> int:
        with app.app_context(), db.transaction() as session:
            return clicks.record_many(session, batch)

    return write


def init_app(app: Flask) -> None:
    """Buffer clicks on PostgreSQL when CLICK_FLUSH_SECONDS > 0; otherwise each redirect writes its
    click itself (SQLite, tests)."""
    seconds = float(app.config["CLICK_FLUSH_SECONDS"])
    postgres = app.config["DATABASE_URL"].startswith("postgresql")
    app.extensions[EXTENSION] = ClickBuffer(_batch_writer(app), seconds) if seconds > 0 and postgres else None


def buffer_of(app: Flask) -> ClickBuffer[clicks.PendingClick] | None:
    return app.extensions.get(EXTENSION)
