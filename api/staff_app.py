"""Serves the staff app (the PWA built from staff_app/ into STAFF_APP_DIR) at /app/.

- Hashed build assets (`/app/assets/*`) never change under a name: cached for a year, immutable.
- Everything else — `index.html`, the service worker, the manifest — is revalidated on every
  load (`no-cache`), so a new release reaches phones on their next start.
- Any other path under /app/ without a file extension is a route of the app (a link from a mail,
  a QR code or a push: `/app/activate?token=…`, `/app/posts/12`) and answers `index.html`.
- Without a build (Node.js missing), /app/ answers a page saying how to build it; the API and
  the console work regardless.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, send_from_directory
from werkzeug.exceptions import NotFound

# Re-exported for callers from before api/links.py (the console); new code imports api.links.

blp = Blueprint("staff_app", __name__)

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stafet staff app is not built</title></head>
<body><main><h1>The staff app is not built yet</h1>
<p>The API and the console are running. To build the staff app, install Node.js 20 or newer
(with npm), then run <code>make run</code> again (or <code>make app</code>).</p>
<p>The interactive API docs are at <a href="/api/docs">/api/docs</a>; the console at
<a href="/console/">/console/</a>.</p></main></body></html>
"""


def _root() -> Path:
    return Path(current_app.config["STAFF_APP_DIR"])


def _send(relative: str) -> Response:
    response = send_from_directory(_root(), relative, max_age=None, etag=True, conditional=True)
    response.headers["Cache-Control"] = IMMUTABLE if relative.startswith("assets/") else REVALIDATE
    if relative.endswith(".webmanifest"):
        response.mimetype = "application/manifest+json"
    return response


@blp.get("/app")
def bare() -> Response:
    return current_app.redirect("/app/", 308)


@blp.get("/app/", defaults={"path": ""})
@blp.get("/app/<path:path>")
def serve(path: str) -> Response:
    # send_from_directory refuses a path outside the build, or no file there, with a NotFound.
    with suppress(NotFound):
        return _send(path or "index.html")
    if not (_root() / "index.html").is_file():
        return Response(NOT_BUILT, status=503, mimetype="text/html", headers={"Cache-Control": REVALIDATE})
    if "." in path.rsplit("/", 1)[-1] or path.startswith("assets/"):
        abort(404)  # a missing file, not a route: never answer a script request with HTML
    return _send("index.html")


def init_staff_app(app: Flask) -> None:
    app.register_blueprint(blp)
