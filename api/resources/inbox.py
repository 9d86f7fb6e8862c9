"""My in-app inbox: every notification, pushed or not."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import select, update

from api.auth import current_user, require_role
from api.clock import utcnow
from api.db import db
from api.errors import NotFound
from api.extensions import Blueprint
from api.models.notifications import Notification
from api.pagination import SortKey, paginate
from schemas.common import page_of
from schemas.notifications import InboxArgsSchema, NotificationSchema

URL_PREFIX = "/me/notifications"
blp = Blueprint("inbox", __name__, description="My notifications inbox")


def _view(n: Notification) -> dict:
    return {"id": n.id, "category": n.category, "title": n.title, "body": n.body, "data": n.data,
            "created_at": n.created_at, "read_at": n.read_at,
            "delivery": {"status": n.delivery_status, "reason": n.delivery_reason, "deferred_until": n.deferred_until,
                         "sent_at": n.sent_at}}


@blp.route("")
class Inbox(MethodView):
    @require_role("staff")
    @blp.arguments(InboxArgsSchema, location="query")
    @blp.response(200, page_of(NotificationSchema))
    def get(self, args: dict):
        """My notifications, newest first (`delivery` says whether and why not it was pushed)"""
        stmt = select(Notification).where(Notification.user_id == current_user().id)
        if args.get("unread") is True:
            stmt = stmt.where(Notification.read_at.is_(None))
        rows, next_cursor = paginate(db.session, stmt, [SortKey(Notification.id)], lambda n: [n.id],
                                     limit=args["limit"], cursor=args["cursor"], scope="inbox")
        return {"items": [_view(n) for n in rows], "next_cursor": next_cursor}


@blp.route("/<int:notification_id>/read")
class Read(MethodView):
    @require_role("staff")
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, notification_id: int):
        """Mark one notification read"""
        note = db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                             Notification.user_id == current_user().id))
        if note is None:
            raise NotFound(f"You have no notification {notification_id}.")
        if note.read_at is None:
            note.read_at = utcnow()
        return None


@blp.route("/read-all")
class ReadAll(MethodView):
    @require_role("staff")
    @blp.response(204)
    def post(self):
        """Mark all my notifications read"""
        db.session.execute(update(Notification).where(Notification.user_id == current_user().id,
                                                      Notification.read_at.is_(None)).values(read_at=utcnow()))
        return None
