"""Friendly challenges: leads run them for their teams, everyone follows the standings."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from api.auth import current_user, require_role
from api.db import db
from api.extensions import Blueprint
from api.services import challenges
from schemas.challenges import (
    ChallengeListSchema,
    ChallengePatchSchema,
    ChallengeQueryArgsSchema,
    ChallengeSchema,
    ChallengeWriteSchema,
)

URL_PREFIX = "/challenges"
blp = Blueprint("challenges", __name__, description="Challenges")


@blp.route("")
class Challenges(MethodView):
    @require_role("staff")
    @blp.arguments(ChallengeQueryArgsSchema, location="query")
    @blp.response(200, ChallengeListSchema)
    def get(self, args: dict):
        """Challenges I take part in (and, for leads and admins, the ones they run), newest first"""
        rows = challenges.listing(db.session, current_user(), args.get("status"))
        return {"items": [challenges.view(db.session, c, with_standings=False) for c in rows]}

    @require_role("lead")
    @blp.arguments(ChallengeWriteSchema)
    @blp.response(201, ChallengeSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    def post(self, data: dict):
        """Start a challenge for teams I lead (admins: any team)

        Individual: the top 3 get 100/60/30 % of `prize_points`. Team: the metric per active
        member decides, and every member of the winning team gets `prize_points`. Whoever sets
        it up runs it and takes no part. It starts no more than 5 minutes in the past and runs at
        least CHALLENGE_MIN_HOURS (default 24); its posts must be live for its teams. A lead's
        prize above the scoring rules' `max_challenge_prize` waits for an admin's approval.
        """
        user = current_user()
        ch = challenges.create(db.session, user, data, min_hours=current_app.config["CHALLENGE_MIN_HOURS"])
        return challenges.view(db.session, ch, viewer=user)


@blp.route("/<int:challenge_id>")
class OneChallenge(MethodView):
    @require_role("staff")
    @blp.response(200, ChallengeSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, challenge_id: int):
        """A challenge with its standings (live while it runs, frozen once it ended)

        People who hid from leaderboards appear to others as "Anonymous colleague" (id null),
        erased accounts as "Former colleague".
        """
        user = current_user()
        return challenges.view(db.session, challenges.get_visible(db.session, user, challenge_id), viewer=user)

    @require_role("lead")
    @blp.arguments(ChallengePatchSchema)
    @blp.response(200, ChallengeSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data: dict, challenge_id: int):
        """Change a challenge before it starts (409 once it has started)

        The rules of creating one apply. A lead's change to anything but the title or the
        description makes a prize above `max_challenge_prize` wait for an admin's approval again.
        """
        user = current_user()
        ch = challenges.update_challenge(db.session, user, challenges.get_visible(db.session, user, challenge_id),
                                         data, min_hours=current_app.config["CHALLENGE_MIN_HOURS"])
        return challenges.view(db.session, ch, viewer=user)

    @require_role("lead")
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def delete(self, challenge_id: int):
        """Cancel a challenge: no prizes are awarded"""
        user = current_user()
        challenges.cancel(db.session, user, challenges.get_visible(db.session, user, challenge_id))
        return None


@blp.route("/<int:challenge_id>/prize-approval")
class PrizeApproval(MethodView):
    @require_role("admin")
    @blp.response(200, ChallengeSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, challenge_id: int):
        """Approve a challenge's prize so it is paid at the end (admins only; 409 once it ended or was cancelled)

        A lead's prize above the scoring rules' `max_challenge_prize` is `awaiting_approval` until
        then; still unapproved at the end, it is `withheld` and nothing is paid.
        """
        user = current_user()
        ch = challenges.approve_prize(db.session, user, challenges.get(db.session, challenge_id))
        return challenges.view(db.session, ch, viewer=user)
