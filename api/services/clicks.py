"""Counting clicks on tracked links, privately and honestly.

- The visitor is an HMAC of (IP, user agent) keyed by a salt derived from SECRET_KEY and
  the UTC date: the raw IP is never stored, and yesterday's hashes cannot be linked to
  today's.
- One counted click per visitor per share per day: the `clicks` unique key with
  INSERT ... ON CONFLICT DO NOTHING (no read-then-write race).
- Known bots and link-preview fetchers (which every share triggers when it is posted) and
  requests without a user agent are not counted.
- On the PostgreSQL web server the click is written a moment later, in a batch with others
  (api.services.click_buffer), and the code's target comes from a per-process table kept for
  LINK_CACHE_SECONDS: a redirect then touches the database only for a code it has not seen.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import threading
import time
from dataclasses import dataclass
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
from api.services.click_buffer import ClickBuffer, PendingClick

log = logging.getLogger(__name__)

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


def follow(session: Session, code: str, *, secret: str, ip: str, user_agent: str,
           buffer: ClickBuffer | None = None) -> tuple[str | None, str, str] | None:
    """Resolve a tracked link and count the visit: (link_url, network, campaign), or None for an
    unknown code. With a `buffer` the click is written in the next batch; otherwise now, and on
    PostgreSQL in one statement."""
    counting = not is_bot(user_agent)
    now = utcnow()
    visitor = visitor_hash(secret, now.date(), ip, user_agent) if counting else ""
    if buffer is not None:
        target = _cached_target(session, code)
        if target is None:
            return None
        if counting:
            buffer.add(PendingClick(target.share_id, target.post_id, target.sharer_id, target.network, now.date(),
                                    visitor, now))
        return target.link, target.network, target.campaign
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


@dataclass(frozen=True)
class Target:
    share_id: int
    post_id: int
    sharer_id: int | None
    network: str
    link: str | None
    campaign: str


LINK_CACHE_SECONDS = 60.0
_LINKS_MAX = 50_000
_links: dict[str, tuple[float, Target]] = {}
_links_lock = threading.Lock()


def _cached_target(session: Session, code: str) -> Target | None:
    """Where a code leads, from this process's table when seen in the last LINK_CACHE_SECONDS
    (an admin's change to a post's link applies at once in the process that made it, elsewhere
    within that time). Unknown codes are not remembered: a new share works at once."""
    now = time.monotonic()
    hit = _links.get(code)
    if hit is not None and hit[0] > now:
        return hit[1]
    row = session.connection().exec_driver_sql(_RESOLVE, {"code": code}).first()
    if row is None:
        return None
    share_id, post_id, sharer_id, network, link, campaign = row
    target = Target(share_id, post_id, sharer_id, network, link, campaign or str(post_id))
    with _links_lock:
        if len(_links) >= _LINKS_MAX:
            for old in list(_links)[: _LINKS_MAX // 10]:  # the oldest tenth (dicts keep insertion order)
                _links.pop(old, None)
        _links[code] = (now + LINK_CACHE_SECONDS, target)
    return target


def forget_links() -> None:
    """Posts changed (a link, a campaign): look every code up again."""
    with _links_lock:
        _links.clear()


def record_many(batch: list[PendingClick]) -> int:
    """Write a batch of clicks in one transaction, each with its activity event and outbox row
    (PostgreSQL, one statement); queue one tally job. Returns how many were counted."""
    from api.db import db
    from workers.outbox import dispatch

    unique = list({(c.share_id, c.day, c.visitor): c for c in reversed(batch)}.values())[::-1]
    params = {"share_ids": [c.share_id for c in unique], "post_ids": [c.post_id for c in unique],
              "user_ids": [c.sharer_id for c in unique], "networks": [c.network for c in unique],
              "days": [c.day for c in unique], "visitors": [c.visitor for c in unique],
              "ats": [c.at for c in unique], "topic": TALLY_TOPIC}
    session = db.new_session()
    try:
        counted = session.connection().exec_driver_sql(_RECORD_MANY, params).scalar_one()
        session.commit()
    finally:
        session.close()
    if counted:
        try:
            dispatch(TALLY_TOPIC, [])
        except Exception:  # the queue is down: the outbox sweep sends it once it is back
            log.warning("could not queue the tally for %d click(s); the outbox sweep will", counted, exc_info=True)
    return counted


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


# `_cached_target` on PostgreSQL: `resolve` without building the statement each time.
_RESOLVE = ("SELECT s.id, s.post_id, s.user_id, s.network, p.link_url, p.campaign"
            " FROM shares s JOIN posts p ON p.id = s.post_id WHERE s.code = %(code)s")

# `record_many`: a batch of clicks, their counters, events and outbox rows, in one statement whose
# text does not depend on the batch size (arrays), so PostgreSQL plans it once per connection.
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
