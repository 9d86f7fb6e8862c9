"""Join codes: a team's leads hand out a code (a poster's QR); people join with it; leads decide."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, json, request
from flask.views import MethodView
from flask_limiter.util import get_remote_address

from api import sign_in
from api.auth import current_user, require_role
from api.clock import utcnow
from api.db import db
from api.extensions import Blueprint, limiter
from api.idempotency import idempotent
from api.links import app_url
from api.models.join_codes import JoinCode, JoinRequest
from api.models.teams import Team
from api.pagination import SortKey, paginate
from api.services import join_codes, mail, teams
from api.token_pairs import X_CLIENT, token_pair
from schemas.auth import TokenPairSchema
from schemas.common import page_of
from schemas.join_codes import (
    JoinCodeCreateSchema,
    JoinCodeSchema,
    JoinPendingSchema,
    JoinRequestQueryArgsSchema,
    JoinRequestSchema,
    JoinSchema,
)

URL_PREFIX = ""
blp = Blueprint("join_codes", __name__, description="Join codes: staff without a work email join a team")


def _view(code: JoinCode, team: Team) -> dict:
    display = join_codes.display_code(code.code)
    url = app_url(current_app.config["PUBLIC_BASE_URL"], "join", code=display)
    return join_codes.code_view(code, team, url, utcnow())


def _code_in_body() -> str:
    body = request.get_json(silent=True)
    code = body.get("code") if isinstance(body, dict) else None
    return "join-code:" + (join_codes.normalise_code(code)[:32] if isinstance(code, str) else "-")


def _code_refused(response) -> bool:
    """A code that does not exist or no longer works: what guessing looks like."""
    return response.status_code in (404, 410)


@blp.route("/teams/<int:team_id>/join-codes")
class TeamJoinCodes(MethodView):
    @require_role("lead")
    @blp.response(200, JoinCodeSchema(many=True))
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, team_id: int):
        """The team's join codes, newest first, with how often each was used"""
        team = teams.require_lead_of(db.session, current_user(), team_id)
        return [_view(c, team) for c in join_codes.list_codes(db.session, team)]

    @require_role("lead")
    @blp.arguments(JoinCodeCreateSchema, required=False)
    @idempotent
    @blp.response(201, JoinCodeSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data: dict, team_id: int):
        """Make a join code for a team I lead: its link and QR code for a poster

        Without `expires_at` the code works for 90 days. Anyone holding it may ask to join; a lead
        approves each person unless `auto_approve`. 403 `password-login-off` while the organisation
        signs in with single sign-on only (PASSWORD_LOGIN=off): joining makes a password account.
        """
        sign_in.password_rule().check_on(join_codes.CODES_OFF)
        code = join_codes.create_code(db.session, current_user(), team_id, now=utcnow(),
                                      expires_at=data.get("expires_at"), max_uses=data["max_uses"],
                                      auto_approve=data["auto_approve"])
        return _view(code, teams.get_team(db.session, team_id))


@blp.route("/teams/<int:team_id>/join-codes/<int:code_id>")
class TeamJoinCode(MethodView):
    @require_role("lead")
    @blp.response(204)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, team_id: int, code_id: int):
        """Revoke a join code: people who try it are told it was withdrawn (those who joined stay)"""
        team = teams.require_lead_of(db.session, current_user(), team_id)
        join_codes.revoke(db.session, join_codes.get_code(db.session, team, code_id), utcnow())


@blp.route("/auth/join", methods=["POST"])
@limiter.limit(lambda: current_app.config["JOIN_LIMIT_PER_IP"], key_func=get_remote_address,
               deduct_when=_code_refused, scope="join-ip")
@limiter.limit(lambda: current_app.config["JOIN_LIMIT_PER_CODE"], key_func=_code_in_body, scope="join-code")
@blp.arguments(JoinSchema)
@blp.response(202, JoinPendingSchema)
@blp.alt_response(200, schema=TokenPairSchema, description="The code approves by itself: signed in")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(410, response="GONE")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@blp.doc(parameters=[X_CLIENT])
def join(data: dict):
    """Join a team with a join code (no work email needed)

    Give an email or a username (or both) to sign in with later. The answer is 202
    `{status: "pending"}` while a lead of the team decides (signing in meanwhile answers 403
    `awaiting-approval`), or 200 with a token pair when the code approves by itself.

    Errors: 403 `password-login-off` while the organisation signs in with single sign-on only
    (PASSWORD_LOGIN=off: ask an admin for an invitation); 404 `join-code-not-found`; 410
    `join-code-revoked`, `join-code-expired` or `join-code-used-up` (each with a plain `detail`);
    409 `email-taken` or `username-taken`;
    422 for the fields (the password needs at least 10 characters). Every attempt counts towards
    JOIN_LIMIT_PER_CODE (per code), and unknown or unusable codes towards JOIN_LIMIT_PER_IP (per
    address); past either the answer is 429 with Retry-After.
    """
    sign_in.password_rule().check_on(join_codes.JOIN_OFF)
    user, join_request = join_codes.join(
        db.session, data["code"], now=utcnow(), display_name=data["display_name"], password=data["password"],
        email=data.get("email"), username=data.get("username"))
    if join_request.status == "approved":
        # Another shape than the documented 202: answered as a finished response, which smorest
        # passes through instead of dumping it with the 202's schema.
        return current_app.response_class(json.dumps(TokenPairSchema().dump(token_pair(user))), status=200,
                                          mimetype="application/json")
    team = teams.get_team(db.session, join_request.team_id)
    return {"status": "pending", "team": {"id": team.id, "name": team.name}}, 202


@blp.route("/teams/<int:team_id>/join-requests")
class TeamJoinRequests(MethodView):
    @require_role("lead")
    @blp.arguments(JoinRequestQueryArgsSchema, location="query")
    @blp.response(200, page_of(JoinRequestSchema))
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict, team_id: int):
        """Requests to join the team, newest first (filter by `status`)"""
        team = teams.require_lead_of(db.session, current_user(), team_id)
        rows, next_cursor = paginate(
            db.session, join_codes.requests_query(team, args.get("status")), [SortKey(JoinRequest.id)],
            lambda r: [r.id], limit=args["limit"], cursor=args["cursor"], scope=f"join-requests-{team.id}")
        return {"items": join_codes.request_views(db.session, rows), "next_cursor": next_cursor}


def _decide(decide: Callable[..., JoinRequest], team_id: int, request_id: int) -> dict:
    """Approve or decline (`decide` is join_codes.approve or .decline) as a lead of the team."""
    team = teams.require_lead_of(db.session, current_user(), team_id)
    decided = decide(db.session, current_user(), team, request_id, utcnow(),
                     mail_settings=mail.MailSettings.from_config(current_app.config))
    return join_codes.request_views(db.session, [decided])[0]


@blp.route("/teams/<int:team_id>/join-requests/<int:request_id>/approve")
class ApproveJoinRequest(MethodView):
    @require_role("lead")
    @blp.response(200, JoinRequestSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, team_id: int, request_id: int):
        """Approve a request: the person can sign in and is a member of the team (409 once decided)"""
        return _decide(join_codes.approve, team_id, request_id)


@blp.route("/teams/<int:team_id>/join-requests/<int:request_id>/decline")
class DeclineJoinRequest(MethodView):
    @require_role("lead")
    @blp.response(200, JoinRequestSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, team_id: int, request_id: int):
        """Decline a request: the account made when joining is deleted (409 once decided)"""
        return _decide(join_codes.decline, team_id, request_id)
