"""Public client configuration: what the staff app (or a native app) needs before sign-in."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from api.config import LANGUAGES, Settings
from api.extensions import Blueprint
from api.models._common import CAPTION_LIMITS, NETWORKS
from schemas.client_config import ClientConfigSchema

URL_PREFIX = "/client-config"
blp = Blueprint("client_config", __name__, description="Client configuration")


def web_push(config: dict) -> dict | None:
    web = config.get("FCM_WEB_CONFIG")
    if not web:
        return None
    firebase = {k: web[k] for k in ("apiKey", "authDomain", "projectId", "messagingSenderId", "appId") if k in web}
    return {"firebase": firebase, "vapid_key": web["vapidKey"]}


def sso(config: dict) -> dict:
    # The default name is an English phrase: null lets each app say "your company account" in its own language.
    name = config["OIDC_PROVIDER_NAME"]
    password_login = bool(config["PASSWORD_LOGIN"])
    if not config["OIDC_ISSUER"]:
        return {"enabled": False, "start_url": None, "provider_name": None, "password_login": password_login}
    return {"enabled": True, "start_url": "/api/v1/auth/oidc/start",
            "provider_name": None if name == Settings.oidc_provider_name else name, "password_login": password_login}


@blp.route("")
class ClientConfig(MethodView):
    @blp.response(200, ClientConfigSchema)
    def get(self):
        """Languages, web push (Firebase web config and VAPID key, when set up), sign-in options, networks

        Public: no token needed. Everything here is safe to show to anyone.
        """
        return {
            "languages": list(LANGUAGES),
            "default_language": current_app.config["DEFAULT_LANGUAGE"],
            "web_push": web_push(current_app.config),
            "sso": sso(current_app.config),
            "networks": list(NETWORKS),
            "caption_max_length": dict(CAPTION_LIMITS),
        }
