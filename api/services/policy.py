"""The social media policy: admins publish versions, each person accepts the current one before sharing.

Publishing a changed text makes a new version (the same text again changes nothing); a new version
asks everyone again. Without any policy nothing is gated. The caption hint is never gated: only the
share itself is.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.errors import Conflict
from api.models.policies import PolicyAcceptance, PolicyVersion
from api.models.users import User

TEXT_MAX = 20_000


def current(session: Session) -> PolicyVersion | None:
    return session.scalars(select(PolicyVersion).order_by(PolicyVersion.version.desc()).limit(1)).first()


def history(session: Session) -> list[dict[str, Any]]:
    """Every published version, newest first, with who published it and how many accepted it."""
    accepted = (select(PolicyAcceptance.version, func.count().label("n"))
                .group_by(PolicyAcceptance.version).subquery())
    rows = session.execute(
        select(PolicyVersion, User.display_name, func.coalesce(accepted.c.n, 0))
        .outerjoin(User, User.id == PolicyVersion.published_by)
        .outerjoin(accepted, accepted.c.version == PolicyVersion.version)
        .order_by(PolicyVersion.version.desc())
    )
    return [{"version": v.version, "text": v.text, "published_at": v.published_at, "published_by": name,
             "accepted_by": count} for v, name, count in rows]


def publish(session: Session, text: str, by: User) -> tuple[PolicyVersion, bool]:
    """Make `text` the policy: (the current version, whether this call created it).

    Two admins publishing at once both pick the same next number; the primary key lets one win and
    the other is told to look again (409) rather than silently overwriting what they did not read.
    """
    latest = current(session)
    if latest is not None and latest.text == text:
        return latest, False
    version = PolicyVersion(version=(latest.version if latest else 0) + 1, text=text, published_by=by.id)
    try:
        with session.begin_nested():
            session.add(version)
            session.flush()
    except IntegrityError:
        raise Conflict("Someone published a new version of the policy at the same moment. Reload it and try "
                       "again.", slug="policy-changed") from None
    return version, True


def has_accepted(session: Session, user_id: int, version: int) -> bool:
    return bool(session.scalar(select(exists().where(PolicyAcceptance.user_id == user_id,
                                                     PolicyAcceptance.version == version))))


def status(session: Session, user: User) -> dict[str, Any]:
    """What GET /me shows: the current version (null: no policy) and whether I accepted it."""
    latest_version = session.scalar(select(func.max(PolicyVersion.version)))
    if latest_version is None:
        return {"version": None, "accepted": True}
    return {"version": latest_version, "accepted": has_accepted(session, user.id, latest_version)}


def view(session: Session, user: User) -> dict[str, Any]:
    """What GET /policy shows (all null and accepted=true while there is no policy)."""
    latest = current(session)
    if latest is None:
        return {"version": None, "text": None, "published_at": None, "accepted": True}
    return {"version": latest.version, "text": latest.text, "published_at": latest.published_at,
            "accepted": has_accepted(session, user.id, latest.version)}


def accept(session: Session, user: User, version: int) -> None:
    """Accept the current version (again: no change). Another version is refused: the person has
    read a text that is no longer (or not yet) the policy."""
    latest = current(session)
    if latest is None:
        raise Conflict("There is no social media policy to accept.", slug="policy-version-not-current")
    if version != latest.version:
        raise Conflict(f"Version {latest.version} is the current policy, not {version}: read it and accept "
                       f"version {latest.version}.", slug="policy-version-not-current")
    if has_accepted(session, user.id, version):
        return
    try:
        with session.begin_nested():
            session.add(PolicyAcceptance(user_id=user.id, version=version))
            session.flush()
    except IntegrityError:
        pass  # a double tap: the other request recorded the same acceptance


def ensure_may_share(session: Session, user: User) -> None:
    """Sharing needs the current policy accepted (when there is one)."""
    state = status(session, user)
    if not state["accepted"]:
        raise Conflict(f"Read and accept the social media policy (version {state['version']}) before sharing: "
                       f"GET /api/v1/policy, then POST /api/v1/me/policy-acceptance.", slug="policy-not-accepted")
