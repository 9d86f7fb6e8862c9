"""Single sign-on with OpenID Connect: the start, the provider's callback, the app's code exchange.

The query parameters are printable ASCII with lengths that keep the whole URL under the server's
4 KiB request line (414 beyond it), even percent-encoded.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import EXCLUDE, validate

from schemas.common import Schema

URL_SAFE = r"^[A-Za-z0-9_-]+$"


class OidcStartQuery(Schema):
    redirect_uri = ma.fields.String(
        required=True, validate=[validate.Length(min=1, max=1000), validate.Regexp(r"^[!-~]+$")], metadata={
            "description": "Where the app wants the browser back: an address on OIDC_REDIRECT_ALLOWLIST "
                           "(else 422 `redirect-uri-not-allowed`)"})


class OidcCallbackQuery(Schema):
    """What the provider appends; providers add more (`session_state`, `iss`, `scope`), which is ignored."""

    class Meta:
        unknown = EXCLUDE

    state = ma.fields.String(required=True, validate=[validate.Length(min=1, max=128), validate.Regexp(URL_SAFE)],
                             metadata={"description": "The state this server sent to the provider"})
    code = ma.fields.String(validate=[validate.Length(min=1, max=2048), validate.Regexp(r"^[A-Za-z0-9._~/-]+$")],
                            metadata={"description": "The provider's authorization code"})
    error = ma.fields.String(validate=[validate.Length(min=1, max=64), validate.Regexp(r"^[A-Za-z0-9_.-]+$")],
                             metadata={"description": "The provider's error code (RFC 6749 §4.1.2.1), e.g. "
                                                      "`access_denied`"})


class OidcExchangeSchema(Schema):
    code = ma.fields.String(required=True, validate=[validate.Length(min=1, max=128), validate.Regexp(URL_SAFE)],
                            metadata={"description": "The one-time code the callback put on the app's redirect_uri "
                                                     "(single use, 60 s)"})
