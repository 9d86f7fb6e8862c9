"""Stafet serves the built staff app at /app/: hashed assets cached for good, the shell and the
service worker revalidated, app routes answered with the shell, and a clear page without a build."""

from __future__ import annotations

import pytest

INDEX = '<!doctype html><html><head><script type="module" src="/app/assets/index-abc123.js"></script></head></html>'


@pytest.fixture
def built(app, tmp_path, monkeypatch):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log('app')")
    (tmp_path / "sw.js").write_text("self.addEventListener('fetch', () => {})")
    (tmp_path / "manifest.webmanifest").write_text('{"name": "Stafet"}')
    monkeypatch.setitem(app.config, "STAFF_APP_DIR", str(tmp_path))
    return app.test_client()


def test_hashed_assets_are_immutable_and_the_shell_is_revalidated(built):
    asset = built.get("/app/assets/index-abc123.js")
    shell = built.get("/app/")
    worker = built.get("/app/sw.js")
    manifest = built.get("/app/manifest.webmanifest")

    assert asset.status_code == 200 and asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert shell.status_code == 200 and shell.get_data(as_text=True) == INDEX
    assert shell.headers["Cache-Control"] == "no-cache" and worker.headers["Cache-Control"] == "no-cache"
    assert manifest.mimetype == "application/manifest+json"
    assert shell.headers["ETag"]
    assert built.get("/app/", headers={"If-None-Match": shell.headers["ETag"]}).status_code == 304


def test_app_routes_answer_the_shell_and_missing_files_are_404(built):
    for route in ("/app/activate?token=abc", "/app/posts/12", "/app/me", "/app/reset?token=x"):
        r = built.get(route)
        assert (r.status_code, r.get_data(as_text=True)) == (200, INDEX), route
    assert built.get("/app/assets/gone-000.js").status_code == 404
    assert built.get("/app/missing.png").status_code == 404
    assert built.get("/app/../api/openapi.json").status_code in (404, 308)
    assert built.get("/app").status_code == 308 and built.get("/app").headers["Location"].endswith("/app/")


def test_the_app_has_a_same_origin_policy_that_allows_its_worker_and_manifest(built):
    csp = built.get("/app/").headers["Content-Security-Policy"]

    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
    assert directives["worker-src"] == "'self'" and directives["manifest-src"] == "'self'"
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp


def test_without_a_build_the_app_says_how_to_build_it(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_APP_DIR", str(tmp_path / "nothing"))
    client = app.test_client()

    r = client.get("/app/")

    assert r.status_code == 503 and r.mimetype == "text/html"
    assert "Node.js" in r.get_data(as_text=True) and "make run" in r.get_data(as_text=True)
    assert client.get("/api/v1/client-config").status_code == 200  # the API works regardless
