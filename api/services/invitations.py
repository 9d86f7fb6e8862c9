"""Invitations by mail: a new person gets a link to choose their password (/app/activate?token=…).

Each invitation replaces the one before (accounts.new_invite stores a new token hash, so an older
link stops working) and is valid for INVITE_TTL (14 days unless configured). People without an
email get the link from whoever invited them instead (the API answers it either way).

With passwords off (PASSWORD_LOGIN=off) an invitation asks the person to sign in with their company
account (single sign-on) at /app/signin instead: their invited email links them at the first sign-in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.errors import Conflict
from api.links import app_url
from api.models.users import User
from api.services import accounts, mail, users


@dataclass(frozen=True)
class Invitation:
    token: str
    url: str
    expires_at: datetime
    mailed: bool


def _send(session: Session, user: User, invite_ttl: int, settings: mail.MailSettings) -> Invitation:
    invitation, outgoing = _prepare(user, invite_ttl, settings)
    if outgoing is not None:
        mail.queue_many(session, [outgoing])
    return invitation


def _prepare(user: User, invite_ttl: int, settings: mail.MailSettings) -> tuple[Invitation, mail.Outgoing | None]:
    """A fresh invitation for `user` and the mail that carries it (None: no email address)."""
    token = accounts.new_invite(user, invite_ttl)
    assert user.invite_expires_at is not None
    # Passwords off (PASSWORD_LOGIN=off): the invitation says to sign in with the company account
    # and links to the app's sign-in; the invited email is what links the person at their first
    # single sign-on. The token is still made (it names the invitation) but activates nothing.
    with_password = settings.passwords.allows(user.email, user)
    url = app_url(settings.base_url, "activate", token=token) if with_password else app_url(settings.base_url,
                                                                                            "signin")
    outgoing = None
    if user.email:
        lang = mail.language(user.locale, settings.default_language)
        outgoing = mail.Outgoing(user.email, "invitation" if with_password else "invitation_sso", lang, url,
                                 {"name": user.display_name, "expires": settings.date(user.invite_expires_at, lang)},
                                 user.id)
    return Invitation(token, url, user.invite_expires_at, mailed=bool(user.email)), outgoing


def invite(session: Session, *, email: str, display_name: str, role: str, team_ids: list[int], invite_ttl: int,
           settings: mail.MailSettings) -> tuple[User, Invitation]:
    """Create the person and queue their invitation mail, in the caller's transaction."""
    user, _token = users.invite(session, email=email, display_name=display_name, role=role, team_ids=team_ids,
                                invite_ttl=invite_ttl)
    return user, _send(session, user, invite_ttl, settings)


def resend(session: Session, user: User, *, invite_ttl: int, settings: mail.MailSettings) -> Invitation:
    """A new invitation for someone who has not activated yet; the previous link stops working."""
    if user.password_hash is not None:
        raise Conflict(f"{user.display_name} has already chosen a password; send a reset link if they forgot it.",
                       slug="already-activated")
    if not user.is_active or user.erased_at is not None:
        raise Conflict(f"{user.display_name}'s account is deactivated; reactivate it first.", slug="account-inactive")
    invitation = _send(session, user, invite_ttl, settings)
    session.flush()
    return invitation


def pending_query() -> Select[User]:
    """Active people who have not chosen a password yet (their invitation may have expired)."""
    return select(User).where(User.password_hash.is_(None), User.is_active.is_(True), User.erased_at.is_(None))


def resend_many(session: Session, user_ids: Iterable[int] | None, *, invite_ttl: int,
                settings: mail.MailSettings) -> list[User]:
    """Resend to these people (None: to everyone pending) who are still pending and have an email;
    returns who got one. People who activated meanwhile are skipped, not an error."""
    stmt = pending_query().where(User.email.is_not(None)).order_by(User.id)
    if user_ids is not None:
        stmt = stmt.where(User.id.in_(list(user_ids)))
    chosen = list(session.scalars(stmt))
    mails = [outgoing for user in chosen if (outgoing := _prepare(user, invite_ttl, settings)[1]) is not None]
    session.flush()  # the new tokens, before their mails
    mail.queue_many(session, mails)
    return chosen
