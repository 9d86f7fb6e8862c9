"""SCIM 2.0 (RFC 7643/7644) provisioning: Users are people, Groups are teams.

What identity providers really send is more varied than the RFC: Entra ID capitalises op names
("Replace"), sends `active` as the string "False", and puts filters in paths
(`emails[type eq "work"].value`); Okta sends path-less ops whose value is an object of
attributes. All of these are read here into one set of changes, applied the same way the admin
screens apply them (deactivation ends every session and stops pushes: services/users.admin_update).
Attributes this service does not keep (title, phone numbers...) are accepted and ignored, so a
provider's default attribute mapping does not fail every update.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from api.models.teams import Team, TeamMembership
from api.models.users import User
from api.names import comparable
from api.services import accounts, display_names, teams, users

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
MAX_COUNT = 200


class ScimError(Exception):
    """An error in the SCIM error schema (RFC 7644 §3.12)."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(self.status), "detail": self.detail}
        if self.scim_type:
            body["scimType"] = self.scim_type
        return body


# --- filters ----------------------------------------------------------------------------------

_FILTER = re.compile(r'^\s*([A-Za-z0-9:._\[\]" ]+?)\s+(eq)\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)
_EMAIL_FILTER = re.compile(r'^emails(\[\s*type\s+eq\s+"work"\s*\])?\.value$', re.IGNORECASE)


def parse_filter(text: str | None) -> tuple[str, str] | None:
    """`userName eq "x"` → ("username", "x"); None for no filter; 400 invalidFilter for the rest."""
    if text is None or not text.strip():
        return None
    match = _FILTER.match(text)
    if not match:
        raise ScimError(400, f"This filter is not supported: {text[:200]}", "invalidFilter")
    attribute, _op, value = match.groups()
    value = value.replace('\\"', '"').replace("\\\\", "\\")
    attribute = attribute.strip()
    if _EMAIL_FILTER.match(attribute):
        return "email", value
    name = attribute.lower().removeprefix(USER_SCHEMA.lower() + ":").removeprefix(GROUP_SCHEMA.lower() + ":")
    if name in ("username", "externalid", "displayname", "id"):
        return name, value
    raise ScimError(400, f"Filtering on {attribute[:100]} is not supported.", "invalidFilter")


def page_bounds(start_index: Any, count: Any) -> tuple[int, int]:
    """RFC 7644 §3.4.2.4: startIndex below 1 is 1; a negative count is 0."""
    try:
        start = max(1, int(start_index)) if start_index not in (None, "") else 1
        size = max(0, min(MAX_COUNT, int(count))) if count not in (None, "") else MAX_COUNT
    except (TypeError, ValueError):
        raise ScimError(400, "startIndex and count are numbers.", "invalidValue") from None
    return start, size


def list_response(resources: list[dict[str, Any]], total: int, start: int) -> dict[str, Any]:
    return {"schemas": [LIST_SCHEMA], "totalResults": total, "startIndex": start,
            "itemsPerPage": len(resources), "Resources": resources}


ALWAYS_RETURNED = {"id", "schemas", "meta"}


def select_attributes(resource: dict[str, Any], attributes: str | None, excluded: str | None) -> dict[str, Any]:
    """?attributes= / ?excludedAttributes= (RFC 7644 §3.4.2.5), on top-level attributes."""
    def names(text: str | None) -> set[str]:
        return {n.strip().split(".")[0].rsplit(":", 1)[-1].lower() for n in (text or "").split(",") if n.strip()}

    wanted, unwanted = names(attributes), names(excluded)
    if wanted:
        return {k: v for k, v in resource.items() if k in ALWAYS_RETURNED or k.lower() in wanted
                or k.lower().rsplit(":", 1)[-1] in wanted}
    return {k: v for k, v in resource.items() if k in ALWAYS_RETURNED or k.lower() not in unwanted}


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _as_id(text: str) -> int | None:
    """A resource id as the database keeps it; None for what cannot be one (not digits, too long)."""
    return int(text) if text.isdigit() and len(text) < 10 else None


def _page(session: Session, stmt: Select, order: Any, start: int, count: int, *options: Any) -> tuple[list, int]:
    """One page of `stmt` (startIndex is 1-based) and the total it has."""
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = stmt.options(*options).order_by(order).offset(start - 1).limit(count)
    found = list(session.scalars(page)) if count else []
    return found, total


# --- users ------------------------------------------------------------------------------------

def user_resource(user: User, base_url: str) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "schemas": [USER_SCHEMA],
        "id": str(user.id),
        "userName": user.scim_user_name or user.email or user.username or "",
        "displayName": user.display_name,
        "name": {"formatted": user.display_name},
        "active": user.is_active,
        "emails": [{"value": user.email, "type": "work", "primary": True}] if user.email else [],
        "groups": [{"value": str(m.team_id), "display": m.team.name} for m in user.memberships
                   if m.team.archived_at is None],
        "meta": {"resourceType": "User", "created": _iso(user.created_at), "lastModified": _iso(user.updated_at),
                 "location": f"{base_url}/Users/{user.id}"},
    }
    if user.external_id is not None:
        resource["externalId"] = user.external_id
    if user.employee_id is not None:
        resource[ENTERPRISE_SCHEMA] = {"employeeNumber": user.employee_id}
        resource["schemas"] = [USER_SCHEMA, ENTERPRISE_SCHEMA]
    return resource


def get_user(session: Session, user_id: str) -> User:
    key = _as_id(user_id)
    user = session.get(User, key) if key is not None else None
    if user is None or user.erased_at is not None:
        raise ScimError(404, f"There is no user {user_id[:40]}.")
    return user


def list_users(session: Session, filter_text: str | None, start: int, count: int) -> tuple[list[User], int]:
    stmt = select(User).where(User.erased_at.is_(None))
    parsed = parse_filter(filter_text)
    if parsed:
        attribute, value = parsed
        if attribute == "username":
            plain = value.strip().lower()
            stmt = stmt.where(or_(func.lower(User.scim_user_name) == value.lower(),
                                  and_(User.scim_user_name.is_(None),
                                       or_(User.email == plain, User.username == plain))))
        elif attribute == "email":
            stmt = stmt.where(User.email == accounts.normalise_email(value))
        elif attribute == "externalid":
            stmt = stmt.where(User.external_id == value)
        elif attribute == "id":
            stmt = stmt.where(User.id == (_as_id(value) or -1))
        else:  # displayName
            stmt = stmt.where(User.display_name == value)
    # user_resource lists each person's teams: loaded for the whole page, not per person.
    return _page(session, stmt, User.id, start, count,
                 selectinload(User.memberships).joinedload(TeamMembership.team))


def _as_bool(value: Any) -> bool:
    """Entra ID sends "True"/"False" strings for `active`."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ScimError(400, "active is true or false.", "invalidValue")


def _work_email(emails: Any) -> str | None:
    if not isinstance(emails, list):
        return None
    values = [e for e in emails if isinstance(e, dict) and isinstance(e.get("value"), str)]
    chosen = next((e for e in values if e.get("primary") in (True, "true", "True")), None) \
        or next((e for e in values if str(e.get("type", "")).lower() == "work"), None) \
        or (values[0] if values else None)
    return chosen["value"] if chosen else None


def _name_from(name: Any) -> str | None:
    if not isinstance(name, dict):
        return None
    if isinstance(name.get("formatted"), str) and name["formatted"].strip():
        return name["formatted"]
    parts = [name.get("givenName"), name.get("familyName")]
    joined = " ".join(p for p in parts if isinstance(p, str) and p.strip())
    return joined or None


def changes_from_resource(body: dict[str, Any]) -> dict[str, Any]:
    """A full User resource (POST, PUT) → the changes it asks for."""
    keyed = {str(k).lower(): v for k, v in body.items()}
    changes: dict[str, Any] = {}
    if "username" in keyed:
        changes["user_name"] = keyed["username"]
    display = keyed.get("displayname") if isinstance(keyed.get("displayname"), str) else None
    changes["display_name"] = display or _name_from(keyed.get("name"))
    if "emails" in keyed:
        changes["email"] = _work_email(keyed["emails"])
    if "externalid" in keyed:
        changes["external_id"] = keyed["externalid"]
    if "active" in keyed:
        changes["active"] = _as_bool(keyed["active"])
    enterprise = keyed.get(ENTERPRISE_SCHEMA.lower())
    if isinstance(enterprise, dict) and "employeeNumber" in enterprise:
        changes["employee_id"] = enterprise["employeeNumber"]
    return changes


def _check_text(value: Any, attribute: str, limit: int, *, nullable: bool = True) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise ScimError(400, f"{attribute} must be a text of 1 to {limit} characters.", "invalidValue")
    return value.strip()


def _identity(user_name: str) -> tuple[str | None, str | None, str | None]:
    """userName → (email, username, scim_user_name): an email when it looks like one, else a
    username when it fits the sign-in rules, else kept only as the SCIM userName (such a person
    has no password sign-in; single sign-on finds them by their email or subject)."""
    if re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", user_name) and len(user_name) <= 254:
        return accounts.normalise_email(user_name), None, None
    if re.match(accounts.USERNAME_PATTERN, user_name):
        return None, accounts.normalise_username(user_name), None
    return None, None, user_name


def _ensure_unique(session: Session, user: User | None, column: Any, value: Any, attribute: str) -> None:
    if value is None:
        return
    other = session.scalar(select(User.id).where(column == value))
    if other is not None and (user is None or other != user.id):
        raise ScimError(409, f"Another user has this {attribute}.", "uniqueness")


def _apply(session: Session, user: User | None, changes: dict[str, Any]) -> User:
    """Apply changes to `user` (None: create one). Checks first, so a refused request changes nothing."""
    email = username = scim_name = None
    renamed = changes.get("user_name") is not None or user is None
    if renamed:
        user_name = _check_text(changes.get("user_name"), "userName", 254, nullable=False)
        assert user_name is not None
        email, username, scim_name = _identity(user_name)
    if changes.get("email") is not None and email is None:
        email_value = _check_text(changes["email"], "emails", 254)
        email = accounts.normalise_email(email_value) if email_value and "@" in email_value else None
    external_id = _check_text(changes.get("external_id"), "externalId", 255)
    employee_id = _check_text(changes.get("employee_id"), "employeeNumber", 64)
    display = _check_text(changes.get("display_name"), "displayName", 200)
    _ensure_unique(session, user, User.email, email, "email")
    _ensure_unique(session, user, User.username, username, "userName")
    _ensure_unique(session, user, func.lower(User.scim_user_name), scim_name and scim_name.lower(), "userName")
    _ensure_unique(session, user, User.external_id, external_id, "externalId")
    _ensure_unique(session, user, User.employee_id, employee_id, "employeeNumber")

    if user is None:
        name = (display or (email or username or scim_name or "").split("@")[0])[:80]
        display_names.ensure_allowed(session, name, role="staff")
        user = User(email=email, username=username, scim_user_name=scim_name, display_name=name, role="staff",
                    is_active=changes.get("active", True), external_id=external_id, employee_id=employee_id)
        session.add(user)
        session.flush()
        return user
    if email is not None:
        user.email = email
    if username is not None:
        user.username = username
    if renamed:
        user.scim_user_name = scim_name
    if "external_id" in changes:
        user.external_id = external_id
    if "employee_id" in changes:
        user.employee_id = employee_id
    admin_changes: dict[str, Any] = {}
    if display:
        admin_changes["display_name"] = display[:80]
    if "active" in changes:
        admin_changes["active"] = changes["active"]
    users.admin_update(session, user, admin_changes)
    return user


def create_user(session: Session, body: dict[str, Any]) -> User:
    changes = changes_from_resource(body)
    if not changes.get("user_name"):
        raise ScimError(400, "userName is required.", "invalidValue")
    return _apply(session, None, changes)


def replace_user(session: Session, user: User, body: dict[str, Any]) -> User:
    changes = changes_from_resource(body)
    if not changes.get("user_name"):
        raise ScimError(400, "userName is required.", "invalidValue")
    changes.setdefault("external_id", None)  # a replace without externalId clears it
    return _apply(session, user, changes)


_ATTRIBUTE_PATHS = {
    "username": "user_name", "displayname": "display_name", "externalid": "external_id",
    "name.formatted": "display_name", f"{ENTERPRISE_SCHEMA.lower()}:employeenumber": "employee_id",
}


def _operations(body: Any) -> list[dict[str, Any]]:
    ops = body.get("Operations") if isinstance(body, dict) else None
    if ops is None and isinstance(body, dict):
        ops = body.get("operations")
    if not isinstance(ops, list) or not ops or not all(isinstance(o, dict) for o in ops):
        raise ScimError(400, "A PATCH names its Operations.", "invalidSyntax")
    result = []
    for op in ops:
        keyed = {str(k).lower(): v for k, v in op.items()}
        name = str(keyed.get("op", "")).lower()
        if name not in ("add", "replace", "remove"):
            raise ScimError(400, f"Unknown op {str(keyed.get('op'))[:20]!r}: add, replace or remove.", "invalidSyntax")
        path = keyed.get("path")
        if path is not None and not isinstance(path, str):
            raise ScimError(400, "path is a text.", "invalidPath")
        result.append({"op": name, "path": path.strip() if path else None, "value": keyed.get("value")})
    return result


def patch_user(session: Session, user: User, body: Any) -> User:
    changes: dict[str, Any] = {}
    given = family = None
    for op in _operations(body):
        path, value = op["path"], op["value"]
        if path is None:
            if op["op"] == "remove" or not isinstance(value, dict):
                raise ScimError(400, "An op without a path has an object of attributes as its value.", "noTarget")
            # Okta: {"op": "replace", "value": {"active": false}}; Entra: {"name.givenName": "..."}.
            items = list(value.items())
        else:
            items = [(path, None if op["op"] == "remove" else value)]
        for attribute, attr_value in items:
            key = str(attribute).lower().removeprefix(USER_SCHEMA.lower() + ":")
            if _EMAIL_FILTER.match(key):
                changes["email"] = attr_value if op["op"] != "remove" else None
            elif key == "emails":
                changes["email"] = _work_email(attr_value) if op["op"] != "remove" else None
            elif key == "name":
                changes["display_name"] = _name_from(attr_value)
            elif key == "name.givenname":
                given = attr_value
            elif key == "name.familyname":
                family = attr_value
            elif key == "active":
                if op["op"] == "remove":
                    raise ScimError(400, "active cannot be removed.", "mutability")
                changes["active"] = _as_bool(attr_value)
            elif key in _ATTRIBUTE_PATHS:
                if key in ("username", "displayname") and op["op"] == "remove":
                    raise ScimError(400, f"{attribute} cannot be removed.", "mutability")
                changes[_ATTRIBUTE_PATHS[key]] = attr_value
            elif key == ENTERPRISE_SCHEMA.lower() and op["op"] == "remove":
                changes["employee_id"] = None
            elif key == ENTERPRISE_SCHEMA.lower() and isinstance(attr_value, dict):
                if "employeeNumber" in attr_value:
                    changes["employee_id"] = attr_value["employeeNumber"]
            # anything else (title, phoneNumbers, addresses...) is not kept: ignored on purpose
    if (given or family) and "display_name" not in changes:
        changes["display_name"] = " ".join(p for p in (given, family) if isinstance(p, str) and p.strip()) or None
    if "email" in changes and changes["email"] is None:
        changes.pop("email")  # a person keeps the email they sign in with; removing it is ignored
    return _apply(session, user, changes)


def deactivate_user(session: Session, user: User) -> None:
    """DELETE /Users/{id}: the person is deactivated, not erased (their ledger and the analytics stay)."""
    users.admin_update(session, user, {"active": False})


# --- groups -----------------------------------------------------------------------------------

def group_resources(session: Session, teams: list[Team], base_url: str) -> list[dict[str, Any]]:
    """The Group resources of `teams`, their members read in one query for the whole page."""
    members: dict[int, list[dict[str, str]]] = {team.id: [] for team in teams}
    if members:
        for team_id, uid, name in session.execute(
                select(TeamMembership.team_id, User.id, User.display_name)
                .join(User, TeamMembership.user_id == User.id)
                .where(TeamMembership.team_id.in_(members)).order_by(User.id)):
            members[team_id].append({"value": str(uid), "display": name, "$ref": f"{base_url}/Users/{uid}"})
    return [{
        "schemas": [GROUP_SCHEMA],
        "id": str(team.id),
        "displayName": team.name,
        **({"externalId": team.external_id} if team.external_id is not None else {}),
        "members": members[team.id],
        "meta": {"resourceType": "Group", "created": _iso(team.created_at),
                 "lastModified": _iso(team.created_at), "location": f"{base_url}/Groups/{team.id}"},
    } for team in teams]


def group_resource(session: Session, team: Team, base_url: str) -> dict[str, Any]:
    return group_resources(session, [team], base_url)[0]


def get_group(session: Session, group_id: str) -> Team:
    key = _as_id(group_id)
    team = session.get(Team, key) if key is not None else None
    if team is None or team.archived_at is not None:
        raise ScimError(404, f"There is no group {group_id[:40]}.")
    return team


def list_groups(session: Session, filter_text: str | None, start: int, count: int) -> tuple[list[Team], int]:
    stmt = select(Team).where(Team.archived_at.is_(None))
    parsed = parse_filter(filter_text)
    if parsed:
        attribute, value = parsed
        if attribute == "displayname":
            stmt = stmt.where(Team.name_key == comparable(value))
        elif attribute == "id":
            stmt = stmt.where(Team.id == (_as_id(value) or -1))
        else:
            raise ScimError(400, "Groups are filtered by displayName.", "invalidFilter")
    return _page(session, stmt, Team.id, start, count)


def _member_ids(session: Session, value: Any) -> set[int]:
    items = value if isinstance(value, list) else [value]
    ids: set[int] = set()
    for item in items:
        raw = item.get("value") if isinstance(item, dict) else item
        ref = item.get("$ref") if isinstance(item, dict) else None
        if isinstance(ref, str) and re.search(r"/Users/\d{1,9}$", ref) and not str(raw).isdigit():
            raw = ref.rsplit("/", 1)[1]  # a member named by its reference only
        key = _as_id(str(raw)) if isinstance(raw, str | int) else None
        if key is None:
            raise ScimError(400, "A member is {\"value\": \"<user id>\"}.", "invalidValue")
        ids.add(key)
    known = set(session.scalars(select(User.id).where(User.id.in_(ids), User.erased_at.is_(None)))) if ids else set()
    if ids - known:
        raise ScimError(400, f"No such user: {', '.join(map(str, sorted(ids - known)))}.", "invalidValue")
    return ids


def _set_members(team: Team, add: set[int] = frozenset(), remove: set[int] = frozenset(),  # type: ignore[assignment]
                 exactly: set[int] | None = None) -> None:
    current = {m.user_id: m for m in team.memberships}
    if exactly is not None:
        remove, add = set(current) - exactly, exactly - set(current)
    for user_id in remove:
        if user_id in current:
            team.memberships.remove(current[user_id])
    for user_id in add:
        if user_id not in current:
            team.memberships.append(TeamMembership(user_id=user_id))


def _group_name(value: Any) -> str:
    name = _check_text(value, "displayName", 80, nullable=False)
    assert name is not None
    return name


def _ensure_group_name_free(session: Session, team: Team | None, name: str) -> None:
    other = session.scalar(select(Team.id).where(Team.name_key == comparable(name)))
    if other is not None and (team is None or other != team.id):
        raise ScimError(409, "Another group has this displayName.", "uniqueness")


def create_group(session: Session, body: Any) -> Team:
    keyed = {str(k).lower(): v for k, v in body.items()} if isinstance(body, dict) else {}
    name = _group_name(keyed.get("displayname"))
    members = _member_ids(session, keyed["members"]) if keyed.get("members") else set()
    _ensure_group_name_free(session, None, name)
    team = teams.create_team(session, name, [])
    team.external_id = _check_text(keyed.get("externalid"), "externalId", 255)
    _set_members(team, add=members)
    session.flush()
    return team


def replace_group(session: Session, team: Team, body: Any) -> Team:
    keyed = {str(k).lower(): v for k, v in body.items()} if isinstance(body, dict) else {}
    name = _group_name(keyed.get("displayname"))
    members = _member_ids(session, keyed.get("members") or [])
    _ensure_group_name_free(session, team, name)
    team.name = name
    team.external_id = _check_text(keyed.get("externalid"), "externalId", 255)
    _set_members(team, exactly=members)
    session.flush()
    return team


_MEMBER_FILTER = re.compile(r'^members\[\s*value\s+eq\s+"([^"]*)"\s*\]$', re.IGNORECASE)


def patch_group(session: Session, team: Team, body: Any) -> Team:
    ops = _operations(body)
    for op in ops:
        path, value = op["path"], op["value"]
        key = (path or "").lower()
        filtered = _MEMBER_FILTER.match(path or "")
        if filtered and op["op"] == "remove":
            # Entra ID and Okta: {"op": "remove", "path": "members[value eq \"42\"]"}
            _set_members(team, remove=_member_ids(session, [filtered.group(1)]))
        elif key == "members":
            if op["op"] == "add":
                _set_members(team, add=_member_ids(session, value))
            elif op["op"] == "remove":
                # With a value: those members; without: all of them (RFC 7644 §3.5.2.2).
                everyone = {m.user_id for m in team.memberships}
                _set_members(team, remove=_member_ids(session, value) if value else everyone)
            else:
                _set_members(team, exactly=_member_ids(session, value or []))
        elif key == "displayname" or (path is None and isinstance(value, dict)):
            if op["op"] == "remove":
                raise ScimError(400, "displayName cannot be removed.", "mutability")
            attributes = {"displayname": value} if path else {str(k).lower(): v for k, v in value.items()}
            if "displayname" in attributes:
                name = _group_name(attributes["displayname"])
                _ensure_group_name_free(session, team, name)
                team.name = name
            if "externalid" in attributes:
                team.external_id = _check_text(attributes["externalid"], "externalId", 255)
            if "members" in attributes:
                _set_members(team, add=_member_ids(session, attributes["members"]))
        elif key == "externalid":
            team.external_id = None if op["op"] == "remove" else _check_text(value, "externalId", 255)
        elif key == "id":
            continue  # read-only: ignored
        else:
            raise ScimError(400, f"Groups cannot change {str(path)[:60]}.", "invalidPath")
    session.flush()
    return team


def archive_group(session: Session, team: Team, now: datetime) -> None:
    teams.archive_team(session, team, now)
