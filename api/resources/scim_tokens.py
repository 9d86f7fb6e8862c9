"""SCIM tokens: the bearer tokens identity providers provision people with (/scim/v2)."""

from __future__ import annotations

from flask.views import MethodView

from api.auth import current_user, require_role
from api.clock import utcnow
from api.db import db
from api.extensions import Blueprint
from api.services import audit, scim_tokens
from schemas.scim_tokens import ScimTokenCreatedSchema, ScimTokenCreateSchema, ScimTokenSchema

URL_PREFIX = "/admin/scim-tokens"
blp = Blueprint("scim_tokens", __name__, description="Admin: SCIM tokens for identity providers")


@blp.route("")
class ScimTokens(MethodView):
    @require_role("admin")
    @blp.response(200, ScimTokenSchema(many=True))
    def get(self):
        """All SCIM tokens, newest first (without their secrets)"""
        return scim_tokens.list_tokens(db.session)

    @require_role("admin")
    @blp.arguments(ScimTokenCreateSchema)
    @blp.response(201, ScimTokenCreatedSchema)
    def post(self, data: dict):
        """Create a SCIM token; the token is in this answer only (it is stored hashed)"""
        token, secret = scim_tokens.create(db.session, data["name"], current_user())
        audit.record(db.session, "scim_token_created", actor_id=current_user().id,
                     detail={"scim_token_id": token.id, "name": token.name})
        return {"id": token.id, "name": token.name, "created_at": token.created_at,
                "last_used_at": None, "revoked_at": None, "token": secret}


@blp.route("/<int:token_id>")
class ScimTokenItem(MethodView):
    @require_role("admin")
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, token_id: int):
        """Revoke a SCIM token: the identity provider using it is refused from its next request"""
        scim_tokens.revoke(db.session, token_id, utcnow())
        audit.record(db.session, "scim_token_revoked", actor_id=current_user().id, detail={"scim_token_id": token_id})
