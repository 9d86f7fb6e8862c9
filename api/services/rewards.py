"""The rewards catalog and redeeming points for rewards — never oversold, never overspent.

A redemption, in one transaction:
1. lock the redeemer's `user_points` row (FOR UPDATE on PostgreSQL; SQLite serialises
   writers anyway) so one person's concurrent redemptions queue up and the per-user
   limit is counted without a race;
2. take one from stock with a conditional UPDATE (`stock > 0`), which the database
   serialises per reward and a CHECK constraint backs up;
3. debit the cost with the ledger's conditional UPDATE (`balance >= cost`).
Any refusal raises, and the unit of work rolls back the whole transaction. Locks are
always taken in the same order (user, then reward), so concurrent redemptions cannot
deadlock.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api.errors import Conflict, NotFound, Unprocessable
from api.models.ledger import UserPoints
from api.models.rewards import Redemption, Reward
from api.models.users import User
from api.services import inbox, ledger
from api.services.notification_texts import Text, text

# status -> the statuses it may move to
TRANSITIONS = {"pending": {"approved", "rejected"}, "approved": {"fulfilled", "rejected"}}


def get_reward(session: Session, reward_id: int, *, active_only: bool = False) -> Reward:
    reward = session.get(Reward, reward_id)
    if reward is None or (active_only and not reward.active):
        raise NotFound(f"There is no reward {reward_id} in the catalog.")
    return reward


def create_reward(session: Session, data: dict[str, Any]) -> Reward:
    reward = Reward(**data)
    session.add(reward)
    session.flush()
    return reward


def update_reward(session: Session, reward: Reward, data: dict[str, Any]) -> Reward:
    for name, value in data.items():
        setattr(reward, name, value)
    session.flush()
    return reward


def retire_reward(session: Session, reward: Reward) -> None:
    """Delete a reward nobody redeemed; otherwise deactivate it (redemptions refer to it)."""
    used = session.scalar(select(func.count()).select_from(Redemption).where(Redemption.reward_id == reward.id))
    if used:
        reward.active = False
    else:
        session.delete(reward)
    session.flush()


def redemption_counts(session: Session, reward_ids: list[int]) -> dict[int, int]:
    if not reward_ids:
        return {}
    rows = session.execute(select(Redemption.reward_id, func.count()).where(
        Redemption.reward_id.in_(reward_ids), Redemption.status != "rejected").group_by(Redemption.reward_id))
    return {rid: n for rid, n in rows}


def _lock_user(session: Session, user_id: int) -> None:
    stmt = select(UserPoints.user_id).where(UserPoints.user_id == user_id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    session.execute(stmt)


def redeem(session: Session, user: User, reward_id: int) -> Redemption:
    reward = get_reward(session, reward_id, active_only=True)
    cost, name, limit = reward.cost, reward.name, reward.per_user_limit
    _lock_user(session, user.id)
    if limit is not None:
        mine = session.scalar(select(func.count()).select_from(Redemption).where(
            Redemption.user_id == user.id, Redemption.reward_id == reward_id, Redemption.status != "rejected"))
        if (mine or 0) >= limit:
            raise Conflict(f"You have already redeemed {name} {limit} time(s), the most allowed per person.")
    if ledger.balance_of(session, user.id) < cost:
        raise Unprocessable(f"{name} costs {cost} points; your balance is {ledger.balance_of(session, user.id)}.",
                            slug="insufficient-balance")
    taken = session.execute(
        update(Reward).where(Reward.id == reward_id, Reward.active.is_(True),
                             (Reward.stock.is_(None)) | (Reward.stock > 0))
        .values(stock=Reward.stock - 1).execution_options(synchronize_session=False).returning(Reward.id)
    ).first()
    if taken is None:
        raise Conflict(f"{name} is out of stock.", slug="out-of-stock")
    redemption = Redemption(reward_id=reward_id, user_id=user.id, cost=cost, status="pending")
    session.add(redemption)
    session.flush()
    if ledger.debit(session, user_id=user.id, amount=cost, action="redemption",
                    dedupe_key=f"redemption:{redemption.id}:debit", reason=f"Redeemed {name}") is None:
        raise Unprocessable(f"{name} costs {cost} points; your balance is too low.", slug="insufficient-balance")
    return redemption


def get_redemption(session: Session, redemption_id: int) -> Redemption:
    redemption = session.get(Redemption, redemption_id)
    if redemption is None:
        raise NotFound(f"There is no redemption {redemption_id}.")
    return redemption


def decide(session: Session, redemption: Redemption, *, status: str, note: str | None, admin_id: int) -> Redemption:
    """Move a redemption along; a rejection refunds the points and restores the stock, once."""
    allowed_from = [s for s, targets in TRANSITIONS.items() if status in targets]
    moved = session.execute(
        update(Redemption).where(Redemption.id == redemption.id, Redemption.status.in_(allowed_from))
        .values(status=status, note=note, decided_by_id=admin_id)
        .execution_options(synchronize_session=False).returning(Redemption.id)
    ).first()
    if moved is None:
        raise Conflict(f"A {redemption.status} redemption cannot become {status}.")
    session.refresh(redemption)
    reward = session.get(Reward, redemption.reward_id)
    assert reward is not None
    if status == "rejected":
        ledger.append(session, user_id=redemption.user_id, amount=redemption.cost, action="redemption_refund",
                      dedupe_key=f"redemption:{redemption.id}:refund", reason=f"Refund: {reward.name}",
                      created_by_id=admin_id)
        session.execute(update(Reward).where(Reward.id == reward.id, Reward.stock.is_not(None))
                        .values(stock=Reward.stock + 1).execution_options(synchronize_session=False))
    body = text(f"reward.{status}.body", name=reward.name, cost=redemption.cost)
    inbox.notify(session, redemption.user_id, "rewards", text(f"reward.{status}.title"),
                 _with_note(body, note),
                 data={"deep_link": f"stafet://redemptions/{redemption.id}", "redemption_id": redemption.id},
                 dedupe_key=f"redemption:{redemption.id}:{status}")
    return redemption


def views(session: Session, rows: list[Redemption], *, with_user: bool = False) -> list[dict[str, Any]]:
    reward_ids = {r.reward_id for r in rows}
    names = {rid: n for rid, n in session.execute(select(Reward.id, Reward.name).where(Reward.id.in_(reward_ids)))} \
        if reward_ids else {}
    people: dict[int, str] = {}
    if with_user and rows:
        people = {uid: n for uid, n in session.execute(
            select(User.id, User.display_name).where(User.id.in_({r.user_id for r in rows})))}
    out = []
    for r in rows:
        item = {"id": r.id, "reward_id": r.reward_id, "reward_name": names.get(r.reward_id, ""), "cost": r.cost,
                "status": r.status, "note": r.note, "created_at": r.created_at, "updated_at": r.updated_at}
        if with_user:
            item["user"] = {"id": r.user_id, "display_name": people.get(r.user_id, "")}
        out.append(item)
    return out


def reward_views(session: Session, rows: list[Reward]) -> list[dict[str, Any]]:
    counts = redemption_counts(session, [r.id for r in rows])
    return [{**{k: getattr(r, k) for k in ("id", "name", "description", "cost", "stock", "per_user_limit",
                                           "image_url", "active", "created_at")},
             "redemptions": counts.get(r.id, 0)} for r in rows]


def _with_note(body: Text, note: str | None) -> Text:
    """The admin's note (their own words) after Stafet's sentence."""
    return body if not note else text("with_note", text=body, note=note)
