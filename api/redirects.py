"""`GET /s/<code>`: the tracked link behind every share. Public, fast, never an open redirect.

The target is always the post's stored `link_url` (plus UTM parameters); nothing in the
request can change where it goes. The click is recorded in the same request, or on PostgreSQL
in the next batch a fraction of a second later (api.services.click_buffer).
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request

from api.db import db
from api.errors import NotFound
from api.services import clicks
from api.services.click_buffer import buffer_of

blp = Blueprint("redirects", __name__)


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

