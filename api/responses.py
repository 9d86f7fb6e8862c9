"""Responses for hot endpoints whose data is already serialized (JSON values).

flask-smorest would dump such data through the schema again, encode it once for the body and
once more for the ETag. Here it is encoded once and the ETag is the hash of those bytes; the
view keeps its `@blp.response` schema for the documentation and the contract.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Response, current_app

from api.extensions import Blueprint


def json_with_etag(blp: Blueprint, data: Any) -> Response:
    """`data` as JSON with an ETag; a 304 when the client's If-None-Match already has it."""
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    blp.set_etag(hashlib.sha1(body).hexdigest())  # raises NotModified (304) on a match
    return current_app.response_class(body, mimetype="application/json")
