"""Structured JSON logs with the request id, and secrets kept out of them.

python-json-logger formats the records; a filter adds the request id and masks
anything that looks like a credential (tokens, passwords, Authorization headers).
"""

from __future__ import annotations

import logging
import re
import sys
from typing import IO, Any

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
            record.client = request.remote_addr  # the client, not the proxy (api/proxies.py)
        # Redact the formatted message: a secret may sit in the template or in an argument,
        # and "password=%s" only becomes "password=<secret>" once formatted.
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            # Formatted here, so the traceback is redacted too: a formatter would format (and cache)
            # it after this filter, with an exception message like "password=..." intact.
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_TRACEBACKS = logging.Formatter()


class RedactingJsonFormatter(JsonFormatter):
    """python-json-logger formats a record's exception itself (not from `exc_text`): mask it there."""

    def formatException(self, ei: Any) -> Any:  # noqa: N802 - logging's name
        formatted = super().formatException(ei)  # a string, or a list of lines with exc_info_as_array
        return redact(formatted) if isinstance(formatted, str) else [redact(line) for line in formatted]


class TextFormatter(logging.Formatter):
    """One line per record (LOG_JSON=false), with the request id when the record has one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(request_tag)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        record.request_tag = f" [{request_id}]" if request_id else ""
        return super().format(record)


def build_handler(json_lines: bool, stream: IO[str] | None = None) -> logging.Handler:
    """The app's log handler: JSON or text lines, with the request id, secrets masked."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._stafet = True  # type: ignore[attr-defined]
    if json_lines:
        handler.setFormatter(RedactingJsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s",
                                           rename_fields={"levelname": "level", "asctime": "time"}))
    else:
        handler.setFormatter(TextFormatter())
    handler.addFilter(ContextFilter())
    return handler


def init_logging(app: Flask) -> None:
    root = logging.getLogger()
    if any(getattr(h, "_stafet", False) for h in root.handlers):
        return
    root.addHandler(build_handler(app.config["LOG_JSON"]))
    root.setLevel(app.config["LOG_LEVEL"])
