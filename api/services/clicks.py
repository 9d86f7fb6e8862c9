"""Counting clicks on tracked links, privately and honestly.

- The visitor is an HMAC of (IP, user agent) keyed by a salt derived from SECRET_KEY and
  the UTC date: the raw IP is never stored, and yesterday's hashes cannot be linked to
  today's.
- One counted click per visitor per share per day: the `clicks` unique key with
  INSERT ... ON CONFLICT DO NOTHING (no read-then-write race).
- Known bots and link-preview fetchers (which every share triggers when it is posted) and
  requests without a user agent are not counted.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.auth import derive_key
from api.clock import utcnow
from api.db import insert_ignore
from api.models.posts import Post
from api.models.shares import Click, Share
from api.services.activity import record_event

BOT_PATTERN = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|preview|facebookexternalhit|facebookcatalog|linkedinbot|twitterbot|slackbot|"
    r"slack-imgproxy|whatsapp|telegrambot|discordbot|skypeuripreview|googlebot|bingbot|applebot|embedly|"
    r"pinterest|redditbot|vkshare|w3c_validator|headlesschrome|python-requests|curl/|wget/|httpx|go-http-client",
    re.I,
)


def is_bot(user_agent: str) -> bool:
    return not user_agent.strip() or bool(BOT_PATTERN.search(user_agent))


def visitor_hash(secret: str, day: date, ip: str, user_agent: str) -> str:
    salt = derive_key(secret, f"click-salt:{day.isoformat()}").encode()
    return hmac.new(salt, f"{ip}\n{user_agent}".encode(), hashlib.sha256).hexdigest()


def with_utm(link: str, network: str, campaign: str) -> str:
    """The stored link with our UTM parameters (replacing same-named ones, keeping the rest)."""
    parts = urlsplit(link)
    ours = {"utm_source": network, "utm_medium": "employee_advocacy", "utm_campaign": campaign}
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ours]
    return urlunsplit(parts._replace(query=urlencode(kept + list(ours.items()))))


def resolve(session: Session, code: str) -> tuple[int, int, int | None, str, str | None, str] | None:
    """(share_id, post_id, sharer_id, network, link_url, campaign) for a code, in one query."""
    row = session.execute(
        select(Share.id, Share.post_id, Share.user_id, Share.network, Post.link_url, Post.campaign)
        .join(Post, Post.id == Share.post_id).where(Share.code == code)
    ).first()
    if row is None:
        return None
    share_id, post_id, user_id, network, link, campaign = row
    return share_id, post_id, user_id, network, link, campaign or str(post_id)


def count_click(session: Session, *, secret: str, share_id: int, post_id: int, sharer_id: int | None, network: str,
                ip: str, user_agent: str) -> bool:
    """Count a visit if it is a person's first today on this share; True if counted."""
    if is_bot(user_agent):
        return False
    today = utcnow().date()
    inserted = session.execute(
        insert_ignore(Click.__table__, session)
        .values(share_id=share_id, day=today, visitor_hash=visitor_hash(secret, today, ip, user_agent),
                created_at=utcnow())
        .returning(Click.__table__.c.id)
    ).first()
    if inserted is None:
        return False
    session.execute(update(Share).where(Share.id == share_id).values(click_count=Share.click_count + 1)
                    .execution_options(synchronize_session=False))
    record_event(session, "click_counted", f"click:{inserted[0]}", user_id=sharer_id, post_id=post_id,
                 share_id=share_id, network=network)
    return True
