"""Appending to the points ledger, and the projections kept in the same transaction.

The ledger is append-only: corrections are compensating entries. Each entry has a
`dedupe_key` unique per (source, rule, user), so appending the same fact twice inserts
nothing (`INSERT ... ON CONFLICT DO NOTHING`) and moves no projection.

Projections: `user_points` (balance = sum of all entries; lifetime = sum of earning
entries), `period_totals` / `team_period_totals` (earned points per ISO week, calendar
month and all time, in PERIOD_TIMEZONE). Spending (`redemption`, `redemption_refund`)
moves only the balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from operator import attrgetter
from zoneinfo import ZoneInfo

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.db import insert_ignore, upsert
from api.models.ledger import SPENDING_ACTIONS, LedgerEntry, PeriodTotal, TeamPeriodTotal, UserPoints
from api.pg_arrays import pg_array, unnest_arg

PERIODS = ("week", "month", "all_time")
ALL_TIME_START = date(2000, 1, 1)
# The leaderboards' weeks and months are counted in this timezone, wherever the organisation is
# (ORG_TIMEZONE decides daily caps and streaks, not periods). The one place it is spelled: the
# live path, the rebuild, adjustments, the leaderboards' "this week" and the bench use `period_day`.
PERIOD_TIMEZONE = "UTC"
_PERIOD_ZONE = ZoneInfo(PERIOD_TIMEZONE)


def period_day(at: datetime) -> date:
    """The calendar day a moment counts for in the weekly and monthly totals."""
    return at.astimezone(_PERIOD_ZONE).date()


def period_start(period: str, day: date) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return ALL_TIME_START


@dataclass(frozen=True)
class Appended:
    id: int
    amount: int


def append(
    session: Session,
    *,
    user_id: int,
    amount: int,
    action: str,
    dedupe_key: str,
    reason: str | None = None,
    event_id: int | None = None,
    rule_version: int | None = None,
    team_id: int | None = None,
    post_id: int | None = None,
    created_by_id: int | None = None,
    at: datetime | None = None,
) -> Appended | None:
    """Append one entry and move the projections; None (and nothing changed) if the key exists.
    One entry is a batch of one: the same statements as the tally's batches."""
    entry = NewEntry(user_id=user_id, amount=amount, action=action, dedupe_key=dedupe_key, at=at or utcnow(),
                     reason=reason, event_id=event_id, rule_version=rule_version, team_id=team_id,
                     post_id=post_id, created_by_id=created_by_id)
    entry_id = append_many(session, [entry]).get(dedupe_key)
    return None if entry_id is None else Appended(entry_id, amount)


def debit(session: Session, *, user_id: int, amount: int, action: str, dedupe_key: str, reason: str | None = None,
          created_by_id: int | None = None) -> Appended | None:
    """Spend `amount` (> 0) points if the balance covers it, atomically; None if it does not.

    The conditional UPDATE on user_points is the guard: concurrent debits serialise on the
    row and none can take the balance below zero (no read-modify-write). The entry is then
    written by the same INSERT as every other entry (spending moves only the balance, which
    the guard already moved).
    """
    if amount <= 0:
        raise ValueError("debit amount must be positive")
    table = UserPoints.__table__
    moved = session.execute(
        update(table).where(table.c.user_id == user_id, table.c.balance >= amount)
        .values(balance=table.c.balance - amount).returning(table.c.user_id)
    ).first()
    if moved is None:
        return None
    inserted = _insert_entries(session, [NewEntry(user_id=user_id, amount=-amount, action=action,
                                                  dedupe_key=dedupe_key, at=utcnow(), reason=reason,
                                                  created_by_id=created_by_id)])
    if dedupe_key not in inserted:  # already debited for this key: undo the balance move
        session.execute(update(table).where(table.c.user_id == user_id).values(balance=table.c.balance + amount))
        return None
    return Appended(inserted[dedupe_key], -amount)


def balance_of(session: Session, user_id: int) -> int:
    return session.scalar(select(UserPoints.balance).where(UserPoints.user_id == user_id)) or 0


@dataclass(frozen=True)
class NewEntry:
    """One ledger entry to append (`append_many`)."""

    user_id: int
    amount: int
    action: str
    dedupe_key: str
    at: datetime
    reason: str | None = None
    event_id: int | None = None
    rule_version: int | None = None
    team_id: int | None = None
    post_id: int | None = None
    created_by_id: int | None = None


def append_many(session: Session, entries: list[NewEntry]) -> dict[str, int]:
    """The one write path of the ledger: one INSERT ... ON CONFLICT DO NOTHING for all the entries,
    then one upsert per projection with the deltas summed per key, in key order (so concurrent
    batches lock projection rows in the same order). Returns {dedupe_key: entry id} of the entries
    actually inserted (a key that already existed inserts nothing and moves nothing).
    """
    if not entries:
        return {}
    pg = session.get_bind().dialect.name == "postgresql"
    inserted = _insert_entries(session, entries)
    if not inserted:
        return inserted
    points: dict[int, list[int]] = {}
    periods: dict[tuple[str, date, int], int] = {}
    teams: dict[tuple[str, date, int], int] = {}
    starts: dict[date, list[tuple[str, date]]] = {}  # a batch spans few days: each day's periods once
    counted: set[str] = set()  # a key given twice in one batch is one entry
    for e in entries:
        if e.dedupe_key not in inserted or e.dedupe_key in counted:
            continue
        counted.add(e.dedupe_key)
        earned = 0 if e.action in SPENDING_ACTIONS else e.amount
        acc = points.setdefault(e.user_id, [0, 0])
        acc[0] += e.amount
        acc[1] += earned
        if earned:
            day = period_day(e.at)
            day_starts = starts.get(day)
            if day_starts is None:
                day_starts = starts[day] = [(period, period_start(period, day)) for period in PERIODS]
            for period, start in day_starts:
                periods[(period, start, e.user_id)] = periods.get((period, start, e.user_id), 0) + earned
                if e.team_id is not None:
                    teams[(period, start, e.team_id)] = teams.get((period, start, e.team_id), 0) + earned
    if pg:
        _add_many_pg(session, points, periods, teams)
        return inserted
    up = UserPoints.__table__
    stmt = upsert(up, session)
    session.execute(
        stmt.values([{"user_id": u, "balance": b, "lifetime": lt} for u, (b, lt) in sorted(points.items())])
        .on_conflict_do_update(index_elements=[up.c.user_id],
                               set_={"balance": up.c.balance + stmt.excluded.balance,
                                     "lifetime": up.c.lifetime + stmt.excluded.lifetime}))
    _add_many(session, PeriodTotal, ("period", "period_start", "user_id"), periods)
    _add_many(session, TeamPeriodTotal, ("period", "period_start", "team_id"), teams)
    return inserted


# The entry columns, with their PostgreSQL types for unnest(); NewEntry.at is created_at.
_ENTRY_COLUMNS = (("user_id", "int"), ("amount", "int"), ("action", "text"), ("dedupe_key", "text"),
                  ("reason", "text"), ("event_id", "int"), ("rule_version", "int"), ("team_id", "int"),
                  ("post_id", "int"), ("created_by_id", "int"), ("created_at", "timestamptz"))


# Each column's value from a NewEntry (the tally's batches read 11 columns of thousands of entries).
_ENTRY_VALUES = {name: attrgetter("at" if name == "created_at" else name) for name, _type in _ENTRY_COLUMNS}


def _insert_entries(session: Session, entries: list[NewEntry]) -> dict[str, int]:
    """INSERT ... ON CONFLICT DO NOTHING of the entries; {dedupe_key: id} of those inserted."""
    if session.get_bind().dialect.name == "postgresql":
        result = session.execute(_INSERT_ENTRIES_PG, {name: pg_array(map(value, entries))
                                                      for name, value in _ENTRY_VALUES.items()})
    else:
        table = LedgerEntry.__table__
        rows = [{name: value(e) for name, value in _ENTRY_VALUES.items()} for e in entries]
        result = session.execute(insert_ignore(table, session).returning(table.c.dedupe_key, table.c.id), rows)
    return {key: entry_id for key, entry_id in result}


# PostgreSQL: whole columns as typed arrays through unnest() (api/pg_arrays.py) — a short
# statement with a dozen parameters instead of thousands, which is what makes a tally batch cheap.
_INSERT_ENTRIES_PG = text(f"""
    INSERT INTO ledger_entries ({", ".join(n for n, _ in _ENTRY_COLUMNS)})
    SELECT * FROM unnest({", ".join(unnest_arg(n, t) for n, t in _ENTRY_COLUMNS)})
    ON CONFLICT DO NOTHING
    RETURNING dedupe_key, id""")
_ADD_USER_POINTS_PG = text(f"""
    INSERT INTO user_points (user_id, balance, lifetime)
    SELECT * FROM unnest({unnest_arg("user_id", "int")}, {unnest_arg("balance", "int")},
                         {unnest_arg("lifetime", "int")})
    ON CONFLICT (user_id) DO UPDATE SET balance = user_points.balance + excluded.balance,
                                        lifetime = user_points.lifetime + excluded.lifetime""")
_ADD_TOTALS_PG = f"""
    INSERT INTO {{table}} (period, period_start, {{owner}}, points)
    SELECT * FROM unnest({unnest_arg("period", "text")}, {unnest_arg("period_start", "date")},
                         {unnest_arg("owner", "int")}, {unnest_arg("points", "int")})
    ON CONFLICT (period, period_start, {{owner}}) DO UPDATE SET points = {{table}}.points + excluded.points"""
_ADD_PERIODS_PG = text(_ADD_TOTALS_PG.format(table="period_totals", owner="user_id"))
_ADD_TEAMS_PG = text(_ADD_TOTALS_PG.format(table="team_period_totals", owner="team_id"))


def _add_many_pg(session: Session, points: dict[int, list[int]], periods: dict[tuple[str, date, int], int],
                 teams: dict[tuple[str, date, int], int]) -> None:
    users = sorted(points)  # one lock order for every worker
    session.execute(_ADD_USER_POINTS_PG, {"user_id": pg_array(users),
                                          "balance": pg_array(points[u][0] for u in users),
                                          "lifetime": pg_array(points[u][1] for u in users)})
    for stmt, deltas in ((_ADD_PERIODS_PG, periods), (_ADD_TEAMS_PG, teams)):
        if deltas:
            keys = sorted(deltas)
            session.execute(stmt, {"period": pg_array(k[0] for k in keys),
                                   "period_start": pg_array(k[1] for k in keys),
                                   "owner": pg_array(k[2] for k in keys),
                                   "points": pg_array(deltas[k] for k in keys)})


def _add_many(session: Session, model: type, key_names: tuple[str, ...], deltas: dict[tuple, int]) -> None:
    if not deltas:
        return
    table = model.__table__  # type: ignore[attr-defined]
    stmt = upsert(table, session)
    values = [{**dict(zip(key_names, key, strict=True)), "points": pts} for key, pts in sorted(deltas.items())]
    for start in range(0, len(values), 2000):  # stay far below the bind-parameter limit
        session.execute(stmt.values(values[start:start + 2000]).on_conflict_do_update(
            index_elements=list(key_names), set_={"points": table.c.points + stmt.excluded.points}))
