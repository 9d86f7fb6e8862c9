"""Keyset (cursor) pagination.

A cursor is the sort key of the last item of a page, as signed JSON, so a page never
repeats or skips rows when new ones arrive, and a forged or truncated cursor is a 400.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import Session

from api.errors import DomainError
from api.keys import derive_key


class InvalidCursor(DomainError):
    status = 400
    slug = "invalid-cursor"


def _key() -> bytes:
    return derive_key(current_app.config["SECRET_KEY"], "cursor").encode()


def _jsonable(value: Any) -> Any:
    return {"$dt": value.isoformat()} if isinstance(value, datetime) else value


def _unjson(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"$dt"}:
        return datetime.fromisoformat(value["$dt"])
    return value


def encode_cursor(values: Sequence[Any], scope: str) -> str:
    payload = json.dumps([scope, [_jsonable(v) for v in values]], separators=(",", ":")).encode()
    sig = hmac.new(_key(), payload, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(payload + sig).decode().rstrip("=")


def decode_cursor(cursor: str, scope: str) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload, sig = raw[:-12], raw[-12:]
        if not hmac.compare_digest(sig, hmac.new(_key(), payload, hashlib.sha256).digest()[:12]):
            raise ValueError("bad signature")
        found_scope, values = json.loads(payload)
        if found_scope != scope or not isinstance(values, list):
            raise ValueError("cursor of another list")
        return [_unjson(v) for v in values]
    except (ValueError, TypeError, UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidCursor("The cursor is not valid for this list. Start again without a cursor.") from None


@dataclass(frozen=True)
class SortKey:
    """One column of the keyset order; `descending` for newest-first style orders. No NULLs."""

    column: Any
    descending: bool = True


def _after(keys: Sequence[SortKey], values: Sequence[Any]) -> Any:
    """Rows strictly after `values` in the order given by `keys`."""
    # Generic operators so boolean columns (e.g. pinned) work too: SQL orders false < true.
    clauses = []
    for i, key in enumerate(keys):
        equal = [k.column.op("=")(v) for k, v in zip(keys[:i], values[:i], strict=True)]
        beyond = key.column.op("<" if key.descending else ">")(values[i])
        clauses.append(and_(*equal, beyond))
    return or_(*clauses)


def paginate(
    session: Session,
    stmt: Select,
    keys: Sequence[SortKey],
    key_of: Callable[[Any], Sequence[Any]],
    *,
    limit: int,
    cursor: str | None,
    scope: str,
    scalars: bool = True,
    params: dict[str, Any] | None = None,
) -> tuple[list[Any], str | None]:
    """One page of `stmt` and the cursor of the next page (None on the last page)."""
    if cursor:
        values = decode_cursor(cursor, scope)
        if len(values) != len(keys):
            raise InvalidCursor("The cursor is not valid for this list. Start again without a cursor.")
        stmt = stmt.where(_after(keys, values))
    order = [k.column.desc() if k.descending else k.column.asc() for k in keys]
    stmt = stmt.order_by(*order).limit(limit + 1)
    rows = list(session.scalars(stmt, params) if scalars else session.execute(stmt, params))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(list(key_of(rows[-1])), scope) if more and rows else None
    return rows, next_cursor
