"""Bulk import of people from HR's spreadsheet (a CSV body), with a dry run."""

from __future__ import annotations

from http import HTTPStatus

from flask import current_app, request
from flask.views import MethodView
from werkzeug.exceptions import UnsupportedMediaType

from api.auth import current_user, require_role
from api.db import db
from api.errors import Unprocessable
from api.extensions import Blueprint
from api.services import mail, user_import
from schemas.user_import import ImportArgsSchema, ImportReportSchema, ImportRowSchema

URL_PREFIX = "/admin/users/import"
blp = Blueprint("admin_user_import", __name__, description="Admin: bulk import of people from HR's spreadsheet")

CSV = "text/csv"
EXAMPLE = ("email;display_name;teams;role;lead_of;employee_id;username;locale\r\n"
           "mette@example.com;Mette Hansen;Shop Nord|Lager;lead;Shop Nord;E-1001;;da\r\n"
           ";Ali Khan;Lager;staff;;E-1002;ali.k;en\r\n")
REQUEST_BODY = {
    "required": True,
    "description": (
        f"The staff list as CSV: UTF-8 with or without BOM, comma- or semicolon-separated (as Danish Excel "
        f"saves it), at most {user_import.MAX_ROWS:,} people and {user_import.MAX_BYTES // (1024 * 1024)} MiB. "
        "The first row names the columns, in any order and any case: `display_name` and `email` and/or "
        "`username` are needed; `teams` and `lead_of` (team names separated by `|`), `role` (staff, lead, "
        "admin), `employee_id` and `locale` (da, en) are optional. Any other column is an error. A row is "
        "the person with its employee_id, else its email (any case), else its username; others are new and "
        "are invited when they have an email. An empty cell, or a column left out, changes nothing — except "
        "an empty `teams` or `lead_of` cell, which means no team."),
    "content": {CSV: {"schema": {"type": "string"}, "example": EXAMPLE}},
}


@blp.route("")
class UserImport(MethodView):
    # api/http.py lets these bodies through instead of asking for JSON.
    body_mimetypes = (CSV,)

    @require_role("admin")
    @blp.arguments(ImportArgsSchema, location="query")
    @blp.doc(requestBody=REQUEST_BODY)
    @blp.response(200, ImportReportSchema)
    @blp.alt_response(413, response=HTTPStatus(413).name)
    @blp.alt_response(415, response=HTTPStatus(415).name)
    @blp.alt_response(422, response=HTTPStatus(422).name, description="The header row is not a staff list"
                      " (a column missing, unknown or twice; an empty file): type `not-a-staff-list`")
    def post(self, args: dict):
        """Import people from a CSV file: a dry run by default, applied only without any error

        Every row is checked first; with `dry_run=false` and no error at all, the whole file is
        applied at once, otherwise nothing changes. Importing the same file again changes nothing.
        Row numbers in `errors` are the spreadsheet's (the first person is row 2); a header that is
        not a staff list is a 422. The import never demotes
        the last active admin.
        """
        if request.mimetype != CSV:
            raise UnsupportedMediaType("Send the file with Content-Type: text/csv.")
        request.max_content_length = user_import.MAX_BYTES  # more than other bodies: a whole staff list
        data = request.get_data(cache=False)
        report = user_import.run(db.session, data, validate=ImportRowSchema().load,
                                 create_teams=args["create_teams"], dry_run=args["dry_run"],
                                 invite_ttl=current_app.config["INVITE_TTL"],
                                 mail_settings=mail.MailSettings.from_config(current_app.config),
                                 actor_id=current_user().id)
        # A file whose header is not a staff list (no rows can be read at all) is not a report of
        # rows to fix: it is a 422 like any other body the server cannot use.
        unreadable = [e["message"] for e in report["errors"] if e["row"] in (1, None)]
        if unreadable:
            raise Unprocessable("This file is not a staff list: " + " ".join(unreadable), slug="not-a-staff-list")
        return report
