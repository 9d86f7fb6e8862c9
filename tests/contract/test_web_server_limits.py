"""Requests the web server would refuse before Flask are refused by the app, as problem+json.

In production gunicorn answers an over-long request line (414) or header (431) with an HTML page.
The app's own limits are lower than gunicorn's (api.request_limits, api.serve), so a client always
gets the documented problem document; only a request line that is not HTTP at all still gets
gunicorn's 400 page (documented in mobile_contract/README.md).
"""

from __future__ import annotations

import json
from pathlib import Path

from api.request_limits import GUNICORN_LIMITS, MAX_HEADER_COUNT, MAX_HEADER_LENGTH, MAX_URI_LENGTH

CONTRACT = Path(__file__).resolve().parents[2] / "mobile_contract" / "openapi.json"


def test_an_over_long_url_is_a_414_problem(client):
    """A URL of 5000 characters: 414, application/problem+json, before authentication is even read."""
    response = client.get("/feed?cursor=" + "a" * 5000)
    assert response.status_code == 414
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["type"].endswith("/uri-too-long")


def test_a_url_just_within_the_limit_is_served(client):
    """4096 characters in all are still read (here: 401, no token) — the limit is not off by one."""
    path = "/api/v1/feed?cursor="
    response = client.get(path + "a" * (4096 - len(path)))
    assert response.status_code == 401


def test_an_over_long_header_is_a_431_problem(client):
    response = client.get("/feed", headers={"X-Padding": "a" * 9000})
    assert response.status_code == 431
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["type"].endswith("/headers-too-large")


def test_too_many_headers_is_a_431_problem(client):
    response = client.get("/feed", headers={f"X-H{i}": "1" for i in range(150)})
    assert response.status_code == 431


def test_gunicorn_lets_through_what_the_app_refuses_itself():
    """gunicorn's limits are above the app's, so gunicorn's HTML pages never answer these."""
    assert GUNICORN_LIMITS["limit_request_line"] > MAX_URI_LENGTH + len("GET  HTTP/1.1")
    assert GUNICORN_LIMITS["limit_request_field_size"] > MAX_HEADER_LENGTH
    assert GUNICORN_LIMITS["limit_request_fields"] > MAX_HEADER_COUNT


def test_every_operation_documents_414_431_and_503_as_problems():
    spec = json.loads(CONTRACT.read_text())
    responses = spec["components"]["responses"]
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            for code in ("414", "431", "503"):
                ref = op["responses"][code]["$ref"].rsplit("/", 1)[-1]
                assert "application/problem+json" in responses[ref]["content"], (method, path, code)
