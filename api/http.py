"""Request plumbing shared by every endpoint: request ids, the unit of work, body guards.

The unit of work: a request's session commits once, right after the view returned a 2xx/3xx
and before the response goes through the after-request hooks (metrics, security headers), so
those hooks see the final status: a commit that fails is answered by the error handlers (409
for a unique clash, 503 when the database is unavailable) like any other error. An error
response rolls the work back, so bad input never changes anything. The API, the console and
the CSV export all run in it; no view commits on its own.
"""

from __future__ import annotations

import json as _json
import logging
import re
import time
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Response, current_app, g, request
from flask.json.provider import DefaultJSONProvider
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, UnsupportedMediaType
from werkzeug.routing import IntegerConverter

from api.conflicts import conflict_for
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
    # An unknown path or method answers its own 404/405 first, whatever the body is.
    if request.routing_exception is None and request.method in ("POST", "PUT", "PATCH") \
            and request.path.startswith("/api/"):
        length = request.content_length
        has_body = (length or 0) > 0 or request.headers.get("Transfer-Encoding")
        if has_body and not request.is_json and request.mimetype not in _other_bodies():
            raise UnsupportedMediaType("Send the body as JSON with Content-Type: application/json.")
    return None


def _other_bodies() -> tuple[str, ...]:
    """The non-JSON media types this endpoint's view takes (`body_mimetypes` on its MethodView, e.g.
    the CSV import); that view checks the Content-Type itself."""
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(getattr(view, "view_class", None), "body_mimetypes", ())


def _end_request(response: Response) -> Response:
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
    commits after it) and nothing leaves the process until then (enqueues wait for the commit)."""

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


def _unit_of_work(app: Flask, dispatch: Callable[[], Any]) -> Callable[[], Any]:
    """Commit the view's work before the response leaves the dispatch (see the module docstring).

    Flask runs after-request hooks on whatever dispatch returned, so committing here rather than
    in a hook is what lets `/metrics` and the security headers see a failed commit's answer."""

    def run() -> Any:
        try:
            rv = dispatch()
        except BaseException:
            db.rollback()
            raise  # the error handlers answer
        if g.get("_db_session") is None:
            return rv  # the view never touched the database
        response = app.make_response(rv)
        if response.status_code >= 400:
            db.rollback()
            return response
        try:
            db.commit()
        except Exception as exc:
            db.rollback()
            if _connection_lost(exc) and request.method in ("GET", "HEAD"):
                # What it read stands; at most a click's count is lost with the connection.
                log.warning("database connection lost at the end of a read; answering anyway")
                return response
            # A unique clash lost to a concurrent request (409), a database gone at commit (503: the
            # commit may or may not have landed; the client's Idempotency-Key makes a retry safe).
            log.warning("commit failed: %s", exc.__class__.__name__)
            raise
        return response

    return run


F = TypeVar("F", bound=Callable[..., Any])


def one_transaction(view: F) -> F:
    """Outermost decorator of a GET that streams, needs one snapshot or writes (single sign-on's
    redirects store their state): see `db.use_transaction`. Other GETs read in autocommit on
    PostgreSQL, and a change they make is refused at commit (`WriteInRead`)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        db.use_transaction()
        return view(*args, **kwargs)

    return cast(F, wrapper)


def init_http(app: Flask) -> None:
    app.dispatch_request = _unit_of_work(app, _retrying_dispatch(app.dispatch_request))  # type: ignore[method-assign]
    app.url_map.converters["int"] = IdConverter
    app.json_provider_class = SafeJSONProvider
    app.json = SafeJSONProvider(app)
    app.before_request(_begin_request)
    app.after_request(_end_request)

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> Response:
        return domain_error_response(error)

    @app.errorhandler(IntegrityError)
    def _integrity_error(error: IntegrityError) -> Response:
        """A unique clash from any flush, autoflush or the commit is the client's 409, not our 500."""
        db.rollback()
        conflict = conflict_for(error)
        if conflict is None:  # a foreign key or check the code should have guarded: a bug
            return unhandled_exception(error)
        return domain_error_response(conflict)

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
