"""Counting clicks on tracked links, privately and honestly.

- The visitor is an HMAC of (address, user-agent bucket) keyed by a salt derived from
  SECRET_KEY and the UTC date: the raw IP is never stored, and yesterday's hashes cannot be
  linked to today's. The address is the IPv4 address or the IPv6 /64 (one subscriber's
  network: a phone rotates through it freely). The user agent only picks one of
  VISITORS_PER_ADDRESS buckets, so colleagues behind one office NAT still count separately,
  while rotating the User-Agent from one address counts at most VISITORS_PER_ADDRESS clicks
  per share per day (SECURITY.md, finding 7).
- One counted click per visitor per share per day: the `clicks` unique key with
  INSERT ... ON CONFLICT DO NOTHING (no read-then-write race), which is therefore also the
  per-address ceiling.
- Known bots and link-preview fetchers (which every share triggers when it is posted) and
  requests without a user agent are not counted.
- On the PostgreSQL web server the click is written a moment later, in a batch with others
  (api.services.click_buffer, fed by api/redirects.py), and the code's target comes from a per-process table kept for
  LINK_CACHE_SECONDS: a redirect then touches the database only for a code it has not seen.
  Otherwise the request writes it with the same statement (one click's batch).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from api import outbox
from api.clock import utcnow
from api.db import insert_ignore
from api.keys import derive_key
from api.models.posts import Post
from api.models.shares import Click, Share
from api.services.activity import record_event
from api.services.click_buffer import ClickBuffer
from api.services.ttl_cache import TtlCache

log = logging.getLogger(__name__)

BOT_PATTERN = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|preview|facebookexternalhit|facebookcatalog|linkedinbot|twitterbot|slackbot|"
    r"slack-imgproxy|whatsapp|telegrambot|discordbot|skypeuripreview|googlebot|bingbot|applebot|embedly|"
    r"pinterest|redditbot|vkshare|w3c_validator|headlesschrome|python-requests|curl/|wget/|httpx|go-http-client",
    re.I,
)


def is_bot(user_agent: str) -> bool:
    return not user_agent.strip() or bool(BOT_PATTERN.search(user_agent))


VISITORS_PER_ADDRESS = 3


def address_key(ip: str) -> str:
    """The part of a client address that identifies one subscriber: an IPv4 address, an IPv6 /64."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False).network_address) + "/64"
    return str(address)


def visitor_hash(secret: str, day: date, ip: str, user_agent: str) -> str:
    salt = derive_key(secret, f"click-salt:{day.isoformat()}").encode()
    bucket = hashlib.sha256(user_agent.encode()).digest()[0] % VISITORS_PER_ADDRESS
    return hmac.new(salt, f"{address_key(ip)}\n{bucket}".encode(), hashlib.sha256).hexdigest()


def with_utm(link: str, network: str, campaign: str) -> str:
    """The stored link with our UTM parameters (replacing same-named ones, keeping the rest)."""
    parts = urlsplit(link)
    ours = {"utm_source": network, "utm_medium": "employee_advocacy", "utm_campaign": campaign}
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ours]
    return urlunsplit(parts._replace(query=urlencode(kept + list(ours.items()))))


@dataclass(frozen=True)
class PendingClick:
    """A counted visit, as the redirect saw it (written now, or by the next batch)."""

    share_id: int
    post_id: int
    sharer_id: int | None
    network: str
    day: date
    visitor: str
    at: datetime


@dataclass(frozen=True)
class Target:
    """Where a tracked link leads, and whom its clicks count for."""

    share_id: int
    post_id: int
    sharer_id: int | None
    network: str
    link: str | None
    campaign: str


@cache
def _resolve_statement() -> Any:
    return (select(Share.id, Share.post_id, Share.user_id, Share.network, Post.link_url, Post.campaign)
            .join(Post, Post.id == Share.post_id).where(Share.code == bindparam("code")))


def resolve(session: Session, code: str) -> Target | None:
    row = session.execute(_resolve_statement(), {"code": code}).first()
    if row is None:
        return None
    share_id, post_id, sharer_id, network, link, campaign = row
    return Target(share_id, post_id, sharer_id, network, link, campaign or str(post_id))


LINK_CACHE_SECONDS = 60.0
_targets = TtlCache(50_000)


def follow(session: Session, code: str, *, secret: str, ip: str, user_agent: str,
           buffer: ClickBuffer[PendingClick] | None = None) -> Target | None:
    """Resolve a tracked link and count the visit; None for an unknown code.

    With a `buffer` the target comes from this process's table when seen in the last
    LINK_CACHE_SECONDS (an admin's change to a post's link applies at once in the process that
    made it, elsewhere within that time; unknown codes are not remembered) and the click is
    written in the next batch. Without, the click is written in this request's transaction."""
    if buffer is not None:
        target = _targets.get(code, LINK_CACHE_SECONDS, lambda: resolve(session, code))
    else:
        target = resolve(session, code)
    if target is None or is_bot(user_agent):
        return target
    now = utcnow()
    click = PendingClick(target.share_id, target.post_id, target.sharer_id, target.network, now.date(),
                         visitor_hash(secret, now.date(), ip, user_agent), now)
    if buffer is not None:
        buffer.add(click)
    elif session.get_bind().dialect.name == "postgresql":
        if _insert_batch(session, [click]):
            outbox.dispatch_after_commit(session, outbox.TALLY)  # rows written by the statement: no ids to add
    else:
        _count(session, click)
    return target


def forget_links() -> None:
    """Posts changed (a link, a campaign): look every code up again."""
    _targets.forget()


def record_many(session: Session, batch: list[PendingClick]) -> int:
    """Write a batch of clicks (PostgreSQL) in the caller's transaction, the tally dispatched once
    it commits. Returns how many were counted (a new visitor that day)."""
    counted = _insert_batch(session, batch)
    if counted:
        outbox.dispatch_after_commit(session, outbox.TALLY)
    return counted


def _insert_batch(session: Session, batch: list[PendingClick]) -> int:
    """The clicks, their counters, activity events and outbox rows in one PostgreSQL statement;
    how many were counted."""
    unique = list({(c.share_id, c.day, c.visitor): c for c in reversed(batch)}.values())[::-1]
    params = {"share_ids": [c.share_id for c in unique], "post_ids": [c.post_id for c in unique],
              "user_ids": [c.sharer_id for c in unique], "networks": [c.network for c in unique],
              "days": [c.day for c in unique], "visitors": [c.visitor for c in unique],
              "ats": [c.at for c in unique], "topic": outbox.TALLY}
    return session.connection().exec_driver_sql(_RECORD_MANY, params).scalar_one()


def _count(session: Session, click: PendingClick) -> bool:
    """Count a visit if it is this visitor's first today on this share; True if counted (SQLite)."""
    inserted = session.execute(
        insert_ignore(Click.__table__, session)
        .values(share_id=click.share_id, day=click.day, visitor_hash=click.visitor, created_at=click.at)
        .returning(Click.__table__.c.id)
    ).first()
    if inserted is None:
        return False
    session.execute(update(Share).where(Share.id == click.share_id).values(click_count=Share.click_count + 1)
                    .execution_options(synchronize_session=False))
    record_event(session, "click_counted", f"click:{inserted[0]}", user_id=click.sharer_id, post_id=click.post_id,
                 share_id=click.share_id, network=click.network)
    return True


# `_insert_batch`: clicks, their counters, events and outbox rows, in one statement whose text does
# not depend on the batch size (arrays), so PostgreSQL plans it once per connection.
_RECORD_MANY = """
WITH v AS (
    SELECT * FROM unnest(%(share_ids)s::int[], %(post_ids)s::int[], %(user_ids)s::int[], %(networks)s::text[],
                         %(days)s::date[], %(visitors)s::text[], %(ats)s::timestamptz[])
        AS v(share_id, post_id, user_id, network, day, visitor, at)
), c AS (
    INSERT INTO clicks (share_id, day, visitor_hash, created_at)
    SELECT share_id, day, visitor, at FROM v
    ON CONFLICT DO NOTHING RETURNING id, share_id, day, visitor_hash
), counter AS (
    UPDATE shares SET click_count = shares.click_count + k.n
    FROM (SELECT share_id, count(*) AS n FROM c GROUP BY share_id) AS k WHERE shares.id = k.share_id
), e AS (
    INSERT INTO activity_events (kind, dedupe_key, user_id, post_id, share_id, network, payload, occurred_at)
    SELECT 'click_counted', 'click:' || c.id, v.user_id, v.post_id, v.share_id, v.network, '{}'::jsonb, v.at
    FROM c JOIN v ON v.share_id = c.share_id AND v.day = c.day AND v.visitor = c.visitor_hash
    ON CONFLICT DO NOTHING RETURNING id
), o AS (
    INSERT INTO outbox_messages (topic, ref_id, created_at, dispatched_at, attempts)
    SELECT %(topic)s, e.id, now(), now(), 0 FROM e RETURNING ref_id
)
SELECT count(*) FROM o
"""
