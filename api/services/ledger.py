"""Appending to the points ledger, and the projections kept in the same transaction.

The ledger is append-only: corrections are compensating entries. Each entry has a
`dedupe_key` unique per (source, rule, user), so appending the same fact twice inserts
nothing (`INSERT ... ON CONFLICT DO NOTHING`) and moves no projection.

Projections: `user_points` (balance = sum of all entries; lifetime = sum of earning
entries), `period_totals` / `team_period_totals` (earned points per ISO week, calendar
month and all time, in ORG_TIMEZONE). Spending (`redemption`, `redemption_refund`)
moves only the balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.db import insert_ignore, upsert
from api.models.ledger import SPENDING_ACTIONS, LedgerEntry, PeriodTotal, TeamPeriodTotal, UserPoints

PERIODS = ("week", "month", "all_time")
ALL_TIME_START = date(2000, 1, 1)


def period_start(period: str, day: date) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return ALL_TIME_START


def local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


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
    timezone: str = "UTC",
    at: datetime | None = None,
) -> Appended | None:
    """Append one entry and move the projections; None (and nothing changed) if the key exists."""
    at = at or utcnow()
    row = session.execute(
        insert_ignore(LedgerEntry.__table__, session)
        .values(user_id=user_id, amount=amount, action=action, dedupe_key=dedupe_key, reason=reason,
                event_id=event_id, rule_version=rule_version, team_id=team_id, post_id=post_id,
                created_by_id=created_by_id, created_at=at)
        .returning(LedgerEntry.__table__.c.id)
    ).first()
    if row is None:
        return None
    earned = 0 if action in SPENDING_ACTIONS else amount
    _add_user_points(session, user_id, amount, earned)
    if earned:
        day = local_day(at, timezone)
        for period in PERIODS:
            start = period_start(period, day)
            _add(session, PeriodTotal, {"period": period, "period_start": start, "user_id": user_id}, earned)
            if team_id is not None:
                _add(session, TeamPeriodTotal, {"period": period, "period_start": start, "team_id": team_id}, earned)
    return Appended(row[0], amount)


def _add_user_points(session: Session, user_id: int, amount: int, earned: int) -> None:
    stmt = upsert(UserPoints.__table__, session).values(user_id=user_id, balance=amount, lifetime=earned)
    table = UserPoints.__table__
    session.execute(stmt.on_conflict_do_update(
        index_elements=[table.c.user_id],
        set_={"balance": table.c.balance + amount, "lifetime": table.c.lifetime + earned},
    ))


def _add(session: Session, model: type, key: dict, points: int) -> None:
    table = model.__table__  # type: ignore[attr-defined]
    stmt = upsert(table, session).values(**key, points=points)
    session.execute(stmt.on_conflict_do_update(index_elements=list(key), set_={"points": table.c.points + points}))


def debit(session: Session, *, user_id: int, amount: int, action: str, dedupe_key: str, reason: str | None = None,
          created_by_id: int | None = None) -> Appended | None:
    """Spend `amount` (> 0) points if the balance covers it, atomically; None if it does not.

    The conditional UPDATE on user_points is the guard: concurrent debits serialise on the
    row and none can take the balance below zero (no read-modify-write).
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
    row = session.execute(
        insert_ignore(LedgerEntry.__table__, session)
        .values(user_id=user_id, amount=-amount, action=action, dedupe_key=dedupe_key, reason=reason,
                created_by_id=created_by_id, created_at=utcnow())
        .returning(LedgerEntry.__table__.c.id)
    ).first()
    if row is None:  # already debited for this key: undo the balance move
        session.execute(update(table).where(table.c.user_id == user_id).values(balance=table.c.balance + amount))
        return None
    return Appended(row[0], -amount)


def balance_of(session: Session, user_id: int) -> int:
    return session.scalar(select(UserPoints.balance).where(UserPoints.user_id == user_id)) or 0


@dataclass(frozen=True)
class NewEntry:
    """One entry for `append_many` (the same fields as `append`)."""

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


def append_many(session: Session, entries: list[NewEntry], *, timezone: str = "UTC") -> set[str]:
    """`append` for a batch (the tally): one multi-row INSERT ... ON CONFLICT DO NOTHING, then one
    upsert per projection with the deltas summed per key, in key order (so concurrent batches
    lock projection rows in the same order). Returns the dedupe keys actually inserted.
    """
    if not entries:
        return set()
    pg = session.get_bind().dialect.name == "postgresql"
    inserted = _insert_entries_pg(session, entries) if pg else _insert_entries(session, entries)
    if not inserted:
        return inserted
    points: dict[int, list[int]] = {}
    periods: dict[tuple[str, date, int], int] = {}
    teams: dict[tuple[str, date, int], int] = {}
    zone = ZoneInfo(timezone)
    starts: dict[date, list[tuple[str, date]]] = {}  # a batch spans few days: each day's periods once
    for e in entries:
        if e.dedupe_key not in inserted:
            continue
        earned = 0 if e.action in SPENDING_ACTIONS else e.amount
        acc = points.setdefault(e.user_id, [0, 0])
        acc[0] += e.amount
        acc[1] += earned
        if earned:
            day = e.at.astimezone(zone).date()
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


def _insert_entries(session: Session, entries: list[NewEntry]) -> set[str]:
    table = LedgerEntry.__table__
    rows = [
        {"user_id": e.user_id, "amount": e.amount, "action": e.action, "dedupe_key": e.dedupe_key,
         "reason": e.reason, "event_id": e.event_id, "rule_version": e.rule_version, "team_id": e.team_id,
         "post_id": e.post_id, "created_by_id": e.created_by_id, "created_at": e.at}
        for e in entries
    ]
    return {r[0] for r in session.execute(insert_ignore(table, session).returning(table.c.dedupe_key), rows)}


# PostgreSQL: whole columns as arrays through unnest() — a short statement with a dozen
# parameters instead of thousands, which is what makes a tally batch cheap. Each column
# travels as ONE delimited string (`pg_column`) split server-side by string_to_array():
# psycopg's per-element array adaptation was the biggest cost in the tally's profile.
# Values must not contain the separator (ids, dates, codes and fixed reasons never do).
PG_SEP = "\x1f"


def pg_column(values: list[Any]) -> str:
    """A column for `string_to_array(:col, chr(31), '')`: NULL is the empty string."""
    # The tally calls this for every column of every batch: numbers and text take the C-speed path.
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, date):
        return PG_SEP.join("" if v is None else v.isoformat() for v in values)
    if None in values:
        return PG_SEP.join("" if v is None else str(v) for v in values)
    return PG_SEP.join(map(str, values))


def pg_array(param: str, sql_type: str) -> str:
    return f"CAST(string_to_array(:{param}, chr(31), '') AS {sql_type}[])"


_ENTRY_COLUMNS = (("user_id", "int"), ("amount", "int"), ("action", "text"), ("dedupe_key", "text"),
                  ("reason", "text"), ("event_id", "int"), ("rule_version", "int"), ("team_id", "int"),
                  ("post_id", "int"), ("created_by_id", "int"), ("created_at", "timestamptz"))
_INSERT_ENTRIES_PG = text(f"""
    INSERT INTO ledger_entries ({", ".join(n for n, _ in _ENTRY_COLUMNS)})
    SELECT * FROM unnest({", ".join(pg_array(n, t) for n, t in _ENTRY_COLUMNS)})
    ON CONFLICT DO NOTHING
    RETURNING dedupe_key""")
_ADD_USER_POINTS_PG = text(f"""
    INSERT INTO user_points (user_id, balance, lifetime)
    SELECT * FROM unnest({pg_array("user_id", "int")}, {pg_array("balance", "int")}, {pg_array("lifetime", "int")})
    ON CONFLICT (user_id) DO UPDATE SET balance = user_points.balance + excluded.balance,
                                        lifetime = user_points.lifetime + excluded.lifetime""")
_ADD_TOTALS_PG = f"""
    INSERT INTO {{table}} (period, period_start, {{owner}}, points)
    SELECT * FROM unnest({pg_array("period", "text")}, {pg_array("period_start", "date")},
                         {pg_array("owner", "int")}, {pg_array("points", "int")})
    ON CONFLICT (period, period_start, {{owner}}) DO UPDATE SET points = {{table}}.points + excluded.points"""
_ADD_PERIODS_PG = text(_ADD_TOTALS_PG.format(table="period_totals", owner="user_id"))
_ADD_TEAMS_PG = text(_ADD_TOTALS_PG.format(table="team_period_totals", owner="team_id"))


def _insert_entries_pg(session: Session, entries: list[NewEntry]) -> set[str]:
    names = ("user_id", "amount", "action", "dedupe_key", "reason", "event_id", "rule_version", "team_id",
             "post_id", "created_by_id", "at")
    columns = {("created_at" if n == "at" else n): pg_column([getattr(e, n) for e in entries]) for n in names}
    return set(session.scalars(_INSERT_ENTRIES_PG, columns))


def _add_many_pg(session: Session, points: dict[int, list[int]], periods: dict[tuple[str, date, int], int],
                 teams: dict[tuple[str, date, int], int]) -> None:
    users = sorted(points)  # one lock order for every worker
    session.execute(_ADD_USER_POINTS_PG, {"user_id": pg_column(users),
                                          "balance": pg_column([points[u][0] for u in users]),
                                          "lifetime": pg_column([points[u][1] for u in users])})
    for stmt, deltas in ((_ADD_PERIODS_PG, periods), (_ADD_TEAMS_PG, teams)):
        if deltas:
            keys = sorted(deltas)
            session.execute(stmt, {"period": pg_column([k[0] for k in keys]),
                                   "period_start": pg_column([k[1] for k in keys]),
                                   "owner": pg_column([k[2] for k in keys]),
                                   "points": pg_column([deltas[k] for k in keys])})


def _add_many(session: Session, model: type, key_names: tuple[str, ...], deltas: dict[tuple, int]) -> None:
    if not deltas:
        return
    table = model.__table__  # type: ignore[attr-defined]
    stmt = upsert(table, session)
    values = [{**dict(zip(key_names, key, strict=True)), "points": pts} for key, pts in sorted(deltas.items())]
    for start in range(0, len(values), 2000):  # stay far below the bind-parameter limit
        session.execute(stmt.values(values[start:start + 2000]).on_conflict_do_update(
            index_elements=list(key_names), set_={"points": table.c.points + stmt.excluded.points}))
