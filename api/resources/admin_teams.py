"""Teams and their leads, as admins manage them."""

from __future__ import annotations

from flask.views import MethodView

from api.auth import require_role
from api.db import db
from api.extensions import Blueprint
from api.services import teams
from schemas.teams import TeamCreateSchema, TeamPatchSchema, TeamSchema

URL_PREFIX = "/admin/teams"
blp = Blueprint("admin_teams", __name__, description="Admin: teams and their leads")


@blp.route("")
class AdminTeams(MethodView):
    @require_role("admin")
    @blp.response(200, TeamSchema(many=True))
    def get(self):
        """All teams with leads and active member counts"""
        return teams.team_views(db.session, teams.list_teams(db.session))

    @require_role("admin")
    @blp.arguments(TeamCreateSchema)
    @blp.response(201, TeamSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict):
        """Create a team; its leads become members and get the lead role"""
        team = teams.create_team(db.session, data["name"], data["lead_ids"])
        return teams.team_views(db.session, [team])[0]


@blp.route("/<int:team_id>")
class AdminTeam(MethodView):
    @require_role("admin")
    @blp.response(200, TeamSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, team_id: int):
        """One team"""
        return teams.team_views(db.session, [teams.get_team(db.session, team_id)])[0]

    @require_role("admin")
    @blp.arguments(TeamPatchSchema)
    @blp.response(200, TeamSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data: dict, team_id: int):
        """Rename a team or replace its leads"""
        team = teams.get_team(db.session, team_id)
        teams.update_team(db.session, team, data.get("name"), data.get("lead_ids"))
        return teams.team_views(db.session, [team])[0]

    @require_role("admin")
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, team_id: int):
        """Delete a team; its members stay, without this team"""
        teams.delete_team(db.session, teams.get_team(db.session, team_id))
