"""Bulk import from HR's spreadsheet (issue 17, point 4): a dry run reports, an apply changes, the same
file again changes nothing; a file with any error changes nothing; Danish Excel's semicolons and BOM
work; rows match by employee_id, then email, then username; teams are created only when asked; the
last admin is never demoted; and the console's upload → preview → apply does the same."""

from __future__ import annotations

import html as html_lib
import io
import re

import pytest
from sqlalchemy import func, select

from api.models.teams import Team, TeamMembership
from api.models.users import User
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.helpers import assert_problem

URL = "/admin/users/import"


def _import(client, admin, text: str | bytes, *, dry_run: bool = True, create_teams: bool = False,
            content_type: str = "text/csv; charset=utf-8"):
    body = text.encode() if isinstance(text, str) else text
    query = f"?dry_run={str(dry_run).lower()}&create_teams={str(create_teams).lower()}"
    return client.as_(admin).post(URL + query, data=body, headers={"Content-Type": content_type})


def _report(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _counts(report: dict) -> tuple[int, int, int, int]:
    return report["created"], report["updated"], report["unchanged"], report["invited"]


def _user(session, **by) -> User | None:
    session.expire_all()
    return session.scalars(select(User).filter_by(**by)).first()


def _teams_of(session, user: User) -> dict[str, bool]:
    rows = session.execute(select(Team.name, TeamMembership.is_lead).join(TeamMembership)
                           .where(TeamMembership.user_id == user.id))
    return {name: lead for name, lead in rows}


def _people(session) -> int:
    return session.scalar(select(func.count()).select_from(User))


def _admin(name: str = "Anna Admin", **kw) -> User:
    return UserFactory(role="admin", display_name=name, **kw)


STAFF_LIST = """email,display_name,teams,role,lead_of,employee_id,username,locale
mette@example.test,Mette Hansen,Shop Nord|Lager,lead,Shop Nord,E-1001,,da
,Ali Khan,Lager,,,E-1002,ali.k,en
Jonas@Example.test,Jonas Berg,Shop Nord,staff,,,,
"""


def test_dry_run_then_apply_then_the_same_file_again_changes_nothing(client, session):
    """Dry run: the counts, nothing saved. Apply: the same counts, the people, teams, leads and invitations
    saved. The same file again: every row unchanged."""
    admin = _admin()
    nord, lager = TeamFactory(name="Shop Nord"), TeamFactory(name="Lager")
    jonas = UserFactory(email="jonas@example.test", display_name="J. Berg")
    before = _people(session)

    dry = _report(_import(client, admin, STAFF_LIST))
    assert (_counts(dry), dry["errors"], dry["dry_run"], dry["applied"]) == ((2, 1, 0, 1), [], True, False)
    assert _people(session) == before and _user(session, id=jonas.id).display_name == "J. Berg"

    applied = _report(_import(client, admin, STAFF_LIST, dry_run=False))
    assert (_counts(applied), applied["errors"], applied["applied"]) == ((2, 1, 0, 1), [], True)
    mette = _user(session, email="mette@example.test")
    assert (mette.display_name, mette.role, mette.employee_id, mette.locale) == ("Mette Hansen", "lead", "E-1001", "da")
    assert _teams_of(session, mette) == {"Shop Nord": True, "Lager": False}
    assert mette.invite_token_hash is not None and mette.invite_expires_at is not None  # invited
    ali = _user(session, username="ali.k")
    assert (ali.email, ali.role, ali.locale, ali.invite_token_hash) == (None, "staff", "en", None)
    assert _teams_of(session, ali) == {"Lager": False}
    jonas = _user(session, id=jonas.id)
    assert (jonas.display_name, jonas.role, jonas.email) == ("Jonas Berg", "staff", "jonas@example.test")
    assert _teams_of(session, jonas) == {"Shop Nord": False}
    assert {t.id for t in session.scalars(select(Team))} == {nord.id, lager.id}

    again = _report(_import(client, admin, STAFF_LIST, dry_run=False))
    assert (_counts(again), again["errors"]) == ((0, 0, 3, 0), [])


def test_imported_people_appear_in_the_admin_list(client, session):
    admin = _admin()
    TeamFactory(name="Shop Nord"), TeamFactory(name="Lager")
    _report(_import(client, admin, STAFF_LIST, dry_run=False))

    items = client.as_(admin).get("/admin/users?limit=100").get_json()["items"]

    mette = next(u for u in items if u["email"] == "mette@example.test")
    assert (mette["employee_id"], mette["activated"], [t["name"] for t in mette["teams"]]) == (
        "E-1001", False, ["Shop Nord", "Lager"])


def test_a_file_with_one_bad_row_applies_nothing(client, session):
    admin = _admin()
    TeamFactory(name="Lager")
    before = _people(session)
    text = ("email,display_name,teams\n"
            "a@example.test,Alma,Lager\n"
            "not-an-email,Bo,Lager\n"
            "c@example.test,Cai,Lager\n")

    report = _report(_import(client, admin, text, dry_run=False))

    assert report["applied"] is False
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(3, "email")]
    assert _people(session) == before


# (file body after the header `email,display_name,role,teams,lead_of,username,locale`, row, column)
ROW_ERRORS = [
    ("x@example.test,Xi,boss,,,,", 2, "role"),
    ("x@example.test," + "N" * 81 + ",staff,,,,", 2, "display_name"),
    ("x@example.test,,staff,,,,", 2, "display_name"),
    ("x@example.test,Xi,staff,,,,fr", 2, "locale"),
    (",Xi,staff,,,a b,", 2, "username"),
    (",Xi,staff,,,,", 2, "email"),  # neither email nor username
    ("x@example.test,Xi,staff,Nowhere,,,", 2, "teams"),  # an unknown team without create_teams
    ("x@example.test,Xi,staff,Lager,Lager,,", 2, "lead_of"),  # staff cannot lead
    ("x@example.test,Xi,,,,,\nX@EXAMPLE.TEST,Yu,,,,,", 3, "email"),  # the same email twice, any case
    (",Xi,,,,xi.x,\n,Yu,,,,XI.X,", 3, "username"),
    ("x@example.test,Xi,staff,,,,,extra", 2, None),  # more values than columns
]


@pytest.mark.parametrize(("rows", "row", "column"), ROW_ERRORS)
def test_each_bad_value_is_an_error_on_its_row_and_column(client, session, rows, row, column):
    admin = _admin()
    TeamFactory(name="Lager")
    text = "email,display_name,role,teams,lead_of,username,locale\n" + rows + "\n"

    report = _report(_import(client, admin, text, dry_run=False))

    assert [(e["row"], e["column"]) for e in report["errors"]] == [(row, column)], report["errors"]
    assert report["errors"][0]["message"] and report["applied"] is False


def test_the_header_names_known_columns_in_any_case(client, session):
    admin = _admin()

    unknown = _import(client, admin, "Email,Display_Name,Department\na@example.test,Alma,Sales\n")
    fine = _report(_import(client, admin, "EMAIL,Display_Name\na@example.test,Alma\n"))

    # A header that is not a staff list: a 422 naming the column, nothing read or changed.
    body = assert_problem(unknown, 422)
    assert body["type"].endswith("/not-a-staff-list") and "Unknown column department" in body["detail"]
    assert (_counts(fine), fine["errors"]) == ((1, 0, 0, 1), [])


def test_a_semicolon_file_with_a_bom_from_danish_excel_works(client, session):
    """UTF-8 with BOM, `;`, CRLF, Danish letters; team names compared like everywhere (case-folded)."""
    admin = _admin()
    team = TeamFactory(name="Østerbro")
    text = ("\ufeffemail;display_name;teams;role\r\n"
            "soren@example.test;Søren Ærø;ØSTERBRO;lead\r\n"
            "\"berit@example.test\";\"Berit; fra lageret\";østerbro;\r\n")

    report = _report(_import(client, admin, text.encode("utf-8"), dry_run=False))

    assert (_counts(report), report["errors"]) == ((2, 0, 0, 2), [])
    soren = _user(session, email="soren@example.test")
    assert (soren.display_name, soren.role) == ("Søren Ærø", "lead")
    assert _teams_of(session, soren) == {"Østerbro": False}
    assert _user(session, email="berit@example.test").display_name == "Berit; fra lageret"
    assert session.scalar(select(func.count()).select_from(Team)) == 1 and team.name == "Østerbro"


def test_a_file_that_is_not_utf8_says_so(client, session):
    admin = _admin()

    report = _report(_import(client, admin, "email;display_name\r\nsoren@example.test;Søren\r\n".encode("cp1252")))

    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, None)]
    assert "UTF-8" in report["errors"][0]["message"]


def test_rows_match_by_employee_id_then_email_then_username(client, session):
    admin = _admin()
    hr_known = UserFactory(email="old@example.test", employee_id="E-7", display_name="Ida")
    by_mail = UserFactory(email="kim@example.test", display_name="Kim")
    by_name = UserFactory(email=None, username="lone.w", display_name="Lone")
    text = ("employee_id,email,username,display_name\n"
            "E-7,new@example.test,,Ida\n"  # the employee id wins: Ida's email changes
            "E-8,KIM@example.test,,Kim\n"  # no E-8 yet: the email (any case) is Kim, who gets E-8
            ",,Lone.W,Lone Winther\n")

    report = _report(_import(client, admin, text, dry_run=False))

    assert (_counts(report), report["errors"]) == ((0, 3, 0, 0), [])
    assert _user(session, id=hr_known.id).email == "new@example.test"
    assert _user(session, id=by_mail.id).employee_id == "E-8"
    assert _user(session, id=by_name.id).display_name == "Lone Winther"


def test_a_row_whose_keys_name_two_different_people_is_an_error(client, session):
    admin = _admin()
    UserFactory(email="ida@example.test", employee_id="E-7", display_name="Ida")
    UserFactory(email="kim@example.test", employee_id="E-8", display_name="Kim")

    report = _report(_import(client, admin, "employee_id,email,display_name\nE-7,kim@example.test,Ida\n"
                                             "E-9,ida@example.test,Ida\n", dry_run=False))

    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, "email"), (3, "employee_id")]


def test_unknown_teams_are_created_only_with_create_teams(client, session):
    admin = _admin()
    text = "email,display_name,teams,lead_of,role\na@example.test,Alma,Lager|Kontor,Kontor,lead\nb@example.test,Bo,LAGER,,\n"

    refused = _report(_import(client, admin, text, dry_run=False))
    created = _report(_import(client, admin, text, dry_run=False, create_teams=True))

    assert {(e["row"], e["column"]) for e in refused["errors"]} == {(2, "teams"), (2, "lead_of"), (3, "teams")}
    assert (_counts(created), created["errors"]) == ((2, 0, 0, 2), [])
    assert sorted(session.scalars(select(Team.name))) == ["Kontor", "Lager"]  # "LAGER" is the same team
    assert _teams_of(session, _user(session, email="b@example.test")) == {"Lager": False}


def test_the_last_admin_is_never_demoted(client, session):
    admin = _admin(email="boss@example.test")

    alone = _report(_import(client, admin, "email,display_name,role\nboss@example.test,Anna Admin,staff\n",
                            dry_run=False))
    assert [(e["row"], e["column"]) for e in alone["errors"]] == [(2, "role")]
    assert _user(session, id=admin.id).role == "admin"

    _admin("Bent Admin", email="bent@example.test")
    fine = _report(_import(client, admin, "email,display_name,role\nboss@example.test,Anna Admin,staff\n",
                           dry_run=False))
    assert (_counts(fine), fine["errors"]) == ((0, 1, 0, 0), [])
    assert _user(session, id=admin.id).role == "staff"


def test_nobody_is_imported_under_an_admins_name(client, session):
    admin = _admin("Anna Admin")

    report = _report(_import(client, admin, "email,display_name\nx@example.test,ANNA  admin\n"))

    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, "display_name")]


def test_the_body_must_be_csv_and_not_too_large(client, session):
    admin = _admin()

    assert_problem(_import(client, admin, '{"email": "a@example.test"}', content_type="application/json"), 415)
    assert_problem(_import(client, admin, "email,display_name\n", content_type="text/plain"), 415)
    huge = "email,display_name\n" + "a@example.test,A\n" * (8 * 1024 * 1024 // 17 + 1)
    assert_problem(_import(client, admin, huge), 413)


def test_more_than_20000_people_is_an_error_on_the_first_row_too_many(client, session):
    admin = _admin()
    text = "username,display_name\n" + "".join(f"user{n:05d},U\n" for n in range(20_001))

    report = _report(_import(client, admin, text))

    assert [(e["row"], e["column"]) for e in report["errors"]] == [(20_002, None)]


def test_only_admins_may_import(client, session):
    lead = UserFactory(role="lead")

    assert_problem(_import(client, lead, STAFF_LIST), 403)
    assert_problem(client.post(URL, data=STAFF_LIST, headers={"Content-Type": "text/csv"}), 401)


# --- the console ---------------------------------------------------------------------------------

def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_console_upload_preview_then_apply(app, session):
    """Upload: the dry run's counts and errors; the preview's Apply saves the same file; a file with
    errors offers no Apply."""
    admin = _admin(email="boss@example.test")
    TeamFactory(name="Shop Nord"), TeamFactory(name="Lager")
    web = app.test_client()
    page = web.get("/console/login")
    web.post("/console/login", data={"email": admin.email, "password": PASSWORD,
                                     "csrf_token": _csrf(page.get_data(as_text=True))})
    upload_page = web.get("/console/people/import")
    assert upload_page.status_code == 200
    token = _csrf(upload_page.get_data(as_text=True))

    bad = web.post("/console/people/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(b"email,display_name,role\nx@example.test,Xi,boss\n"), "hr.csv")})
    bad_html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and 'data-testid="import-errors"' in bad_html and "role" in bad_html
    assert 'data-testid="import-apply"' not in bad_html

    before = _people(session)
    preview = web.post("/console/people/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(STAFF_LIST.encode()), "hr.csv")})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'data-testid="import-apply"' in html
    assert re.search(r'data-testid="import-created">3<', html) and re.search(r'data-testid="import-invited">2<', html)
    assert _people(session) == before  # the preview saved nothing

    # What a browser sends back: the textarea's text, unescaped, without the newline after its tag.
    csv_text = html_lib.unescape(re.search(r'<textarea name="csv"[^>]*>\n(.*?)</textarea>', html, re.S).group(1))
    without_csrf = web.post("/console/people/import/apply", data={"csv": csv_text})
    assert without_csrf.status_code == 400 and _people(session) == before
    applied = web.post("/console/people/import/apply", data={
        "csrf_token": _csrf(html), "csv": csv_text, "create_teams": "false"})
    assert applied.status_code == 302
    assert _people(session) == before + 3
    assert _teams_of(session, _user(session, email="mette@example.test")) == {"Shop Nord": True, "Lager": False}
    assert "3 new (2 invited)" in web.get("/console/people").get_data(as_text=True)


def test_the_import_on_postgresql(pg_client, pg_session):
    """The bulk statements on PostgreSQL: apply, then the same file is a no-op."""
    admin = _admin()
    TeamFactory(name="Shop Nord")

    first = _report(_import(pg_client, admin, STAFF_LIST, dry_run=False, create_teams=True))
    again = _report(_import(pg_client, admin, STAFF_LIST, dry_run=False, create_teams=True))

    assert (_counts(first), first["errors"]) == ((3, 0, 0, 2), [])
    assert (_counts(again), again["errors"]) == ((0, 0, 3, 0), [])
    assert _teams_of(pg_session, _user(pg_session, username="ali.k")) == {"Lager": False}


def test_a_file_beyond_the_usual_body_limit_goes_through_the_api_and_the_console(app, client, session):
    """Bodies elsewhere stop at MAX_BODY_BYTES (1 MiB); a staff list may be up to 8 MiB, in the API and in
    the console's upload and hidden Apply field alike."""
    admin = _admin(email="boss@example.test")
    rows = "".join(f"person{n:05d}.{'x' * 60}@example.test,{'Name ' * 14}{n}\n" for n in range(9_000))
    text = "email,display_name\n" + rows
    assert len(text.encode()) > app.config["MAX_BODY_BYTES"]

    report = _report(_import(client, admin, text))
    assert (_counts(report), report["errors"]) == ((9_000, 0, 0, 9_000), [])

    web = app.test_client()
    page = web.get("/console/login")
    web.post("/console/login", data={"email": admin.email, "password": PASSWORD,
                                     "csrf_token": _csrf(page.get_data(as_text=True))})
    token = _csrf(web.get("/console/people/import").get_data(as_text=True))
    preview = web.post("/console/people/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(text.encode()), "hr.csv")})
    assert preview.status_code == 200 and 'data-testid="import-apply"' in preview.get_data(as_text=True)
    applied = web.post("/console/people/import/apply", data={"csrf_token": token, "csv": text})
    assert applied.status_code == 302 and _people(session) == 9_001


def test_imported_people_get_their_invitation_mail_and_can_activate(client, session, mail_dir):
    """A new person with an email is mailed the staff app's activation link (in their language);
    someone with only a username gets no mail; a dry run mails no one."""
    from tests.mailbox import eml_files, link_in, mails_in, token_of

    folder = mail_dir
    admin = UserFactory(role="admin")
    text = ("email,display_name,username,locale\n"
            "freja@example.test,Freja Holm,,da\n"
            ",Ali Musa,ali.m,en\n")

    dry = _report(_import(client, admin, text, dry_run=True))
    assert dry["invited"] == 1 and eml_files(folder) == []
    done = _report(_import(client, admin, text, dry_run=False))

    assert (done["created"], done["invited"]) == (2, 1)
    [mail] = mails_in(folder, to="freja@example.test")
    assert mail["Subject"] == "Du er inviteret til Stafet"
    assert link_in(mail).startswith("https://go.stafet.test/app/activate?token=")
    r = client.post("/auth/activate", json={"invite_token": token_of(link_in(mail)), "password": "my-first-password-1"})
    assert r.status_code == 200, r.get_json()
    assert len(eml_files(folder)) == 1
