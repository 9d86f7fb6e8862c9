"""Mail transports behind one interface: SMTP (SMTP_URL set) and files (one .eml per message).

`transport(config)` picks one for the app's settings; `send(message)` returns an `Outcome`:

- `sent` — the server accepted it (or the file is written);
- `retry` — the server is unreachable, timed out, answered 4xx, refused our credentials or our
  sender: nothing wrong with this message, so it is tried again later with backoff;
- `failed` — the server refused *this message* for good (5xx for the recipient or the content):
  retrying would get the same answer.

Nothing here logs a message's body or the SMTP password: the bodies carry single-use links.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from api.smtp_url import SmtpUrl, parse_smtp_url

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 30  # seconds per connection step; workers.jobs.mail leases a message for longer


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | retry | failed
    detail: str = ""


class Transport(Protocol):
    def send(self, message: EmailMessage, *, sent_at: datetime, mail_id: int) -> Outcome: ...

    def describe(self) -> str: ...


class SmtpTransport:
    def __init__(self, url: SmtpUrl) -> None:
        self.url = url

    def describe(self) -> str:
        return self.url.redacted()

    def _connect(self) -> smtplib.SMTP:
        u = self.url
        if u.implicit_tls:
            return smtplib.SMTP_SSL(u.host, u.port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context())
        conn = smtplib.SMTP(u.host, u.port, timeout=SMTP_TIMEOUT)
        if u.starttls:
            conn.starttls(context=ssl.create_default_context())
        return conn

    def send(self, message: EmailMessage, *, sent_at: datetime, mail_id: int) -> Outcome:
        try:
            with self._connect() as conn:
                if self.url.username:
                    conn.login(self.url.username, self.url.password or "")
                conn.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _msg in exc.recipients.values()]
            permanent = all(code >= 500 for code in codes)
            return Outcome("failed" if permanent else "retry", f"recipient refused ({', '.join(map(str, codes))})")
        except smtplib.SMTPDataError as exc:
            return Outcome("failed" if exc.smtp_code >= 500 else "retry", f"message refused ({exc.smtp_code})")
        except smtplib.SMTPAuthenticationError as exc:
            log.error("the SMTP server refused our credentials (%s): check SMTP_URL; mail waits and is retried",
                      exc.smtp_code)
            return Outcome("retry", f"authentication refused ({exc.smtp_code})")
        except smtplib.SMTPResponseException as exc:
            return Outcome("retry", f"SMTP {exc.smtp_code}")
        except (OSError, smtplib.SMTPException) as exc:  # refused, unreachable, timed out, TLS failed
            return Outcome("retry", f"{type(exc).__name__}: {str(exc)[:200]}")
        return Outcome("sent")


class FileTransport:
    """Development without SMTP: each message is one RFC 5322 file in `directory`, named so that
    `ls` lists them in the order they were sent (`20261204-101502-123456-000042-invitation.eml`)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def describe(self) -> str:
        return str(self.directory)

    def path_for(self, message: EmailMessage, sent_at: datetime, mail_id: int) -> Path:
        kind = str(message.get("X-Stafet-Kind", "mail"))
        return self.directory / f"{sent_at:%Y%m%d-%H%M%S-%f}-{mail_id:06d}-{kind}.eml"

    def send(self, message: EmailMessage, *, sent_at: datetime, mail_id: int) -> Outcome:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.path_for(message, sent_at, mail_id)
            partial = path.with_suffix(".eml.partial")
            partial.write_bytes(message.as_bytes(policy=policy.SMTP))
            os.replace(partial, path)  # a reader never sees half a message
        except OSError as exc:
            return Outcome("retry", f"{type(exc).__name__}: {exc}")
        log.info("mail %s written to %s (no SMTP_URL)", mail_id, path)
        return Outcome("sent")


def transport(config: Any) -> Transport:
    """SMTP when the app has SMTP_URL, else the folder MAIL_DIR (instance/mail)."""
    if config.get("SMTP_URL"):
        return SmtpTransport(parse_smtp_url(config["SMTP_URL"]))
    return FileTransport(config["MAIL_DIR"])
