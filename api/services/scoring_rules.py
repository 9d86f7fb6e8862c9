"""What admins see and change of the scoring rules and the levels table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from api.models.scoring import Level, ScoringRuleSet
from api.services.points import levels
from api.services.scoring import current_rules

RULE_FIELDS = ("share", "share_by_network", "personal_caption_bonus", "comment", "click", "suggestion_accepted",
               "admins_earn_points", "daily_caps", "max_clicks_per_share", "max_challenge_prize")


def rules_view(session: Session) -> dict[str, Any]:
    _, rules = current_rules(session)
    view = {name: rules[name] for name in RULE_FIELDS}
    view["daily_caps"] = {k: (rules["daily_caps"] or {}).get(k) for k in ("share", "comment", "click")}
    view["levels"] = [{"number": n, "name": name, "min_points": m} for n, name, m in levels(session)]
    return view


def replace_rules(session: Session, data: dict[str, Any], admin_id: int) -> dict[str, Any]:
    """Store a new rule version (validated by the schema) and replace the levels table.

    Earlier ledger entries keep the version they were computed with; only events tallied
    from now on use the new one. A rule the body leaves out keeps its current value (clients
    written before `max_challenge_prize` existed do not reset it).
    """
    _, current = current_rules(session)
    session.add(ScoringRuleSet(rules={name: data.get(name, current[name]) for name in RULE_FIELDS},
                               created_by_id=admin_id))
    session.execute(delete(Level))
    session.add_all(Level(number=r["number"], name=r["name"], min_points=r["min_points"]) for r in data["levels"])
    session.flush()
    return rules_view(session)
