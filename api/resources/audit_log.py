"""The audit log: sign-ins, provisioning and admin changes to people."""

from __future__ import annotations

from flask.views import MethodView

from api.audit_export import export_response
from api.auth import require_role
from api.db import db
from api.extensions import Blueprint
from api.http import one_transaction
from api.models.audit import AuditEvent
from api.pagination import SortKey, paginate
from api.services import audit
from schemas.audit import AuditEventSchema, AuditExportArgsSchema, AuditQueryArgsSchema
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



@blp.route("/export.csv")
class AuditLogExport(MethodView):
    @one_transaction  # the rows stream through a server-side cursor, from one snapshot
    @require_role("admin")
    @blp.arguments(AuditExportArgsSchema, location="query")
    @blp.response(200, {"type": "string", "description": "CSV with a header row (RFC 4180)"},
                  description="text/csv, one row per event, newest first", content_type="text/csv")
    def get(self, args: dict):
        """The audit log as CSV (streamed), with the list's filters and an optional window of days

        Columns: id, occurred_at (ISO 8601, UTC), kind, actor_id, actor_email, actor_name,
        subject_user_id, subject_email, subject_name, detail (JSON). Never a password or token; people who
        erased their data appear by id only. Cells a spreadsheet would run as a formula start with `'`.
        """
        return export_response(args)
