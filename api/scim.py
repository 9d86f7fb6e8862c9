"""SCIM 2.0 endpoints at /scim/v2 (RFC 7644): identity providers provision people and teams.

A plain Flask blueprint, outside /api/v1 and its contract: SCIM has its own schema, media type
(application/scim+json) and error format, and identity providers, not our apps, call it. Callers
authenticate with a SCIM token an admin created (api/services/scim_tokens.py). The work runs in
the request's unit of work like every other request (api/http.py): an error answer rolls back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, g, json, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from api.clock import utcnow
from api.db import db
from api.errors import DomainError
from api.models.users import User
from api.services import audit, scim, scim_tokens

MEDIA_TYPE = "application/scim+json"
blp = Blueprint("scim", __name__, url_prefix="/scim/v2")


def _base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/scim/v2"


def _answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE, headers=headers)


def _error(status: int, detail: str, scim_type: str | None = None) -> Response:
    return _answer(scim.ScimError(status, detail, scim_type).body(), status)


@blp.errorhandler(scim.ScimError)
def _scim_error(error: scim.ScimError) -> Response:
    return _answer(error.body(), error.status)


@blp.errorhandler(DomainError)
def _domain_error(error: DomainError) -> Response:
    # The rules shared with the admin screens (the last admin, an admin's display name...).
    scim_type = "uniqueness" if error.status == 409 else ("invalidValue" if error.status in (400, 422) else None)
    return _error(400 if error.status == 422 else error.status, error.detail, scim_type)


@blp.errorhandler(IntegrityError)
def _integrity_error(_exc: Exception) -> Response:
    db.rollback()  # a unique clash lost to a concurrent request
    return _error(409, "Another resource has one of these unique values.", "uniqueness")


@blp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    return _error(error.code or 500, error.description or error.name)


@blp.before_request
def _authenticate() -> Response | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    token = scim_tokens.authenticate(db.session, secret.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        response = _error(401, "A valid SCIM bearer token is required.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="scim"'
        return response
    if request.method != "GET":
        token.last_used_at = utcnow()
    g.scim_token = token
    return None


def _audit(kind: str, subject_user_id: int | None = None, **detail: Any) -> None:
    """Provisioning changes are recorded with the token (by id and name) that made them."""
    audit.record(db.session, kind, subject_user_id=subject_user_id,
                 detail={"scim_token_id": g.scim_token.id, "via": g.scim_token.name, **detail})


def _body() -> Any:
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise scim.ScimError(400, "The body is a JSON object.", "invalidSyntax")
    return body


# --- discovery (static) -----------------------------------------------------------------------

SERVICE_PROVIDER_CONFIG = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    "patch": {"supported": True},
    "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
    "filter": {"supported": True, "maxResults": scim.MAX_COUNT},
    "changePassword": {"supported": False},
    "sort": {"supported": False},
    "etag": {"supported": False},
    "authenticationSchemes": [{"type": "oauthbearertoken", "name": "OAuth Bearer Token",
                               "description": "A SCIM token an admin created in Stafet", "primary": True}],
    "meta": {"resourceType": "ServiceProviderConfig", "location": "/scim/v2/ServiceProviderConfig"},
}


def _attribute(name: str, type_: str = "string", **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, "multiValued": False, "required": False, "caseExact": False,
            "mutability": "readWrite", "returned": "default", "uniqueness": "none", **extra}


SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"
SCHEMAS: list[dict[str, Any]] = [
    {"schemas": [SCHEMA_SCHEMA], "id": scim.USER_SCHEMA, "name": "User", "description": "A person",
     "attributes": [
         _attribute("userName", required=True, uniqueness="server"),
         _attribute("displayName"),
         _attribute("name", "complex", subAttributes=[_attribute("formatted"), _attribute("givenName"),
                                                      _attribute("familyName")]),
         _attribute("active", "boolean"),
         _attribute("externalId", caseExact=True),
         {**_attribute("emails", "complex", subAttributes=[_attribute("value"), _attribute("type"),
                                                            _attribute("primary", "boolean")]),
          "multiValued": True},
         {**_attribute("groups", "complex", mutability="readOnly",
                       subAttributes=[_attribute("value", mutability="readOnly"),
                                      _attribute("display", mutability="readOnly")]), "multiValued": True},
     ],
     "meta": {"resourceType": "Schema", "location": f"/scim/v2/Schemas/{scim.USER_SCHEMA}"}},
    {"schemas": [SCHEMA_SCHEMA], "id": scim.GROUP_SCHEMA, "name": "Group", "description": "A team",
     "attributes": [
         _attribute("displayName", required=True, uniqueness="server"),
         {**_attribute("members", "complex", subAttributes=[
             _attribute("value"), _attribute("display"),
             _attribute("$ref", "reference", referenceTypes=["User"])]),
          "multiValued": True},
     ],
     "meta": {"resourceType": "Schema", "location": f"/scim/v2/Schemas/{scim.GROUP_SCHEMA}"}},
    {"schemas": [SCHEMA_SCHEMA], "id": scim.ENTERPRISE_SCHEMA, "name": "EnterpriseUser",
     "description": "HR's id for the person", "attributes": [_attribute("employeeNumber", caseExact=True)],
     "meta": {"resourceType": "Schema", "location": f"/scim/v2/Schemas/{scim.ENTERPRISE_SCHEMA}"}},
]

RESOURCE_TYPES: list[dict[str, Any]] = [
    {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": "User", "name": "User",
     "endpoint": "/Users", "schema": scim.USER_SCHEMA,
     "schemaExtensions": [{"schema": scim.ENTERPRISE_SCHEMA, "required": False}],
     "meta": {"resourceType": "ResourceType", "location": "/scim/v2/ResourceTypes/User"}},
    {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": "Group", "name": "Group",
     "endpoint": "/Groups", "schema": scim.GROUP_SCHEMA,
     "meta": {"resourceType": "ResourceType", "location": "/scim/v2/ResourceTypes/Group"}},
]


@blp.get("/ServiceProviderConfig")
def service_provider_config() -> Response:
    return _answer(SERVICE_PROVIDER_CONFIG)


@blp.get("/ResourceTypes")
def resource_types() -> Response:
    return _answer(scim.list_response(RESOURCE_TYPES, len(RESOURCE_TYPES), 1))


def _one_of(documents: list[dict[str, Any]], document_id: str, what: str) -> Response:
    found = next((d for d in documents if d["id"] == document_id), None)
    if found is None:
        raise scim.ScimError(404, f"There is no {what} {document_id[:80]}.")
    return _answer(found)


@blp.get("/ResourceTypes/<name>")
def resource_type(name: str) -> Response:
    return _one_of(RESOURCE_TYPES, name, "resource type")


@blp.get("/Schemas")
def schemas() -> Response:
    return _answer(scim.list_response(SCHEMAS, len(SCHEMAS), 1))


@blp.get("/Schemas/<path:schema_id>")
def schema(schema_id: str) -> Response:
    return _one_of(SCHEMAS, schema_id, "schema")


# --- users ------------------------------------------------------------------------------------

def _shaped(resource: dict[str, Any]) -> dict[str, Any]:
    return scim.select_attributes(resource, request.args.get("attributes"), request.args.get("excludedAttributes"))


def _resource(resource: dict[str, Any], status: int = 200) -> Response:
    """One User or Group, shaped by ?attributes=; a created one (201) says where it lives."""
    resource = _shaped(resource)
    headers = {"Location": resource["meta"]["location"]} if status == 201 else None
    return _answer(resource, status, headers)


def _user(user: Any, status: int = 200) -> Response:
    return _resource(scim.user_resource(user, _base_url()), status)


@blp.get("/Users")
def list_users() -> Response:
    start, count = scim.page_bounds(request.args.get("startIndex"), request.args.get("count"))
    found, total = scim.list_users(db.session, request.args.get("filter"), start, count)
    return _answer(scim.list_response([_shaped(scim.user_resource(u, _base_url())) for u in found], total, start))


@blp.post("/Users")
def create_user() -> Response:
    user = scim.create_user(db.session, _body())
    _audit("scim_user_created", user.id, active=user.is_active)
    return _user(user, 201)


@blp.get("/Users/<user_id>")
def get_user(user_id: str) -> Response:
    return _user(scim.get_user(db.session, user_id))


@blp.put("/Users/<user_id>")
def replace_user(user_id: str) -> Response:
    return _change_user(user_id, scim.replace_user)


@blp.patch("/Users/<user_id>")
def patch_user(user_id: str) -> Response:
    return _change_user(user_id, scim.patch_user)


def _change_user(user_id: str, change: Callable[[Session, User, dict], Any]) -> Response:
    """PUT or PATCH: apply the body, audit what changed (a deactivation as such), answer the user."""
    user = scim.get_user(db.session, user_id)
    was_active = user.is_active
    _audit_user_change(change(db.session, user, _body()), was_active)
    return _user(user)


@blp.delete("/Users/<user_id>")
def delete_user(user_id: str) -> Response:
    user = scim.get_user(db.session, user_id)
    scim.deactivate_user(db.session, user)
    _audit("scim_user_deactivated", user.id, deleted=True)
    return Response(status=204)


def _audit_user_change(user: Any, was_active: bool) -> None:
    if was_active and not user.is_active:
        _audit("scim_user_deactivated", user.id)
    else:
        _audit("scim_user_updated", user.id, active=user.is_active)


# --- groups -----------------------------------------------------------------------------------

def _group(team: Any, status: int = 200) -> Response:
    return _resource(scim.group_resource(db.session, team, _base_url()), status)


@blp.get("/Groups")
def list_groups() -> Response:
    start, count = scim.page_bounds(request.args.get("startIndex"), request.args.get("count"))
    found, total = scim.list_groups(db.session, request.args.get("filter"), start, count)
    return _answer(scim.list_response([_shaped(g) for g in scim.group_resources(db.session, found, _base_url())],
                                      total, start))


@blp.post("/Groups")
def create_group() -> Response:
    team = scim.create_group(db.session, _body())
    _audit("scim_group_created", team_id=team.id, name=team.name)
    return _group(team, 201)


@blp.get("/Groups/<group_id>")
def get_group(group_id: str) -> Response:
    return _group(scim.get_group(db.session, group_id))


@blp.put("/Groups/<group_id>")
def replace_group(group_id: str) -> Response:
    team = scim.replace_group(db.session, scim.get_group(db.session, group_id), _body())
    _audit("scim_group_updated", team_id=team.id, name=team.name)
    return _group(team)


@blp.patch("/Groups/<group_id>")
def patch_group(group_id: str) -> Response:
    team = scim.patch_group(db.session, scim.get_group(db.session, group_id), _body())
    _audit("scim_group_updated", team_id=team.id, name=team.name)
    if request.args.get("excludedAttributes", "").lower() == "members":
        return Response(status=204)
    return _group(team)


@blp.delete("/Groups/<group_id>")
def delete_group(group_id: str) -> Response:
    team = scim.get_group(db.session, group_id)
    scim.archive_group(db.session, team, utcnow())
    _audit("scim_group_archived", team_id=team.id, name=team.name)
    return Response(status=204)


@blp.post("/.search")
@blp.post("/Users/.search")
@blp.post("/Groups/.search")
def search() -> Response:
    """POST-ed queries (RFC 7644 §3.4.3): the same filter and paging as GET, in the body."""
    body = _body()
    start, count = scim.page_bounds(body.get("startIndex"), body.get("count"))
    shape = {"attributes": body.get("attributes"), "excluded": body.get("excludedAttributes")}
    shape = {k: ",".join(v) if isinstance(v, list) else v for k, v in shape.items()}
    if request.path.endswith("/Groups/.search"):
        teams, total = scim.list_groups(db.session, body.get("filter"), start, count)
        resources = scim.group_resources(db.session, teams, _base_url())
    else:  # /Users/.search, and /.search: filters name User attributes
        users, total = scim.list_users(db.session, body.get("filter"), start, count)
        resources = [scim.user_resource(u, _base_url()) for u in users]
    return _answer(scim.list_response(
        [scim.select_attributes(r, shape["attributes"], shape["excluded"]) for r in resources], total, start))


@blp.route("/<path:unknown>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(unknown: str) -> Response:
    """Anything else under /scim/v2 answers in the SCIM error schema too (not problem+json)."""
    if unknown.split("/")[0] in ("ServiceProviderConfig", "ResourceTypes", "Schemas"):
        raise scim.ScimError(405, f"{request.method} is not allowed here: these documents are read-only.")
    raise scim.ScimError(404, f"There is no /scim/v2/{unknown[:80]}.")
