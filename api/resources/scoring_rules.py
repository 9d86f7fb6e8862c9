"""Admin: the scoring rules and the levels table."""

from __future__ import annotations

from flask.views import MethodView

from api.auth import current_user, require_role
from api.db import db
from api.extensions import Blueprint
from api.services import scoring_rules
from schemas.points import ScoringRulesSchema

URL_PREFIX = "/admin/scoring-rules"
blp = Blueprint("scoring_rules", __name__, description="Admin: scoring rules and levels")


@blp.route("")
class ScoringRules(MethodView):
    @require_role("admin")
    @blp.response(200, ScoringRulesSchema)
    def get(self):
        """The current scoring rules and levels"""
        return scoring_rules.rules_view(db.session)

    @require_role("admin")
    @blp.arguments(ScoringRulesSchema)
    @blp.response(200, ScoringRulesSchema)
    def put(self, data: dict):
        """Replace the scoring rules and levels

        Stores a new rule version. It applies to activity tallied from now on; ledger
        entries already written keep the amounts and version they were computed with.
        Points and caps are >= 0 (a network set to 0 earns nothing there, which some
        platforms' policies require); a cap of null means no cap. Levels ascend by number
        and min_points, starting at 0.
        """
        return scoring_rules.replace_rules(db.session, data, current_user().id)
