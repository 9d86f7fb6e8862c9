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


def follow(session: Session, code: str, *, secret: str, ip: str, user_agent: str) -> tuple[str | None, str, str] | None:
    """Resolve a tracked link and count the visit: (link_url, network, campaign), or None for an
    unknown code. On PostgreSQL this is one statement (the redirect is the most-hit endpoint when a
    share goes viral)."""
    counting = not is_bot(user_agent)
    now = utcnow()
    visitor = visitor_hash(secret, now.date(), ip, user_agent) if counting else ""
    if session.get_bind().dialect.name == "postgresql":
        row = session.execute(_FOLLOW, {"code": code, "counting": counting, "day": now.date(), "visitor": visitor,
                                        "now": now, "topic": TALLY_TOPIC}).first()
        if row is None:
            return None
        if row.event_id is not None:
            from workers.outbox import dispatch_after_commit

            dispatch_after_commit(TALLY_TOPIC, int(row.event_id))
        return row.link_url, row.network, row.campaign or str(row.post_id)
    found = resolve(session, code)
    if found is None:
        return None
    share_id, post_id, sharer_id, network, link, campaign = found
    if counting:
        _count(session, share_id=share_id, post_id=post_id, sharer_id=sharer_id, network=network,
               visitor=visitor, now=now)
    return link, network, campaign


def _count(session: Session, *, share_id: int, post_id: int, sharer_id: int | None, network: str, visitor: str,
           now: datetime) -> bool:
    """Count a visit if it is this visitor's first today on this share; True if counted."""
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


# `_count`'s writes — click, counter, activity event, outbox row — with the lookup, in one round trip.
_FOLLOW = text("""
WITH s AS (
    SELECT shares.id, shares.post_id, shares.user_id, shares.network, posts.link_url, posts.campaign
    FROM shares JOIN posts ON posts.id = shares.post_id WHERE shares.code = :code
), c AS (
    INSERT INTO clicks (share_id, day, visitor_hash, created_at)
    SELECT s.id, :day, :visitor, :now FROM s WHERE CAST(:counting AS boolean)
    ON CONFLICT DO NOTHING RETURNING id, share_id
), counter AS (
    UPDATE shares SET click_count = shares.click_count + 1 FROM c WHERE shares.id = c.share_id
), e AS (
    INSERT INTO activity_events (kind, dedupe_key, user_id, post_id, share_id, network, payload, occurred_at)
    SELECT 'click_counted', 'click:' || c.id, s.user_id, s.post_id, s.id, s.network, '{}'::jsonb, :now
    FROM c JOIN s ON s.id = c.share_id
    ON CONFLICT DO NOTHING RETURNING id
), o AS (
    INSERT INTO outbox_messages (topic, ref_id, created_at, dispatched_at, attempts)
    SELECT :topic, e.id, :now, :now, 0 FROM e RETURNING ref_id
)
SELECT s.post_id, s.network, s.link_url, s.campaign, (SELECT ref_id FROM o) AS event_id FROM s
""")
