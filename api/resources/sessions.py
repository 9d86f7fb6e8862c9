"""My sessions: where I am signed in, and signing out one of them or all of them."""

from __future__ import annotations

from flask.views import MethodView

from api.auth import current_session_id, current_user, require_role
from api.db import db
from api.extensions import Blueprint
from api.services import sessions
from schemas.sessions import SessionListSchema

URL_PREFIX = ""
blp = Blueprint("sessions", __name__, description="My sessions")


@blp.route("/me/sessions")
class MySessions(MethodView):
    @require_role("staff")
    @blp.response(200, SessionListSchema)
    def get(self):
        """The apps I am signed in to: device, app, when I signed in, last used, this one or not

        `last_used_at` moves with each sign-in and token refresh. Signing out of the web console
        is separate (POST /auth/logout-all ends it too).
        """
        return {"items": sessions.listing(db.session, current_user(), current_session_id())}


@blp.route("/me/sessions/<int:session_id>")
class MySession(MethodView):
    @require_role("staff")
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, session_id: int):
        """Sign out one of my sessions (a lost phone): its refresh and access tokens stop working at once"""
        sessions.revoke(db.session, current_user(), session_id)
        return None


@blp.route("/auth/logout-all")
class LogoutAll(MethodView):
    @require_role("staff")
    @blp.response(204)
    def post(self):
        """Sign me out everywhere: every app, this one included, and the web console

        Every refresh and access token of mine stops working at once, and my devices get no
        pushes until an app of mine registers again after signing in.
        """
        sessions.end_all(db.session, current_user(), "signed out everywhere")
        return None
