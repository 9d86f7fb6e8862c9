"""Flask extensions: the smorest Api (problem+json errors), JWT, rate limiter, CORS, CSRF."""

from __future__ import annotations

import http
import logging
import time
from typing import Any

import flask_smorest
import marshmallow as ma
from apispec import BasePlugin
from flask import Flask
from flask_cors import CORS
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest.spec import prepare_response
from flask_wtf.csrf import CSRFProtect
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException, InternalServerError

from api import request_limits
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
    414: "uri-too-long",
    415: "unsupported-media-type",
    422: "validation-failed",
    429: "rate-limited",
    431: "headers-too-large",
    500: "internal-error",
}


class SchemaKeywords(BasePlugin):
    """Publishes a schema class's `JSON_SCHEMA` keywords (e.g. `minProperties: 1` on PATCH bodies)."""

    def schema_helper(self, name: str, definition: dict, **kwargs: Any) -> dict | None:
        schema = kwargs.get("schema")
        cls = schema if isinstance(schema, type) else type(schema)
        return dict(getattr(cls, "JSON_SCHEMA", None) or {}) or None


# Statuses any API operation may answer, whatever it does: a request line or headers beyond the
# limits (api.request_limits) and a database that is briefly away (api.http).
ALWAYS = (414, 431, 503)


def _status_name(code: int) -> str:
    return http.HTTPStatus(code).name


class Api(flask_smorest.Api):
    """smorest's Api, answering every error as RFC 9457 problem+json and documenting it so.

    No catch-all `default` response: each operation lists the statuses it can answer
    (`document_errors`), so a client and the contract fuzzer can tell an unexpected one.
    """

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def document_errors(self) -> None:
        """Add the error statuses that follow from an operation's shape (call after registering blueprints).

        A body: 400 (not JSON), 413 (too large), 415 (not JSON content type), 422 (invalid).
        Query parameters: 422; a `cursor`: 400 (not one the server issued). An id in the path: 404.
        An `Idempotency-Key`: 400 (malformed) and 409 (reused with another body). Every operation:
        414, 431 and 503 (ALWAYS).
        """
        for item in self.spec._paths.values():
            path_params = [p for p in item.get("parameters", []) if isinstance(p, dict) and p.get("in") == "path"]
            for method, operation in item.items():
                if method not in ("get", "post", "put", "patch", "delete"):
                    continue
                params = [p for p in operation.get("parameters", []) if isinstance(p, dict)]
                codes = set(ALWAYS)
                if "requestBody" in operation:
                    codes |= {400, 413, 415, 422}
                if any(p.get("in") == "query" for p in params):
                    codes.add(422)
                if any(p.get("in") == "query" and p.get("name") == "cursor" for p in params):
                    codes.add(400)
                if path_params:
                    codes.add(404)
                if any(p.get("in") == "header" and p.get("name") == "Idempotency-Key" for p in params):
                    codes |= {400, 409}
                responses = operation.setdefault("responses", {})
                for code in sorted(codes):
                    responses.setdefault(str(code), self.spec.components.get_ref("response", _status_name(code)))

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


class ArgumentsParser(FlaskParser):
    """webargs' parser, refusing a query parameter given twice unless it is a list.

    webargs would read the first of `?limit=1&limit=2` and ignore the rest; the contract says
    `limit` is one integer, so a repeat is a 422 naming the parameter.
    """

    def pre_load(self, location_data: Any, *, schema: ma.Schema, req: Any, location: str) -> Any:
        if location in ("query", "querystring"):
            repeated = {}
            for field in schema.fields.values():
                name = field.data_key or field.name
                if not isinstance(field, ma.fields.List) and len(req.args.getlist(name)) > 1:
                    repeated[name] = ["Give this parameter once."]
            if repeated:
                raise ma.ValidationError(repeated)
        return super().pre_load(location_data, schema=schema, req=req, location=location)


class Blueprint(flask_smorest.Blueprint):
    """smorest's Blueprint with the stricter arguments parser."""

    ARGUMENTS_PARSER = ArgumentsParser()


def unhandled_exception(error: Exception):
    """Anything a view did not expect: log it with the request id, answer a bare 500."""
    return Api.handle_http_exception(None, InternalServerError(original_exception=error))  # type: ignore[arg-type]


api = Api()
jwt = JWTManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)
cors = CORS()
csrf = CSRFProtect()


def init_extensions(app: Flask) -> None:
    request_limits.init_app(app)  # first, so an over-long request is answered before anything reads it
    api.init_app(app, spec_kwargs={"extra_plugins": [SchemaKeywords()]})
    jwt.init_app(app)
    limiter.init_app(app)
    init_cors(app)
    csrf.init_app(app)


# What a browser on an allowed origin may send and read (README, "Configuration": CORS_ORIGINS).
# X-Client: an app names itself at sign-in ("my sessions", api/services/sessions.py).
CORS_ALLOW_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "If-None-Match", "X-Request-ID", "X-Client"]
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
