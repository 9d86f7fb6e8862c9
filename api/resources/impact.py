"""My impact and the organisation's results, for staff to see what their sharing achieves."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from api.auth import current_user, require_role
from api.clock import utcnow
from api.db import db
from api.extensions import Blueprint
from api.services import impact, leaderboards, reach
from api.services.ttl_cache import cached
from api.services.visibility import visible_posts
from schemas.impact import ImpactSchema, ReportArgsSchema, ResultsSchema

URL_PREFIX = ""
blp = Blueprint("impact", __name__, description="My impact and our results")


@blp.route("/me/impact")
class MyImpact(MethodView):
    @require_role("staff")
    @blp.arguments(ReportArgsSchema, location="query")
    @blp.response(200, ImpactSchema)
    def get(self, args: dict):
        """My shares, the counted clicks on them, my estimated reach, my streak and my place"""
        me = current_user()
        board = leaderboards.board(db.session, me, period=args["period"], team_id=None, limit=1, offset=0,
                                   cache_seconds=current_app.config["LEADERBOARD_CACHE_SECONDS"])
        rank = board["me"]["rank"] if board["me"] else None
        return impact.mine(db.session, me, period=args["period"], caps=reach.caps_from_config(current_app.config),
                           rank=rank, timezone=current_app.config["ORG_TIMEZONE"])


@blp.route("/results")
class Results(MethodView):
    @require_role("staff")
    @blp.arguments(ReportArgsSchema, location="query")
    @blp.response(200, ResultsSchema)
    def get(self, args: dict):
        """What we achieved together: participation, shares, clicks, reach and top stories (no names)"""
        period = args["period"]

        def compute() -> dict:
            return impact.results(db.session, period=period, caps=reach.caps_from_config(current_app.config))

        # Everyone opens the same figures and they move slowly; the top stories are the reader's own.
        figures = cached(("results", period, utcnow().date()), current_app.config["ANALYTICS_CACHE_SECONDS"],
                         compute)
        top = impact.top_posts(db.session, period=period, visible=visible_posts(current_user().id))
        return {**figures, "top_posts": top}
