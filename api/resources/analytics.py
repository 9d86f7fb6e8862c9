"""KPIs: the programme summary for admins, one team for its lead, and the per-share CSV export."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask.views import MethodView

from api.auth import current_user, require_role
from api.clock import local_date, utcnow
from api.csv_export import csv_response
from api.db import db
from api.errors import NotFound
from api.extensions import Blueprint
from api.http import one_transaction
from api.models.teams import Team
from api.services import analytics, reach, teams
from api.services.ttl_cache import cached
from schemas.analytics import SummaryArgsSchema, SummarySchema, WindowArgsSchema

URL_PREFIX = ""
blp = Blueprint("analytics", __name__, description="Analytics for admins and leads")


def _window(args: dict):
    tz = current_app.config["ORG_TIMEZONE"]
    end = args.get("to") or local_date(utcnow(), tz)
    start = args.get("from_") or end - timedelta(days=29)
    return start, end, tz


def _summary(args: dict, team_id: int | None) -> dict:
    """Cached for ANALYTICS_CACHE_SECONDS (default 60): dashboards refresh often, figures move slowly."""
    start, end, tz = _window(args)

    def compute() -> dict:
        return analytics.summary(db.session, start=start, end=end, tz=tz, cpm=current_app.config["EMV_CPM"],
                                 currency=current_app.config["EMV_CURRENCY"], team_id=team_id,
                                 caps=reach.caps_from_config(current_app.config))

    return cached(("summary", start, end, team_id), current_app.config["ANALYTICS_CACHE_SECONDS"], compute)


@blp.route("/admin/analytics/summary")
class Summary(MethodView):
    @require_role("admin")
    @blp.arguments(SummaryArgsSchema, location="query")
    @blp.response(200, SummarySchema)
    @blp.alt_response(404, response="NOT_FOUND", description="There is no team `team_id`")
    def get(self, args: dict):
        """Participation, shares, comments, clicks, reach, earned media value, top posts and people, by team, per day

        `from`/`to` are calendar days (inclusive) in the organisation's timezone; default the last 30 days.
        """
        team_id = args.get("team_id")
        if team_id is not None and db.session.get(Team, team_id) is None:
            raise NotFound(f"There is no team {team_id}.")
        return _summary(args, team_id)


@blp.route("/teams/<int:team_id>/analytics")
class TeamSummary(MethodView):
    @require_role("lead")
    @blp.arguments(WindowArgsSchema, location="query")
    @blp.response(200, SummarySchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict, team_id: int):
        """The summary for one team I lead (admins: any team)"""
        teams.require_lead_of(db.session, current_user(), team_id)
        return _summary(args, team_id)


@blp.route("/admin/analytics/export.csv")
class Export(MethodView):
    @one_transaction  # the rows stream through a server-side cursor, from one snapshot
    @require_role("admin")
    @blp.arguments(SummaryArgsSchema, location="query")
    @blp.response(200, description="text/csv, one row per share", content_type="text/csv")
    def get(self, args: dict):
        """Every share in the window as CSV (streamed): post, network, team, caption, clicks, reach

        People who erased their data appear without name or caption.
        """
        start, end, tz = _window(args)
        team_id = args.get("team_id")
        caps = reach.caps_from_config(current_app.config)

        # The request's own session, kept open while the body streams; once every row is read the read
        # transaction ends (on SQLite it holds the write lock), not when the client has taken the last chunk.
        rows = analytics.export_rows(db.session, start=start, end=end, tz=tz, team_id=team_id, caps=caps)
        return csv_response(analytics.EXPORT_HEADER, rows, f"stafet-shares-{start}-{end}.csv",
                            done=db.session.rollback)
