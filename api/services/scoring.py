"""The current scoring rules (versioned) and what a post offers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models.scoring import DEFAULT_RULES, ScoringRuleSet


def _newest():
    return select(ScoringRuleSet.id, ScoringRuleSet.rules).order_by(ScoringRuleSet.id.desc()).limit(1)


def current_rules(session: Session) -> tuple[int, dict[str, Any]]:
    """(version, rules): the newest rule set, or version 0 = the defaults."""
    row = session.execute(_newest()).first()
    if row is None:
        return 0, dict(DEFAULT_RULES)
    return row[0], with_defaults(row[1])


def with_defaults(rules: dict[str, Any] | None) -> dict[str, Any]:
    return {**DEFAULT_RULES, **(rules or {})}


def newest_rules_column():
    """The current rule set as a scalar subquery, to read it in the same statement as a page."""
    return _newest().with_only_columns(ScoringRuleSet.rules).scalar_subquery()


def share_points(rules: dict[str, Any], network: str) -> int:
    """Points for a share on `network` (per-network override, which may be 0, else the default)."""
    override = (rules.get("share_by_network") or {}).get(network)
    return int(override) if override is not None else int(rules["share"])


def share_award(rules: dict[str, Any], network: str, *, personal: bool, repeat: bool) -> tuple[int, int]:
    """(share points, personal-caption bonus) a share earns before daily caps — the one rule the tally
    awards by and the share response announces. Sharing a post again on the same network earns
    nothing (it is not a new share, and re-sharing must not farm points); the bonus comes only where
    the share itself earns."""
    if repeat:
        return 0, 0
    base = share_points(rules, network)
    return base, int(rules["personal_caption_bonus"]) if personal and base > 0 else 0


def may_earn(rules: dict[str, Any], *, role: str, gamification_enabled: bool, active: bool) -> bool:
    """Who earns points: active people in gamification, admins only when the rules say so."""
    if not gamification_enabled or not active:
        return False
    return role != "admin" or bool(rules.get("admins_earn_points"))


def points_on_offer(rules: dict[str, Any], networks: list[str]) -> dict[str, int]:
    """What the feed shows: the best share points over the post's networks, bonus, comment."""
    best_share = max((share_points(rules, n) for n in networks), default=int(rules["share"]))
    return {
        "share": best_share,
        "personal_caption_bonus": int(rules["personal_caption_bonus"]) if best_share > 0 else 0,
        "comment": int(rules["comment"]),
    }
