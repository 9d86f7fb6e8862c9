"""HTTP resources: one module per resource, each with a smorest Blueprint `blp`."""

from __future__ import annotations

import importlib

from api.extensions import Api

# Registration order is the order of the docs.
MODULES = (
    "client_config",
    "auth",
    "me",
    "me_privacy",
    "impact",
    "admin_users",
    "admin_teams",
    "feed",
    "shares",
    "suggestions",
    "admin_posts",
    "admin_suggestions",
    "leaderboards",
    "badges",
    "challenges",
    "devices",
    "inbox",
    "nudges",
    "analytics",
    "rewards",
    "admin_rewards",
    "my_points",
    "scoring_rules",
    "point_adjustments",
    "password_reset",
    "admin_onboarding",
    "user_import",
    "policy",
    "sessions",
    "join_codes",
    "scim_tokens",
    "audit_log",
    "oidc",
)


def register_blueprints(api: Api) -> None:
    for name in MODULES:
        module = importlib.import_module(f"api.resources.{name}")
        api.register_blueprint(module.blp, url_prefix=f"/api/v1{module.URL_PREFIX}")
    api.document_errors()
