"""Bulk import of people from HR's spreadsheet: read the CSV, check every row, plan, then apply.

Three steps, so that a dry run and a real import share one path:

- `read_csv(data)` is pure: bytes in (UTF-8 with or without BOM, comma or semicolon — Danish Excel
  writes semicolons), the header's columns and each row's raw values out, or what is wrong with
  the file itself.
- `plan(session, rows, create_teams=...)` reads the database (a handful of queries for the whole
  file, never one per row) and decides, per row, who the row is and what would change; every
  problem becomes a `RowError` with the row number the spreadsheet shows (the header is row 1).
- `apply(session, plan, invite_ttl=...)` writes a plan without errors in a few bulk statements.
  The caller's unit of work commits; a file with any error is never applied at all.

Who a row is: the person with its `employee_id`, else its email (any case), else its username.
A column the file leaves out changes nothing; an empty cell changes nothing either, except in
`teams` and `lead_of`, where it means "no team". Importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import delete, insert, select, tuple_, update
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.models.teams import Team, TeamMembership
from api.models.users import User
from api.names import comparable
from api.services import accounts, audit, invitations, mail

COLUMNS = ("email", "display_name", "teams", "role", "lead_of", "employee_id", "username", "locale")
# An organisation's whole staff list in one file; a bigger one is split (README, "Onboarding").
MAX_ROWS = 20_000
# Room for MAX_ROWS generous rows (long names in Danish, several teams each).
MAX_BYTES = 8 * 1024 * 1024
_CHUNK = 2_000  # rows per bulk statement: far below any driver's parameter limit

RowValidator = Callable[[dict[str, str]], dict[str, Any]]


@dataclass(frozen=True, order=True)
class RowError:
    """`row` as the spreadsheet numbers it (the header is 1; None: the file as a whole)."""

    row: int | None
    column: str | None
    message: str


@dataclass
class ImportRow:
    """One row, its values already validated (`None`: the cell or column was empty or absent)."""

    row: int
    display_name: str
    email: str | None = None
    username: str | None = None
    employee_id: str | None = None
    role: str | None = None
    locale: str | None = None
    teams: list[str] | None = None  # None: the file has no `teams` column; []: in no team
    lead_of: list[str] | None = None


@dataclass
class Change:
    row: int
    user_id: int | None  # None: a new person
    values: dict[str, Any]  # users columns to set
    memberships: dict[str, bool] | None  # team key -> is_lead; None: keep the person's teams


@dataclass
class Plan:
    created: list[Change] = field(default_factory=list)
    updated: list[Change] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    new_teams: dict[str, str] = field(default_factory=dict)  # key -> name, in the file's spelling
    team_ids: dict[str, int] = field(default_factory=dict)  # key -> id of the teams that exist

    @property
    def invited(self) -> int:
        return sum(1 for c in self.created if c.values.get("email"))

    def report(self) -> dict[str, Any]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "invited": self.invited,
            "errors": [{"row": e.row, "column": e.column, "message": e.message}
                       for e in sorted(self.errors, key=_order)],
        }


def _order(e: RowError) -> tuple[int, str, str]:
    return (e.row or 0, e.column or "", e.message)


# --- reading ---------------------------------------------------------------------------------------

def read_csv(data: bytes, *, max_rows: int = MAX_ROWS) -> tuple[list[str], list[tuple[int, dict[str, str]]],
                                                                    list[RowError]]:
    """(the header's columns, [(row number, {column: raw value})], errors about the file itself).

    Blank rows are skipped but counted, so the numbers stay the spreadsheet's."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [], [], [RowError(line, None, "The file is not UTF-8 text. In Excel, save it as "
                                             "'CSV UTF-8 (comma delimited)'.")]
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        return [], [], [RowError(1 if text.strip() else None, None,
                                 "The file is empty: the first row must name the columns.")]
    # The header names no value with a comma or semicolon in it, so counting them is a safe sniff.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    errors: list[RowError] = []
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        return [], [], [RowError(1, None, f"The header row cannot be read: {exc}.")]
    seen: set[str] = set()
    for name in header:
        if name not in COLUMNS:
            shown = name or "(an empty column name)"
            errors.append(RowError(1, name or None, f"Unknown column {shown}. The columns are: {', '.join(COLUMNS)}."))
        elif name in seen:
            errors.append(RowError(1, name, f"The column {name} is there twice."))
        seen.add(name)
    if "display_name" not in seen:
        errors.append(RowError(1, "display_name", "The file needs a display_name column."))
    if not {"email", "username"} & seen:
        errors.append(RowError(1, "email", "The file needs an email or a username column (or both)."))
    if errors:
        return header, [], errors
    rows: list[tuple[int, dict[str, str]]] = []
    number = 1
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if number - 1 > max_rows:
                errors.append(RowError(number, None, f"The file has more than {max_rows:,} people. "
                                                     "Split it and import the parts one after the other."))
                break
            if len(values) > len(header) and any(v.strip() for v in values[len(header):]):
                errors.append(RowError(number, None, f"This row has {len(values)} values; the header names "
                                                     f"{len(header)} columns."))
                continue
            values = values + [""] * (len(header) - len(values))
            rows.append((number, dict(zip(header, values, strict=False))))
    except csv.Error as exc:
        errors.append(RowError(number + 1, None, f"This row cannot be read: {exc}."))
    return header, rows, errors


def validate_rows(raw: Iterable[tuple[int, dict[str, str]]], validate: RowValidator) -> tuple[list[ImportRow],
                                                                                             list[RowError]]:
    """Each row through the API's own rules (`validate` is the wire schema's load)."""
    rows: list[ImportRow] = []
    errors: list[RowError] = []
    for number, values in raw:
        try:
            rows.append(ImportRow(row=number, **validate(values)))
        except ValidationError as exc:
            messages = exc.messages if isinstance(exc.messages, dict) else {None: exc.messages}
            for column, texts in messages.items():
                for text in texts if isinstance(texts, list) else [texts]:
                    errors.append(RowError(number, None if column in (None, "_schema") else str(column), str(text)))
    return rows, errors


# --- planning --------------------------------------------------------------------------------------

@dataclass
class _Person:
    id: int
    email: str | None
    username: str | None
    employee_id: str | None
    display_name: str
    role: str
    locale: str | None
    is_active: bool
    erased: bool
    memberships: dict[int, bool] = field(default_factory=dict)  # team id -> is_lead


def _people(session: Session) -> list[_Person]:
    """Everyone's keys and the columns an import may change: one query, and one for the teams."""
    people = {
        row.id: _Person(row.id, row.email, row.username, row.employee_id, row.display_name, row.role, row.locale,
                        row.is_active, row.erased_at is not None)
        for row in session.execute(select(User.id, User.email, User.username, User.employee_id, User.display_name,
                                          User.role, User.locale, User.is_active, User.erased_at))
    }
    for user_id, team_id, is_lead in session.execute(
            select(TeamMembership.user_id, TeamMembership.team_id, TeamMembership.is_lead)):
        people[user_id].memberships[team_id] = is_lead
    return list(people.values())


def _first_rows(rows: list[ImportRow], key: Callable[[ImportRow], str | None], column: str,
                errors: list[RowError]) -> set[int]:
    """Rows that repeat an earlier row's value in `column` get an error; returns those rows."""
    first: dict[str, int] = {}
    bad: set[int] = set()
    for r in rows:
        value = key(r)
        if value is None:
            continue
        if value in first:
            errors.append(RowError(r.row, column, f"{value} is also on row {first[value]}: one row per person."))
            bad.add(r.row)
        else:
            first[value] = r.row
    return bad


def plan(session: Session, rows: list[ImportRow], *, create_teams: bool) -> Plan:
    """What importing `rows` would do, and every reason it cannot; changes nothing."""
    out = Plan()
    errors = out.errors
    for r in rows:
        if r.email is not None:
            r.email = accounts.normalise_email(r.email)
        if r.username is not None:
            r.username = accounts.normalise_username(r.username)
    bad = _first_rows(rows, lambda r: r.employee_id, "employee_id", errors)
    bad |= _first_rows(rows, lambda r: r.email, "email", errors)
    bad |= _first_rows(rows, lambda r: r.username, "username", errors)

    people = _people(session)
    by_employee_id = {p.employee_id: p for p in people if p.employee_id is not None}
    by_email = {p.email: p for p in people if p.email is not None}
    by_username = {p.username: p for p in people if p.username is not None}
    team_names = {team_id: name for team_id, name in session.execute(select(Team.id, Team.name))}
    out.team_ids = {comparable(name): team_id for team_id, name in team_names.items()}
    key_of_team = {team_id: comparable(name) for team_id, name in team_names.items()}

    def team_keys(r: ImportRow, column: str, names: list[str]) -> list[str] | None:
        keys = []
        for name in names:
            key = comparable(name)
            if key not in out.team_ids and key not in out.new_teams:
                if not create_teams:
                    errors.append(RowError(r.row, column, f"There is no team called {name}. Create it first, "
                                                          "or import with create_teams=true."))
                    return None
                out.new_teams[key] = name
            keys.append(key)
        return keys

    claimed: dict[int, int] = {}  # person id -> the row that is them
    planned: list[tuple[ImportRow, _Person | None, dict[str, Any], dict[str, bool] | None]] = []
    for r in rows:
        if r.row in bad:
            continue
        if r.email is None and r.username is None:
            errors.append(RowError(r.row, "email", "Give an email or a username: people sign in with one of them."))
            continue
        found = [(column, holder) for column, holder in (
            ("employee_id", by_employee_id.get(r.employee_id) if r.employee_id else None),
            ("email", by_email.get(r.email) if r.email else None),
            ("username", by_username.get(r.username) if r.username else None)) if holder is not None]
        person = found[0][1] if found else None
        clash = next(((column, holder) for column, holder in found if holder is not person), None)
        if clash is not None and person is not None:
            column, holder = clash
            errors.append(RowError(r.row, column, f"This {column} is {holder.display_name}'s (id {holder.id}), "
                                                  f"but the row's {found[0][0]} is {person.display_name}'s "
                                                  f"(id {person.id})."))
            continue
        if person is not None:
            if person.erased:
                errors.append(RowError(r.row, found[0][0], "This is a person who erased their account; "
                                                           "import them with a new one."))
                continue
            if person.id in claimed:
                errors.append(RowError(r.row, None, f"Row {claimed[person.id]} is the same person."))
                continue
            claimed[person.id] = r.row
            if r.employee_id and person.employee_id and person.employee_id != r.employee_id:
                errors.append(RowError(r.row, "employee_id", f"{person.display_name} (id {person.id}) has the "
                                                             f"employee_id {person.employee_id}."))
                continue

        teams = team_keys(r, "teams", r.teams) if r.teams is not None else None
        leads = team_keys(r, "lead_of", r.lead_of) if r.lead_of is not None else None
        if (r.teams is not None and teams is None) or (r.lead_of is not None and leads is None):
            continue
        current = {key_of_team[t]: lead for t, lead in person.memberships.items()} if person else {}
        role = r.role or (person.role if person else "staff")
        memberships: dict[str, bool] | None = None
        if teams is not None or leads is not None:
            members = list(dict.fromkeys(teams if teams is not None else current))
            lead_keys = set(leads) if leads is not None else {k for k, lead in current.items() if lead}
            members += [k for k in dict.fromkeys(leads or []) if k not in members]  # a lead is also a member
            memberships = {k: k in lead_keys for k in members}
        if memberships and any(memberships.values()) and role == "staff":
            if r.role == "staff" and leads:
                errors.append(RowError(r.row, "lead_of", "Staff do not lead teams: give the role lead (or admin), "
                                                         "or leave lead_of empty."))
                continue
            if r.role is None:
                role = "lead"  # leading a team makes staff a lead, as in the API (admins stay admins)
            else:
                memberships = {k: False for k in memberships}  # made staff: no longer leads anything
        elif role == "staff" and person is not None and memberships is None and any(current.values()):
            memberships = {k: False for k in current}
        values = {"email": r.email, "username": r.username, "employee_id": r.employee_id,
                  "display_name": r.display_name, "role": role, "locale": r.locale}
        if person is None:
            planned.append((r, None, values, memberships or {}))
            continue
        changed = {k: v for k, v in values.items() if v is not None and v != getattr(person, k)}
        if memberships is not None and memberships == current:
            memberships = None
        planned.append((r, person, changed, memberships))

    # Import never leaves the organisation without an active admin.
    admins = {p.id: p for p in people if p.role == "admin" and p.is_active and not p.erased}
    demoting = [(r, p) for r, p, changed, _ in planned if p is not None and p.id in admins
                and changed.get("role", "admin") != "admin"]
    if admins and len(demoting) == len(admins):
        for row, admin in demoting:
            errors.append(RowError(row.row, "role", f"{admin.display_name} is the last active admin (with the others "
                                                  "this file demotes): keep at least one admin."))
    # Nobody may pass as an admin (display_names.py): compare with the admins' names after the import.
    changes_of = {p.id: changed for _, p, changed, _ in planned if p is not None}
    admin_names = {comparable(changes_of.get(p.id, {}).get("display_name", p.display_name))
                   for p in admins.values() if changes_of.get(p.id, {}).get("role", "admin") == "admin"}
    admin_names |= {comparable(values["display_name"]) for _, p, values, _ in planned
                    if p is None and values["role"] == "admin"}
    for row, who, values, _ in planned:
        final_role = str(values.get("role", who.role if who else "staff"))
        touches_name = who is None or "display_name" in values or "role" in values
        final_name = str(values.get("display_name", who.display_name if who else ""))
        if final_role != "admin" and touches_name and comparable(final_name) in admin_names:
            errors.append(RowError(row.row, "display_name", "That is the name of an admin. Choose another name."))

    failed = {e.row for e in errors}
    for r, p, values, memberships in planned:
        if r.row in failed:
            continue
        if p is None:
            out.created.append(Change(r.row, None, values, memberships))
        elif values or memberships is not None:
            out.updated.append(Change(r.row, p.id, values, memberships))
        else:
            out.unchanged += 1
    return out


# --- applying --------------------------------------------------------------------------------------

def _chunks(items: list, size: int = _CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def apply(session: Session, plan: Plan) -> list[int]:
    """Write a plan without errors; returns the ids of the new people with an email (to invite).

    A few statements per 2,000 rows. Nothing is committed here (the caller's unit of work does)."""
    if plan.errors:
        raise ValueError("a plan with errors is never applied")
    if plan.new_teams:
        teams = [Team(name=name) for name in plan.new_teams.values()]
        session.add_all(teams)
        session.flush()
        plan.team_ids.update({comparable(t.name): t.id for t in teams})

    to_invite: list[int] = []
    new_rows = [{"email": None, "username": None, "employee_id": None, "locale": None, **change.values}
                for change in plan.created]
    memberships: list[dict[str, Any]] = []
    by_key = {(c.values.get("email"), c.values.get("username")): c for c in plan.created}
    for chunk in _chunks(new_rows):
        # Matched back by their unique keys: asking for the rows in order would cost one statement per
        # few rows on PostgreSQL instead of one per 1,000.
        for user_id, email, username in session.execute(
                insert(User).returning(User.id, User.email, User.username), chunk):
            change = by_key[(email, username)]
            change.user_id = user_id
            if email:
                to_invite.append(user_id)
            memberships += [{"user_id": user_id, "team_id": plan.team_ids[key], "is_lead": lead}
                            for key, lead in (change.memberships or {}).items()]

    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for change in plan.updated:
        if change.values:
            by_columns.setdefault(tuple(sorted(change.values)), []).append({"id": change.user_id, **change.values})
    for rows in by_columns.values():
        for chunk in _chunks(rows):
            session.execute(update(User), chunk)

    changed = [c for c in plan.updated if c.memberships is not None]
    current: dict[tuple[int, int], bool] = {}
    for chunk in _chunks([c.user_id for c in changed]):
        current.update({(u, t): lead for u, t, lead in session.execute(
            select(TeamMembership.user_id, TeamMembership.team_id, TeamMembership.is_lead)
            .where(TeamMembership.user_id.in_(chunk)))})
    wanted: dict[tuple[int, int], bool] = {(c.user_id, plan.team_ids[key]): lead for c in changed  # type: ignore[misc]
              for key, lead in (c.memberships or {}).items()}
    gone = [pair for pair in current if pair not in wanted]
    for chunk in _chunks(gone):
        session.execute(delete(TeamMembership).where(tuple_(TeamMembership.user_id, TeamMembership.team_id)
                                                     .in_(chunk)))
    memberships += [{"user_id": u, "team_id": t, "is_lead": lead} for (u, t), lead in wanted.items()
                    if (u, t) not in current]
    now = utcnow()
    for chunk in _chunks(memberships):
        # One multi-row INSERT per chunk (a list of parameter sets would be one statement per row).
        session.execute(insert(TeamMembership).values([{**m, "joined_at": now} for m in chunk]))
    flags = [{"user_id": u, "team_id": t, "is_lead": lead} for (u, t), lead in wanted.items()
             if (u, t) in current and current[(u, t)] != lead]
    for chunk in _chunks(flags):
        session.execute(update(TeamMembership), chunk)
    # The bulk statements went round the identity map: anything loaded before reloads when next read.
    session.expire_all()
    return to_invite


def _audit(session: Session, the_plan: Plan, actor_id: int | None) -> None:
    """An event per person the import created or changed, naming the file's row and what changed."""
    def detail(change: Change) -> dict[str, Any]:
        changed = sorted(change.values) + (["teams"] if change.memberships is not None else [])
        return {"door": "import", "row": change.row, "changed": changed}

    audit.record_many(session, "import_user_created", actor_id=actor_id,
                      events=[(c.user_id, detail(c)) for c in the_plan.created])
    audit.record_many(session, "import_user_updated", actor_id=actor_id,
                      events=[(c.user_id, detail(c)) for c in the_plan.updated])


def run(session: Session, data: bytes, *, validate: RowValidator, create_teams: bool, dry_run: bool,
        invite_ttl: int, mail_settings: mail.MailSettings, actor_id: int | None = None,
        max_rows: int = MAX_ROWS) -> dict[str, Any]:
    """The whole import: the report `{created, updated, unchanged, invited, errors, dry_run, applied}`.
    Applied only when asked and no row has an error; each new person with an email is mailed their
    invitation (queued in the same transaction, like an invitation from the API)."""
    _header, raw, errors = read_csv(data, max_rows=max_rows)
    rows, row_errors = validate_rows(raw, validate)
    errors += row_errors
    bad_rows = {e.row for e in errors}
    the_plan = plan(session, [r for r in rows if r.row not in bad_rows], create_teams=create_teams)
    the_plan.errors += errors
    applied = not dry_run and not the_plan.errors
    if applied:
        # Each new person with an email gets their token, made and mailed by the invitation rule itself.
        invitations.resend_many(session, apply(session, the_plan), invite_ttl=invite_ttl, settings=mail_settings)
        _audit(session, the_plan, actor_id)
    return {**the_plan.report(), "dry_run": dry_run, "applied": applied}
