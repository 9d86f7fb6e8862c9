"""Idempotency-Key: the same key and body replays the first response; another body is 409.

Usage — between `@blp.arguments` and `@blp.response`, under the role decorator::

    @blp.arguments(ShareCreateSchema)
    @idempotent
    @blp.response(201, ShareSchema)
    def post(self, data, post_id): ...

The key is claimed by inserting its record in the request's own transaction, before the
work. A concurrent duplicate blocks on that unique row until the first commits, then
replays its response. The response is stored in the same transaction as the work, so a
crash can never leave one without the other. Errors are not stored: the transaction
rolls back and a retry runs again. Records expire after 24 hours.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import Response, g, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from api.clock import utcnow
from api.db import db
from api.errors import Conflict, DomainError
from api.models.idempotency import IdempotencyRecord

HEADER = "Idempotency-Key"
TTL = timedelta(hours=24)
_REPLAYED_HEADERS = ("Content-Type", "Location", "ETag")


class InvalidIdempotencyKey(DomainError):
    status = 400
    slug = "invalid-idempotency-key"


def _request_hash() -> str:
    body = request.get_data(cache=True) or b""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode() if body else b""
    except ValueError:
        canonical = body
    return hashlib.sha256(request.method.encode() + b" " + request.path.encode() + b"\n" + canonical).hexdigest()


def _find(user_id: int | None, key: str) -> IdempotencyRecord | None:
    return db.session.scalars(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id,
            IdempotencyRecord.key == key,
            IdempotencyRecord.method == request.method,
            IdempotencyRecord.path == request.path,
        )
    ).first()


def _replay(record: IdempotencyRecord, request_hash: str) -> Response:
    if record.request_hash != request_hash:
        raise Conflict(
            "This Idempotency-Key was already used with a different request. Use a new key for a new request.",
            slug="idempotency-key-reused",
        )
    response = Response(record.response_body or "", status=record.status_code)
    for name, value in (record.response_headers or {}).items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


# Visible ASCII and spaces, 1 to 255: what clients send (UUIDs), and what survives every proxy. The
# OpenAPI states the same pattern, so generated clients and fuzzers agree with this check.
KEY_PATTERN = r"^[\x20-\x7E]{1,255}$"
_KEY = re.compile(KEY_PATTERN)


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not _KEY.fullmatch(key):
            raise InvalidIdempotencyKey("Idempotency-Key must be 1 to 255 printable ASCII characters.")
        user = g.get("current_user")
        user_id = user.id if user is not None else None
        request_hash = _request_hash()
        session = db.session
        existing = _find(user_id, key)
        if existing is not None and existing.expires_at > utcnow():
            return _replay(existing, request_hash)
        if existing is not None:
            session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == existing.id))
        record = IdempotencyRecord(
            user_id=user_id,
            key=key,
            method=request.method,
            path=request.path,
            request_hash=request_hash,
            expires_at=utcnow() + TTL,
        )
        session.add(record)
        try:
            session.flush()
        except IntegrityError:
            # A concurrent request with this key committed first: answer as it did.
            db.rollback()
            winner = _find(user_id, key)
            if winner is None or winner.status_code is None:
                raise Conflict("A request with this Idempotency-Key is still in progress. Retry shortly.",
                               slug="idempotency-key-in-progress") from None
            return _replay(winner, request_hash)
        response = view(*args, **kwargs)
        if isinstance(response, Response) and response.status_code < 400:
            record.status_code = response.status_code
            record.response_body = response.get_data(as_text=True)
            record.response_headers = {h: response.headers[h] for h in _REPLAYED_HEADERS if h in response.headers}
        return response

    doc = copy.deepcopy(getattr(wrapper, "_apidoc", {}))
    doc.setdefault("manual_doc", {}).setdefault("parameters", []).append(
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": KEY_PATTERN},
            "description": "Retry-safe key: the same key and body within 24 h replays the first response "
            "(header Idempotent-Replayed: true); the same key with another body is 409.",
        }
    )
    wrapper._apidoc = doc  # type: ignore[attr-defined]
    wrapper._idempotent = True  # type: ignore[attr-defined]
    return wrapper


def purge_expired(session: Any) -> int:
    result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= utcnow()))
    return result.rowcount or 0
