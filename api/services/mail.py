"""Outgoing mail: composed in the recipient's language and queued in the caller's transaction.

`queue(...)` writes a `mail_messages` row and an outbox row (topic MAIL) in the same transaction
as the change that causes the mail — an invitation, a password reset — so the mail goes out if
and only if that change commits. The worker (workers/jobs/mail.py) sends it with retries; nothing
here touches the network.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.orm import Session

from api import outbox
from api.models.mail import MailMessage
from api.services.accounts import PASSWORDS_ON, PasswordRule
from api.services.mail_templates import TEMPLATES
from api.services.notification_texts import language_of

LANGUAGES = ("da", "en")
MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
           "november", "december"),
}


@dataclass(frozen=True)
class MailSettings:
    """What composing a mail needs from the app's settings (passed in: services read no Flask config)."""

    base_url: str
    default_language: str
    timezone: str
    # Whether an invitation says "choose your password" or "sign in with your company account", and
    # whom a reset link may be mailed to (PASSWORD_LOGIN, BREAK_GLASS_EMAIL).
    passwords: PasswordRule = PASSWORDS_ON

    @classmethod
    def from_config(cls, config: Mapping) -> MailSettings:
        return cls(config["PUBLIC_BASE_URL"], config["DEFAULT_LANGUAGE"], config["ORG_TIMEZONE"],
                   PasswordRule.from_config(config))

    def date(self, moment: datetime, lang: str) -> str:
        """`18 December 2026` / `18. december 2026`, the day in the organisation's timezone."""
        day = moment.astimezone(ZoneInfo(self.timezone))
        return f"{day.day}{'.' if lang == 'da' else ''} {MONTHS[lang][day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def language(user_locale: str | None, default: str) -> str:
    """The person's chosen language if we have templates for it, else the organisation's default."""
    return language_of(user_locale, default)


def render(kind: str, lang: str, url: str, fields: dict[str, str]) -> Rendered:
    """Subject, plain text and HTML of a `kind` mail with its link `url` and template `fields`."""
    t = TEMPLATES[kind][lang]
    paragraphs = [str(p).format(**fields) for p in t["paragraphs"]]  # type: ignore[attr-defined]
    button, footer = str(t["button"]), str(t["footer"]).format(**fields)
    text = "\n\n".join([*paragraphs, f"{button}:\n{url}", *([footer] if footer else [])]) + "\n"
    e = html.escape
    body = "".join(f'<p style="margin:0 0 16px">{e(p)}</p>' for p in paragraphs)
    link = (f'<p style="margin:24px 0"><a href="{e(url)}" style="background:#0b5cad;color:#ffffff;'
            f'padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">{e(button)}</a></p>'
            f'<p style="margin:0 0 16px;font-size:13px;color:#555555">{e(url)}</p>')
    foot = f'<p style="margin:24px 0 0;font-size:13px;color:#555555">{e(footer)}</p>' if footer else ""
    document = (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{e(str(t["subject"]))}'
                f'</title></head><body style="font-family:system-ui,sans-serif;font-size:16px;line-height:1.5;'
                f'color:#1a1a1a;max-width:560px;margin:0 auto;padding:24px">{body}{link}{foot}</body></html>')
    return Rendered(str(t["subject"]), text, document)


@dataclass(frozen=True)
class Outgoing:
    """A mail to write: to whom, which template in which language, its link and its fields."""

    recipient: str
    kind: str
    lang: str
    url: str
    fields: dict[str, str]
    user_id: int | None = None

    def row(self) -> dict:
        rendered = render(self.kind, self.lang, self.url, self.fields)
        return {"user_id": self.user_id, "recipient": self.recipient, "locale": self.lang, "kind": self.kind,
                "subject": rendered.subject, "text": rendered.text, "html": rendered.html, "attempts": 0}


def queue(session: Session, *, recipient: str, kind: str, lang: str, url: str, fields: dict[str, str],
          user_id: int | None = None) -> MailMessage:
    """Write the mail and its outbox row in the caller's transaction; it is sent after the commit."""
    message = MailMessage(**Outgoing(recipient, kind, lang, url, fields, user_id).row())
    session.add(message)
    session.flush()
    outbox.publish(session, outbox.MAIL, message.id)
    return message


def queue_many(session: Session, mails: list[Outgoing]) -> None:
    """`queue` for many mails at once (an import's invitations): batched INSERTs of the mails and of
    their outbox rows instead of a flush and two statements per mail."""
    for start in range(0, len(mails), 1000):
        rows = [m.row() for m in mails[start:start + 1000]]
        ids = list(session.scalars(insert(MailMessage).returning(MailMessage.id, sort_by_parameter_order=True), rows))
        outbox.publish_many(session, outbox.MAIL, ids)
