"""Password resets: by mail for people with an address, by a link a lead or an admin hands over
(shown with a QR code) for people without one.

A reset token is random, single use, valid for RESET_TTL (60 minutes), and only its SHA-256 is
stored. A successful reset revokes every refresh token of the person and bumps their
session_version (accounts.set_password): every other session — apps and console — is signed out.
Asking by email answers the same whether or not the address belongs to anyone. With passwords off
(PASSWORD_LOGIN=off) only the break-glass admin gets a link or may use one (accounts.PasswordRule).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.errors import Conflict, Forbidden, Unauthorized
from api.links import app_url
from api.models.password_resets import PasswordReset
from api.models.teams import TeamMembership
from api.models.users import User
from api.services import accounts, audit, mail, teams, tokens


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _issue(session: Session, user: User, ttl: int, issued_by: User | None) -> tuple[str, datetime]:
    raw = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(seconds=ttl)
    session.add(PasswordReset(user_id=user.id, token_hash=_hash(raw), expires_at=expires_at,
                              issued_by_id=issued_by.id if issued_by else None))
    return raw, expires_at


def request_by_email(session: Session, email: str, *, ttl: int, settings: mail.MailSettings) -> None:
    """Mail a reset link if the address belongs to an active account; otherwise do nothing. The
    caller answers the same in both cases."""
    user = accounts.find_by_email(session, email)
    if user is None or not user.is_active or user.erased_at is not None or not user.email:
        return
    if not settings.passwords.allows(user.email, user):
        return  # passwords off: nobody but the break-glass admin has one to reset (and the answer is the same)
    raw, _expires = _issue(session, user, ttl, None)
    lang = mail.language(user.locale, settings.default_language)
    mail.queue(session, recipient=user.email, kind="password_reset", lang=lang, user_id=user.id,
               url=app_url(settings.base_url, "reset", token=raw),
               fields={"name": user.display_name, "minutes": str(ttl // 60)})
    session.flush()


def may_issue_link(session: Session, issuer: User, user: User) -> bool:
    """Admins for anyone; a lead for staff members of a team they lead — never for another lead or an
    admin (a link is a way into the account, so it must not reach above the issuer's own role)."""
    if issuer.role == "admin":
        return True
    if issuer.role != "lead" or user.role != "staff":
        return False
    led = teams.led_team_ids(session, issuer.id)
    return bool(led) and session.scalar(select(TeamMembership.team_id).where(
        TeamMembership.user_id == user.id, TeamMembership.team_id.in_(led)).limit(1)) is not None


def issue_link(session: Session, issuer: User, user: User, *, ttl: int, base_url: str,
               passwords: accounts.PasswordRule = accounts.PASSWORDS_ON) -> tuple[str, datetime]:
    """A reset link for `user` to open on their phone (the console shows it as a QR code)."""
    if not may_issue_link(session, issuer, user):
        raise Forbidden("Leads can issue reset links for staff in the teams they lead; admins for anyone.")
    if not user.is_active or user.erased_at is not None:
        raise Conflict(f"{user.display_name}'s account is deactivated; reactivate it first.", slug="account-inactive")
    passwords.check(user.email, user, detail=f"Passwords are turned off here: {user.display_name} signs in with "
                    "their company account (single sign-on), so a reset link would not let them in.")
    raw, expires_at = _issue(session, user, ttl, issuer)
    audit.record(session, "reset_link_issued", actor_id=issuer.id, subject_user_id=user.id,
                 detail={"expires_at": expires_at.isoformat()})
    session.flush()
    return app_url(base_url, "reset", token=raw), expires_at


INVALID = "This reset link is not valid, was already used or has expired. Ask for a new one."


def confirm(session: Session, raw: str, password: str, *,
            passwords: accounts.PasswordRule = accounts.PASSWORDS_ON) -> User:
    """Set the new password with a reset token, once; sign the person out everywhere. With passwords
    off only the break-glass admin may (a link issued before the switch is refused, not spent)."""
    now = utcnow()
    reset = session.scalars(select(PasswordReset).where(PasswordReset.token_hash == _hash(raw))).first()
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        raise Unauthorized(INVALID, slug="invalid-reset-token")
    user = session.get(User, reset.user_id)
    if user is None or not user.is_active or user.erased_at is not None:
        raise Unauthorized("This account is deactivated. Ask your admin to reactivate it.", slug="account-inactive")
    passwords.check(user.email, user)
    accounts.check_password_policy(password)  # before spending the token: a short password can be retried
    # Conditional: of two requests with one token, exactly one sets the password.
    spent = cast(CursorResult, session.execute(
        update(PasswordReset).where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None)).values(used_at=now)))
    if spent.rowcount != 1:
        raise Unauthorized(INVALID, slug="invalid-reset-token")
    # Any other link still out there (an earlier mail, a lead's QR code) dies with this reset.
    session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                    .values(used_at=now))
    accounts.set_password(user, password)
    tokens.revoke_all_for_user(session, user.id)
    audit.record(session, "password_reset", actor_id=user.id, subject_user_id=user.id,
                 detail={"link_from": "mail" if reset.issued_by_id is None else "lead or admin",
                         "issued_by_id": reset.issued_by_id})
    if user.activated_at is None:  # an invitee who never activated: proving the mailbox (or the lead) is enough
        user.activated_at = now
        user.invite_token_hash = user.invite_expires_at = None
    user.last_active_at = now
    return user
