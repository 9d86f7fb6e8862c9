"""Stafet: the API behind the employee advocacy app.

`create_app()` builds everything; importing the package does nothing else. The mobile
contract lives in `mobile_contract/openapi.json`; the interactive docs are served at
`/api/docs`.
"""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(config: dict[str, Any] | None = None, *, settings: Any = None) -> Flask:
    """Build the app from the environment's settings, overridden by `config` (tests).

    The web app only: the job system is plugged in by the composition root (`api.cli.compose`).
    """
    # Imported here, not at the top: every `import api.<module>` runs this package first, and the
    # workers, migrations and the CLI import `api.db` and the models without the web layer.
    from api import http
    from api.auth import init_auth
    from api.config import load_settings
    from api.console import cookie_settings, init_console
    from api.db import db
    from api.docs_assets import ASSETS_URL
    from api.docs_assets import blp as docs_blp
    from api.extensions import api, init_extensions
    from api.observability import logs, metrics
    from api.proxies import init_proxies
    from api.redirects import blp as redirects_blp
    from api.redirects import init_app as init_redirects
    from api.resources import register_blueprints
    from api.resources.ops import blp as ops_blp
    from api.scim import blp as scim_blp
    from api.security_headers import init_security
    from api.staff_app import init_staff_app

    app = Flask(__name__, instance_relative_config=False)
    settings = settings or load_settings()
    app.config.update(settings.as_flask_config())
    app.config.update(
        API_TITLE="Stafet API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL=ASSETS_URL,  # served by the app itself (no CDN)
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        JSON_SORT_KEYS=False,
        WTF_CSRF_CHECK_DEFAULT=False,  # only the console's forms are CSRF-protected
        **cookie_settings(settings.public_base_url),
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_KEY_PREFIX="stafet-limits",
        RATELIMIT_HEADERS_ENABLED=True,
        RATELIMIT_SWALLOW_ERRORS=True,  # a Redis outage must not take logins down with it
        API_SPEC_OPTIONS={
            "info": {"description": (__doc__ or "").strip()},
            "components": {
                "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
            },
        },
    )
    if config:
        app.config.update(config)

    logs.init_logging(app)
    init_proxies(app)  # X-Forwarded-* resolved in WSGI, before anything reads request.remote_addr
    db.init_app(app, engine=app.config.get("ENGINE"))
    init_auth(app)
    init_extensions(app)
    http.init_http(app)
    init_security(app)
    metrics.init_metrics(app)
    init_redirects(app)
    register_blueprints(api)
    app.register_blueprint(ops_blp)
    app.register_blueprint(docs_blp)
    app.register_blueprint(redirects_blp)
    app.register_blueprint(scim_blp)  # /scim/v2: identity providers provision people (SCIM 2.0)
    init_console(app)
    init_staff_app(app)
    return app
