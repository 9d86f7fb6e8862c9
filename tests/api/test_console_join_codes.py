"""The console's Join codes page: a lead makes and revokes codes, prints a poster, and decides requests."""

from __future__ import annotations

import html

from sqlalchemy import select

from api.models.join_codes import JoinCode, JoinRequest
from api.models.users import User
from tests.api.test_console import _csrf, _post, _signed_in
from tests.factories import TeamFactory, UserFactory, lead_of


def _join(client, code, username):
    return client.post("/auth/join", json={"code": code, "display_name": f"Joiner {username}",
                                           "password": "warehouse-night-shift", "username": username})


def test_a_lead_makes_a_code_prints_its_poster_and_revokes_it(app, client, session):
    team = TeamFactory(name="Harbour")
    lead = lead_of(team)
    web = _signed_in(app, lead)

    made = _post(web, f"/console/teams/{team.id}/join-codes", {"days": "30", "max_uses": "40"})
    assert made.status_code == 302
    code = session.scalar(select(JoinCode))
    assert (code.max_uses, code.auto_approve) == (40, False)

    page = web.get("/console/join-codes").get_data(as_text=True)
    display = f"{code.code[:4]}-{code.code[4:8]}-{code.code[8:]}"
    assert "Harbour" in page and display in page

    poster = web.get(f"/console/teams/{team.id}/join-codes/{code.id}/poster")
    text = poster.get_data(as_text=True)
    assert poster.status_code == 200
    assert "Join Harbour on Stafet" in text and display in text and "<svg" in text
    assert html.escape(f"https://go.stafet.test/app/join?code={display}") in text  # the QR's title names its link

    _post(web, f"/console/teams/{team.id}/join-codes/{code.id}/revoke", {})
    session.expire_all()
    assert session.get(JoinCode, code.id).revoked_at is not None


def test_a_lead_approves_and_declines_from_the_page(app, client, session):
    team = TeamFactory(name="Harbour")
    lead = lead_of(team)
    code = client.as_(lead).post(f"/teams/{team.id}/join-codes", json={}).get_json()["code"]
    assert _join(client, code, "ann").status_code == 202 and _join(client, code, "ben").status_code == 202
    web = _signed_in(app, lead)
    ann, ben = session.scalars(select(JoinRequest).order_by(JoinRequest.id))

    assert "Joiner ann" in web.get("/console/join-codes").get_data(as_text=True)
    _post(web, f"/console/teams/{team.id}/join-requests/{ann.id}/approve", {})
    _post(web, f"/console/teams/{team.id}/join-requests/{ben.id}/decline", {})

    session.expire_all()
    assert session.scalar(select(User).where(User.username == "ann")).is_active
    assert session.scalar(select(User).where(User.username == "ben")) is None
    assert [r.status for r in session.scalars(select(JoinRequest).order_by(JoinRequest.id))] == [
        "approved", "declined"]


def test_another_teams_poster_and_requests_are_out_of_reach(app, client, session):
    harbour, depot = TeamFactory(name="Harbour"), TeamFactory(name="Depot")
    lead, other = lead_of(harbour), lead_of(depot)
    made = client.as_(lead).post(f"/teams/{harbour.id}/join-codes", json={}).get_json()
    _join(client, made["code"], "ann")
    request_id = session.scalar(select(JoinRequest.id))
    web = _signed_in(app, other)

    assert web.get(f"/console/teams/{harbour.id}/join-codes/{made['id']}/poster").status_code == 404
    assert "Harbour" not in web.get("/console/join-codes").get_data(as_text=True)
    _post(web, f"/console/teams/{harbour.id}/join-requests/{request_id}/approve", {})
    session.expire_all()
    assert session.get(JoinRequest, request_id).status == "pending"


def test_someone_awaiting_approval_is_told_so_at_the_console_door(app, client, session):
    team = TeamFactory(name="Harbour")
    admin = UserFactory(role="admin")
    code = client.as_(admin).post(f"/teams/{team.id}/join-codes", json={}).get_json()["code"]
    client.post("/auth/join", json={"code": code, "display_name": "Mia", "password": "warehouse-night-shift",
                                    "email": "mia@example.test"})
    web = app.test_client()
    page = web.get("/console/login")
    r = web.post("/console/login", data={"email": "mia@example.test", "password": "warehouse-night-shift",
                                         "csrf_token": _csrf(page.get_data(as_text=True))})

    assert r.status_code == 403 and "approval" in r.get_data(as_text=True)
