"""Sharing a post: the share, its tracked link, the reach snapshot and the activity event,
all in the request's transaction."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.errors import field_error
from api.models._common import CAPTION_LIMITS
from api.models.posts import Post
from api.models.shares import Share
from api.models.users import User
from api.services import captions, policy
from api.services.activity import record_event
from api.services.scoring import current_rules, may_earn, share_award
from api.services.teams import first_teams
from api.services.users import follower_count
from api.services.visibility import get_visible_post


def new_code() -> str:
    """11 URL-safe characters from 8 random bytes: 2^64 codes, not guessable or enumerable."""
    return secrets.token_urlsafe(8)


def shared_before(session: Session, user_id: int, post_id: int, network: str) -> bool:
    """Whether this person already shared this post on this network (then a new share is a repeat)."""
    return session.scalar(select(exists().where(Share.user_id == user_id, Share.post_id == post_id,
                                                Share.network == network))) or False


def expected_points(session: Session, user: User, network: str, *, personal: bool, repeat: bool) -> int:
    """What the tally is expected to award a share (daily caps and rule changes may still cut it)."""
    _version, rules = current_rules(session)
    if not may_earn(rules, role=user.role, gamification_enabled=user.gamification_enabled,
                    active=user.is_active and user.erased_at is None):
        return 0
    return sum(share_award(rules, network, personal=personal, repeat=repeat))


def points_pending(session: Session, user: User, item: Share) -> int:
    return expected_points(session, user, item.network, personal=item.personal_caption, repeat=item.is_repeat)


def _shareable(session: Session, user: User, post_id: int, network: str) -> Post:
    post = get_visible_post(session, user.id, post_id)
    if network not in post.networks:
        raise field_error("network", f"This post can be shared on {', '.join(post.networks)}, not {network}.")
    return post


def caption_check(session: Session, user: User, post_id: int, network: str, caption: str | None) -> dict[str, Any]:
    """The live hint while I write: would this caption count as my own words, and what would
    sharing it now earn — the share's own rule, so the hint and the share never disagree."""
    post = _shareable(session, user, post_id, network)
    personal = captions.is_personal(caption, post.suggested_captions.values())
    points = expected_points(session, user, network, personal=personal,
                             repeat=shared_before(session, user.id, post.id, network))
    return {"personal": personal, "points_on_offer": points, "caption_max_length": CAPTION_LIMITS.get(network)}


def share(session: Session, user: User, post_id: int, network: str, caption: str | None) -> Share:
    post = _shareable(session, user, post_id, network)
    policy.ensure_may_share(session, user)  # after the 404/422: a post I cannot see stays unseen
    personal = captions.is_personal(caption, post.suggested_captions.values())
    team_id = first_teams(session, [user.id]).get(user.id)
    for _attempt in range(5):
        item = Share(post_id=post.id, user_id=user.id, network=network, caption=caption or None,
                     personal_caption=personal, code=new_code(), follower_snapshot=follower_count(user, network),
                     team_id=team_id,
                     is_repeat=shared_before(session, user.id, post.id, network))
        try:
            with session.begin_nested():
                session.add(item)
                session.flush()
            break
        except IntegrityError:
            # A concurrent first share of the same post and network committed first (it is now a
            # repeat: asked again above), or a code collision (2^-64 odds: a new code is drawn).
            continue
    record_event(session, "share_created", f"share:{item.id}", user_id=user.id, post_id=post.id, share_id=item.id,
                 network=network, payload={"personal_caption": personal})
    return item


def view(session: Session, item: Share, user: User, base_url: str) -> dict[str, Any]:
    return {
        "id": item.id, "post_id": item.post_id, "network": item.network, "caption": item.caption,
        "tracked_url": f"{base_url.rstrip('/')}/s/{item.code}", "personal_caption": item.personal_caption,
        "points_pending": points_pending(session, user, item),
        "created_at": item.created_at,
    }
