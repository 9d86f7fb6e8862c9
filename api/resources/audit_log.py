"""The audit log: sign-ins, provisioning and admin changes to people."""

from __future__ import annotations

from flask.views import MethodView

from api.auth import require_role
from api.db import db
from api.extensions import Blueprint
from api.models.audit import AuditEvent
from api.pagination import SortKey, paginate
from api.services import audit
from schemas.audit import AuditEventSchema, AuditQueryArgsSchema
from schemas.common import page_of

URL_PREFIX = "/admin/audit-log"
blp = Blueprint("audit_log", __name__, description="Admin: the audit log")


@blp.route("")
class AuditLog(MethodView):
    @require_role("admin")
    @blp.arguments(AuditQueryArgsSchema, location="query")
    @blp.response(200, page_of(AuditEventSchema))
    def get(self, args: dict):
        """Sign-ins (and failed ones), provisioning and admin changes to people, newest first

        Filter by `person` (the user the event is about) and `kind`. Events are kept for
        AUDIT_RETENTION_DAYS (default 365).
        """
        rows, next_cursor = paginate(
            db.session, audit.query(subject_user_id=args.get("person"), kind=args.get("kind")),
            [SortKey(AuditEvent.id)], lambda e: [e.id], limit=args["limit"], cursor=args["cursor"],
            scope="audit-log")
        return {"items": rows, "next_cursor": next_cursor}  # AuditEventSchema reads the rows' columns
