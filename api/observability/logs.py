"""Structured JSON logs with the request id, and secrets kept out of them.

python-json-logger formats the records; a filter adds the request id and masks
anything that looks like a credential (tokens, passwords, Authorization headers).
"""

from __future__ import annotations

import logging
import re
import sys

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

_SECRET_PATTERNS = [
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[redacted]"),
    (re.compile(r"(?i)(\"?(?:password|refresh_token|access_token|invite_token|token|secret|private_key)\"?\s*[:=]\s*\"?)"
                r"[^\",\s}]+"), r"\1[redacted]"),
    (re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"), "[redacted-jwt]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = g.get("request_id")
            record.path = request.path
            record.method = request.method
        # Redact the formatted message: a secret may sit in the template or in an argument,
        # and "password=%s" only becomes "password=<secret>" once formatted.
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def init_logging(app: Flask) -> None:
    root = logging.getLogger()
    if any(getattr(h, "_stafet", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler._stafet = True  # type: ignore[attr-defined]
    if app.config["LOG_JSON"]:
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s",
                                           rename_fields={"levelname": "level", "asctime": "time"}))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(ContextFilter())
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
