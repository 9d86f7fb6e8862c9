"""Outgoing mail, written in the same transaction as the change that causes it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base
from api.models._common import created_at_column


class MailMessage(Base):
    """One message to one person. The worker (workers/jobs/mail.py) sends it and sets `sent_at`;
    a failed attempt records `last_error` and `next_attempt_at` (exponential backoff), and a refusal
    the server means (a 5xx for the recipient) sets `failed_at` instead. Once sent, `text` and `html`
    are cleared: they carry single-use links (invitations, password resets) nobody needs to keep."""

    __tablename__ = "mail_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str | None] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))


# The periodic resend looks for unsent, unfailed messages that are due: only those are indexed.
Index("ix_mail_messages_unsent", MailMessage.next_attempt_at,
      postgresql_where=MailMessage.sent_at.is_(None) & MailMessage.failed_at.is_(None),
      sqlite_where=MailMessage.sent_at.is_(None) & MailMessage.failed_at.is_(None))
