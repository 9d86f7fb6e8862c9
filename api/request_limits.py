"""Request line and header limits answered by the app itself, as problem+json.

gunicorn refuses an over-long request line (414) or header (431) with an HTML page before Flask
sees the request. So the app enforces tighter limits of its own and answers them as the contract
says (problem+json, documented on every operation); `api.serve` configures gunicorn's limits above
these, so gunicorn's own pages only remain for requests that are not HTTP at all (a malformed request
line: 400 text/html, documented in mobile_contract/README.md).
"""

from __future__ import annotations

from flask import Flask, Response, request

from api.errors import problem

MAX_URI_LENGTH = 4096  # path and query string, as sent
MAX_HEADER_LENGTH = 8190  # one header line, name and value
MAX_HEADER_COUNT = 100

# gunicorn's limits, above the app's (gunicorn caps limit_request_line at 8190).
GUNICORN_LIMITS = {"limit_request_line": 8190, "limit_request_field_size": 16380, "limit_request_fields": 200}


def _request_target() -> str:
    environ = request.environ
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return raw
    query = environ.get("QUERY_STRING", "")
    return environ.get("PATH_INFO", "") + ("?" + query if query else "")


def check_limits() -> Response | None:
    if len(_request_target()) > MAX_URI_LENGTH:
        return problem(414, f"The URL is longer than {MAX_URI_LENGTH} characters.", slug="uri-too-long")
    headers = list(request.headers.items())
    if len(headers) > MAX_HEADER_COUNT or any(len(k) + len(v) + 2 > MAX_HEADER_LENGTH for k, v in headers):
        return problem(431, f"Send at most {MAX_HEADER_COUNT} headers of at most {MAX_HEADER_LENGTH} characters "
                            "each.", slug="headers-too-large")
    return None


def init_app(app: Flask) -> None:
    app.before_request(check_limits)
