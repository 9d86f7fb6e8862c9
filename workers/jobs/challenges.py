"""`run_challenges` (periodic, every 30 s): start and 24-hours-left notices, and closing on time."""

from __future__ import annotations

import logging

from api.db import db
from api.services import challenges
from workers.queues import job
from workers.schedule import Periodic, register

log = logging.getLogger(__name__)


@job
def run_challenges() -> int:
    """Each step is claimed with a conditional UPDATE, so overlapping runs do everything once."""
    done = 0
    todo = challenges.due(db.session)
    db.commit()
    for step, ids in (("start", todo["start"]), ("ending", todo["ending"]), ("close", todo["close"])):
        for challenge_id in ids:
            ch = challenges.get(db.session, challenge_id)
            if step == "start":
                done += bool(challenges.announce_start(db.session, ch))
            elif step == "ending":
                done += bool(challenges.announce_ending(db.session, ch))
            elif challenges.close(db.session, ch):
                log.info("challenge %s closed", challenge_id)
                done += 1
            db.commit()
    return done


register(Periodic(run_challenges, 30))
