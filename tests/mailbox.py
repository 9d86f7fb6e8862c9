"""Reading the mail the app sent: from the file transport's folder, or a real SMTP server
(aiosmtpd) the tests start on a free port."""

from __future__ import annotations

import re
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller

LINK = re.compile(r"https://go\.stafet\.test/app/[a-z]+\?token=[A-Za-z0-9_%-]+")


def parse(raw: bytes) -> EmailMessage:
    return message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]


def eml_files(folder: str | Path) -> list[Path]:
    path = Path(folder)
    return sorted(path.glob("*.eml")) if path.is_dir() else []


def mails_in(folder: str | Path, to: str | None = None) -> list[EmailMessage]:
    """The .eml files of the folder in name order (= the order they were sent), optionally to one address."""
    mails = [parse(p.read_bytes()) for p in eml_files(folder)]
    return [m for m in mails if to is None or m["To"] == to]


def text_of(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain",))
    assert part is not None, "no text/plain part"
    return part.get_content()


def html_of(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("html",))
    assert part is not None, "no text/html part"
    return part.get_content()


def link_in(mail: EmailMessage) -> str:
    links = LINK.findall(text_of(mail))
    assert len(links) == 1, links
    return links[0]


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    """A real SMTP server (aiosmtpd) keeping every message it accepts; start and stop it at will
    to play an outage. `auth`: (user, password) it requires, over plain SMTP (tests only)."""

    def __init__(self, port: int, auth: tuple[str, str] | None = None) -> None:
        self.port = port
        self.auth = auth
        self.received: list[tuple[list[str], EmailMessage]] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        with self._lock:
            self.received.append((list(envelope.rcpt_tos), parse(envelope.original_content or envelope.content)))
        return "250 OK"

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = isinstance(auth_data, LoginPassword) and self.auth is not None and (
            auth_data.login.decode(), auth_data.password.decode()) == self.auth
        return AuthResult(success=ok)

    def start(self) -> None:
        kwargs: dict[str, Any] = {}
        if self.auth:
            kwargs.update(authenticator=self._authenticate, auth_required=True, auth_require_tls=False)
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **kwargs)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        with self._lock:
            return [m for rcpts, m in self.received if to is None or to in rcpts]
