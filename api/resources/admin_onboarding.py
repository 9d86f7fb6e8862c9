"""Getting people in: a new invitation, and a reset link for someone without email."""

from __future__ import annotations

from io import BytesIO

import segno
from flask import current_app
from flask.views import MethodView

from api import sign_in
from api.auth import current_user, require_role
from api.db import db
from api.extensions import Blueprint
from api.services import invitations, mail, password_resets, users
from schemas.onboarding import ReinvitedUserSchema, ResetLinkSchema

URL_PREFIX = "/admin/users"
blp = Blueprint("admin_onboarding", __name__, description="Admin: invitations and reset links")


def qr_svg(url: str) -> str:
    """The link as a standalone SVG document (no XML declaration), big enough to scan from a screen."""
    out = BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=4, xmldecl=False, title="Stafet link")
    return out.getvalue().decode()


@blp.route("/<int:user_id>/invitation")
class Invitation(MethodView):
    @require_role("admin")
    @blp.response(200, ReinvitedUserSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, user_id: int):
        """Send a new invitation; the previous link stops working

        Mailed when the person has an email; the answer carries the link either way. 409 when
        they have already chosen a password (send a reset link instead) or are deactivated. While
        passwords are off (PASSWORD_LOGIN=off) the invitation asks them to sign in with their
        company account and `invite_url` is the app's sign-in (`/app/signin`).
        """
        user = users.get_user(db.session, user_id)
        invitation = invitations.resend(db.session, user, invite_ttl=current_app.config["INVITE_TTL"],
                                        settings=mail.MailSettings.from_config(current_app.config))
        view = users.admin_views(db.session, [user])[0]
        return {**view, "invite_token": invitation.token, "invite_url": invitation.url,
                "invite_expires_at": invitation.expires_at, "invitation_mailed": invitation.mailed}


@blp.route("/<int:user_id>/reset-link")
class ResetLink(MethodView):
    @require_role("lead")
    @blp.response(201, ResetLinkSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, user_id: int):
        """A password reset link for someone without email, with a QR code to scan

        Leads for staff members of the teams they lead, admins for anyone. The link works once,
        for 60 minutes; show it on your screen and let the person scan it. 403 `password-login-off`
        while the organisation signs in with single sign-on only (PASSWORD_LOGIN=off), except for
        its break-glass admin.
        """
        user = users.get_user(db.session, user_id)
        url, expires_at = password_resets.issue_link(db.session, current_user(), user,
                                                     ttl=current_app.config["RESET_TTL"],
                                                     base_url=current_app.config["PUBLIC_BASE_URL"],
                                                     passwords=sign_in.password_rule())
        return {"url": url, "expires_at": expires_at, "qr_svg": qr_svg(url)}
