"""Badges: criteria evaluated after each tally batch, awarded once, never taken away by rule changes."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session


def evaluate_after_tally(session: Session, user_ids: Iterable[int]) -> list[int]:
    """Award every badge whose criteria the given users now meet; returns the new award ids.

    Called by the tally worker inside its transaction, for the users of the batch only.
    """
    return []
