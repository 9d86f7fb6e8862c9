"""Console: import people from HR's spreadsheet — upload, see the dry run, apply the same file."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for

from api.console import bp, need
from api.console.forms import save
from api.db import db
from api.models.users import User
from api.services import mail, user_import
from schemas.user_import import ImportRowSchema

# The whole file travels in the form (the upload, then the preview's hidden field): room for it and
# the multipart framing, beyond the app's usual body limit (api/console/__init__.py applies this).
FORM_LIMIT = user_import.MAX_BYTES + 64 * 1024


def _run(me: User, data: bytes, *, create_teams: bool, dry_run: bool) -> dict[str, Any]:
    return user_import.run(db.session, data, validate=ImportRowSchema().load, create_teams=create_teams,
                           dry_run=dry_run, invite_ttl=current_app.config["INVITE_TTL"],
                           mail_settings=mail.MailSettings.from_config(current_app.config), actor_id=me.id)


def _page(me: User, report: dict[str, Any] | None = None, text: str | None = None, create_teams: bool = False):
    return render_template("people_import.html", me=me, page="people", report=report, text=text,
                           create_teams=create_teams, columns=user_import.COLUMNS,
                           max_rows=user_import.MAX_ROWS)


@bp.route("/people/import", methods=["GET", "POST"])
@need("admin")
def import_people(me: User):
    """GET: the upload form. POST: the uploaded file's dry run, with an Apply button when it has no error."""
    if request.method == "GET":
        return _page(me)
    upload = request.files.get("file")
    create_teams = request.form.get("create_teams") == "true"
    if upload is None or not upload.filename:
        flash("Choose the CSV file to import.", "error")
        return _page(me), 422
    data = upload.read(user_import.MAX_BYTES + 1)
    if len(data) > user_import.MAX_BYTES:
        flash(f"The file is larger than {user_import.MAX_BYTES // (1024 * 1024)} MiB; split it.", "error")
        return _page(me), 413
    report = _run(me, data, create_teams=create_teams, dry_run=True)
    db.rollback()  # a dry run: nothing it read is kept
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None  # the report says the file is not UTF-8; there is nothing to apply
    return _page(me, report, text, create_teams)


@bp.post("/people/import/apply")
@need("admin")
def apply_import(me: User):
    """The previewed file again, for real: applied only if it still has no error."""
    create_teams = request.form.get("create_teams") == "true"
    text = request.form.get("csv", "")
    report = _run(me, text.encode("utf-8"), create_teams=create_teams, dry_run=False)
    if not report["applied"]:
        db.rollback()
        flash("Nothing was imported: the file has errors now (see below).", "error")
        return _page(me, report, text, create_teams), 422
    save(f"Imported: {report['created']} new ({report['invited']} invited), {report['updated']} updated, "
         f"{report['unchanged']} unchanged.")
    return redirect(url_for("console.people"))


import_people.body_limit = apply_import.body_limit = FORM_LIMIT  # type: ignore[attr-defined]
