"""The audit log exported as CSV (issue 18, point 4: "exported as CSV ... without passwords or tokens").

`GET /admin/audit-log/export.csv` (admins) takes the list's `person` and `kind` filters and an optional
`from`/`to` window of days; it streams text/csv with the columns of HEADER, never a password or token,
no more about people who erased their data than their id, and no cell a spreadsheet would run as a
formula. Through the HTTP API on PostgreSQL; the scenario (a failed and a good sign-in, a role change
by an admin, a SCIM provisioning) is played through the same endpoints people use.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta

import pytest

from tests.api.test_scim import SCIM_JSON, Scim
from tests.factories import PASSWORD, UserFactory
from tests.helpers import assert_problem

# The columns the issue asks for, in order: id, when (ISO 8601 UTC), kind, who did it, whom it was
# about (each by id, email and name), and the detail as JSON.
HEADER = ["id", "occurred_at", "kind", "actor_id", "actor_email", "actor_name",
          "subject_user_id", "subject_email", "subject_name", "detail"]
WRONG_PASSWORD = "wrong-password-1"
EVIL_NAME = '=HYPERLINK("http://evil.example","Click")'


pytestmark = pytest.mark.postgres  # `client` and `session` are on PostgreSQL (tests/conftest.py)


def _csv(client, admin, query=""):
    r = client.as_(admin).get(f"/admin/audit-log/export.csv{query}")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    text = r.get_data(as_text=True)
    reader = csv.reader(io.StringIO(text))
    assert next(reader) == HEADER
    return [dict(zip(HEADER, row, strict=True)) for row in reader], text


@pytest.fixture
def scenario(client, session):
    """ann fails once and signs in; an admin makes bob a lead; an identity provider creates lea."""
    admin = UserFactory(role="admin", email="boss@example.test", display_name="Boss")
    ann = UserFactory(email="ann@example.test", display_name=EVIL_NAME)
    bob = UserFactory(email="bob@example.test", display_name="Bob")
    assert_problem(client.post("/auth/login", json={"email": ann.email, "password": WRONG_PASSWORD}), 401)
    tokens = client.post("/auth/login", json={"email": ann.email, "password": PASSWORD}).get_json()
    assert client.as_(admin).patch(f"/admin/users/{bob.id}", json={"role": "lead"}).status_code == 200
    made = client.as_(admin).post("/admin/scim-tokens", json={"name": "Okta"}).get_json()
    r = Scim(client, made["token"])("POST", "/Users", {"userName": "lea@example.test", "active": True})
    assert r.status_code == 201 and r.mimetype == SCIM_JSON, r.get_data(as_text=True)
    secrets = [WRONG_PASSWORD, PASSWORD, tokens["access_token"], tokens["refresh_token"], made["token"]]
    return {"admin": admin, "ann": ann, "bob": bob, "lea_id": int(r.get_json()["id"]), "secrets": secrets}


def test_the_export_has_every_event_newest_first_without_secrets(client, scenario):
    """One row per event, newest first, with actor and subject by id and email; no password or token."""
    admin, ann, bob = scenario["admin"], scenario["ann"], scenario["bob"]
    rows, text = _csv(client, admin)

    # (kind, actor email, subject email), newest first
    expected = [
        ("scim_user_created", "", "lea@example.test"),
        ("scim_token_created", "boss@example.test", ""),
        ("admin_user_updated", "boss@example.test", "bob@example.test"),
        ("sign_in", "ann@example.test", "ann@example.test"),
        ("sign_in_failed", "", "ann@example.test"),
    ]
    assert [(r["kind"], r["actor_email"], r["subject_email"]) for r in rows] == expected
    assert [int(r["id"]) for r in rows] == sorted((int(r["id"]) for r in rows), reverse=True)
    by_kind = {r["kind"]: r for r in rows}
    assert by_kind["admin_user_updated"]["actor_id"] == str(admin.id)
    assert by_kind["admin_user_updated"]["subject_user_id"] == str(bob.id)
    assert by_kind["admin_user_updated"]["actor_name"] == "Boss"
    assert json.loads(by_kind["admin_user_updated"]["detail"]) == {"role": "lead"}
    assert json.loads(by_kind["sign_in_failed"]["detail"])["account"] == "ann@example.test"
    assert json.loads(by_kind["scim_user_created"]["detail"])["via"] == "Okta"
    assert by_kind["scim_user_created"]["subject_user_id"] == str(scenario["lea_id"])
    for row in rows:
        occurred = datetime.fromisoformat(row["occurred_at"])
        assert occurred.utcoffset() == timedelta(0), row["occurred_at"]  # ISO 8601, UTC
    assert by_kind["sign_in"]["subject_user_id"] == str(ann.id)
    for secret in scenario["secrets"]:
        assert secret not in text


def test_a_display_name_a_spreadsheet_would_run_is_quoted(client, scenario):
    """ann's name starts with '=': the cell starts with an apostrophe, so it stays text."""
    rows, _ = _csv(client, scenario["admin"], f"?person={scenario['ann'].id}&kind=sign_in")
    assert [r["subject_name"] for r in rows] == ["'" + EVIL_NAME]
    assert rows[0]["actor_name"] == "'" + EVIL_NAME


def test_the_export_takes_the_lists_filters_and_a_window_of_days(client, scenario):
    """`person`, `kind`, `from`/`to` narrow the rows; a window before or after today has none."""
    admin, ann = scenario["admin"], scenario["ann"]
    kinds = lambda q: [r["kind"] for r in _csv(client, admin, q)[0]]  # noqa: E731
    assert kinds(f"?person={ann.id}") == ["sign_in", "sign_in_failed"]
    assert kinds("?kind=sign_in_failed") == ["sign_in_failed"]
    assert kinds(f"?person={ann.id}&kind=admin_user_updated") == []
    today = date.today()
    around = f"?from={today - timedelta(days=1)}&to={today + timedelta(days=1)}"
    assert len(kinds(around)) == 5
    assert kinds(f"?from={today + timedelta(days=2)}") == []
    assert kinds(f"?to={today - timedelta(days=2)}") == []
    # The same filters as the list: the same events, in the same order.
    listed = client.as_(admin).get(f"/admin/audit-log?person={ann.id}").get_json()["items"]
    assert [e["id"] for e in listed] == [int(r["id"]) for r in _csv(client, admin, f"?person={ann.id}")[0]]


def test_bad_filters_are_a_422(client, scenario):
    admin = scenario["admin"]
    assert_problem(client.as_(admin).get("/admin/audit-log/export.csv?kind=coffee"), 422, "kind")
    assert_problem(client.as_(admin).get("/admin/audit-log/export.csv?from=2026-12-02&to=2026-12-01"), 422, "from")


def test_only_admins_export_the_log(client, session):
    """Anonymous 401; staff and leads 403 (problem+json, no CSV)."""
    assert_problem(client.get("/admin/audit-log/export.csv"), 401)
    for role in ("staff", "lead"):
        assert_problem(client.as_(UserFactory(role=role)).get("/admin/audit-log/export.csv"), 403)


def test_someone_who_erased_their_data_is_an_id_in_the_export(client, session):
    """Erasure: their events stay (that they happened) with their id, but no email, name or the account
    they typed — in the export and in the list alike."""
    admin = UserFactory(role="admin")
    eve = UserFactory(email="eve@example.test", display_name="Eve Erased")
    client.post("/auth/login", json={"email": eve.email, "password": WRONG_PASSWORD})
    assert client.as_(admin).patch(f"/admin/users/{eve.id}", json={"display_name": "Eve Renamed"}).status_code == 200
    assert client.as_(eve).delete("/me").status_code == 204

    rows, text = _csv(client, admin, f"?person={eve.id}")
    assert [(r["kind"], r["subject_user_id"], r["subject_email"], r["subject_name"]) for r in rows] == [
        ("admin_user_updated", str(eve.id), "", ""), ("sign_in_failed", str(eve.id), "", "")]
    assert "eve@example.test" not in text and "Eve" not in text
    listed = client.as_(admin).get(f"/admin/audit-log?person={eve.id}").get_json()["items"]
    assert "eve@example.test" not in json.dumps(listed) and "Eve" not in json.dumps(listed)
    assert [json.loads(r["detail"]) for r in rows] == [e["detail"] for e in listed]
