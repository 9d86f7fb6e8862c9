"""The social media policy: admins publish it, everyone reads and accepts it before sharing."""

from __future__ import annotations

from flask.views import MethodView

from api.auth import current_user, require_role
from api.db import db
from api.extensions import Blueprint
from api.services import policy
from schemas.policy import PolicyAcceptanceSchema, PolicySchema, PolicyWriteSchema, PublishedPolicySchema

URL_PREFIX = ""
blp = Blueprint("policy", __name__, description="The social media policy")


@blp.route("/policy")
class Policy(MethodView):
    @require_role("staff")
    @blp.response(200, PolicySchema)
    def get(self):
        """The current social media policy and whether I accepted it

        While the organisation has no policy, `version`, `text` and `published_at` are null and
        `accepted` is true: there is nothing to show and sharing is not gated.
        """
        return policy.view(db.session, current_user())


@blp.route("/admin/policy")
class AdminPolicy(MethodView):
    @require_role("admin")
    @blp.arguments(PolicyWriteSchema)
    @blp.response(200, PublishedPolicySchema)
    @blp.alt_response(409, response="CONFLICT")
    def put(self, data: dict):
        """Publish the social media policy (a changed text is a new version everyone must accept)

        The same text as the current version changes nothing and answers that version. 409
        `policy-changed`: another admin published at the same moment; reload and try again.
        """
        version, _created = policy.publish(db.session, data["text"], current_user())
        return version


@blp.route("/me/policy-acceptance")
class PolicyAcceptance(MethodView):
    @require_role("staff")
    @blp.arguments(PolicyAcceptanceSchema)
    @blp.response(204)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict):
        """Accept the social media policy I have read (then I may share)

        `version` must be the current one (409 `policy-version-not-current` otherwise — a newer
        version was published since I loaded it, or there is no policy). Accepting again is harmless.
        """
        policy.accept(db.session, current_user(), data["version"])
        return None
