"""Sub-keys derived from SECRET_KEY: plain functions, importable by services without Flask."""

from __future__ import annotations

import hashlib
import hmac


def derive_key(secret: str, purpose: str) -> str:
    """A sub-key per purpose, so one SECRET_KEY never signs two kinds of thing."""
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()
