"""Domain errors and their RFC 9457 problem+json form.

Services raise these (no Flask imports needed there); `api.extensions.Api` turns them,
werkzeug's HTTP errors and webargs validation errors alike into problem documents:
`{type, title, status, detail, instance, request_id[, errors]}`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from flask import Response, g, json, request

log = logging.getLogger(__name__)

PROBLEM_MIMETYPE = "application/problem+json"
PROBLEM_BASE = "https://stafet.dev/problems/"


class DomainError(Exception):
    """A rule of the domain refused the request; `detail` is for the person using the app."""

    status = 400
    slug = "bad-request"

    def __init__(
        self,
        detail: str,
        *,
        errors: Mapping[str, list[str]] | None = None,
        headers: Mapping[str, str] | None = None,
        slug: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = dict(errors) if errors else None
        self.headers = dict(headers or {})
        if slug:
            self.slug = slug


class Unauthorized(DomainError):
    status = 401
    slug = "unauthorized"

    def __init__(self, detail: str = "Sign in again: the access token is missing, invalid or expired.", **kw: Any):
        kw.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="stafet"'})
        super().__init__(detail, **kw)


class Forbidden(DomainError):
    status = 403
    slug = "forbidden"


class NotFound(DomainError):
    status = 404
    slug = "not-found"


class Conflict(DomainError):
    status = 409
    slug = "conflict"


class Unprocessable(DomainError):
    """422: the request is well-formed but breaks a rule; `errors` names the fields."""

    status = 422
    slug = "validation-failed"


class TooManyRequests(DomainError):
    status = 429
    slug = "rate-limited"

    def __init__(self, detail: str, *, retry_after: int, **kw: Any):
        kw.setdefault("headers", {})["Retry-After"] = str(max(1, int(retry_after)))
        super().__init__(detail, **kw)


def field_error(field: str, message: str) -> Unprocessable:
    return Unprocessable(f"{field}: {message}", errors={field: [message]})


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow/webargs nested messages into {"a.b.0": ["..."]}."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(flatten_errors(value, name))
    elif isinstance(messages, list | tuple) and all(isinstance(m, str) for m in messages):
        out[prefix or "_schema"] = list(messages)
    elif isinstance(messages, list | tuple):
        for index, value in enumerate(messages):
            out.update(flatten_errors(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out[prefix or "_schema"] = [str(messages)]
    return out


def strip_locations(messages: Mapping[str, Any]) -> Any:
    """webargs groups errors by location ({"json": {...}}); callers name fields, not locations."""
    locations = ("json", "query", "querystring", "form", "headers", "cookies", "files", "view_args", "path")
    if messages and all(k in locations for k in messages):
        merged: dict[str, Any] = {}
        for value in messages.values():
            if isinstance(value, Mapping):
                merged.update(value)
            else:
                merged.setdefault("_schema", []).extend(value if isinstance(value, list) else [value])
        return merged
    return messages


def problem(
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    slug: str | None = None,
    errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug if slug else "about:blank",
        "title": title or phrase,
        "status": status,
        "detail": detail or phrase,
        "instance": request.path if request else None,
    }
    request_id = g.get("request_id") if g else None
    if request_id:
        body["request_id"] = request_id
    if errors:
        body["errors"] = dict(errors)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def domain_error_response(error: DomainError) -> Response:
    return problem(error.status, error.detail, slug=error.slug, errors=error.errors, headers=error.headers)
