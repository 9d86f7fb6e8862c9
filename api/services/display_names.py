"""Display names: what people see of each other, so nobody may pass as an admin.

A name "is" an admin's when it matches an active admin's display name after Unicode
normalisation (NFKC), case folding and collapsing whitespace — "ADMIN  Anna" is Admin Anna.
Admins may share names with each other; everyone else picks another name (SECURITY.md, finding 14).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import field_error
from api.models.users import User
from api.names import comparable


def ensure_allowed(session: Session, name: str, *, role: str, user_id: int | None = None) -> None:
    """Refuse (422 on `display_name`) a non-admin's name that is an active admin's."""
    if role == "admin":
        return
    wanted = comparable(name)
    admins = session.execute(
        select(User.id, User.display_name).where(User.role == "admin", User.is_active.is_(True),
                                                 User.erased_at.is_(None)))
    if any(comparable(other) == wanted for uid, other in admins if uid != user_id):
        raise field_error("display_name", "That is the name of an admin. Choose another name.")


def set_name(session: Session, user: User, name: str) -> None:
    ensure_allowed(session, name, role=user.role, user_id=user.id)
    user.display_name = name
