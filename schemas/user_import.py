"""Bulk import of people: the query, one CSV row's values, and the report."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from api.config import LANGUAGES
from api.models.users import ROLES
from api.services.accounts import USERNAME_PATTERN
from schemas.common import Schema, Text, clean_text

TEAM_NAME_MAX = 80


class ImportArgsSchema(Schema):
    dry_run = ma.fields.Boolean(load_default=True, metadata={
        "description": "true (the default): check the file and report what it would do, change nothing"})
    create_teams = ma.fields.Boolean(load_default=False, metadata={
        "description": "Create the teams the file names that do not exist yet (else each is an error)"})


class TeamNames(ma.fields.Field):
    """`Shop Nord|Lager` → ["Shop Nord", "Lager"]: team names separated by `|`; an empty cell is no team."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        if not isinstance(value, str):
            raise ma.ValidationError("Not a valid list of team names.")
        names = [clean_text(name) for name in value.split("|")]
        names = [name for name in names if name]
        too_long = [name for name in names if len(name) > TEAM_NAME_MAX]
        if too_long:
            raise ma.ValidationError(f"A team name has at most {TEAM_NAME_MAX} characters: {too_long[0][:30]}…")
        return names


class ImportRowSchema(Schema):
    """One row of the file, checked with the same rules as inviting someone through the API."""

    email = ma.fields.Email(validate=validate.Length(max=254))
    display_name = Text(required=True, validate=validate.Length(min=1, max=80),
                        error_messages={"required": "Give the person's name."})
    teams = TeamNames()
    role = ma.fields.String(validate=validate.OneOf(ROLES))
    lead_of = TeamNames()
    employee_id = Text(validate=validate.Length(min=1, max=64))
    username = ma.fields.String(validate=[validate.Length(min=3, max=32), validate.Regexp(USERNAME_PATTERN)])
    locale = ma.fields.String(validate=validate.OneOf(LANGUAGES))

    @ma.pre_load
    def _cells(self, data: dict[str, Any], **_kw: Any) -> dict[str, Any]:
        """Spreadsheet cells: surrounding spaces are not data, an empty cell is no value (but an empty
        `teams` or `lead_of` cell is "no team"), and Excel users write roles and languages in any case."""
        out = {}
        for name, value in data.items():
            value = value.strip() if isinstance(value, str) else value
            if value == "" and name not in ("teams", "lead_of"):
                continue
            if name in ("role", "locale") and isinstance(value, str):
                value = value.lower()
            out[name] = value
        return out


class ImportErrorSchema(Schema):
    row = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "The row as the spreadsheet numbers it (the header is row 1); null: the whole file"})
    column = ma.fields.String(required=True, allow_none=True, metadata={"description": "null: the whole row"})
    message = ma.fields.String(required=True)


class ImportReportSchema(Schema):
    dry_run = ma.fields.Boolean(required=True)
    applied = ma.fields.Boolean(required=True, metadata={
        "description": "true: the changes are saved. Never with errors: a file with any error changes nothing"})
    created = ma.fields.Integer(required=True, metadata={"description": "New people (would be, on a dry run)"})
    updated = ma.fields.Integer(required=True, metadata={"description": "People whose details or teams change"})
    unchanged = ma.fields.Integer(required=True, metadata={"description": "Rows that change nothing"})
    invited = ma.fields.Integer(required=True, metadata={"description": "New people with an email, invited"})
    errors = ma.fields.List(ma.fields.Nested(ImportErrorSchema), required=True)
