"""My privacy rights: a copy of everything held about me, and erasure."""

from __future__ import annotations

from flask.views import MethodView

from api.auth import current_user, require_role
from api.db import db
from api.extensions import Blueprint
from api.services import privacy
from schemas.privacy import ExportSchema

URL_PREFIX = "/me"
blp = Blueprint("me_privacy", __name__, description="My personal data: export and erasure")


@blp.route("/export")
class MyExport(MethodView):
    @require_role("staff")
    @blp.response(200, ExportSchema)
    def get(self):
        """Everything Stafet holds about me, as JSON (GDPR art. 15 and 20)"""
        return privacy.export(db.session, current_user())


@blp.route("")
class MyErasure(MethodView):
    @require_role("staff")
    @blp.response(204)
    @blp.alt_response(409, response="CONFLICT", description="The last active admin cannot close their account")
    def delete(self):
        """Erase my personal data and close my account

        Email, name, captions, comment and suggestion text, devices, notifications and
        sessions are removed; points history stays, anonymised, so team totals and the
        programme's analytics remain correct. Signing in is no longer possible.
        """
        privacy.erase(db.session, current_user())
        return None
