"""The tally: activity events in, append-only ledger entries out, a batch per transaction.

What earns what (amounts from the scoring rules current when the batch is tallied; each
entry keeps the rule version it was computed with, so a later rule change rewrites nothing):

- `share_created`: `share` points for the network (a per-network override may be 0), plus
  the `personal_caption_bonus` when the sharer wrote their own caption and the share itself
  earns points on that network; nothing for sharing a post again on the same network
  (`api.services.scoring.share_award`, the rule the share response announces too).
- `comment_created`: `comment` points, except on a post the commenter authored (acting on
  one's own content earns nothing).
- `click_counted`: `click` points for the sharer, for the first `max_clicks_per_share`
  counted clicks of a share (ordered by event id, so the same clicks count on every replay).
  Clicks are counted by the link redirect, never for the sharer's own visits.
- `suggestion_accepted`: `suggestion_accepted` points for the person who suggested the story.
- `comment_deleted`: a `comment_reversal` of exactly what that comment earned (nothing when
  it earned nothing), in the original entry's team. Reversals apply even to users who have
  since opted out or become ineligible: they correct, they do not award.

Who earns: an active, not erased user with `gamification_enabled` — checked when the event
is tallied, not when it happened, so re-enabling never awards past activity — and admins
only when the rules say `admins_earn_points`.

Exactly once: every entry's `dedupe_key` is `event:{event_id}:{rule}:u{user_id}` and the
ledger's unique key makes a replayed or concurrently tallied event insert nothing.

Daily caps (`daily_caps.share|comment|click`, points per user per day): "a day" is the
calendar day of the event's occurrence in ORG_TIMEZONE. The share cap covers share points
and the personal-caption bonus together. Each batch claims its points with one conditional
upsert on `daily_cap_usage` in the same transaction (`used = LEAST(cap, used + wanted)`, no
read-modify-write); an award that would cross the cap is cut to what is left, and once the
cap is reached further awards that day are 0 (no entry is written for 0). A reversed comment
does not give its cap back (deleting and re-posting comments cannot farm points).

Team at the time: the user's first team membership (earliest `joined_at`, then lowest team
id) when the event is tallied. Entries are dated when the activity happened
(`occurred_at`), so a tally delayed by an outage still lands in the right day and week.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, any_, bindparam, func, literal_column, select, text, update
from sqlalchemy.orm import Session

from api.clock import local_date, utcnow
from api.db import upsert
from api.models.activity import ActivityEvent, OutboxMessage
from api.models.ledger import DailyCapUsage, LedgerEntry
from api.models.posts import Post
from api.models.shares import Share
from api.models.users import User
from api.outbox import TALLY as TALLY_TOPIC
from api.pg_arrays import one_of, pg_array, unnest_arg
from api.services import ledger
from api.services.scoring import current_rules, may_earn, share_award
from api.services.teams import first_teams

# Events per transaction. Larger batches sum more of each user's awards into one projection
# row: measured on the bench (PostgreSQL), 5,000 tallies ~10% faster than 2,000 and ~25% faster
# than 1,000, and holds a batch's locks for about a second.
BATCH_SIZE = 5000
# Which daily cap each ledger action draws from.
CAP_GROUP = {"share": "share", "personal_caption_bonus": "share", "comment": "comment", "click": "click"}


@dataclass(frozen=True)
class Event:
    id: int
    kind: str
    user_id: int | None
    post_id: int | None
    share_id: int | None
    comment_id: int | None
    network: str | None
    personal_caption: bool | None  # from the event's payload: whether the share's caption was personal
    occurred_at: datetime


@dataclass(frozen=True)
class Earner:
    id: int
    role: str
    gamification_enabled: bool
    is_active: bool
    erased: bool


@dataclass
class Context:
    """Everything `decide` needs about a batch, read in a few set-based queries."""

    version: int
    rules: dict[str, Any]
    users: dict[int, Earner]
    personal_caption: dict[int, bool]  # share id -> the sharer wrote their own caption
    repeats: set[int]  # share ids repeating the sharer's earlier share of the post on that network
    post_authors: dict[int, int | None]
    click_rank: dict[int, int]  # click event id -> 1-based position among its share's counted clicks


@dataclass(slots=True)
class Award:
    event_id: int
    user_id: int
    action: str
    amount: int
    at: datetime
    post_id: int | None = None
    team_id: int | None = None
    reason: str | None = None
    dedupe_key: str = field(init=False)  # computed once: it is looked up many times per batch

    def __post_init__(self) -> None:
        self.dedupe_key = dedupe_key(self.event_id, self.action, self.user_id)


def dedupe_key(event_id: int, rule: str, user_id: int) -> str:
    return f"event:{event_id}:{rule}:u{user_id}"


def can_earn(user: Earner | None, rules: dict[str, Any]) -> bool:
    return user is not None and may_earn(rules, role=user.role, gamification_enabled=user.gamification_enabled,
                                         active=user.is_active and not user.erased)


def decide(event: Event, ctx: Context) -> list[Award]:
    """The awards an earning event is worth before caps (comment_deleted is handled apart)."""
    uid = event.user_id
    if uid is None or not can_earn(ctx.users.get(uid), ctx.rules):
        return []
    rules = ctx.rules

    def award(action: str, amount: int, reason: str) -> Award:
        return Award(event.id, uid, action, amount, event.occurred_at, event.post_id, reason=reason)

    out: list[Award] = []
    if event.kind == "share_created":
        personal = ctx.personal_caption.get(event.share_id or 0, bool(event.personal_caption))
        points, bonus = share_award(rules, event.network or "", personal=personal,
                                    repeat=event.share_id in ctx.repeats)
        out.append(award("share", points, f"Shared on {event.network}"))
        out.append(award("personal_caption_bonus", bonus, "Personal caption"))
    elif event.kind == "comment_created":
        if ctx.post_authors.get(event.post_id or 0) != uid:
            out.append(award("comment", int(rules["comment"]), "Comment"))
    elif event.kind == "click_counted":
        if ctx.click_rank.get(event.id, 1) <= int(rules["max_clicks_per_share"]):
            out.append(award("click", int(rules["click"]), "Click on your shared link"))
    elif event.kind == "suggestion_accepted":
        out.append(award("suggestion_accepted", int(rules["suggestion_accepted"]), "Story suggestion accepted"))
    return [a for a in out if a.amount > 0]


# --- reading a batch --------------------------------------------------------------------------------

def _events(session: Session, *, after_id: int, limit: int, ids: list[int] | None, wait: bool) -> list[Event]:
    cols = (ActivityEvent.id, ActivityEvent.kind, ActivityEvent.user_id, ActivityEvent.post_id,
            ActivityEvent.share_id, ActivityEvent.comment_id, ActivityEvent.network,
            ActivityEvent.payload["personal_caption"].as_boolean(),  # not the whole document: one field
            ActivityEvent.occurred_at)
    if ids is not None:  # an explicit replay: tallied or not
        stmt = select(*cols).where(one_of(session, ActivityEvent.id, ids)).order_by(ActivityEvent.id)
    else:
        # The work list is the topic's unprocessed outbox rows (a partial index in ref_id order);
        # the events themselves are never updated, which keeps a batch from rewriting them.
        stmt = (select(*cols).join(OutboxMessage, OutboxMessage.ref_id == ActivityEvent.id)
                .where(OutboxMessage.pending(TALLY_TOPIC), OutboxMessage.ref_id > after_id)
                .order_by(OutboxMessage.ref_id).limit(limit))
        if session.get_bind().dialect.name == "postgresql":
            # Two workers never take the same events; the dedupe keys would make it harmless anyway
            # (an explicit replay takes no lock at all, which the concurrency tests rely on). With
            # `wait`, events another transaction holds are waited for instead of skipped.
            stmt = stmt.with_for_update(skip_locked=not wait, of=OutboxMessage.__table__)
    return [Event(*row) for row in session.execute(stmt)]


def untallied(session: Session, event_ids: Iterable[int] | None = None) -> set[int]:
    """The events still waiting for the tally (of `event_ids`, or all of them): an event is untallied
    while its tally outbox row is unprocessed."""
    stmt = select(OutboxMessage.ref_id).where(OutboxMessage.pending(TALLY_TOPIC))
    if event_ids is not None:
        stmt = stmt.where(one_of(session, OutboxMessage.ref_id, event_ids))
    return set(session.scalars(stmt))


def _context(session: Session, events: list[Event]) -> Context:
    version, rules = current_rules(session)
    user_ids = {e.user_id for e in events if e.user_id is not None}
    users = {
        r.id: Earner(r.id, r.role, r.gamification_enabled, r.is_active, r.erased_at is not None)
        for r in session.execute(select(User.id, User.role, User.gamification_enabled, User.is_active,
                                        User.erased_at).where(one_of(session, User.id, user_ids)))
    } if user_ids else {}
    share_ids = {e.share_id for e in events if e.kind == "share_created" and e.share_id}
    personal: dict[int, bool] = {}
    repeats: set[int] = set()
    for share_id, is_personal, is_repeat in session.execute(
            select(Share.id, Share.personal_caption, Share.is_repeat).where(one_of(session, Share.id, share_ids))):
        personal[share_id] = is_personal
        if is_repeat:
            repeats.add(share_id)
    post_ids = {e.post_id for e in events if e.kind == "comment_created" and e.post_id}
    authors = _pairs(session, select(Post.id, Post.author_id).where(one_of(session, Post.id, post_ids)))
    return Context(version, rules, users, personal, repeats, authors, _click_ranks(session, events))


def _pairs(session: Session, stmt: Any) -> dict[Any, Any]:
    return {row[0]: row[1] for row in session.execute(stmt)}


def _click_ranks(session: Session, events: list[Event]) -> dict[int, int]:
    clicks = [e for e in events if e.kind == "click_counted" and e.share_id and e.user_id]
    if not clicks:
        return {}
    lo, hi = min(e.id for e in clicks), max(e.id for e in clicks)
    shares = {e.share_id for e in clicks}
    sharers = {e.user_id for e in clicks}
    # user_id is indexed: read only the sharers' events. The id lists are written into the SQL:
    # the planner estimates them and picks the index, where it would not for an array parameter,
    # and unlike an IN list of bound parameters they cost no per-value compiling or binding.
    base = (ActivityEvent.kind == "click_counted", _among(session, ActivityEvent.share_id, shares),
            _among(session, ActivityEvent.user_id, sharers))
    before = _pairs(session, select(ActivityEvent.share_id, func.count()).where(*base, ActivityEvent.id < lo)
                    .group_by(ActivityEvent.share_id))
    window: dict[int, list[int]] = {}
    for share_id, event_id in session.execute(
            select(ActivityEvent.share_id, ActivityEvent.id).where(*base, ActivityEvent.id.between(lo, hi))
            .order_by(ActivityEvent.id)):
        window.setdefault(share_id, []).append(event_id)
    return {e.id: before.get(e.share_id, 0) + bisect_left(window.get(e.share_id, []), e.id) + 1 for e in clicks}


def _among(session: Session, column: Any, ids: set[int]) -> Any:
    """`column IN (ids)` with the ids as a constant (they are integers from the database)."""
    if session.get_bind().dialect.name != "postgresql":
        return column.in_(ids)
    return column == any_(literal_column("'{" + ",".join(str(int(i)) for i in sorted(ids)) + "}'::int[]"))


# --- daily caps -------------------------------------------------------------------------------------

UNCAPPED = 2**31 - 1  # fits the INTEGER columns of daily_cap_usage


def _least(session: Session, a: Any, b: Any) -> Any:
    return func.least(a, b) if session.get_bind().dialect.name == "postgresql" else func.min(a, b)


# The same conditional upsert for PostgreSQL, whole columns as typed arrays (see api/pg_arrays.py).
_CLAIM_PG = text(f"""
    INSERT INTO daily_cap_usage (user_id, day, action, used, last_award)
    SELECT u, d, CAST(:action AS text), w, w
    FROM unnest({unnest_arg("user_id", "int")}, {unnest_arg("day", "date")},
                {unnest_arg("wanted", "int")}) AS v(u, d, w)
    ON CONFLICT (user_id, day, action) DO UPDATE
    SET used = LEAST(CAST(:cap AS int), daily_cap_usage.used + excluded.used),
        last_award = LEAST(CAST(:cap AS int), daily_cap_usage.used + excluded.used) - daily_cap_usage.used
    WHERE daily_cap_usage.used < CAST(:cap AS int)
    RETURNING user_id, day, last_award""")


def _claim(session: Session, group: str, cap: int, wanted: dict[tuple[int, date], int]) -> dict[tuple[int, date], int]:
    """Claim `wanted` points per (user, day) against `cap`; returns what each got.

    One conditional upsert: a new row takes min(wanted, cap); an existing one moves to
    LEAST(cap, used + wanted) only while used < cap, and records what that move granted.
    """
    items = sorted(wanted.items())  # one lock order for every worker
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(_CLAIM_PG, {
            "user_id": pg_array(k[0] for k, _ in items), "day": pg_array(k[1] for k, _ in items),
            "action": group, "wanted": pg_array(min(w, cap) for _, w in items), "cap": cap})
        return {(user_id, day): got for user_id, day, got in rows}
    t = DailyCapUsage.__table__
    stmt = upsert(t, session)
    least = _least(session, bindparam("cap", cap), t.c.used + stmt.excluded.used)
    granted: dict[tuple[int, date], int] = {}
    for start in range(0, len(items), 2000):
        values = [{"user_id": u, "day": d, "action": group, "used": min(w, cap), "last_award": min(w, cap)}
                  for (u, d), w in items[start:start + 2000]]
        rows = session.execute(
            stmt.values(values).on_conflict_do_update(
                index_elements=[t.c.user_id, t.c.day, t.c.action],
                set_={"used": least, "last_award": least - t.c.used},
                where=t.c.used < bindparam("cap", cap),
            ).returning(t.c.user_id, t.c.day, t.c.last_award),
            {"cap": cap},
        )
        for user_id, day, got in rows:
            granted[(user_id, day)] = got
    return granted


def _cap(rules: dict[str, Any], group: str) -> int:
    """The group's daily cap; no cap still counts usage, so a cap set later in the day knows
    what was already earned."""
    cap = (rules.get("daily_caps") or {}).get(group)
    return UNCAPPED if cap is None else int(cap)


def _apply_caps(session: Session, awards: list[Award], rules: dict[str, Any], timezone: str) -> list[Award]:
    wanted: dict[str, dict[tuple[int, date], int]] = {}
    days = [local_date(a.at, timezone) for a in awards]
    for a, day in zip(awards, days, strict=True):
        group = CAP_GROUP.get(a.action)
        if group is not None:
            key = (a.user_id, day)
            wanted.setdefault(group, {})[key] = wanted.get(group, {}).get(key, 0) + a.amount
    # Groups in one order too: a worker claiming click then share while another claims share then
    # click deadlocks on daily_cap_usage (seen in CI with two workers on one backlog).
    left = {(g, *k): v for g, w in sorted(wanted.items()) for k, v in _claim(session, g, _cap(rules, g), w).items()}
    out = []
    for a, day in zip(awards, days, strict=True):
        group = CAP_GROUP.get(a.action)
        if group is None:
            out.append(a)
            continue
        key = (group, a.user_id, day)
        got = min(a.amount, left.get(key, 0))  # in event order: the award crossing the cap is cut
        left[key] = left.get(key, 0) - got
        a.amount = got
        out.append(a)
    return out


def _give_back(session: Session, awards: list[Award], timezone: str) -> None:
    """Return the cap claimed by awards whose entry already existed (a concurrent or replayed tally)."""
    t = DailyCapUsage.__table__
    back: dict[tuple[str, int, date], int] = {}
    for a in awards:
        group = CAP_GROUP.get(a.action)
        if group is not None and a.amount > 0:
            key = (group, a.user_id, local_date(a.at, timezone))
            back[key] = back.get(key, 0) + a.amount
    for (group, user_id, day), amount in sorted(back.items()):  # the claims' lock order
        session.execute(update(t).where(t.c.user_id == user_id, t.c.day == day, t.c.action == group)
                        .values(used=t.c.used - amount))


# --- reversals --------------------------------------------------------------------------------------

def _reversals(session: Session, events: list[Event]) -> tuple[list[Award], set[int]]:
    """Compensating entries for deleted comments; and the deletions to retry later (their comment's
    own event is held by another worker, still tallying it or about to retry)."""
    deletions = [e for e in events if e.kind == "comment_deleted" and e.comment_id]
    if not deletions:
        return [], set()
    in_batch = {e.id for e in events}
    created = {  # comment id -> (its comment_created event, author, whether that event is untallied)
        int(key.split(":")[1]): (eid, uid, pending)
        for eid, key, uid, pending in session.execute(
            select(ActivityEvent.id, ActivityEvent.dedupe_key, ActivityEvent.user_id, OutboxMessage.id.is_not(None))
            .outerjoin(OutboxMessage,
                       and_(OutboxMessage.ref_id == ActivityEvent.id, OutboxMessage.pending(TALLY_TOPIC)))
            .where(one_of(session, ActivityEvent.dedupe_key, [f"comment:{e.comment_id}" for e in deletions])))
    }
    keys = {dedupe_key(eid, "comment", uid) for eid, uid, _ in created.values() if uid is not None}
    earned = {k: (amt, team) for k, amt, team in session.execute(
        select(LedgerEntry.dedupe_key, LedgerEntry.amount, LedgerEntry.team_id)
        .where(one_of(session, LedgerEntry.dedupe_key, keys)))} if keys else {}
    out: list[Award] = []
    later: set[int] = set()
    for e in deletions:
        found = created.get(e.comment_id or 0)
        if found is None or found[1] is None:
            continue
        eid, uid, pending = found
        if pending and eid not in in_batch:
            later.add(e.id)
            continue
        amount, team = earned.get(dedupe_key(eid, "comment", uid), (0, None))
        if amount:
            out.append(Award(e.id, uid, "comment_reversal", -amount, e.occurred_at, e.post_id, team,
                             "Comment deleted"))
    return out, later


# --- the batch --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BatchResult:
    events: int  # events read
    tallied: list[int]  # event ids marked tallied (their outbox rows processed)
    entries: int  # ledger entries written
    user_ids: set[int]  # users whose points moved
    last_id: int


def tally_batch(session: Session, *, timezone: str, after_id: int = 0, limit: int = BATCH_SIZE,
                ids: list[int] | None = None, wait: bool = False) -> BatchResult:
    """Tally one batch of untallied events with id > `after_id` (or exactly `ids`, a replay), skipping
    events other transactions hold (or, with `wait`, waiting for them).

    Never commits: the caller commits the entries, projections, cap usage and the events' outbox
    rows' `processed_at` (which is what marks them tallied) together.
    """
    events = _events(session, after_id=after_id, limit=limit, ids=ids, wait=wait)
    if not events:
        return BatchResult(0, [], 0, set(), after_id)
    ctx = _context(session, events)
    # Phase 1: earning events; phase 2 (after the inserts, same transaction): reversals, which
    # then see entries for comments created earlier in this very batch.
    planned = [a for e in events if e.kind != "comment_deleted" for a in decide(e, ctx)]
    entries, user_ids = _write(session, planned, ctx, timezone, cap=True)
    reversals, later = _reversals(session, events)
    more, more_users = _write(session, reversals, ctx, timezone, cap=False)
    tallied = [e.id for e in events if e.id not in later]
    # workers.outbox.mark_processed, with one_of(): the batch's ids as one array parameter
    session.execute(update(OutboxMessage).where(OutboxMessage.pending(TALLY_TOPIC),
                                                one_of(session, OutboxMessage.ref_id, tallied))
                    .values(processed_at=utcnow()).execution_options(synchronize_session=False))
    return BatchResult(len(events), tallied, entries + more, user_ids | more_users, events[-1].id)


def _write(session: Session, awards: list[Award], ctx: Context, timezone: str, *, cap: bool) -> tuple[int, set[int]]:
    if not awards:
        return 0, set()
    existing = set(session.scalars(select(LedgerEntry.dedupe_key).where(
        one_of(session, LedgerEntry.dedupe_key, [a.dedupe_key for a in awards]))))
    awards = [a for a in awards if a.dedupe_key not in existing]  # replays claim no cap
    if cap:
        awards = [a for a in _apply_caps(session, awards, ctx.rules, timezone) if a.amount != 0]
        teams = first_teams(session, {a.user_id for a in awards})
        for a in awards:
            a.team_id = teams.get(a.user_id)
    inserted = ledger.append_many(session, [
        ledger.NewEntry(user_id=a.user_id, amount=a.amount, action=a.action, dedupe_key=a.dedupe_key, at=a.at,
                        reason=a.reason, event_id=a.event_id, rule_version=ctx.version, team_id=a.team_id,
                        post_id=a.post_id)
        for a in awards
    ])
    if cap and len(inserted) < len(awards):
        _give_back(session, [a for a in awards if a.dedupe_key not in inserted], timezone)
    return len(inserted), {a.user_id for a in awards if a.dedupe_key in inserted}
