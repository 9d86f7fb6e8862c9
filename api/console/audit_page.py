"""Console: the audit log for admins — the latest events, filtered by person and kind, paged with a
cursor ("Older"), and the same CSV download as `GET /api/v1/admin/audit-log/export.csv`."""

from __future__ import annotations

import json
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy import select

from api.audit_export import export_response
from api.console import bp, need, problem_message
from api.db import db
from api.errors import DomainError
from api.http import one_transaction
from api.models.audit import AuditEvent
from api.models.users import User
from api.pagination import SortKey, paginate
from api.services import audit, users
from schemas.audit import AuditExportArgsSchema, AuditQueryArgsSchema

PAGE_SIZE = 50
FILTERS = ("person", "kind")


def _filters() -> dict[str, str]:
    """The filters in the query string that have a value (an empty select means "any")."""
    return {k: request.args[k] for k in FILTERS if request.args.get(k)}


def _who(user: User | None, user_id: int | None) -> str:
    if user_id is None:
        return ""
    if user is None or user.erased_at is not None:
        return f"#{user_id}"  # gone, or erased: the id alone, as the API shows it
    return f"{user.display_name} ({user.email or user.username or f'#{user_id}'})"


@bp.get("/audit-log")
@need("admin")
def audit_log(me: User):
    filters = _filters()
    try:
        args = AuditQueryArgsSchema().load({**filters, "limit": PAGE_SIZE, **(
            {"cursor": request.args["cursor"]} if request.args.get("cursor") else {})})
        rows, next_cursor = paginate(
            db.session, audit.query(subject_user_id=args.get("person"), kind=args.get("kind")),
            [SortKey(AuditEvent.id)], lambda e: [e.id], limit=PAGE_SIZE, cursor=args.get("cursor"),
            scope="audit-log")
    except (ValidationError, DomainError) as exc:
        flash(problem_message(exc), "error")
        filters, rows, next_cursor = {}, [], None
    ids = {i for e in rows for i in (e.actor_id, e.subject_user_id) if i is not None}
    people_by_id = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    events: list[dict[str, Any]] = [{
        "id": e.id, "at": e.at, "kind": e.kind,
        "actor": _who(people_by_id.get(e.actor_id), e.actor_id) if e.actor_id else "",
        "subject": _who(people_by_id.get(e.subject_user_id), e.subject_user_id),
        "subject_id": e.subject_user_id,
        "detail": json.dumps(e.detail, ensure_ascii=False, sort_keys=True) if e.detail else "",
    } for e in rows]
    people = list(db.session.scalars(users.admin_list_query().order_by(User.display_name).limit(500)))
    return render_template("audit_log.html", me=me, page="audit_log", events=events, people=people,
                           kinds=audit.KINDS, filters=filters, next_cursor=next_cursor,
                           first_page=not request.args.get("cursor"))


@bp.get("/audit-log/export.csv")
@one_transaction  # the rows stream through a server-side cursor, from one snapshot
@need("admin")
def audit_log_export(me: User):
    """The API's export with the page's filters (and `from`/`to`, if given)."""
    try:
        args = AuditExportArgsSchema().load(
            {k: v for k, v in request.args.items() if k in (*FILTERS, "from", "to") and v})
    except ValidationError as exc:
        flash(problem_message(exc), "error")
        return redirect(url_for("console.audit_log"))
    return export_response(args)
