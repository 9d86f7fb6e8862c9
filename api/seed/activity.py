"""Four weeks of demo activity so the dashboard, leaderboards and balances have something to show:
shares (some in people's own words) with reach, clicks and comments, already tallied into the
ledger. Deterministic (a fixed random seed) and idempotent."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.models.activity import ActivityEvent
from api.models.comments import Comment
from api.models.posts import Post
from api.models.shares import Click, Share
from api.models.users import User
from api.services import ledger
from api.services.scoring import current_rules, share_award
from api.services.teams import first_teams

OWN_WORDS = ("Really proud of this one — our team made it happen.", "This is why I love working here.",
             "Worth a read if you care about where your food comes from.", "We did it! Huge thanks to everyone.")
REMARKS = ("Great story!", "So proud of the team.", "Sharing this with my network.", "Love it.")


def _event(session: Session, kind: str, key: str, user_id: int, at, **refs) -> int:
    event = ActivityEvent(kind=kind, dedupe_key=key, user_id=user_id, occurred_at=at, **refs)  # no outbox row: tallied
    session.add(event)
    session.flush()
    return event.id


def seed(session: Session) -> dict[str, int]:
    if session.scalar(select(Share.id).where(Share.code.like("demo%")).limit(1)) is not None:
        return {"demo_shares": 0}
    rng = random.Random(42)
    version, rules = current_rules(session)
    staff = list(session.scalars(select(User).where(User.role != "admin", User.email.like("%@demo.stafet.dev"))
                                 .order_by(User.id)))
    posts = list(session.scalars(select(Post).where(Post.status == "published", Post.publish_at <= utcnow())
                                 .order_by(Post.id)))
    if not staff or not posts:
        return {"demo_shares": 0}
    teams = first_teams(session, [u.id for u in staff])
    now = utcnow()
    shares = 0
    seen: set[tuple[int, int, str]] = set()
    for n in range(140):
        user = staff[int(rng.paretovariate(1.3)) % len(staff)]  # a few keen advocates, a long tail
        post = rng.choice(posts)
        network = rng.choice(post.networks)
        at = now - timedelta(days=rng.randint(0, 27), hours=rng.randint(0, 10))
        at = max(at, post.publish_at)
        personal = rng.random() < 0.4
        repeat = (user.id, post.id, network) in seen  # people do share again; only the first earns
        seen.add((user.id, post.id, network))
        share = Share(is_repeat=repeat, post_id=post.id, user_id=user.id, network=network, personal_caption=personal,
                      caption=rng.choice(OWN_WORDS) if personal else post.suggested_captions.get(network),
                      code=f"demo{n:04d}x", follower_snapshot=rng.randint(80, 2500), team_id=teams.get(user.id),
                      created_at=at)
        session.add(share)
        session.flush()
        shares += 1
        eid = _event(session, "share_created", f"share:{share.id}", user.id, at, post_id=post.id, share_id=share.id,
                     network=network)
        points, bonus = share_award(rules, network, personal=personal, repeat=repeat)
        for action, amount in (("share", points), ("personal_caption_bonus", bonus)):
            if amount:
                ledger.append(session, user_id=user.id, amount=amount, action=action,
                              dedupe_key=f"event:{eid}:{action}:u{user.id}", event_id=eid, rule_version=version,
                              team_id=teams.get(user.id), post_id=post.id, at=at)
        for k in range(rng.choice((0, 0, 1, 2, 3, 5, 8))):
            click_at = at + timedelta(hours=rng.randint(1, 20))
            if click_at > now:
                continue
            click = Click(share_id=share.id, day=click_at.date(), visitor_hash=f"demo-{n}-{k}", created_at=click_at)
            session.add(click)
            session.flush()
            share.click_count += 1
            cid = _event(session, "click_counted", f"click:{click.id}", user.id, click_at, post_id=post.id,
                         share_id=share.id, network=network)
            ledger.append(session, user_id=user.id, amount=int(rules["click"]), action="click",
                          dedupe_key=f"event:{cid}:click:u{user.id}", event_id=cid, rule_version=version,
                          team_id=teams.get(user.id), post_id=post.id, at=click_at)
        if rng.random() < 0.3:
            commenter = rng.choice(staff)
            comment = Comment(post_id=post.id, user_id=commenter.id, body=rng.choice(REMARKS), created_at=at)
            session.add(comment)
            session.flush()
            mid = _event(session, "comment_created", f"comment:{comment.id}", commenter.id, at, post_id=post.id,
                         comment_id=comment.id)
            ledger.append(session, user_id=commenter.id, amount=int(rules["comment"]), action="comment",
                          dedupe_key=f"event:{mid}:comment:u{commenter.id}", event_id=mid, rule_version=version,
                          team_id=teams.get(commenter.id), post_id=post.id, at=at)
    return {"demo_shares": shares}


