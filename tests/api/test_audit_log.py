"""The audit log (issue 18, point 4): sign-ins (and failed ones), provisioning and admin changes to
people are recorded without passwords or tokens; admins read them newest first, filtered by
person and kind; old events are purged after AUDIT_RETENTION_DAYS. On PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from api.clock import utcnow
from api.models.audit import AuditEvent
from api.models.teams import TeamMembership
from api.services import audit
from tests.factories import PASSWORD, TeamFactory, UserFactory, lead_of
from tests.helpers import assert_problem
from workers.jobs import maintenance
from workers.registry import PERIODIC

pytestmark = pytest.mark.postgres  # `client` and `session` are on PostgreSQL (tests/conftest.py)


def _log(client, admin, query=""):
    r = client.as_(admin).get(f"/admin/audit-log{query}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_sign_ins_and_failed_sign_ins_are_recorded_without_the_password(client, session):
    admin, ann = UserFactory(role="admin"), UserFactory()
    assert_problem(client.post("/auth/login", json={"email": ann.email, "password": "wrong-password-1"}), 401)
    assert client.post("/auth/login", json={"email": ann.email, "password": PASSWORD}).status_code == 200

    items = _log(client, admin, f"?person={ann.id}")["items"]
    assert [(e["kind"], e["actor_id"], e["subject_user_id"]) for e in items] == [
        ("sign_in", ann.id, ann.id), ("sign_in_failed", None, ann.id)]
    assert items[1]["detail"]["account"] == ann.email and items[1]["detail"]["method"] == "password"
    raw = json.dumps(items)
    assert "wrong-password-1" not in raw and PASSWORD not in raw
    assert [e["kind"] for e in _log(client, admin, "?kind=sign_in_failed")["items"]] == ["sign_in_failed"]


def test_an_unknown_account_failing_to_sign_in_is_recorded_too(client, session):
    admin = UserFactory(role="admin")
    client.post("/auth/login", json={"email": "nobody@example.test", "password": "guess-guess-1"})
    items = _log(client, admin, "?kind=sign_in_failed")["items"]
    assert [(e["subject_user_id"], e["detail"]["account"]) for e in items] == [(None, "nobody@example.test")]


def test_provisioning_and_admin_changes_are_recorded(client, session):
    admin, bob = UserFactory(role="admin"), UserFactory()
    created = client.as_(admin).post("/admin/scim-tokens", json={"name": "Okta"}).get_json()
    idp = {"Authorization": f"Bearer {created['token']}", "Content-Type": "application/scim+json"}
    r = client.flask.post("/scim/v2/Users", headers=idp, data=json.dumps({"userName": "lea@example.com"}))
    uid = int(r.get_json()["id"])
    client.flask.patch(f"/scim/v2/Users/{uid}", headers=idp, data=json.dumps(
        {"Operations": [{"op": "replace", "path": "active", "value": False}]}))
    client.as_(admin).patch(f"/admin/users/{bob.id}", json={"role": "lead"})

    lea = _log(client, admin, f"?person={uid}")["items"]
    assert [(e["kind"], e["actor_id"], e["detail"]["via"]) for e in lea] == [
        ("scim_user_deactivated", None, "Okta"), ("scim_user_created", None, "Okta")]
    bobs = _log(client, admin, f"?person={bob.id}")["items"]
    assert [(e["kind"], e["actor_id"], e["detail"]) for e in bobs] == [("admin_user_updated", admin.id, {"role": "lead"})]
    tokens = _log(client, admin, "?kind=scim_token_created")["items"]
    assert tokens[0]["detail"] == {"scim_token_id": created["id"], "name": "Okta"}
    assert created["token"] not in json.dumps(_log(client, admin, "?limit=100"))


def test_the_log_is_a_cursor_list_for_admins_only(client, session):
    admin, lead = UserFactory(role="admin"), UserFactory(role="lead")
    for _ in range(3):
        audit.record(session, "sign_in", actor_id=lead.id, subject_user_id=lead.id)
    session.commit()
    first = _log(client, admin, "?limit=2")
    second = _log(client, admin, f"?limit=2&cursor={first['next_cursor']}")
    assert len(first["items"]) == 2 and len(second["items"]) == 1 and second["next_cursor"] is None
    assert first["items"][0]["id"] > first["items"][1]["id"] > second["items"][0]["id"]
    assert_problem(client.as_(lead).get("/admin/audit-log"), 403)
    assert_problem(client.as_(admin).get("/admin/audit-log?kind=coffee"), 422)


def test_secrets_never_reach_the_detail(session):
    event = audit.record(session, "admin_user_updated",
                         detail={"password": "x", "refresh_token": "y", "nested": {"client_secret": "z", "ok": 1},
                                 "scim_token_id": 3})
    assert event.detail == {"nested": {"ok": 1}, "scim_token_id": 3}


def test_events_past_the_retention_are_purged_by_a_periodic_job(pg_app, session):
    now = utcnow()
    audit.record(session, "sign_in", at=now - timedelta(days=31))
    audit.record(session, "sign_in", at=now - timedelta(days=29))
    session.commit()
    pg_app.config["AUDIT_RETENTION_DAYS"] = 30
    try:
        with pg_app.app_context():
            assert maintenance.purge_audit_events() == 1
    finally:
        pg_app.config["AUDIT_RETENTION_DAYS"] = 365
    session.expire_all()
    assert len(session.scalars(select(AuditEvent)).all()) == 1
    assert maintenance.purge_audit_events in [p.func for p in PERIODIC]


def test_console_sign_ins_are_recorded_like_the_apis(pg_app, client, session):
    """The console is a door to the same accounts: its sign-ins, good and refused, are in the log too,
    each saying which door it came through."""
    import re

    admin, ann = UserFactory(role="admin"), UserFactory(role="lead")
    web = pg_app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/console/login").get_data(as_text=True)).group(1)
    refused = web.post("/console/login", data={"email": ann.email, "password": "wrong-password-1", "csrf_token": token})
    signed = web.post("/console/login", data={"email": ann.email, "password": PASSWORD, "csrf_token": token})
    assert refused.status_code == 401 and signed.status_code == 302

    items = _log(client, admin, f"?person={ann.id}")["items"]
    assert [(e["kind"], e["detail"]["door"]) for e in items] == [("sign_in", "console"), ("sign_in_failed", "console")]
    assert "wrong-password-1" not in json.dumps(items)


# --- more changes to people: imports, join requests, reset links, and where sign-ins came from ----

BROWSER = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"


def _kinds_about(client, admin, person_id):
    return [(e["kind"], e["actor_id"]) for e in _log(client, admin, f"?person={person_id}")["items"]]


def test_a_sign_in_records_the_address_and_browser_it_came_from(client, session):
    admin, ann = UserFactory(role="admin"), UserFactory()
    headers = {"User-Agent": BROWSER}
    client.flask.post("/api/v1/auth/login", json={"email": ann.email, "password": "wrong-password-1"}, headers=headers)
    client.flask.post("/api/v1/auth/login", json={"email": ann.email, "password": PASSWORD}, headers=headers)
    items = _log(client, admin, f"?person={ann.id}")["items"]
    assert [(e["kind"], e["detail"]["ip"], e["detail"]["user_agent"]) for e in items] == [
        ("sign_in", "127.0.0.1", BROWSER), ("sign_in_failed", "127.0.0.1", BROWSER)]


def test_a_password_typed_into_the_account_field_is_not_recorded(client, session):
    """Someone types their password where the username goes: the failure is recorded, the text is not.
    An address-shaped account that does not exist is still recorded (someone trying addresses)."""
    admin = UserFactory(role="admin")
    client.post("/auth/login", json={"username": "hunter2hunter2", "password": "hunter2hunter2"})
    client.post("/auth/login", json={"email": "guess@example.test", "password": "guess-guess-1"})
    items = _log(client, admin, "?kind=sign_in_failed")["items"]
    assert [e["detail"]["account"] for e in items] == ["guess@example.test", None]
    assert "hunter2hunter2" not in json.dumps(items)


def test_an_import_records_each_person_it_created_or_changed(client, session):
    admin = UserFactory(role="admin")
    bob = UserFactory(email="bob@example.test", display_name="Bob Old")
    body = "email,display_name\nnew.person@example.test,New Person\nbob@example.test,Bob Renamed\n"
    r = client.as_(admin).post("/admin/users/import?dry_run=false", data=body,
                               headers={"Content-Type": "text/csv; charset=utf-8"})
    assert r.status_code == 200 and (r.get_json()["created"], r.get_json()["updated"]) == (1, 1), r.get_json()
    new_id = session.scalar(select(AuditEvent.subject_user_id).where(AuditEvent.kind == "import_user_created"))
    created = _log(client, admin, f"?person={new_id}")["items"]
    assert [(e["kind"], e["actor_id"], e["detail"]["row"]) for e in created] == [("import_user_created", admin.id, 2)]
    updated = _log(client, admin, f"?person={bob.id}")["items"]
    assert [(e["kind"], e["actor_id"], e["detail"]["changed"]) for e in updated] == [
        ("import_user_updated", admin.id, ["display_name"])]
    # A dry run changes nobody and records nothing.
    client.as_(admin).post("/admin/users/import?dry_run=true", data=body.replace("Renamed", "Again"),
                           headers={"Content-Type": "text/csv; charset=utf-8"})
    assert len(_log(client, admin, "?kind=import_user_updated")["items"]) == 1


def test_a_leads_decisions_on_join_requests_are_recorded(client, session):
    harbour = TeamFactory(name="Harbour")
    lead, admin = lead_of(harbour), UserFactory(role="admin")
    code = client.as_(lead).post(f"/teams/{harbour.id}/join-codes", json={}).get_json()["code"]
    for name, username in (("Mia Kristensen", "mia.k"), ("Ole Berg", "ole.b")):
        assert client.post("/auth/join", json={"code": code, "display_name": name, "username": username,
                                               "password": "warehouse-night-shift"}).status_code == 202
    pending = client.as_(lead).get(f"/teams/{harbour.id}/join-requests?status=pending").get_json()["items"]
    by_name = {r["display_name"]: r["id"] for r in pending}
    client.as_(lead).post(f"/teams/{harbour.id}/join-requests/{by_name['Mia Kristensen']}/approve")
    client.as_(lead).post(f"/teams/{harbour.id}/join-requests/{by_name['Ole Berg']}/decline")
    approved = _log(client, admin, "?kind=join_request_approved")["items"]
    mia_id = session.scalar(select(TeamMembership.user_id).where(TeamMembership.team_id == harbour.id,
                                                                  TeamMembership.is_lead.is_(False)))
    assert [(e["actor_id"], e["subject_user_id"], e["detail"]["team_id"]) for e in approved] == [
        (lead.id, mia_id, harbour.id)]
    declined = _log(client, admin, "?kind=join_request_declined")["items"]
    assert [(e["actor_id"], e["subject_user_id"], e["detail"]["join_request_id"]) for e in declined] == [
        (lead.id, None, by_name["Ole Berg"])]


def test_a_reset_link_and_the_reset_it_made_are_recorded_without_the_token(client, session):
    harbour = TeamFactory(name="Harbour")
    lead, admin = lead_of(harbour), UserFactory(role="admin")
    mia = UserFactory(email=None, username="mia.k", teams=[harbour])
    url = client.as_(lead).post(f"/admin/users/{mia.id}/reset-link").get_json()["url"]
    token = url.split("token=", 1)[1]
    assert client.post("/auth/password-reset/confirm",
                       json={"token": token, "password": "a-new-long-password"}).status_code == 200
    items = _log(client, admin, f"?person={mia.id}")["items"]
    assert [(e["kind"], e["actor_id"]) for e in items][-2:] == [("password_reset", mia.id),
                                                               ("reset_link_issued", lead.id)]
    assert token not in json.dumps(items) and "a-new-long-password" not in json.dumps(items)
