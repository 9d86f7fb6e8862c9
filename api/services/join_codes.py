"""Join codes: people without a work email join a team with a code from a poster.

A lead (of the team) or an admin makes a code; a person who has it registers with a username or
an email and a password. Unless the code approves by itself, they wait as *pending*: a user that
cannot sign in (inactive, with a pending join request) until a lead of the team approves — then
they are active members of the team — or declines — then their account is deleted.
"""

from __future__ import annotations

import io
import re
import secrets
from datetime import datetime, timedelta
from typing import cast

import segno
from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.conflicts import conflict_for
from api.errors import Conflict, DomainError, NotFound, field_error
from api.links import app_url
from api.models.join_codes import JoinCode, JoinRequest
from api.models.teams import Team, TeamMembership
from api.models.users import User
from api.services import accounts, audit, display_names, inbox, mail, passwords, teams
from api.services.notification_texts import text

# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: a code read off a poster across a room is typed right first time.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 12  # 25**12 ≈ 6e16 (55 bits): not guessable within any rate limit
GROUP = 4  # shown as XXXX-XXXX-XXXX
DEFAULT_LIFETIME = timedelta(days=90)
MAX_LIFETIME = timedelta(days=365)
MAX_USES = 5000

_SEPARATORS = re.compile(r"[\s\-_.]")


class JoinCodeGone(DomainError):
    """410: the code existed but can no longer be used (revoked, expired or used up)."""

    status = 410
    slug = "join-code-gone"


# --- codes -----------------------------------------------------------------------------------------

# With passwords off (PASSWORD_LOGIN=off, accounts.PasswordRule.check_on) codes make no accounts.
JOIN_OFF = ("Joining with a code is turned off here: this organisation signs in with company accounts (single "
            "sign-on). Ask your admin to invite you.")
CODES_OFF = ("Join codes are turned off here: people who join with a code get a password, and this organisation "
             "signs in with company accounts (single sign-on) only (PASSWORD_LOGIN=off). Invite people instead.")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """What people type (any case, with dashes or spaces) as the code is stored."""
    return _SEPARATORS.sub("", raw).upper()


def display_code(code: str) -> str:
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def qr_svg(url: str) -> str:
    """The URL as an SVG QR code (medium error correction: survives a crease or a coffee ring). It has a
    viewBox and no fixed size, so it scales to whatever holds it: a phone screen or an A4 poster."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="svg", scale=8, border=4, xmldecl=False, omitsize=True,
                                                 title="QR code for " + url)
    return out.getvalue().decode()


def create_code(session: Session, creator: User, team_id: int, *, now: datetime, expires_at: datetime | None,
                max_uses: int | None, auto_approve: bool) -> JoinCode:
    team = teams.require_lead_of(session, creator, team_id)
    if expires_at is None:
        expires_at = now + DEFAULT_LIFETIME
    elif expires_at <= now:
        raise field_error("expires_at", "Choose a time in the future.")
    elif expires_at > now + MAX_LIFETIME:
        raise field_error("expires_at", f"A code lasts at most {MAX_LIFETIME.days} days; make a new one then.")
    code = JoinCode(team_id=team.id, code=new_code(), created_by_id=creator.id, expires_at=expires_at,
                    max_uses=max_uses, auto_approve=auto_approve, uses=0)
    session.add(code)
    session.flush()
    return code


def list_codes(session: Session, team: Team) -> list[JoinCode]:
    return list(session.scalars(select(JoinCode).where(JoinCode.team_id == team.id)
                                .order_by(JoinCode.created_at.desc(), JoinCode.id.desc())))


def get_code(session: Session, team: Team, code_id: int) -> JoinCode:
    code = session.get(JoinCode, code_id)
    if code is None or code.team_id != team.id:
        raise NotFound(f"{team.name} has no join code {code_id}.")
    return code


def revoke(session: Session, code: JoinCode, now: datetime) -> None:
    """Idempotent: revoking a revoked code changes nothing."""
    if code.revoked_at is None:
        code.revoked_at = now
        session.flush()


def state_of(code: JoinCode, now: datetime) -> str:
    if code.revoked_at is not None:
        return "revoked"
    if code.expires_at <= now:
        return "expired"
    if code.max_uses is not None and code.uses >= code.max_uses:
        return "used_up"
    return "active"


def code_view(code: JoinCode, team: Team, url: str, now: datetime, *, with_qr: bool = True) -> dict:
    """A code as the API and the console show it; `with_qr=False` skips drawing the QR code for a
    list that does not show it (the console's page; its poster does)."""
    return {"id": code.id, "team": {"id": team.id, "name": team.name}, "code": display_code(code.code),
            "url": url, "qr_svg": qr_svg(url) if with_qr else None, "expires_at": code.expires_at,
            "max_uses": code.max_uses,
            "uses": code.uses, "auto_approve": code.auto_approve, "revoked_at": code.revoked_at,
            "state": state_of(code, now), "created_at": code.created_at}


# --- joining ---------------------------------------------------------------------------------------

GONE = {
    "revoked": ("join-code-revoked", "This join code has been withdrawn. Ask your team lead for a new one."),
    "expired": ("join-code-expired", "This join code has expired. Ask your team lead for a new one."),
    "used_up": ("join-code-used-up", "This join code has been used as many times as it allows. "
                                     "Ask your team lead for a new one."),
}


def _usable(session: Session, raw_code: str, now: datetime) -> JoinCode:
    code = session.scalar(select(JoinCode).where(JoinCode.code == normalise_code(raw_code)))
    if code is None:
        raise NotFound("There is no such join code. Check the code on the poster and try again.",
                       slug="join-code-not-found")
    state = state_of(code, now)
    if state != "active":
        slug, detail = GONE[state]
        raise JoinCodeGone(detail, slug=slug)
    return code


def _take_a_use(session: Session, code: JoinCode, now: datetime) -> None:
    """Count this join, or refuse if the code stopped being usable since it was read. One UPDATE
    with the conditions in its WHERE: of two joins racing for a last use, the database lets one in."""
    taken = cast(CursorResult, session.execute(
        update(JoinCode)
        .where(JoinCode.id == code.id, JoinCode.revoked_at.is_(None), JoinCode.expires_at > now,
               or_(JoinCode.max_uses.is_(None), JoinCode.uses < JoinCode.max_uses))
        .values(uses=JoinCode.uses + 1)
        .execution_options(synchronize_session=False)
    ))
    if taken.rowcount != 1:
        session.refresh(code)
        slug, detail = GONE.get(state_of(code, now), GONE["used_up"])
        raise JoinCodeGone(detail, slug=slug)
    session.refresh(code)


def join(session: Session, raw_code: str, *, now: datetime, display_name: str, password: str,
         email: str | None, username: str | None) -> tuple[User, JoinRequest]:
    """Register with a join code. The user is active at once when the code auto-approves; else
    inactive with a pending request, and the team's leads are told."""
    code = _usable(session, raw_code, now)
    accounts.check_password_policy(password)
    display_names.ensure_allowed(session, display_name, role="staff")
    if email and accounts.find_by_email(session, email) is not None:
        raise Conflict("That email already has an account: sign in, or ask for a password reset.", slug="email-taken")
    if username and accounts.find_by_username(session, username) is not None:
        raise Conflict("That username is taken. Choose another one.", slug="username-taken")
    _take_a_use(session, code, now)
    approved = code.auto_approve
    user = User(email=accounts.normalise_email(email) if email else None,
                username=accounts.normalise_username(username) if username else None,
                display_name=display_name, role="staff", password_hash=passwords.hash_password(password),
                is_active=approved, activated_at=now if approved else None, last_active_at=now if approved else None)
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError as error:  # the same email or username registered a moment ago: say which
        raise (conflict_for(error) or Conflict("That username or email is taken. Choose another one.",
                                               slug="username-taken")) from None
    request = JoinRequest(team_id=code.team_id, user_id=user.id, join_code_id=code.id, display_name=display_name,
                          status="approved" if approved else "pending", decided_at=now if approved else None)
    session.add(request)
    if approved:
        user.memberships.append(TeamMembership(team_id=code.team_id))
    session.flush()
    team = session.get(Team, code.team_id)
    assert team is not None
    if approved:
        notify_approved(session, user, team)
    else:
        _tell_leads(session, team, request)
    return user, request


def _tell_leads(session: Session, team: Team, request: JoinRequest) -> None:
    """The team's active leads; a team without leads falls back to the admins, so nobody waits forever."""
    leads = list(session.scalars(
        select(User.id).join(TeamMembership, TeamMembership.user_id == User.id)
        .where(TeamMembership.team_id == team.id, TeamMembership.is_lead, User.is_active.is_(True),
               User.erased_at.is_(None))))
    if not leads:
        leads = list(session.scalars(select(User.id).where(User.role == "admin", User.is_active.is_(True),
                                                           User.erased_at.is_(None))))
    for lead_id in leads:
        inbox.notify(session, lead_id, "reminders", text("join.asks.title", name=request.display_name, team=team.name),
                     text("join.asks.body"),
                     data={"deep_link": "stafet://inbox", "join_request_id": request.id, "team_id": team.id},
                     dedupe_key=f"join-request:{request.id}:{lead_id}")


# --- deciding --------------------------------------------------------------------------------------

def requests_query(team: Team, status: str | None):
    stmt = select(JoinRequest).where(JoinRequest.team_id == team.id)
    return stmt.where(JoinRequest.status == status) if status else stmt


def get_request(session: Session, team: Team, request_id: int, *, for_update: bool = False) -> JoinRequest:
    stmt = select(JoinRequest).where(JoinRequest.id == request_id, JoinRequest.team_id == team.id)
    found = session.scalar(stmt.with_for_update() if for_update else stmt)
    if found is None:
        raise NotFound(f"{team.name} has no join request {request_id}.")
    return found


def _decidable(session: Session, team: Team, request_id: int) -> JoinRequest:
    request = get_request(session, team, request_id, for_update=True)
    if request.status != "pending":
        raise Conflict(f"This request was already {request.status}.", slug="join-request-decided")
    return request


def approve(session: Session, decider: User, team: Team, request_id: int, now: datetime, *,
            mail_settings: mail.MailSettings) -> JoinRequest:
    request = _decidable(session, team, request_id)
    user = session.get(User, request.user_id) if request.user_id is not None else None
    if user is None or user.erased_at is not None:
        raise Conflict("This person's account no longer exists.", slug="join-request-decided")
    user.is_active = True
    user.activated_at = user.last_active_at = now
    if not any(m.team_id == team.id for m in user.memberships):
        user.memberships.append(TeamMembership(team_id=team.id))
    request.status, request.decided_by_id, request.decided_at = "approved", decider.id, now
    audit.record(session, "join_request_approved", actor_id=decider.id, subject_user_id=user.id,
                 detail={"team_id": team.id, "join_request_id": request.id})
    session.flush()
    notify_approved(session, user, team, mail_settings=mail_settings)
    return request


def decline(session: Session, decider: User, team: Team, request_id: int, now: datetime, *,
            mail_settings: mail.MailSettings | None = None) -> JoinRequest:
    """The account made at join goes: it never signed in and holds nothing but a name and a password."""
    request = _decidable(session, team, request_id)
    user = session.get(User, request.user_id) if request.user_id is not None else None
    request.status, request.decided_by_id, request.decided_at = "declined", decider.id, now
    request.user_id = None
    # The account made at join is deleted below: the event names no one but the team and the request.
    audit.record(session, "join_request_declined", actor_id=decider.id,
                 detail={"team_id": team.id, "join_request_id": request.id})
    if user is not None and not user.is_active and user.activated_at is None:
        session.delete(user)
    session.flush()
    return request


def notify_approved(session: Session, user: User, team: Team, *,
                    mail_settings: mail.MailSettings | None = None) -> None:
    """Tell a person they are in: an inbox notification, and a mail (in the same transaction,
    through the outbox) when they gave an email and were waiting — someone a code let straight in
    is signed in already and needs no mail."""
    if user.email and mail_settings is not None:
        lang = mail.language(user.locale, mail_settings.default_language)
        mail.queue(session, recipient=user.email, kind="join_approved", lang=lang, user_id=user.id,
                   url=app_url(mail_settings.base_url, ""), fields={"name": user.display_name, "team": team.name})
    inbox.notify(session, user.id, "reminders", text("join.approved.title", team=team.name),
                 text("join.approved.body"), data={"deep_link": "stafet://feed", "team_id": team.id},
                 dedupe_key=f"join-approved:{user.id}:{team.id}")


def request_views(session: Session, rows: list[JoinRequest]) -> list[dict]:
    user_ids = {r.user_id for r in rows if r.user_id is not None}
    people = {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    return [
        {"id": r.id, "team_id": r.team_id, "status": r.status, "display_name": r.display_name,
         "user_id": r.user_id,
         "email": people[r.user_id].email if r.user_id in people else None,
         "username": people[r.user_id].username if r.user_id in people else None,
         "join_code_id": r.join_code_id, "created_at": r.created_at, "decided_by_id": r.decided_by_id,
         "decided_at": r.decided_at}
        for r in rows
    ]
