"""Flask extensions: the smorest Api (problem+json errors), JWT, rate limiter, CORS, CSRF."""

from __future__ import annotations

import http
import logging
import time
from typing import Any

import flask_smorest
from flask import Flask
from flask_cors import CORS
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest.spec import prepare_response
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException, InternalServerError

from api.errors import PROBLEM_MIMETYPE, flatten_errors, problem, strip_locations
from schemas.problem import ProblemSchema

log = logging.getLogger(__name__)

_SLUGS = {
    400: "malformed-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-failed",
    429: "rate-limited",
    500: "internal-error",
}


class Api(flask_smorest.Api):
    """smorest's Api, answering every error as RFC 9457 problem+json and documenting it so."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException):  # type: ignore[override]
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        errors = None
        detail = data.get("message") or error.description
        messages = data.get("errors") or data.get("messages")
        if messages:
            errors = flatten_errors(strip_locations(messages))
            if status == 422:
                fields = ", ".join(sorted(errors))
                detail = f"Some fields are not valid: {fields}. See `errors` for each field's messages."
        if status == 400 and "json" in (messages or {}):
            detail = "The request body is not valid JSON."
        if status == 429:
            detail = "Too many requests. Wait for the number of seconds in the Retry-After header, then try again."
        if status >= 500:
            # Never leak internals: the description of InternalServerError is generic.
            original = getattr(error, "original_exception", None)
            if original is not None:
                log.error("unhandled exception", exc_info=original)
            detail = "Something went wrong on our side. It has been logged; please try again later."
        headers = dict(data.get("headers") or {})
        if status == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        if status == 429:
            retry_after = getattr(error, "retry_after", None) or retry_after_seconds()
            headers.setdefault("Retry-After", str(retry_after))
        return problem(status, detail, slug=_SLUGS.get(status), errors=errors, headers=headers)

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            content_type = PROBLEM_MIMETYPE if status >= 400 else self.DEFAULT_RESPONSE_CONTENT_TYPE
            prepare_response(response, self.spec, content_type)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def retry_after_seconds() -> int:
    """Seconds until the limit this request broke resets (the API's problem and the console's page)."""
    breached = limiter.current_limit  # flask-limiter keeps the broken limit of this request here
    if breached is not None:
        try:
            return max(1, int(breached.reset_at - time.time()))
        except Exception:  # the storage may be down; one minute is a safe hint
            pass
    return 60


class Blueprint(flask_smorest.Blueprint):
    """smorest's Blueprint, kept as a seam for house-wide customisation."""


def unhandled_exception(error: Exception):
    """Anything a view did not expect: log it with the request id, answer a bare 500."""
    return Api.handle_http_exception(None, InternalServerError(original_exception=error))  # type: ignore[arg-type]


api = Api()
jwt = JWTManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)
cors = CORS()
csrf = CSRFProtect()


def init_extensions(app: Flask) -> None:
    api.init_app(app)
    jwt.init_app(app)
    limiter.init_app(app)
    init_cors(app)
    csrf.init_app(app)


# What a browser on an allowed origin may send and read (README, "Configuration": CORS_ORIGINS).
CORS_ALLOW_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "If-None-Match", "X-Request-ID"]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After", "Idempotent-Replayed", "X-Request-ID"]
CORS_MAX_AGE = 600  # seconds a browser may reuse a preflight


def init_cors(app: Flask) -> None:
    """CORS, configured here only: off unless CORS_ORIGINS lists origins; then only `/api/*`, only
    those origins, and no credentials (the API takes bearer tokens, never cookies)."""
    origins = list(app.config["CORS_ORIGINS"])
    if not origins:
        return
    cors.init_app(app, resources={r"/api/*": {"origins": origins}}, supports_credentials=False,
                  allow_headers=CORS_ALLOW_HEADERS, expose_headers=CORS_EXPOSE_HEADERS, max_age=CORS_MAX_AGE)
