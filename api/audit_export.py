"""The audit log as a CSV download, for the API (`GET /admin/audit-log/export.csv`) and the console alike:
the same filters, the same columns (api.services.audit.EXPORT_HEADER), the same formula guard."""

from __future__ import annotations

from datetime import date, datetime

from flask import Response, current_app

from api.clock import local_date, utcnow
from api.csv_export import csv_response
from api.db import db
from api.services import audit
from api.services.analytics import window


def export_window(start: date | None, end: date | None, tz: str) -> tuple[datetime | None, datetime | None]:
    """Calendar days in `tz` (inclusive) → [since, until) in UTC; an open end stays None."""
    return (window(start, start, tz)[0] if start else None, window(end, end, tz)[1] if end else None)


def export_response(args: dict) -> Response:
    """`args` as AuditExportArgsSchema loads them: person, kind, from_, to (each optional)."""
    tz = current_app.config["ORG_TIMEZONE"]
    since, until = export_window(args.get("from_"), args.get("to"), tz)
    rows = audit.export_rows(db.session, subject_user_id=args.get("person"), kind=args.get("kind"),
                             since=since, until=until)
    # Once every row is read the read transaction ends, not when the client has taken the last chunk.
    return csv_response(audit.EXPORT_HEADER, rows, f"stafet-audit-log-{local_date(utcnow(), tz)}.csv",
                        done=db.session.rollback)
