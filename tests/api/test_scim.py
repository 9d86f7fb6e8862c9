"""SCIM 2.0 provisioning (issue 18, points 2 and 3): SCIM tokens, the request sequences Microsoft
Entra ID and Okta document, and a leaver losing access at once. Through the HTTP API on PostgreSQL.

The request bodies are the ones the providers' docs show (Entra ID: "Tutorial: Develop a sample
SCIM endpoint" request/response examples; Okta: "SCIM 2.0 protocol reference"), with userName
set to a UPN-like email as both providers send by default.
"""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest
from sqlalchemy import func, select

from api.models.ledger import LedgerEntry
from api.models.notifications import Device
from api.models.scim import ScimToken
from api.models.teams import Team, TeamMembership
from api.models.users import User
from api.services import ledger
from api.services.passwords import hash_password
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.helpers import assert_problem

SCIM_JSON = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


pytestmark = pytest.mark.postgres  # `client` and `session` are on PostgreSQL (tests/conftest.py)


class Scim:
    """The identity provider: a SCIM token and the test client."""

    def __init__(self, client, token: str) -> None:
        self.flask, self.token = client.flask, token

    def __call__(self, method: str, path: str, body=None):
        headers = {"Authorization": f"Bearer {self.token}"}
        kw = {"data": json.dumps(body), "content_type": SCIM_JSON} if body is not None else {}
        return self.flask.open(f"/scim/v2{path}", method=method, headers=headers, **kw)


@pytest.fixture
def admin(session):
    return UserFactory(role="admin")


@pytest.fixture
def scim(client, admin):
    r = client.as_(admin).post("/admin/scim-tokens", json={"name": "Microsoft Entra ID"})
    assert r.status_code == 201, r.get_json()
    return Scim(client, r.get_json()["token"])


def _scim_error(r, status: int, scim_type: str | None = None) -> dict:
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True))
    assert r.mimetype == SCIM_JSON
    body = r.get_json()
    assert body["schemas"] == [ERROR] and body["status"] == str(status) and body["detail"]
    if scim_type:
        assert body["scimType"] == scim_type
    return body


# --- SCIM tokens ------------------------------------------------------------------------------

def test_a_scim_token_is_shown_once_stored_hashed_and_revocable(client, session, admin):
    created = client.as_(admin).post("/admin/scim-tokens", json={"name": "Okta"})
    assert created.status_code == 201
    body = created.get_json()
    assert set(body) >= {"id", "name", "token", "created_at"} and body["name"] == "Okta"
    assert len(body["token"]) >= 40
    row = session.get(ScimToken, body["id"])
    assert row.token_hash == hashlib.sha256(body["token"].encode()).hexdigest()

    listed = client.as_(admin).get("/admin/scim-tokens").get_json()
    assert [(t["id"], t["name"], t["revoked_at"]) for t in listed] == [(body["id"], "Okta", None)]
    assert "token" not in listed[0]

    idp = Scim(client, body["token"])
    assert idp("GET", "/ServiceProviderConfig").status_code == 200
    assert client.as_(admin).delete(f"/admin/scim-tokens/{body['id']}").status_code == 204
    _scim_error(idp("GET", "/Users"), 401)
    assert client.as_(admin).get("/admin/scim-tokens").get_json()[0]["revoked_at"] is not None
    assert_problem(client.as_(admin).delete("/admin/scim-tokens/999999"), 404)


def test_only_admins_manage_scim_tokens(client, session):
    lead = UserFactory(role="lead")
    assert_problem(client.as_(lead).post("/admin/scim-tokens", json={"name": "Okta"}), 403)
    assert_problem(client.as_(lead).get("/admin/scim-tokens"), 403)
    assert session.scalars(select(ScimToken)).all() == []


@pytest.mark.parametrize("header", [None, "Bearer nonsense", "Basic dXNlcjpwYXNz"])
def test_scim_refuses_a_caller_without_a_valid_token(client, header):
    headers = {"Authorization": header} if header else {}
    _scim_error(client.flask.get("/scim/v2/Users", headers=headers), 401)


def test_an_api_access_token_is_no_scim_token(client, admin):
    r = client.flask.get("/scim/v2/Users", headers={"Authorization": f"Bearer {client.as_(admin).token}"})
    _scim_error(r, 401)


# --- discovery ----------------------------------------------------------------------------------

def test_discovery_documents(scim):
    config = scim("GET", "/ServiceProviderConfig")
    assert config.status_code == 200 and config.mimetype == SCIM_JSON
    assert config.get_json()["patch"]["supported"] is True and config.get_json()["bulk"]["supported"] is False
    types = scim("GET", "/ResourceTypes").get_json()
    assert {t["id"]: t["endpoint"] for t in types["Resources"]} == {"User": "/Users", "Group": "/Groups"}
    schemas = scim("GET", "/Schemas").get_json()
    assert {s["id"] for s in schemas["Resources"]} == {USER, GROUP, ENTERPRISE}
    assert scim("GET", f"/Schemas/{USER}").get_json()["name"] == "User"
    _scim_error(scim("GET", "/Schemas/urn:nope"), 404)


# --- Microsoft Entra ID -------------------------------------------------------------------------

ENTRA_USER = {
    "schemas": [USER, ENTERPRISE],
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "userName": "Test_User_ab6490ee@contoso.com",
    "active": True,
    "emails": [{"primary": True, "type": "work", "value": "Test_User_ab6490ee@contoso.com"}],
    "meta": {"resourceType": "User"},
    "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
    "roles": [],
    ENTERPRISE: {"employeeNumber": "E-1001", "department": "Sales"},
}


def test_entra_id_user_lifecycle(client, session, scim):
    # Entra first asks whether the person exists, then creates them.
    query = '/Users?filter=userName+eq+"Test_User_ab6490ee@contoso.com"'
    empty = scim("GET", query)
    assert empty.status_code == 200 and empty.mimetype == SCIM_JSON
    assert empty.get_json() == {"schemas": [LIST], "totalResults": 0, "startIndex": 1, "itemsPerPage": 0,
                                "Resources": []}

    created = scim("POST", "/Users", ENTRA_USER)
    assert created.status_code == 201, created.get_json()
    user = created.get_json()
    assert (user["userName"], user["externalId"], user["active"], user["displayName"]) == (
        "test_user_ab6490ee@contoso.com", "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", True, "givenName familyName")
    assert user[ENTERPRISE] == {"employeeNumber": "E-1001"}
    assert created.headers["Location"].endswith(f"/scim/v2/Users/{user['id']}")
    row = session.get(User, int(user["id"]))
    assert (row.email, row.role, row.is_active, row.password_hash) == (
        "test_user_ab6490ee@contoso.com", "staff", True, None)

    # The same person again: a clash in the SCIM error schema.
    _scim_error(scim("POST", "/Users", ENTRA_USER), 409, "uniqueness")

    # Found by userName (any case), by externalId and by work email.
    for filter_ in ('userName eq "TEST_USER_ab6490ee@contoso.com"',
                    'externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"',
                    'emails[type eq "work"].value eq "Test_User_ab6490ee@contoso.com"',
                    'USERNAME EQ "Test_User_ab6490ee@contoso.com"'):
        found = scim("GET", f"/Users?filter={filter_}").get_json()
        assert [r["id"] for r in found["Resources"]] == [user["id"]], filter_
    assert scim("GET", f"/Users/{user['id']}").get_json()["userName"] == "test_user_ab6490ee@contoso.com"

    # Attribute updates, as Entra sends them: capitalised ops and filtered paths.
    patched = scim("PATCH", f"/Users/{user['id']}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "updated.email@contoso.com"},
        {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
        {"op": "Replace", "path": "name.givenName", "value": "updatedGivenName"},
        {"op": "Add", "path": "title", "value": "Sales Lead"},
    ]})
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["displayName"] == "updatedGivenName updatedFamilyName"
    assert patched.get_json()["emails"] == [{"value": "updated.email@contoso.com", "type": "work", "primary": True}]

    # Deactivation: "active" as the string "False".
    off = scim("PATCH", f"/Users/{user['id']}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "Replace", "path": "active", "value": "False"}]})
    assert off.status_code == 200 and off.get_json()["active"] is False
    session.expire_all()
    assert session.get(User, int(user["id"])).is_active is False
    on = scim("PATCH", f"/Users/{user['id']}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "Replace", "path": "active", "value": "True"}]})
    assert on.get_json()["active"] is True

    # Delete: deactivated, kept (their points stay in the ledger); still found by the provider.
    assert scim("DELETE", f"/Users/{user['id']}").status_code == 204
    session.expire_all()
    assert session.get(User, int(user["id"])).is_active is False
    assert scim("GET", f"/Users/{user['id']}").get_json()["active"] is False


def test_entra_id_group_lifecycle(client, session, scim, admin):
    ann, bob = UserFactory(), UserFactory()
    created = scim("POST", "/Groups", {"externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", "displayName": "Sales",
                                       "meta": {"resourceType": "Group"}, "schemas": [GROUP]})
    assert created.status_code == 201, created.get_json()
    group = created.get_json()
    assert (group["displayName"], group["members"]) == ("Sales", [])
    _scim_error(scim("POST", "/Groups", {"schemas": [GROUP], "displayName": "sales"}), 409, "uniqueness")

    found = scim("GET", '/Groups?excludedAttributes=members&filter=displayName eq "Sales"').get_json()
    assert [g["id"] for g in found["Resources"]] == [group["id"]]

    gid = group["id"]
    added = scim("PATCH", f"/Groups/{gid}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "Add", "path": "members", "value": [{"$ref": None, "value": str(ann.id)}, {"value": str(bob.id)}]}]})
    assert added.status_code == 200, added.get_json()
    assert sorted(m["value"] for m in added.get_json()["members"]) == sorted([str(ann.id), str(bob.id)])
    removed = scim("PATCH", f"/Groups/{gid}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "Remove", "path": "members", "value": [{"$ref": None, "value": str(bob.id)}]}]})
    assert [m["value"] for m in removed.get_json()["members"]] == [str(ann.id)]
    renamed = scim("PATCH", f"/Groups/{gid}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "Replace", "path": "displayName", "value": "Sales Nordics"}]})
    assert renamed.get_json()["displayName"] == "Sales Nordics"
    admin_view = client.as_(admin).get(f"/admin/teams/{gid}").get_json()
    assert admin_view["name"] == "Sales Nordics"

    _scim_error(scim("PATCH", f"/Groups/{gid}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "Add", "path": "members", "value": [{"value": "999999"}]}]}), 400, "invalidValue")


# --- Okta ---------------------------------------------------------------------------------------

OKTA_USER = {
    "schemas": [USER],
    "userName": "isaac.brock@example.com",
    "name": {"givenName": "Isaac", "familyName": "Brock"},
    "emails": [{"primary": True, "value": "isaac.brock@example.com", "type": "work"}],
    "displayName": "Isaac Brock",
    "locale": "en-US",
    "externalId": "00ujl29u0le5T6Aj10h7",
    "groups": [],
    "password": "1mz050nq",
    "active": True,
}


def test_okta_user_lifecycle(client, session, scim):
    none = scim("GET", '/Users?filter=userName%20eq%20"isaac.brock@example.com"&startIndex=1&count=100')
    assert none.get_json()["totalResults"] == 0
    created = scim("POST", "/Users", OKTA_USER)
    assert created.status_code == 201, created.get_json()
    uid = created.get_json()["id"]
    # Okta sends passwords; Stafet keeps none from a provider (people sign in with SSO).
    assert session.get(User, int(uid)).password_hash is None

    # Profile updates come as a full PUT.
    replaced = scim("PUT", f"/Users/{uid}", {**OKTA_USER, "id": uid, "displayName": "Isaac B.",
                                             "name": {"givenName": "Isaac", "familyName": "B."}})
    assert replaced.status_code == 200, replaced.get_json()
    assert replaced.get_json()["displayName"] == "Isaac B."

    # Deactivation: a path-less op whose value is an object.
    off = scim("PATCH", f"/Users/{uid}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "replace", "value": {"active": False}}]})
    assert off.status_code == 200 and off.get_json()["active"] is False
    on = scim("PATCH", f"/Users/{uid}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "replace", "value": {"active": True}}]})
    assert on.get_json()["active"] is True


def test_okta_group_push(client, session, scim, admin):
    ann = UserFactory()
    created = scim("POST", "/Groups", {"schemas": [GROUP], "displayName": "Test SCIMv2", "members": []})
    gid = created.get_json()["id"]
    renamed = scim("PATCH", f"/Groups/{gid}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "replace", "value": {"id": gid, "displayName": "Test SCIMv2 renamed"}}]})
    assert renamed.get_json()["displayName"] == "Test SCIMv2 renamed"
    scim("PATCH", f"/Groups/{gid}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": str(ann.id), "display": ann.email}]}]})
    assert session.scalars(select(TeamMembership.user_id).where(TeamMembership.team_id == int(gid))).all() == [ann.id]
    removed = scim("PATCH", f"/Groups/{gid}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "remove", "path": f'members[value eq "{ann.id}"]'}]})
    assert removed.status_code == 200 and removed.get_json()["members"] == []

    # Deleting the group archives the team: gone from lists, its row (and history) kept.
    scim("PATCH", f"/Groups/{gid}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": str(ann.id)}]}]})
    assert scim("DELETE", f"/Groups/{gid}").status_code == 204
    _scim_error(scim("GET", f"/Groups/{gid}"), 404)
    assert int(gid) not in [t["id"] for t in client.as_(admin).get("/admin/teams").get_json()]
    session.expire_all()
    team = session.get(Team, int(gid))
    assert team.archived_at is not None and team.memberships == []
    # Its name is free again.
    assert scim("POST", "/Groups", {"schemas": [GROUP], "displayName": "Test SCIMv2 renamed"}).status_code == 201


# --- lists and errors ---------------------------------------------------------------------------

def test_users_page_with_start_index_and_count(scim, session, admin):
    people = [admin, *(UserFactory() for _ in range(3))]
    page = scim("GET", "/Users?startIndex=2&count=1").get_json()
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (4, 2, 1)
    assert [r["id"] for r in page["Resources"]] == [str(people[1].id)]
    assert scim("GET", "/Users?startIndex=0&count=-1").get_json()["Resources"] == []


@pytest.mark.parametrize("filter_", ['title eq "x"', 'userName co "a"', "userName eq", 'userName pr'])
def test_an_unsupported_filter_is_a_scim_400(scim, filter_):
    _scim_error(scim("GET", f"/Users?filter={filter_}"), 400, "invalidFilter")


def test_unknown_ids_and_bad_bodies_answer_in_the_scim_error_schema(scim):
    _scim_error(scim("GET", "/Users/999999"), 404)
    _scim_error(scim("GET", "/Users/not-a-number"), 404)
    _scim_error(scim("DELETE", "/Groups/999999"), 404)
    _scim_error(scim("POST", "/Users", {"schemas": [USER]}), 400, "invalidValue")
    _scim_error(scim("POST", "/Users", {"userName": "   "}), 400, "invalidValue")
    # A userName that is neither an email nor a username (an object id) is kept as the provider's.
    opaque = scim("POST", "/Users", {"userName": "9f1c2b7e-0d4a-4c8e-9a55-3f6a1e2d7b90-contractor"}).get_json()
    assert (opaque["userName"], opaque["displayName"]) == ("9f1c2b7e-0d4a-4c8e-9a55-3f6a1e2d7b90-contractor",) * 2
    found = scim("GET", '/Users?filter=userName eq "9F1C2B7E-0d4a-4c8e-9a55-3f6a1e2d7b90-CONTRACTOR"').get_json()
    assert [r["id"] for r in found["Resources"]] == [opaque["id"]]
    user = scim("POST", "/Users", {"userName": "mia.k"}).get_json()
    assert (user["userName"], user["emails"]) == ("mia.k", [])
    _scim_error(scim("PATCH", f"/Users/{user['id']}", {"Operations": [{"op": "move", "path": "active"}]}),
                400, "invalidSyntax")
    _scim_error(scim("PATCH", f"/Users/{user['id']}", {"Operations": [
        {"op": "replace", "path": "active", "value": "maybe"}]}), 400, "invalidValue")


def test_the_last_admin_cannot_be_deprovisioned(scim, admin, session):
    r = scim("DELETE", f"/Users/{admin.id}")
    _scim_error(r, 409)
    session.expire_all()
    assert session.get(User, admin.id).is_active is True


# --- leavers ------------------------------------------------------------------------------------

def test_a_leaver_deprovisioned_by_scim_loses_access_at_once(client, session, scim, admin):
    """Signed in on a phone with push on, deactivated by SCIM: the next call is 401, the refresh
    token is dead, the device gets no pushes, they leave the leaderboard; their points stay."""
    team = TeamFactory()
    uid = int(scim("POST", "/Users", OKTA_USER).get_json()["id"])
    scim("PATCH", f"/Groups/{team.id}", {"Operations": [{"op": "add", "path": "members",
                                                          "value": [{"value": str(uid)}]}]})
    colleague = UserFactory(teams=[team])
    person = session.get(User, uid)
    person.password_hash = hash_password(PASSWORD)  # stands in for their SSO sign-in
    session.commit()
    for who, points in ((uid, 40), (colleague.id, 10)):
        ledger.append(session, user_id=who, amount=points, action="share", dedupe_key=uuid.uuid4().hex,
                      team_id=team.id)
    session.commit()
    pair = client.post("/auth/login", json={"email": "isaac.brock@example.com", "password": PASSWORD}).get_json()
    bearer = {"Authorization": f"Bearer {pair['access_token']}"}
    assert client.post("/devices", json={"token": "fcm-isaac", "platform": "ios"}, headers=bearer).status_code == 201
    board = client.as_(colleague).get("/leaderboard").get_json()
    assert uid in [e["user"]["id"] for e in board["entries"]]

    off = scim("PATCH", f"/Users/{uid}", {"Operations": [{"op": "Replace", "path": "active", "value": "False"}]})
    assert off.status_code == 200

    assert_problem(client.get("/me", headers=bearer), 401)
    assert_problem(client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]}), 401)
    session.expire_all()
    assert session.scalars(select(Device.active).where(Device.user_id == uid)).all() == [False]
    board = client.as_(colleague).get("/leaderboard").get_json()
    assert uid not in [e["user"]["id"] for e in board["entries"]]
    assert ledger_total(session, uid) == 40
    listed = client.as_(admin).get("/admin/users?q=isaac").get_json()
    assert [(u["id"], u["active"]) for u in listed["items"]] == [(uid, False)]

    # Reactivated: they may sign in again, but the old session stays ended.
    scim("PATCH", f"/Users/{uid}", {"Operations": [{"op": "replace", "value": {"active": True}}]})
    assert_problem(client.get("/me", headers=bearer), 401)
    assert client.post("/auth/login", json={"email": "isaac.brock@example.com",
                                            "password": PASSWORD}).status_code == 200


def ledger_total(session, user_id: int) -> int:
    return session.scalar(select(func.sum(LedgerEntry.amount)).where(LedgerEntry.user_id == user_id))
