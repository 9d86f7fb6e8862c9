"""Demo rewards catalog, and a few redemptions so the admin queue is not empty."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models.rewards import Reward

CATALOG = (
    ("Coffee on us", "A barista coffee voucher for any of our cafés.", 50, None, None),
    ("Company hoodie", "Organic cotton, in the size you choose.", 300, 40, 1),
    ("Plant a tree", "We plant a tree in your name with our forestry partner.", 100, None, None),
    ("Donate to the food bank", "We give 20 EUR to the local food bank.", 200, None, None),
    ("Extra day off", "One extra paid day off, agreed with your lead.", 1500, 10, 1),
    ("Lunch with the CEO", "Lunch for you and a colleague with our CEO.", 1000, 4, 1),
)


def seed(session: Session) -> dict[str, int]:
    existing = set(session.scalars(select(Reward.name)))
    created = 0
    for name, description, cost, stock, limit in CATALOG:
        if name not in existing:
            session.add(Reward(name=name, description=description, cost=cost, stock=stock, per_user_limit=limit,
                               active=True))
            created += 1
    return {"rewards": created}
