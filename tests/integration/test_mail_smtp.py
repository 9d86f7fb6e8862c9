"""Mail through a real SMTP server (aiosmtpd, started by the test on a free port), with real
PostgreSQL — and Redis with RQ workers for the outage: invitations arrive with a working link,
multipart, in the recipient's language; an SMTP outage loses nothing and sends nothing twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from flask import Flask
from redis import Redis
from sqlalchemy import select

from api.clock import utcnow
from api.db import Base, db
from api.models.mail import MailMessage
from tests.conftest import base_env, build_app, empty_database, inspection_session
from tests.factories import UserFactory
from tests.helpers import ApiClient, run_jobs
from tests.mailbox import SmtpSink, free_port, html_of, link_in, text_of, token_of
from workers.jobs.mail import send_due_mail
from workers.outbox import sweep_outbox

pytestmark = [pytest.mark.postgres]

FROM = "Stafet <hello@stafet.test>"


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink(free_port())
    yield sink
    sink.stop()


def _app(tmp, pg_url: str, smtp_url: str, **env: str) -> Flask:
    app = build_app(base_env(tmp, DATABASE_URL=pg_url, SMTP_URL=smtp_url, MAIL_FROM=FROM, **env))
    Base.metadata.create_all(app.extensions["stafet.db"]["engine"])
    return app


@pytest.fixture
def mail_app(pg_url, smtp, tmp_path) -> Iterator[Flask]:
    """Jobs run in the request's process after the commit (EMBEDDED_JOBS=inline); Danish by default."""
    app = _app(tmp_path, pg_url, f"smtp://127.0.0.1:{smtp.port}", DEFAULT_LANGUAGE="da")
    yield app
    empty_database(app)
    db.dispose(app)


@pytest.fixture
def rq_mail_app(pg_url, redis_url, smtp, tmp_path) -> Iterator[Flask]:
    """The production shape: the request queues an RQ job on Redis; workers send."""
    Redis.from_url(redis_url).flushdb()
    app = _app(tmp_path, pg_url, f"smtp://127.0.0.1:{smtp.port}", REDIS_URL=redis_url)
    yield app
    empty_database(app)
    Redis.from_url(redis_url).flushdb()
    db.dispose(app)


@pytest.fixture
def people(mail_app) -> Iterator[dict]:
    s = inspection_session(mail_app)
    yield {"admin": UserFactory(role="admin"), "ada": UserFactory(email="ada@example.test", locale="en")}
    s.close()
    s.get_bind().dispose()


def test_the_invitation_arrives_with_a_working_link(mail_app, smtp, people):
    smtp.start()
    client = ApiClient(mail_app).as_(people["admin"])

    r = client.post("/admin/users", json={"email": "nora@example.test", "display_name": "Nora Newcomer"})

    assert r.status_code == 201, r.get_json()
    [mail] = smtp.messages(to="nora@example.test")
    assert mail["From"] == FROM and mail["To"] == "nora@example.test"
    url = link_in(mail)
    assert url == r.get_json()["invite_url"]
    activated = ApiClient(mail_app).post("/auth/activate", json={"invite_token": token_of(url),
                                                                 "password": "my-first-password-1"})
    assert activated.status_code == 200, activated.get_json()
    assert activated.get_json()["user"]["email"] == "nora@example.test"


def test_mail_is_multipart_and_in_the_recipients_language(mail_app, smtp, people):
    """No language chosen: DEFAULT_LANGUAGE (da here); Ada chose English."""
    smtp.start()
    admin = ApiClient(mail_app).as_(people["admin"])
    assert admin.post("/admin/users", json={"email": "nora@example.test", "display_name": "Nora"}).status_code == 201
    assert ApiClient(mail_app).post("/auth/password-reset", json={"email": "ada@example.test"}).status_code == 202

    [danish] = smtp.messages(to="nora@example.test")
    [english] = smtp.messages(to="ada@example.test")

    for mail in (danish, english):
        assert mail.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html"]
        assert link_in(mail) in html_of(mail).replace("&amp;", "&")
    assert danish["Subject"] == "Du er inviteret til Stafet" and danish["Content-Language"] == "da"
    assert "Vælg din adgangskode" in text_of(danish)
    assert english["Subject"] == "Reset your Stafet password" and english["Content-Language"] == "en"
    assert link_in(english).startswith("https://go.stafet.test/app/reset?token=")


def test_a_sent_mail_keeps_no_link_in_the_database(mail_app, smtp, people, pg_session):
    smtp.start()
    assert ApiClient(mail_app).post("/auth/password-reset", json={"email": "ada@example.test"}).status_code == 202

    row = pg_session.scalars(select(MailMessage)).one()
    assert row.sent_at is not None and row.text is None and row.html is None and row.attempts == 1


def test_an_smtp_outage_loses_nothing_and_sends_once(rq_mail_app, smtp, pg_session):
    """Server down: the invitation is still created (201), the send fails and is scheduled again;
    server up, the retry is due: the mail arrives exactly once, however often the jobs run."""
    admin = UserFactory(role="admin")
    client = ApiClient(rq_mail_app).as_(admin)
    before = utcnow()

    r = client.post("/admin/users", json={"email": "nora@example.test", "display_name": "Nora Newcomer"})
    assert r.status_code == 201
    assert run_jobs(rq_mail_app) >= 1  # the mail job ran on the default queue, and failed to connect

    row = pg_session.scalars(select(MailMessage)).one()
    assert row.sent_at is None and row.failed_at is None and row.attempts == 1
    assert row.last_error and "Connection" in row.last_error
    assert row.next_attempt_at >= before + timedelta(seconds=30)  # the first backoff, from the attempt

    smtp.start()
    # Just before the retry is due (a clock set, not waited for: a slow machine must not make it due).
    with time_machine.travel(row.next_attempt_at - timedelta(seconds=1)):
        with rq_mail_app.app_context():
            assert send_due_mail() == 0  # not due yet: backoff
    assert smtp.messages() == []

    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1)):
        with rq_mail_app.app_context():
            sweep_outbox()
            assert send_due_mail() == 1
            assert send_due_mail() == 0
        run_jobs(rq_mail_app)

    [mail] = smtp.messages()
    assert mail["To"] == "nora@example.test" and link_in(mail) == r.get_json()["invite_url"]
    pg_session.expire_all()
    row = pg_session.scalars(select(MailMessage)).one()
    assert row.sent_at is not None and row.attempts == 2 and row.last_error is None


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")  # a local test server
def test_smtp_with_a_password(pg_url, tmp_path):
    """SMTP_URL's user and password (percent-encoded) sign in to the server."""
    sink = SmtpSink(free_port(), auth=("stafet", "s3cret pass"))
    sink.start()
    app = _app(tmp_path, pg_url, f"smtp://stafet:s3cret%20pass@127.0.0.1:{sink.port}")
    try:
        s = inspection_session(app)
        admin = UserFactory(role="admin")
        r = ApiClient(app).as_(admin).post("/admin/users", json={"email": "nora@example.test", "display_name": "N"})
        assert r.status_code == 201
        assert [m["To"] for m in sink.messages()] == ["nora@example.test"]
        s.close()
        s.get_bind().dispose()
    finally:
        sink.stop()
        empty_database(app)
        db.dispose(app)


def test_a_refusal_for_good_is_not_retried(pg_url, tmp_path):
    """A 550 for the recipient is the server's final word: the mail is marked failed, not retried."""
    class Refusing(SmtpSink):
        async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
            return "550 no such mailbox"

    sink = Refusing(free_port())
    sink.start()
    app = _app(tmp_path, pg_url, f"smtp://127.0.0.1:{sink.port}")
    try:
        s = inspection_session(app)
        admin = UserFactory(role="admin")
        assert ApiClient(app).as_(admin).post(
            "/admin/users", json={"email": "nobody@example.test", "display_name": "N"}).status_code == 201
        row = s.scalars(select(MailMessage)).one()
        assert row.failed_at is not None and row.sent_at is None and "550" in row.last_error
        with time_machine.travel(utcnow() + timedelta(hours=2)), app.app_context():
            assert send_due_mail() == 0
        s.close()
        s.get_bind().dispose()
    finally:
        sink.stop()
        empty_database(app)
        db.dispose(app)
