"""Single sign-on with OpenID Connect: start → provider → callback → the app → exchange → token pair."""

from __future__ import annotations

from flask import current_app, redirect

from api import sign_in
from api.clock import utcnow
from api.db import db
from api.errors import NotFound
from api.extensions import Blueprint
from api.http import one_transaction
from api.services import oidc
from api.token_pairs import X_CLIENT, token_pair
from schemas.auth import TokenPairSchema
from schemas.oidc import OidcCallbackQuery, OidcExchangeSchema, OidcStartQuery

URL_PREFIX = "/auth/oidc"
blp = Blueprint("oidc", __name__, description="Single sign-on with the company's OpenID Connect provider")

LOCATION = {"Location": {"description": "Where the browser goes next", "schema": {"type": "string"}}}


def _required() -> oidc.Config:
    cfg = oidc.config_from(current_app.config)
    if cfg is None:
        raise NotFound("Single sign-on is not set up on this server.", slug="sso-off")
    return cfg


@blp.route("/start", methods=["GET"])
@one_transaction  # stores the sign-in in flight
@blp.arguments(OidcStartQuery, location="query")
@blp.response(302, description="To the provider's sign-in page (or back to the app with `?error=`)",
              headers=LOCATION)
@blp.alt_response(404, response="NOT_FOUND")
def start(args: dict):
    """Begin single sign-on: a redirect to the company's provider

    Open this in the browser (not with fetch). The provider sends the browser back to the callback,
    which sends it on to `redirect_uri` with `?code=` (then POST it to `/auth/oidc/exchange`) or
    `?error=` (a slug such as `domain-not-allowed`, `no-account`, `email-not-verified`) and
    `error_description`. When the provider cannot be reached, the browser goes straight back to
    `redirect_uri` with `?error=provider-unavailable`: a person on a phone reads the app's message,
    not an error document. 404 `sso-off`: single sign-on is not set up; 422: `redirect_uri` is not
    on the allow-list (then nothing redirects anywhere).
    """
    cfg = _required()
    try:
        url = oidc.begin(db.session, cfg, args["redirect_uri"], utcnow())
    except oidc.ProviderUnavailable as exc:  # begin checked redirect_uri against the allow-list first
        return redirect(oidc.OidcRefused(args["redirect_uri"], "provider-unavailable", exc.detail).location, 302)
    return redirect(url, 302)


@blp.route("/callback", methods=["GET"])
@one_transaction  # uses up the state, links the person, hands out the one-time code
@blp.arguments(OidcCallbackQuery, location="query")
@blp.response(302, description="Back to the app with `?code=` or `?error=`", headers=LOCATION)
@blp.alt_response(404, response="NOT_FOUND")
def callback(args: dict):
    """The provider's return address (register it at the provider)

    Every outcome is a redirect to the app. A state that is unknown, used or expired names no app
    to return to: the browser goes to the staff app's `/app/signed-in?error=sso-state-invalid`
    (start again). 404 `sso-off`: single sign-on is not set up.
    """
    cfg = _required()
    try:
        location = oidc.finish(db.session, cfg, args["state"], args.get("code"), args.get("error"), utcnow())
    except NotFound as lost:  # nothing was changed: the state named no sign-in that could go on
        fallback = current_app.config["PUBLIC_BASE_URL"] + "/app/signed-in"
        return redirect(oidc.OidcRefused(fallback, lost.slug, lost.detail).location, 302)
    except oidc.OidcRefused as refused:
        db.commit()  # the state stays used although the sign-in failed
        current_app.logger.info("sso refused", extra={"error": refused.error})
        return redirect(refused.location, 302)
    return redirect(location, 302)


@blp.route("/exchange", methods=["POST"])
@blp.arguments(OidcExchangeSchema)
@blp.response(200, TokenPairSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.doc(parameters=[X_CLIENT])
def exchange(data: dict):
    """Swap the one-time code from the callback for a token pair

    401 `sso-code-invalid`: unknown, used or older than 60 seconds.
    """
    _required()
    user = oidc.redeem(db.session, data["code"], utcnow())
    sign_in.signed_in(user, method="oidc", door="api")
    return token_pair(user)



