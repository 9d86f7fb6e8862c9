"""The console's part of issue 17: who has not activated yet, resending invitations in bulk, and a
reset link with a QR code for people without email (admins for anyone, leads for their staff)."""

from __future__ import annotations

import html
import re

from tests.api.test_console import _post, _signed_in
from tests.factories import TeamFactory, UserFactory, lead_of
from tests.mailbox import link_in, mails_in, token_of


def _pending(**kw):
    return UserFactory(password_hash=None, activated_at=None, **kw)


def test_inviting_from_the_console_mails_the_invitation(app, session, mail_dir):
    admin = UserFactory(role="admin")
    web = _signed_in(app, admin)

    r = _post(web, "/console/people/invite", {"email": "nora@example.test", "display_name": "Nora", "role": "staff"})

    assert r.status_code == 302
    [mail] = mails_in(mail_dir, to="nora@example.test")
    page = web.get("/console/people").get_data(as_text=True)
    assert html.escape(link_in(mail)) in page  # the same link, for handing over another way
    pending = page.split('id="pending"')[1].split("</div>")[0]
    assert "Nora" in pending


def test_the_people_page_lists_only_who_has_not_activated_as_pending(app, session):
    admin = UserFactory(role="admin")
    _pending(display_name="Pending Pia")
    UserFactory(display_name="Active Anna")
    _pending(display_name="Gone Gustav", is_active=False)

    page = _signed_in(app, admin).get("/console/people").get_data(as_text=True)

    pending = page.split('id="pending"')[1].split("</div>")[0]
    assert "Not activated yet (1)" in pending
    assert "Pending Pia" in pending and "Active Anna" not in pending and "Gone Gustav" not in pending


def test_resending_to_the_ticked_people_mails_only_them_and_kills_their_old_links(app, session, mail_dir, client):
    admin = UserFactory(role="admin")
    pia = _pending(email="pia@example.test")
    _pending(email="per@example.test")
    web = _signed_in(app, admin)
    old = client.as_(admin).post(f"/admin/users/{pia.id}/invitation").get_json()["invite_token"]

    r = _post(web, "/console/people/invitations", {"user_ids": [str(pia.id)]})

    assert r.status_code == 302
    assert len(mails_in(mail_dir, to="pia@example.test")) == 2 and mails_in(mail_dir, to="per@example.test") == []
    new = token_of(link_in(mails_in(mail_dir, to="pia@example.test")[-1]))
    assert client.post("/auth/activate", json={"invite_token": old, "password": "pia-password-123"}).status_code == 401
    assert client.post("/auth/activate", json={"invite_token": new, "password": "pia-password-123"}).status_code == 200
    assert "New invitation mailed to 1 person" in web.get("/console/people").get_data(as_text=True)


def test_resending_to_everyone_pending(app, session, mail_dir):
    admin = UserFactory(role="admin")
    for name in ("pia", "per", "pil"):
        _pending(email=f"{name}@example.test")
    UserFactory(email="active@example.test")
    _pending(email=None, username="mia.k")  # no address: nothing to mail

    _post(_signed_in(app, admin), "/console/people/invitations", {"scope": "all"})

    assert sorted(m["To"] for m in mails_in(mail_dir)) == ["per@example.test", "pia@example.test",
                                                           "pil@example.test"]


def _link_on(page: str) -> str:
    return html.unescape(re.search(r"<code>(https://go\.stafet\.test/app/reset\?token=[^<]+)</code>", page).group(1))


def test_an_admin_shows_a_reset_link_as_a_qr_code(app, session, client):
    admin = UserFactory(role="admin")
    mia = UserFactory(email=None, username="mia.k")

    r = _post(_signed_in(app, admin), f"/console/people/{mia.id}/reset-link", {})

    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert '<img src="data:image/svg+xml' in page
    assert "img-src 'self' data:" in r.headers["Content-Security-Policy"]
    assert r.headers["Cache-Control"] == "no-store"
    token = token_of(_link_on(page))
    done = client.post("/auth/password-reset/confirm", json={"token": token, "password": "mia-new-password-1"})
    assert done.status_code == 200


def test_a_lead_sees_their_staff_and_gets_links_only_for_them(app, session):
    harbour, depot = TeamFactory(name="Harbour"), TeamFactory(name="Depot")
    lead = lead_of(harbour)
    mine = UserFactory(display_name="Mine Mads", teams=[harbour])
    theirs = UserFactory(display_name="Their Tove", teams=[depot])
    web = _signed_in(app, lead)

    page = web.get("/console/team-people").get_data(as_text=True)
    assert "Mine Mads" in page and "Their Tove" not in page

    ok = _post(web, f"/console/people/{mine.id}/reset-link", {})
    assert ok.status_code == 200 and "/app/reset?token=" in ok.get_data(as_text=True)

    refused = _post(web, f"/console/people/{theirs.id}/reset-link", {})
    assert refused.status_code == 302
    after = web.get("/console/team-people").get_data(as_text=True)
    assert "Leads can issue reset links for staff in the teams they lead" in after
    assert "/app/reset?token=" not in after
