"""What a client needs to know before anyone signs in."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from api.config import LANGUAGES
from api.models._common import CAPTION_LIMITS, NETWORKS
from schemas.common import Schema


class FirebaseWebSchema(Schema):
    apiKey = ma.fields.String(required=True)  # Firebase's own key names (camelCase)
    authDomain = ma.fields.String()
    projectId = ma.fields.String(required=True)
    messagingSenderId = ma.fields.String(required=True)
    appId = ma.fields.String(required=True)


class WebPushSchema(Schema):
    firebase = ma.fields.Nested(FirebaseWebSchema, required=True,
                                metadata={"description": "initializeApp() options of the Firebase web app"})
    vapid_key = ma.fields.String(required=True, metadata={"description": "getToken({vapidKey})"})


class SsoSchema(Schema):
    enabled = ma.fields.Boolean(required=True)
    start_url = ma.fields.String(allow_none=True, required=True, metadata={
        "description": "Open it in the browser with `?redirect_uri=` (an address on the server's allow-list)"})
    provider_name = ma.fields.String(allow_none=True, required=True, metadata={
        "description": "Show \"Sign in with <provider_name>\" (OIDC_PROVIDER_NAME); null: not named, say "
                       "\"your company account\" in the app's language", "example": "Contoso"})
    password_login = ma.fields.Boolean(required=True, metadata={
        "description": "false: the organisation signs in with single sign-on only (PASSWORD_LOGIN=off); "
                       "POST /auth/login then answers 403 `password-login-off` to all but the break-glass "
                       "admin, so an app folds its password form away behind an admin sign-in link"})


class ClientConfigSchema(Schema):
    languages = ma.fields.List(ma.fields.String(validate=validate.OneOf(LANGUAGES)), required=True)
    default_language = ma.fields.String(required=True, validate=validate.OneOf(LANGUAGES))
    web_push = ma.fields.Nested(WebPushSchema, allow_none=True, required=True, metadata={
        "description": "null when this installation has no Firebase web app: web push is not set up"})
    sso = ma.fields.Nested(SsoSchema, required=True)
    networks = ma.fields.List(ma.fields.String(validate=validate.OneOf(NETWORKS)), required=True)
    caption_max_length = ma.fields.Dict(keys=ma.fields.String(validate=validate.OneOf(NETWORKS)),
                                        values=ma.fields.Integer(), required=True, metadata={
                                            "description": "Each network's caption limit in characters",
                                            "example": CAPTION_LIMITS})
