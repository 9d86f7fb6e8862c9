"""Request plumbing shared by every endpoint: request ids, the unit of work, body guards.

The unit of work: a request's session commits once, after the view returned a 2xx/3xx;
any error response rolls it back, so bad input never changes anything.
"""

from __future__ import annotations

import json as _json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, request
from flask.json.provider import DefaultJSONProvider
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
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
    if request.method in ("GET", "HEAD"):
        db.use_reads()
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
                if _connection_lost(exc) and request.method in ("GET", "HEAD"):
                    # What it read stands; at most a click's count is lost with the connection.
                    log.warning("database connection lost at the end of a read; answering anyway")
                elif _connection_lost(exc):
                    # The commit may or may not have landed: the client retries, and its
                    # Idempotency-Key makes the retry a replay or a first success.
                    log.warning("database connection lost at commit")
                    response = unavailable()
                else:
                    log.exception("commit failed")
                    response = unhandled_exception(exc)
        else:
            db.rollback()
    response.headers["X-Request-ID"] = g.get("request_id", "")
    return response


REQUEST_RETRIES = 2


def _connection_lost(exc: BaseException) -> bool:
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def unavailable() -> Response:
    return problem(503, "The database is briefly unavailable. Try again in a moment.", slug="unavailable",
                   headers={"Retry-After": "1"})


def _retrying_dispatch(dispatch: Callable[[], Any]) -> Callable[[], Any]:
    """Run the view again when the database connection dropped under it (a PostgreSQL restart or
    failover). Safe because nothing is committed before the view returns (the unit of work
    commits afterwards) and nothing leaves the process until then (enqueues wait for the commit)."""

    def run() -> Any:
        for attempt in range(REQUEST_RETRIES + 1):
            try:
                return dispatch()
            except DBAPIError as exc:
                if not _connection_lost(exc) or attempt == REQUEST_RETRIES:
                    raise  # the error handler answers 503 for a database that stays unreachable
                db.rollback()
                log.warning("database connection lost mid-request; running the request again")
                time.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    return run


def init_http(app: Flask) -> None:
    app.dispatch_request = _retrying_dispatch(app.dispatch_request)  # type: ignore[method-assign]
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
        if _connection_lost(error) or isinstance(error, (OperationalError, InterfaceError)):
            # The database is unreachable (restarting, failing over): a retryable 503, not a bug.
            log.warning("database unavailable: %s", error.__class__.__name__)
            return unavailable()
        return unhandled_exception(error)
