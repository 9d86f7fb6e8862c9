"""Factories for rewards, and giving people points to spend."""

from __future__ import annotations

import uuid

import factory

from api.models.rewards import Reward
from api.services import ledger
from tests.factories import _Base


class RewardFactory(_Base):
    class Meta:
        model = Reward

    name = factory.Sequence(lambda n: f"Reward {n}")
    description = "Something nice."
    cost = 100
    stock = None
    active = True


def give_points(session, user, amount: int) -> None:
    ledger.append(session, user_id=user.id, amount=amount, action="adjustment",
                  dedupe_key=f"test-grant:{uuid.uuid4().hex}")
    session.commit()
