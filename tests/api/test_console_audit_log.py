"""The console's audit log page (issue 18, point 4, for admins on the web): the latest events with
filters by person and kind, "Older" pages, and a "Download CSV" link to the same export as the API.
Admins only: a lead is sent back to the dashboard, staff to the app."""

from __future__ import annotations

import csv
import io
import re

from api.services import audit
from tests.api.test_console import _csrf, _signed_in
from tests.factories import PASSWORD, UserFactory

HEADER = ["id", "occurred_at", "kind", "actor_id", "actor_email", "actor_name",
          "subject_user_id", "subject_email", "subject_name", "detail"]
EVIL_NAME = "=1+2"


def _rows(table_html: str) -> list[str]:
    return re.findall(r"<tr data-id=.*?</tr>", table_html, flags=re.S)


def test_admins_read_the_log_filter_it_and_download_it(app, session):
    """A failed sign-in and a role change made in the console are listed, filtered by person and kind,
    and the page links the CSV of what it shows."""
    admin = UserFactory(role="admin", email="boss@example.test", display_name="Boss")
    ann = UserFactory(email="ann@example.test", display_name=EVIL_NAME)
    bob = UserFactory(email="bob@example.test", display_name="Bob")
    web = _signed_in(app, admin)
    login = app.test_client()
    page = login.get("/console/login").get_data(as_text=True)
    login.post("/console/login", data={"email": ann.email, "password": "wrong-password-1", "csrf_token": _csrf(page)})
    people = web.get("/console/people").get_data(as_text=True)
    saved = web.post(f"/console/people/{bob.id}", data={"role": "lead", "active": "true", "csrf_token": _csrf(people)})
    assert saved.status_code == 302

    html = web.get("/console/audit-log").get_data(as_text=True)
    assert 'href="/console/audit-log"' in html.split("<main>")[0]  # in the admin's nav
    events = _rows(html)
    assert any("sign in failed" in r and f"{EVIL_NAME} (ann@example.test)" in r for r in events)
    assert any("admin user updated" in r and "Bob (bob@example.test)" in r and "&#34;lead&#34;" in r for r in events)
    assert "wrong-password-1" not in html and PASSWORD not in html

    only_ann = web.get(f"/console/audit-log?person={ann.id}").get_data(as_text=True)
    assert ["sign in failed" in r for r in _rows(only_ann)] == [True]
    link = re.search(r'id="audit-csv" href="([^"]+)"', only_ann).group(1).replace("&amp;", "&")
    assert link == f"/console/audit-log/export.csv?person={ann.id}"
    r = web.get(link)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert rows[0] == HEADER
    assert [(row[2], row[7], row[8]) for row in rows[1:]] == [("sign_in_failed", "ann@example.test", "'" + EVIL_NAME)]

    by_kind = web.get("/console/audit-log?kind=admin_user_updated").get_data(as_text=True)
    assert len(_rows(by_kind)) == 1 and "Bob (bob@example.test)" in _rows(by_kind)[0]
    assert "export.csv?kind=admin_user_updated" in by_kind


def test_older_events_are_a_page_away(app, session):
    """50 events a page, newest first; "Older" shows the rest and then no "Older"."""
    admin = UserFactory(role="admin")
    for _ in range(55):
        audit.record(session, "sign_in", actor_id=admin.id, subject_user_id=admin.id, detail={"method": "password"})
    session.commit()
    web = _signed_in(app, admin)  # one more sign-in: 56 events

    first = web.get("/console/audit-log").get_data(as_text=True)
    older = re.search(r'id="audit-older" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = web.get(older).get_data(as_text=True)
    assert len(_rows(first)) == 50 and len(_rows(second)) == 6 and 'id="audit-older"' not in second
    ids = lambda html: [int(i) for i in re.findall(r'data-id="(\d+)"', html)]  # noqa: E731
    assert ids(first) and min(ids(first)) > max(ids(second))


def test_a_forged_cursor_or_filter_is_a_message_not_an_error(app, session):
    web = _signed_in(app, UserFactory(role="admin"))
    for query in ("?cursor=forged", "?kind=coffee", "?person=abc"):
        r = web.get(f"/console/audit-log{query}")
        assert r.status_code == 200 and 'class="flash error"' in r.get_data(as_text=True), query
    bad_window = web.get("/console/audit-log/export.csv?from=2026-12-02&to=2026-12-01")
    assert bad_window.status_code == 302 and bad_window.headers["Location"].endswith("/console/audit-log")


def test_the_page_and_the_download_are_for_admins_only(app, session):
    """A lead is sent to the dashboard and staff to the app page, for the page and the CSV alike;
    neither sees the nav link; signed out, the sign-in page."""
    lead, staff = UserFactory(role="lead"), UserFactory()
    anonymous = app.test_client()
    for path in ("/console/audit-log", "/console/audit-log/export.csv"):
        assert "/console/login" in anonymous.get(path).headers["Location"]
        r = _signed_in(app, lead).get(path)
        assert r.status_code == 302 and r.headers["Location"].endswith("/console/")
        page = _signed_in(app, staff).get(path)
        assert page.mimetype == "text/html" and "Stafet app" in page.get_data(as_text=True)
    assert "audit-log" not in _signed_in(app, lead).get("/console/").get_data(as_text=True)
