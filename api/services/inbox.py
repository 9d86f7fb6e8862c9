"""Writing to a person's inbox. Every notification lands here; pushing is decided later,
at send time, by the push worker (preferences, quiet hours, daily cap)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import outbox
from api.db import insert_ignore
from api.models.notifications import Notification
from api.models.users import User
from api.services.notification_texts import Text, language_of


def notify(
    session: Session,
    user_id: int,
    category: str,
    title: str | Text,
    body: str | Text = "",
    data: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Add an inbox notification (once per `dedupe_key`) and queue its push decision.

    `title` and `body` are words a person wrote (kept as written) or a `Text` of Stafet's own,
    written in the recipient's language. `data` should carry `deep_link` (e.g. "stafet://posts/12");
    values become strings in the push. Returns None when a notification with this dedupe_key already exists.
    """
    if isinstance(title, Text) or isinstance(body, Text):
        lang = _language(session, user_id)
        title = title.render(lang) if isinstance(title, Text) else title
        body = body.render(lang) if isinstance(body, Text) else body
    session.flush()
    row = session.execute(
        insert_ignore(Notification.__table__, session)
        .values(user_id=user_id, category=category, title=title[:200], body=body, data=data or {},
                dedupe_key=dedupe_key, delivery_status="pending", attempts=0)
        .returning(Notification.__table__.c.id)
    ).first()
    if row is None:
        return None
    outbox.publish(session, outbox.PUSH, row[0])
    return session.scalar(select(Notification).where(Notification.id == row[0]))


def languages_for(session: Session, user_ids: Iterable[int]) -> None:
    """Look up the languages of a broadcast's recipients in one query (else one per recipient)."""
    known = _known(session)
    todo = [u for u in set(user_ids) if u not in known]
    for chunk in range(0, len(todo), 1000):
        ids = todo[chunk:chunk + 1000]
        found = {u: locale for u, locale in session.execute(select(User.id, User.locale).where(User.id.in_(ids)))}
        known.update({u: language_of(found.get(u), _default(session)) for u in ids})


def _language(session: Session, user_id: int) -> str:
    """The recipient's language, looked up once per transaction."""
    known = _known(session)
    if user_id not in known:
        known[user_id] = language_of(session.scalar(select(User.locale).where(User.id == user_id)), _default(session))
    return known[user_id]


def _known(session: Session) -> dict[int, str]:
    return session.info.setdefault("stafet.notification_languages", {})


def _default(session: Session) -> str:
    return session.info.get("default_language", "en")  # set by api.db for the app's sessions
