"""The console's "Sign in with <provider>": the API's single sign-on service, ending in a console session.

The console's own return address (/console/sso/done) is always allowed; the provider still
returns to the API's callback, which sends the browser on here with a one-time code.
"""

from __future__ import annotations

from dataclasses import replace

from flask import abort, current_app, flash, redirect, request, url_for

from api import sign_in
from api.clock import utcnow
from api.console import bp, start_session
from api.db import db
from api.errors import Unauthorized
from api.http import one_transaction
from api.services import oidc


def _done_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"] + "/console/sso/done"


@bp.get("/sso")
@one_transaction  # stores the sign-in in flight
def sso_start():
    cfg = oidc.config_from(current_app.config)
    if cfg is None:
        abort(404)
    done = _done_url()
    try:
        return redirect(oidc.begin(db.session, replace(cfg, redirect_allowlist=(done,)), done, utcnow()), 302)
    except oidc.ProviderUnavailable as exc:
        flash(exc.detail, "error")
        return redirect(url_for("console.login"))


@bp.get("/sso/done")
@one_transaction  # uses up the one-time code and records the sign-in
def sso_done():
    if oidc.config_from(current_app.config) is None:
        abort(404)
    code = request.args.get("code")
    if not code:
        flash(request.args.get("error_description") or "Single sign-on did not work out. Try again.", "error")
        return redirect(url_for("console.login"))
    try:
        user = oidc.redeem(db.session, code, utcnow())
    except Unauthorized as exc:
        flash(exc.detail, "error")
        return redirect(url_for("console.login"))
    sign_in.signed_in(user, method="oidc", door="console")
    start_session(user)
    return redirect(url_for("console.dashboard"))
