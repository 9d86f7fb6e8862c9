"""Single sign-on with OpenID Connect: the start, the provider's callback, the app's code exchange."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import EXCLUDE, validate

from schemas.common import Schema


class OidcStartQuery(Schema):
    redirect_uri = ma.fields.String(required=True, validate=validate.Length(min=1, max=2048), metadata={
        "description": "Where the app wants the browser back: an address on OIDC_REDIRECT_ALLOWLIST "
                       "(else 422 `redirect-uri-not-allowed`)"})


class OidcCallbackQuery(Schema):
    """What the provider appends; providers add more (`session_state`, `iss`, `scope`), which is ignored."""

    class Meta:
        unknown = EXCLUDE

    state = ma.fields.String(required=True, validate=validate.Length(min=1, max=512))
    code = ma.fields.String(validate=validate.Length(min=1, max=4096))
    error = ma.fields.String(validate=validate.Length(max=256))
    error_description = ma.fields.String(validate=validate.Length(max=2048))


class OidcExchangeSchema(Schema):
    code = ma.fields.String(required=True, validate=validate.Length(min=1, max=128), metadata={
        "description": "The one-time code the callback put on the app's redirect_uri (single use, 60 s)"})
