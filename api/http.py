"""Request plumbing shared by every endpoint: request ids, the unit of work, body guards.

The unit of work: a request's session commits once, after the view returned a 2xx/3xx;
any error response rolls it back, so bad input never changes anything.
"""

from __future__ import annotations

import json as _json
import logging
import re
import uuid
from typing import Any

from flask import Flask, Response, g, request
from flask.json.provider import DefaultJSONProvider
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, UnsupportedMediaType
from werkzeug.routing import IntegerConverter

from api.db import db
from api.errors import DomainError, domain_error_response, problem
from api.extensions import Api, unhandled_exception

log = logging.getLogger(__name__)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class SafeJSONProvider(DefaultJSONProvider):
    """Deeply nested JSON is a 400 like any other malformed body, never a RecursionError."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return _json.loads(s, **kwargs)
        except RecursionError:
            raise _json.JSONDecodeError("nested too deeply", "", 0) from None


class IdConverter(IntegerConverter):
    """`<int:...>` in our routes are database ids: a number beyond 2^31-1 matches no route (404)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def _begin_request() -> Response | None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
    if request.method in ("POST", "PUT", "PATCH") and request.path.startswith("/api/"):
        length = request.content_length
        has_body = (length or 0) > 0 or request.headers.get("Transfer-Encoding")
        if has_body and not request.is_json:
            raise UnsupportedMediaType("Send the body as JSON with Content-Type: application/json.")
    return None


def _end_request(response: Response) -> Response:
    """Commit a successful request's work, roll back anything else."""
    if g.get("_db_session") is not None:
        if response.status_code < 400:
            try:
                db.commit()
            except Exception as exc:  # e.g. a unique constraint lost to a concurrent request
                db.rollback()
                log.exception("commit failed")
                response = unhandled_exception(exc)
        else:
            db.rollback()
    response.headers["X-Request-ID"] = g.get("request_id", "")
    return response


def init_http(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    app.json_provider_class = SafeJSONProvider
    app.json = SafeJSONProvider(app)
    app.before_request(_begin_request)
    app.after_request(_end_request)

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> Response:
        return domain_error_response(error)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        return Api.handle_http_exception(None, error)  # type: ignore[arg-type]

    @app.errorhandler(Exception)
    def _unhandled(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return _http_error(error)
        db.rollback()
        if isinstance(error, (DataError, OverflowError)):
            # The database refused a value (a number out of range...): bad input, not our fault.
            return problem(422, "A value in the request is out of range.", slug="validation-failed")
        if isinstance(error, RecursionError) and request.is_json:
            # webargs parses the body with the stdlib; absurdly nested JSON ends up here.
            detail = "The request body is not valid JSON: it is nested too deeply."
            return problem(400, detail, slug="malformed-request")
        return unhandled_exception(error)
