"""The social media policy (issue 17, point 6): admins publish versions; until a person accepted the
current version, sharing answers 409 policy-not-accepted; a new version asks again; without a policy
nothing is gated. Through the HTTP API on PostgreSQL."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from api.models.policies import PolicyAcceptance
from api.models.shares import Share
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.factories_content import PostFactory
from tests.helpers import ApiClient, assert_problem

POLICY = "Share what is public. Never share customers' names or faces without their consent."


pytestmark = pytest.mark.postgres  # `client` and `session` are on PostgreSQL (tests/conftest.py)


def _publish(client, admin, text=POLICY):
    return client.as_(admin).put("/admin/policy", json={"text": text})


def _share(client, user, post):
    return client.as_(user).post(f"/posts/{post.id}/shares", json={"network": "linkedin", "caption": "We did it"})


def _accept(client, user, version):
    return client.as_(user).post("/me/policy-acceptance", json={"version": version})


def test_without_a_policy_nothing_is_gated(client, session):
    """No policy: GET /policy says version null and accepted, /me says the same, and sharing works."""
    ann, post = UserFactory(), PostFactory()

    r = client.as_(ann).get("/policy")

    assert r.status_code == 200
    assert r.get_json() == {"version": None, "text": None, "published_at": None, "accepted": True}
    assert client.as_(ann).get("/me").get_json()["policy"] == {"version": None, "accepted": True}
    assert _share(client, ann, post).status_code == 201


def test_a_published_policy_gates_sharing_until_accepted(client, session):
    """409 policy-not-accepted → read it → accept → 201; the share was not recorded before."""
    admin, ann, post = UserFactory(role="admin"), UserFactory(), PostFactory()
    published = _publish(client, admin)
    assert published.status_code == 200, published.get_json()
    assert published.get_json()["version"] == 1 and published.get_json()["text"] == POLICY

    refused = assert_problem(_share(client, ann, post), 409)

    assert refused["type"].endswith("/policy-not-accepted")
    assert "policy" in refused["detail"] and "/me/policy-acceptance" in refused["detail"]
    assert session.scalars(select(Share)).all() == []
    assert client.as_(ann).get("/me").get_json()["policy"] == {"version": 1, "accepted": False}
    shown = client.as_(ann).get("/policy").get_json()
    assert (shown["version"], shown["text"], shown["accepted"]) == (1, POLICY, False)

    assert _accept(client, ann, 1).status_code == 204

    assert client.as_(ann).get("/policy").get_json()["accepted"] is True
    assert client.as_(ann).get("/me").get_json()["policy"] == {"version": 1, "accepted": True}
    assert _share(client, ann, post).status_code == 201


def test_the_caption_hint_stays_available_before_accepting(client, session):
    """Only the share is gated: the caption check answers as usual."""
    admin, ann, post = UserFactory(role="admin"), UserFactory(), PostFactory()
    _publish(client, admin)

    r = client.as_(ann).post(f"/posts/{post.id}/caption-check", json={"network": "linkedin", "caption": "Mine"})

    assert r.status_code == 200


def test_a_new_version_asks_again(client, session):
    """Accepted v1, v2 published: sharing is 409 again until v2 is accepted."""
    admin, ann, post = UserFactory(role="admin"), UserFactory(), PostFactory()
    _publish(client, admin)
    _accept(client, ann, 1)
    assert _share(client, ann, post).status_code == 201

    v2 = _publish(client, admin, POLICY + "\n\nTag the company page.")
    assert v2.get_json()["version"] == 2

    assert_problem(_share(client, ann, post), 409)
    assert client.as_(ann).get("/me").get_json()["policy"] == {"version": 2, "accepted": False}
    assert _accept(client, ann, 2).status_code == 204
    assert _share(client, ann, post).status_code == 201


def test_the_same_text_makes_no_new_version(client, session):
    """Publishing the current text again answers that version; a changed one counts up by one."""
    admin = UserFactory(role="admin")
    first = _publish(client, admin).get_json()

    again = _publish(client, admin)

    assert again.status_code == 200 and again.get_json() == first
    assert _publish(client, admin, "Another text").get_json()["version"] == 2
    assert _publish(client, admin, POLICY).get_json()["version"] == 3  # the old text again is a change


def test_accepting_a_version_that_is_not_current_is_refused(client, session):
    """An outdated version (a newer one was published since) or one that does not exist: 409, nothing kept."""
    admin, ann = UserFactory(role="admin"), UserFactory()
    assert_problem(_accept(client, ann, 1), 409)  # no policy at all
    _publish(client, admin)
    _publish(client, admin, "Version two")

    for version in (1, 3):
        body = assert_problem(_accept(client, ann, version), 409)
        assert body["type"].endswith("/policy-version-not-current") and "Version 2" in body["detail"]
    assert session.scalars(select(PolicyAcceptance)).all() == []
    assert _accept(client, ann, 2).status_code == 204
    assert _accept(client, ann, 2).status_code == 204  # again: harmless
    assert [(a.user_id, a.version) for a in session.scalars(select(PolicyAcceptance))] == [(ann.id, 2)]


@pytest.mark.parametrize("body, field", [
    ({"text": ""}, "text"),
    ({"text": "   \n  "}, "text"),  # only white space is no policy
    ({"text": "x" * 20_001}, "text"),
    ({}, "text"),
    ({"text": POLICY, "title": "Extra"}, "title"),
])
def test_policy_text_must_be_1_to_20000_characters(client, session, body, field):
    admin = UserFactory(role="admin")
    assert_problem(client.as_(admin).put("/admin/policy", json=body), 422, field)
    assert client.as_(admin).get("/policy").get_json()["version"] is None


def test_a_20000_character_policy_is_kept_whole(client, session):
    admin = UserFactory(role="admin")
    text = ("Be kind. " * 2500)[:19_999] + "!"
    assert len(text) == 20_000
    assert _publish(client, admin, text).status_code == 200
    assert client.as_(admin).get("/policy").get_json()["text"] == text


@pytest.mark.parametrize("body", [{"version": "1"}, {"version": 0}, {}, {"version": 1, "extra": True}])
def test_acceptance_needs_a_version_number(client, session, body):
    admin, ann = UserFactory(role="admin"), UserFactory()
    _publish(client, admin)
    assert_problem(_accept_raw(client, ann, body), 422)


def _accept_raw(client, user, body):
    return client.as_(user).post("/me/policy-acceptance", json=body)


def test_only_admins_publish_and_everyone_signed_in_reads(client, session):
    team = TeamFactory()
    lead, staff = UserFactory(role="lead", teams=[team], teams__lead=True), UserFactory(teams=[team])
    assert_problem(_publish(client, lead), 403)
    assert_problem(_publish(client, staff), 403)
    assert_problem(client.put("/admin/policy", json={"text": POLICY}), 401)
    assert_problem(client.get("/policy"), 401)
    assert client.as_(staff).get("/policy").status_code == 200


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _console(app, user):
    web = app.test_client()
    page = web.get("/console/login")
    assert web.post("/console/login", data={"email": user.email, "password": PASSWORD,
                                            "csrf_token": _csrf(page.get_data(as_text=True))}).status_code == 302
    return web


def _console_publish(web, text):
    page = web.get("/console/policy")
    return web.post("/console/policy", data={"text": text, "csrf_token": _csrf(page.get_data(as_text=True))},
                    follow_redirects=True)


def test_admins_edit_the_policy_in_the_console_with_its_history(pg_app, client, session):
    """The console publishes through the same rules: a version per changed text, the history with
    how many accepted each, an empty text refused."""
    admin, ann = UserFactory(role="admin", display_name="Ada Admin"), UserFactory()
    web = _console(pg_app, admin)
    assert "No policy yet" in web.get("/console/policy").get_data(as_text=True)

    first = _console_publish(web, POLICY)
    assert first.status_code == 200 and "Published version 1" in first.get_data(as_text=True)
    assert _accept(client, ann, 1).status_code == 204
    second = _console_publish(web, POLICY + " Ask first.").get_data(as_text=True)
    same = _console_publish(web, POLICY + " Ask first.").get_data(as_text=True)
    empty = _console_publish(web, "   ").get_data(as_text=True)

    assert "Published version 2" in second and "nothing changed" in same and "text:" in empty
    assert client.as_(ann).get("/policy").get_json()["version"] == 2
    history = web.get("/console/policy").get_data(as_text=True)
    rows = re.findall(r"<td>(\d+)(?: \(current\))?</td>\s*<td>[^<]*</td><td>([^<]*)</td>\s*<td>(\d+) (?:person|people)</td>",
                      history)
    assert rows == [
        ("2", "Ada Admin", "0"), ("1", "Ada Admin", "1")]


def test_leads_cannot_open_the_policy_page(pg_app, session):
    lead = UserFactory(role="lead")
    web = _console(pg_app, lead)
    assert web.get("/console/policy").status_code == 302
    assert web.post("/console/policy", data={"text": "x", "csrf_token": _csrf(
        web.get("/console/").get_data(as_text=True))}).status_code == 302
    assert ApiClient(pg_app).as_(lead).get("/policy").get_json()["version"] is None


def test_my_export_lists_the_versions_i_accepted_and_erasure_removes_them(client, session):
    admin, ann = UserFactory(role="admin"), UserFactory()
    _publish(client, admin)
    _accept(client, ann, 1)

    export = client.as_(ann).get("/me/export").get_json()

    assert [a["version"] for a in export["policy_acceptances"]] == [1]
    assert client.as_(ann).delete("/me").status_code == 204
    assert session.scalars(select(PolicyAcceptance)).all() == []
