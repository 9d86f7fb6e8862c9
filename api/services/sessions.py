"""My sessions: the apps I am signed in to, what they are, and signing them out.

A session is a refresh-token family (api/services/tokens.py) with one `AuthSession` row: the
device (shortened from the User-Agent at sign-in), the app, when it started and when it last
refreshed. Access tokens carry the row's id as their `sid` claim; the auth check refuses a token
whose session is revoked. Console sign-ins are cookie sessions, ended by users.session_version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.errors import NotFound
from api.models.auth_tokens import AuthSession
from api.models.notifications import Device
from api.models.users import User
from api.services import accounts, tokens

APPS = ("staff_app", "console", "other")
# X-Client values a client may send to name itself (case-insensitive).
CLIENT_NAMES = {"staff-app": "staff_app", "staff_app": "staff_app", "console": "console"}
DEVICE_MAX = 80

# Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari", iPad/iPhone say "Mac OS X".
_BROWSERS = (("Edg", "Edge"), ("OPR", "Opera"), ("SamsungBrowser", "Samsung Internet"), ("CriOS", "Chrome"),
             ("FxiOS", "Firefox"), ("Firefox", "Firefox"), ("Chrome", "Chrome"), ("Safari", "Safari"))
_SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Windows", "Windows"),
            ("CrOS", "ChromeOS"), ("Macintosh", "Mac"), ("Linux", "Linux"))


def describe_user_agent(user_agent: str | None) -> str:
    """"Chrome on Android", "Safari on iPhone"; an unknown agent is shown cut to its first words."""
    ua = (user_agent or "").strip()
    if not ua:
        return "Unknown device"
    browser = next((name for token, name in _BROWSERS if re.search(rf"\b{token}/", ua)), None)
    system = next((name for token, name in _SYSTEMS if token in ua), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or system or ""
    # A native client or a script ("okhttp/4.12", "curl/8.5.0"): its own first product token.
    first = re.sub(r"[\x00-\x1f\x7f]", "", ua.split(" (")[0])
    return first[:DEVICE_MAX] or "Unknown device"


def app_of(client_header: str | None, origin: str | None, public_base_url: str) -> str:
    """Which app signs in: the X-Client header when it names one, else a browser page of our own
    origin (the staff app at /app/ — browsers send Origin on its POSTs), else "other"."""
    named = CLIENT_NAMES.get((client_header or "").strip().lower())
    if named:
        return named
    ours = public_base_url.rstrip("/").lower()
    if origin and origin.rstrip("/").lower() == ours:
        return "staff_app"
    return "other"


@dataclass(frozen=True)
class Client:
    """What the request says about the signing-in client (the resource reads the headers)."""

    user_agent: str | None
    client_header: str | None
    origin: str | None
    public_base_url: str


def start(session: Session, user: User, family_id: str, client: Client, ttl_seconds: int) -> AuthSession:
    now = utcnow()
    row = AuthSession(user_id=user.id, family_id=family_id, device=describe_user_agent(client.user_agent),
                      app=app_of(client.client_header, client.origin, client.public_base_url),
                      created_at=now, last_used_at=now, expires_at=now + timedelta(seconds=ttl_seconds))
    session.add(row)
    session.flush()
    return row


def for_family(session: Session, user: User, family_id: str, client: Client, ttl_seconds: int) -> AuthSession:
    """The session of a family; a family from before sessions were recorded gets its row now."""
    row = session.scalars(select(AuthSession).where(AuthSession.family_id == family_id)).first()
    return row if row is not None else start(session, user, family_id, client, ttl_seconds)


def listing(session: Session, user: User, current_id: int | None) -> list[dict[str, Any]]:
    """My live sessions, most recently used first."""
    now = utcnow()
    rows = session.scalars(
        select(AuthSession)
        .where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None),
               or_(AuthSession.expires_at.is_(None), AuthSession.expires_at > now))
        .order_by(AuthSession.last_used_at.desc(), AuthSession.id.desc())
    )
    return [{"id": r.id, "device": r.device, "app": r.app, "created_at": r.created_at,
             "last_used_at": r.last_used_at, "current": r.id == current_id} for r in rows]


def revoke(session: Session, user: User, session_id: int) -> None:
    """Sign out one of my sessions; someone else's (or an unknown id) does not exist for me."""
    row = session.get(AuthSession, session_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        raise NotFound(f"You have no session {session_id}.")
    tokens.revoke_family(session, row.family_id)


def deactivate_devices(session: Session, user_id: int, reason: str) -> None:
    """No more pushes to this person's phones until an app of theirs registers again."""
    session.execute(
        update(Device).where(Device.user_id == user_id, Device.active.is_(True))
        .values(active=False, deactivated_at=utcnow(), deactivation_reason=reason)
    )


def end_all(session: Session, user: User, reason: str) -> None:
    """Sign the person out everywhere: every session and refresh token, every console cookie,
    and push to their devices stops (sign-out everywhere, deactivation)."""
    tokens.revoke_all_for_user(session, user.id)
    accounts.end_sessions(user)
    deactivate_devices(session, user.id, reason)
    session.flush()
