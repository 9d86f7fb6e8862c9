"""People, as admins manage them: invitations, roles, teams, deactivation."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from api.auth import current_user, require_role
from api.db import db
from api.extensions import Blueprint
from api.idempotency import idempotent
from api.models.users import User
from api.pagination import SortKey, paginate
from api.services import audit, invitations, mail, users
from schemas.common import page_of
from schemas.users import (
    AdminUserPatchSchema,
    AdminUserQueryArgsSchema,
    AdminUserSchema,
    InvitedUserSchema,
    InviteSchema,
)

URL_PREFIX = "/admin/users"
blp = Blueprint("admin_users", __name__, description="Admin: people, roles and teams")


@blp.route("")
class AdminUsers(MethodView):
    @require_role("admin")
    @blp.arguments(AdminUserQueryArgsSchema, location="query")
    @blp.response(200, page_of(AdminUserSchema))
    def get(self, args: dict):
        """List people, filtered by role, team, active or a name/email search"""
        stmt = users.admin_list_query(
            role=args.get("role"), team_id=args.get("team_id"), active=args.get("active"), q=args.get("q")
        )
        rows, next_cursor = paginate(
            db.session, stmt, [SortKey(User.id, descending=False)], lambda u: [u.id],
            limit=args["limit"], cursor=args["cursor"], scope="admin-users",
        )
        return {"items": users.admin_views(db.session, rows), "next_cursor": next_cursor}

    @require_role("admin")
    @blp.arguments(InviteSchema)
    @idempotent
    @blp.response(201, InvitedUserSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict):
        """Invite someone: mails them the invitation and returns its token and link

        The invitation is mailed in their language (sent after the commit, retried until the mail
        server takes it) and valid for 14 days (INVITE_TTL); the person chooses a password with
        `POST /auth/activate`.
        """
        user, invitation = invitations.invite(
            db.session,
            email=data["email"],
            display_name=data["display_name"],
            role=data["role"],
            team_ids=data["team_ids"],
            invite_ttl=current_app.config["INVITE_TTL"],
            settings=mail.MailSettings.from_config(current_app.config),
        )
        audit.record(db.session, "admin_user_invited", actor_id=current_user().id, subject_user_id=user.id,
                     detail={"role": data["role"], "team_ids": data["team_ids"]})
        view = users.admin_views(db.session, [user])[0]
        return {**view, "invite_token": invitation.token, "invite_url": invitation.url,
                "invite_expires_at": invitation.expires_at}


@blp.route("/<int:user_id>")
class AdminUser(MethodView):
    @require_role("admin")
    @blp.response(200, AdminUserSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, user_id: int):
        """One person"""
        return users.admin_views(db.session, [users.get_user(db.session, user_id)])[0]

    @require_role("admin")
    @blp.arguments(AdminUserPatchSchema)
    @blp.response(200, AdminUserSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data: dict, user_id: int):
        """Change role, teams, name or active; deactivating signs them out everywhere"""
        user = users.admin_update(db.session, users.get_user(db.session, user_id), data)
        audit.record(db.session, "admin_user_updated", actor_id=current_user().id, subject_user_id=user.id,
                     detail=data)
        return users.admin_views(db.session, [user])[0]
