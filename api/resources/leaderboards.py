"""Leaderboards for people and teams."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from sqlalchemy import select

from api.auth import current_user, require_role
from api.db import db
from api.errors import Forbidden, NotFound, field_error
from api.extensions import Blueprint
from api.models.teams import Team, TeamMembership
from api.services import leaderboards, teams
from schemas.leaderboards import LeaderboardArgsSchema, LeaderboardSchema, TeamBoardArgsSchema, TeamBoardSchema

URL_PREFIX = "/leaderboard"
blp = Blueprint("leaderboards", __name__, description="Leaderboards")


@blp.route("")
class Leaderboard(MethodView):
    @require_role("staff")
    @blp.arguments(LeaderboardArgsSchema, location="query")
    @blp.response(200, LeaderboardSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict):
        """People ranked by points earned this week, month or all time (ties share a rank)

        `scope=team&team_id=` ranks one team: my own teams, the ones I lead (admins: any team). People who hid
        themselves or left gamification are not listed.
        """
        me = current_user()
        team_id = None
        if args["scope"] == "team":
            team_id = args.get("team_id")
            if team_id is None:
                raise field_error("team_id", "Give team_id for a team leaderboard.")
            if db.session.get(Team, team_id) is None:
                raise NotFound(f"There is no team {team_id}.")
            member = db.session.scalar(select(TeamMembership.team_id).where(
                TeamMembership.team_id == team_id, TeamMembership.user_id == me.id))
            # Least privilege: a lead of another team is no closer to this team than its staff are.
            if member is None and not teams.can_lead(me, team_id, db.session):
                raise Forbidden("You can see the leaderboards of your own teams.")
        return leaderboards.board(db.session, me, period=args["period"], team_id=team_id, limit=args["limit"],
                                  offset=args["offset"], cache_seconds=current_app.config["LEADERBOARD_CACHE_SECONDS"])


@blp.route("/teams")
class TeamLeaderboard(MethodView):
    @require_role("staff")
    @blp.arguments(TeamBoardArgsSchema, location="query")
    @blp.response(200, TeamBoardSchema)
    def get(self, args: dict):
        """Teams ranked by points earned per active member, with totals"""
        return leaderboards.team_board(db.session, period=args["period"])
