"""Browser-facing hardening: security headers on every response (CORS is api/extensions.py's `init_cors`).

The API itself is JSON for a mobile app, so its policy is the strictest (`default-src 'none'`).
The interactive docs need their own scripts and Swagger UI's inline bootstrap; the console
serves everything from 'self'. A page that sets its own Content-Security-Policy keeps it.
"""

from __future__ import annotations

from flask import Flask, Response, request

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
PAGE_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
# The staff app: everything from 'self' (no CDN, no remote fonts). Post images live wherever the
# admin linked them (https:); the Firebase messaging SDK, loaded only when push is turned on,
# registers the browser with these two Google endpoints.
APP_CSP = ("default-src 'self'; img-src 'self' data: blob: https:; style-src 'self'; script-src 'self'; "
           "connect-src 'self' https://fcmregistrations.googleapis.com https://firebaseinstallations.googleapis.com; "
           "worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")

STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def _csp_for(path: str) -> str:
    if path.startswith("/api/docs"):
        return DOCS_CSP
    if path.startswith("/console"):
        return PAGE_CSP
    if path == "/app" or path.startswith("/app/"):
        return APP_CSP
    return API_CSP


def _add_headers(response: Response) -> Response:
    for name, value in STATIC_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Content-Security-Policy", _csp_for(request.path))
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.path.startswith(("/api/v1", "/console")) and "Cache-Control" not in response.headers:
        # Personal data must not sit in shared caches; ETag revalidation still works.
        response.headers["Cache-Control"] = "private, no-cache"
    return response


def init_security(app: Flask) -> None:
    app.after_request(_add_headers)
