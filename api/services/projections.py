"""Recomputing the ledger's projections from the ledger (`stafet rebuild-projections`).

`user_points`, `period_totals` and `team_period_totals` are rebuilt with the same
arithmetic the live path uses (`api.services.ledger`), so a rebuild equals the live state.
`daily_cap_usage` is left alone: it records the claims the caps were enforced with, not a
read model. Badges earned from the ledger are awarded where missing (badges.rebuild).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from api.models.ledger import SPENDING_ACTIONS, LedgerEntry, PeriodTotal, TeamPeriodTotal, UserPoints
from api.services import badges
from api.services.ledger import PERIODS, period_day, period_start


def compute(session: Session) -> dict[str, list[dict[str, Any]]]:
    """The projection rows the ledger implies (nothing written)."""
    points: dict[int, list[int]] = {}
    periods: dict[tuple[str, date, int], int] = {}
    teams: dict[tuple[str, date, int], int] = {}
    stmt = select(LedgerEntry.user_id, LedgerEntry.amount, LedgerEntry.action, LedgerEntry.team_id,
                  LedgerEntry.created_at).order_by(LedgerEntry.id).execution_options(yield_per=10_000)
    for user_id, amount, action, team_id, created_at in session.execute(stmt):
        earned = 0 if action in SPENDING_ACTIONS else amount
        acc = points.setdefault(user_id, [0, 0])
        acc[0] += amount
        acc[1] += earned
        if earned:
            day = period_day(created_at)
            for period in PERIODS:
                start = period_start(period, day)
                periods[(period, start, user_id)] = periods.get((period, start, user_id), 0) + earned
                if team_id is not None:
                    teams[(period, start, team_id)] = teams.get((period, start, team_id), 0) + earned
    return {
        "user_points": [{"user_id": u, "balance": b, "lifetime": lt} for u, (b, lt) in sorted(points.items())],
        "period_totals": [{"period": p, "period_start": s, "user_id": u, "points": v}
                          for (p, s, u), v in sorted(periods.items())],
        "team_period_totals": [{"period": p, "period_start": s, "team_id": t, "points": v}
                               for (p, s, t), v in sorted(teams.items())],
    }


def rebuild(session: Session, *, timezone: str) -> dict[str, int]:
    """Replace the projections with what the ledger implies; returns row counts. Never commits.
    `timezone` is the organisation's (ORG_TIMEZONE), for the badges' day streaks.

    On PostgreSQL the ledger is locked against new entries until the caller commits, so
    a tally running meanwhile waits instead of moving a projection being rebuilt.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(LedgerEntry.__table__.select().limit(0))  # open the transaction first
        session.connection().exec_driver_sql("LOCK TABLE ledger_entries IN SHARE MODE")
    rows = compute(session)
    counts: dict[str, int] = {}
    for model in (UserPoints, PeriodTotal, TeamPeriodTotal):
        table = model.__table__  # type: ignore[attr-defined]
        session.execute(delete(table))
        values = rows[table.name]
        for start in range(0, len(values), 5000):
            session.execute(insert(table), values[start:start + 5000])
        counts[table.name] = len(values)
    counts["badges"] = badges.rebuild(session, timezone=timezone)
    return counts
