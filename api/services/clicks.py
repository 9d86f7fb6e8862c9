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
from datetime import date, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from api.auth import derive_key
from api.clock import utcnow
from api.db import insert_ignore
from api.models.posts import Post
from api.models.shares import Click, Share
from api.services.activity import TALLY_TOPIC, record_event

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
    now = utcnow()
    visitor = visitor_hash(secret, now.date(), ip, user_agent)
    if session.get_bind().dialect.name == "postgresql":
        return _count_in_one_statement(session, share_id, post_id, sharer_id, network, visitor, now)
    inserted = session.execute(
        insert_ignore(Click.__table__, session)
        .values(share_id=share_id, day=now.date(), visitor_hash=visitor, created_at=now)
        .returning(Click.__table__.c.id)
    ).first()
    if inserted is None:
        return False
    session.execute(update(Share).where(Share.id == share_id).values(click_count=Share.click_count + 1)
                    .execution_options(synchronize_session=False))
    record_event(session, "click_counted", f"click:{inserted[0]}", user_id=sharer_id, post_id=post_id,
                 share_id=share_id, network=network)
    return True


# The same writes as above — click, counter, activity event, outbox row — in one round trip:
# the redirect is the most-hit endpoint when a share goes viral.
_COUNT_CLICK = text("""
WITH c AS (
    INSERT INTO clicks (share_id, day, visitor_hash, created_at) VALUES (:share_id, :day, :visitor, :now)
    ON CONFLICT DO NOTHING RETURNING id
), counter AS (
    UPDATE shares SET click_count = click_count + 1 WHERE id = :share_id AND EXISTS (SELECT 1 FROM c)
), e AS (
    INSERT INTO activity_events (kind, dedupe_key, user_id, post_id, share_id, network, payload, occurred_at)
    SELECT 'click_counted', 'click:' || c.id, :sharer_id, :post_id, :share_id, :network, '{}'::jsonb, :now FROM c
    ON CONFLICT DO NOTHING RETURNING id
), o AS (
    INSERT INTO outbox_messages (topic, ref_id, created_at, dispatched_at, attempts)
    SELECT :topic, e.id, :now, :now, 0 FROM e RETURNING ref_id
)
SELECT ref_id FROM o
""")


def _count_in_one_statement(session: Session, share_id: int, post_id: int, sharer_id: int | None, network: str,
                            visitor: str, now: datetime) -> bool:
    from workers.outbox import dispatch_after_commit

    event_id = session.execute(_COUNT_CLICK, {
        "share_id": share_id, "day": now.date(), "visitor": visitor, "now": now, "sharer_id": sharer_id,
        "post_id": post_id, "network": network, "topic": TALLY_TOPIC}).scalar()
    if event_id is None:
        return False
    dispatch_after_commit(TALLY_TOPIC, int(event_id))
    return True
