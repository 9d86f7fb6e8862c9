"""Estimated reach: the follower counts snapshotted on shares, each capped per network.

Follower counts are self-declared. Uncapped, one person typing 10,000,000 turns a share into
ten million people reached and a six-figure earned media value (SECURITY.md, finding 9). So a
share reaches at most its network's cap (FOLLOWER_CAP, default 50,000; FOLLOWER_CAPS overrides
it per network). What a person declared is kept as declared; the cap applies when reach is
counted, so changing a cap re-reads history consistently.

Analytics also say how much of the reach rests on big claims: shares whose count was capped,
and shares whose count is *large* — at least a fifth of the cap, but under it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

LARGE_FRACTION = 5  # a count of at least cap / 5 is "large"


@dataclass(frozen=True)
class FollowerCaps:
    """The most followers a share on each network is counted with."""

    default: int  # FOLLOWER_CAP
    by_network: dict[str, int] = field(default_factory=dict)

    def cap(self, network: str) -> int:
        return self.by_network.get(network, self.default)

    def view(self) -> dict[str, Any]:
        return {"default": self.default, "by_network": dict(sorted(self.by_network.items()))}


def caps_from_config(config: Any) -> FollowerCaps:
    """The caps from the app's settings (FOLLOWER_CAP, FOLLOWER_CAPS)."""
    return FollowerCaps(config["FOLLOWER_CAP"], dict(config["FOLLOWER_CAPS"]))


def cap_of(network: Any, caps: FollowerCaps) -> Any:
    """SQL: the cap for a share's network column."""
    if not caps.by_network:
        return caps.default
    return case(caps.by_network, value=network, else_=caps.default)


def counted(followers: Any, network: Any, caps: FollowerCaps) -> Any:
    """SQL: the reach one share counts with, min(declared, cap)."""
    cap = cap_of(network, caps)
    return case((followers > cap, cap), else_=followers)


def total(followers: Any, network: Any, caps: FollowerCaps) -> Any:
    """SQL: the summed counted reach of a set of shares (0 for none)."""
    return func.coalesce(func.sum(counted(followers, network, caps)), 0)


def check(session: Session, shares: Any, caps: FollowerCaps) -> dict[str, Any]:
    """How much of the reach of `shares` (a subquery with follower_snapshot and network) comes from
    capped or large counts."""
    followers, network = shares.c.follower_snapshot, shares.c.network
    cap = cap_of(network, caps)
    capped = followers > cap
    large = (followers * LARGE_FRACTION >= cap) & ~capped
    row = session.execute(select(
        func.coalesce(func.sum(case((capped, 1), else_=0)), 0),
        func.coalesce(func.sum(case((capped, cap), else_=0)), 0),
        func.coalesce(func.sum(case((capped, followers - cap), else_=0)), 0),
        func.coalesce(func.sum(case((large, 1), else_=0)), 0),
        func.coalesce(func.sum(case((large, followers), else_=0)), 0),
    )).one()
    return {
        "follower_caps": caps.view(),
        "capped_shares": int(row[0]),
        "reach_from_capped_counts": int(row[1]),
        "declared_reach_not_counted": int(row[2]),
        "large_count_shares": int(row[3]),
        "reach_from_large_counts": int(row[4]),
    }
