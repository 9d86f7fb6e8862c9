"""The demo organisation `make run` starts with. Every step is idempotent."""

from __future__ import annotations

import importlib

from sqlalchemy.orm import Session

# Each module has `seed(session) -> dict[str, int]`; later ones may rely on earlier ones.
SEED_MODULES = ("api.seed.people", "api.seed.posts", "api.seed.rewards", "api.seed.badges",
                "api.seed.activity", "api.seed.challenges", "api.seed.join_codes")


def seed_demo(session: Session) -> dict[str, int]:
    summary: dict[str, int] = {}
    for name in SEED_MODULES:
        summary.update(importlib.import_module(name).seed(session))
        session.flush()
    return summary
