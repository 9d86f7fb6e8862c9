"""Signing in, activating an invitation, and inviting people."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.errors import Forbidden, Unauthorized, field_error
from api.models.join_codes import JoinRequest
from api.models.users import User
from api.services import display_names, passwords


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == normalise_email(email))).first()


USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$"


def normalise_username(username: str) -> str:
    return username.strip().lower()


def find_by_username(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == normalise_username(username))).first()


def find_account(session: Session, email: str | None, username: str | None) -> User | None:
    """Whom a sign-in names: the email when given, else the username."""
    return find_by_email(session, email) if email else find_by_username(session, username or "")


def authenticate(session: Session, email: str | None, password: str, *, username: str | None = None) -> User:
    """The person with this email (or username) and password. Both refusals read the same, so the
    answer never tells whether an account exists; the password is checked either way (same time)."""
    user = find_account(session, email, username)
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None:
        what = "email" if email else "username"
        raise Unauthorized(f"The {what} or password is wrong.", slug="invalid-credentials")
    if not user.can_log_in and _waiting_for_approval(session, user):
        # The right password of someone who joined with a code: say what they wait for (403, not a
        # failed sign-in, so it does not count against the sign-in limit).
        raise Forbidden("Your request to join is waiting for a team lead's approval. You can sign in once "
                        "it is approved.", slug="awaiting-approval")
    if not user.can_log_in:
        raise Unauthorized("This account is deactivated. Ask your admin to reactivate it.", slug="account-inactive")
    if user.password_hash and passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_active_at = utcnow()
    return user


PASSWORDS_OFF = "Password sign-in is turned off here: sign in with your company account (single sign-on)."
PASSWORDS_OFF_SLUG = "password-login-off"


@dataclass(frozen=True)
class PasswordRule:
    """PASSWORD_LOGIN and BREAK_GLASS_EMAIL: who may sign in with, choose or reset a password.

    The one rule behind every password door — sign-in (API and console), activating an invitation,
    resetting a password (by mail or a lead's link), joining with a code, making join codes, and
    the words of an invitation. With PASSWORD_LOGIN=off only the break-glass admin (the account
    with BREAK_GLASS_EMAIL, which must be an admin's) may; everyone else signs in with single
    sign-on. Every refusal is 403 `password-login-off`, with a `detail` that says what to do.
    """

    enabled: bool = True
    break_glass_email: str | None = None  # normalised (config.py lower-cases it)

    @classmethod
    def from_config(cls, config: Mapping) -> PasswordRule:
        return cls(bool(config["PASSWORD_LOGIN"]), config["BREAK_GLASS_EMAIL"])

    def allows(self, email: str | None, user: User | None = None) -> bool:
        """Whether the person with this email (the account `user`, once known) may use a password.
        Before the account is known only the address is compared; the account must be an admin's."""
        if self.enabled:
            return True
        return bool(self.break_glass_email and email and normalise_email(email) == self.break_glass_email
                    and (user is None or user.role == "admin"))

    def check(self, email: str | None, user: User | None = None, *, detail: str = PASSWORDS_OFF) -> None:
        """Refuse (403 `password-login-off`) unless `allows(email, user)`."""
        if not self.allows(email, user):
            raise Forbidden(detail, slug=PASSWORDS_OFF_SLUG)

    def check_on(self, detail: str) -> None:
        """Refuse a door that makes new password accounts (join codes): closed to everyone while
        passwords are off, the break-glass admin included (they never join with a code)."""
        if not self.enabled:
            raise Forbidden(detail, slug=PASSWORDS_OFF_SLUG)


PASSWORDS_ON = PasswordRule()  # the default: everyone may use a password


def _waiting_for_approval(session: Session, user: User) -> bool:
    pending = select(JoinRequest.id).where(JoinRequest.user_id == user.id, JoinRequest.status == "pending")
    return not user.is_active and user.erased_at is None and session.scalar(pending.limit(1)) is not None


def end_sessions(user: User) -> None:
    """Sign `user` out of every console session: their cookies carry the old session_version."""
    user.session_version = (user.session_version or 0) + 1


def set_password(user: User, password: str) -> None:
    """A new password also ends the sessions opened with the old one."""
    user.password_hash = passwords.hash_password(password)
    end_sessions(user)


def _invite_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_invite(user: User, ttl_seconds: int) -> str:
    """Give `user` a fresh single-use invite token and return it (shown once, stored hashed)."""
    raw = secrets.token_urlsafe(32)
    user.invite_token_hash = _invite_hash(raw)
    user.invite_expires_at = utcnow() + timedelta(seconds=ttl_seconds)
    return raw


def check_password_policy(password: str) -> None:
    if len(password) < passwords.MIN_LENGTH:
        raise field_error("password", f"Use at least {passwords.MIN_LENGTH} characters.")
    if len(password) > passwords.MAX_LENGTH:
        raise field_error("password", f"Use at most {passwords.MAX_LENGTH} characters.")


def activate(session: Session, invite_token: str, password: str, display_name: str | None, *,
             passwords: PasswordRule = PASSWORDS_ON) -> User:
    """An invited person chooses their password (their first sign-in). With passwords off they sign
    in with single sign-on instead — their invitation's email links them — so this is refused."""
    user = session.scalars(select(User).where(User.invite_token_hash == _invite_hash(invite_token))).first()
    if user is None or user.invite_expires_at is None or user.invite_expires_at <= utcnow():
        raise Unauthorized("This invitation is not valid or has expired. Ask your admin for a new one.",
                           slug="invalid-invite")
    if not user.is_active or user.erased_at is not None:
        raise Unauthorized("This account is deactivated. Ask your admin to reactivate it.", slug="account-inactive")
    passwords.check(user.email, user, detail="Passwords are turned off here: sign in with your company account "
                    "(single sign-on) instead" + (f", as {user.email}" if user.email else "") + ". Your invitation "
                    "stays valid that way.")
    check_password_policy(password)
    set_password(user, password)
    user.invite_token_hash = None
    user.invite_expires_at = None
    user.activated_at = user.last_active_at = utcnow()
    if display_name:
        display_names.set_name(session, user, display_name)
    return user

