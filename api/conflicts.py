"""A unique constraint violated, wherever it surfaces, answers 409 naming the field.

The database is the one judge of uniqueness: a SELECT before the INSERT loses to a concurrent
request, and a clash can surface at an explicit flush, at an autoflush inside a later query, or
at the commit. Each of those raises `IntegrityError`; `conflict_for()` reads which constraint
it was (PostgreSQL names it, SQLite names its columns) and returns the `Conflict` to answer.
The error handlers (api.http) and the console's forms both use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from api.errors import Conflict


@dataclass(frozen=True)
class UniqueField:
    field: str
    message: str
    slug: str


# Constraint names follow the metadata's naming convention (`uq_<table>_<columns>`, api/db.py).
# Unique keys a client never chooses (tokens, dedupe keys, idempotency records) are not listed:
# a clash there is a race with another request, answered with the generic 409 below.
UNIQUE_FIELDS: dict[str, UniqueField] = {
    "uq_teams_name_key": UniqueField("name", "A team with this name already exists.", "team-name-taken"),
    "uq_users_email": UniqueField("email", "A user with this email already exists.", "email-taken"),
    "uq_users_username": UniqueField("username", "That username is taken. Choose another one.", "username-taken"),
    "uq_users_employee_id": UniqueField("employee_id", "Another person has this employee id.", "employee-id-taken"),
    "uq_badges_code": UniqueField("code", "A badge with this code already exists.", "badge-code-taken"),
    "uq_levels_min_points": UniqueField("levels", "Each level must start at a different number of points.",
                                        "level-points-taken"),
}

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)")
_SQLITE_INDEX = re.compile(r"index '([^']+)'")
PG_UNIQUE_VIOLATION = "23505"


def constraint_name(error: IntegrityError) -> str | None:
    """The violated unique constraint's name, or None when `error` is not a unique violation."""
    orig = error.orig
    if getattr(orig, "sqlstate", None) is not None:  # psycopg
        if orig.sqlstate != PG_UNIQUE_VIOLATION:  # type: ignore[union-attr]
            return None
        return orig.diag.constraint_name or ""  # type: ignore[union-attr]
    match = _SQLITE_UNIQUE.search(str(orig))
    if match is None:
        return None
    target = match.group(1).strip()
    index = _SQLITE_INDEX.fullmatch(target)
    if index:  # an index on expressions is named, not its columns
        return index.group(1)
    # "teams.name_key" or "badge_awards.badge_id, badge_awards.user_id" → the convention's name
    columns = [c.strip().split(".", 1) for c in target.split(",")]
    return f"uq_{columns[0][0]}_" + "_".join(column for _table, column in columns)


def conflict_for(error: IntegrityError) -> Conflict | None:
    """The 409 for a unique violation (naming the field when a client chose its value); None otherwise."""
    name = constraint_name(error)
    if name is None:
        return None
    known = UNIQUE_FIELDS.get(name)
    if known is None:
        return Conflict("This clashes with a change made at the same time. Try again.")
    return Conflict(known.message, errors={known.field: [known.message]}, slug=known.slug)
