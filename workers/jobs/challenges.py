"""`run_challenges` (periodic, every 30 s): start and 24-hours-left notices, and closing on time."""

from __future__ import annotations

import logging

from api.db import db
from api.services import challenges
from workers.queues import job

log = logging.getLogger(__name__)


STEPS = {"start": challenges.announce_start, "ending": challenges.announce_ending, "close": challenges.close}


@job
def run_challenges() -> int:
    """Each step is claimed with a conditional UPDATE, so overlapping runs do everything once."""
    done = 0
    todo = challenges.due(db.session)
    db.commit()
    for step, act in STEPS.items():
        for challenge_id in todo[step]:
            if act(db.session, challenges.get(db.session, challenge_id)):
                log.info("challenge %s: %s done", challenge_id, step)
                done += 1
            db.commit()
    return done

