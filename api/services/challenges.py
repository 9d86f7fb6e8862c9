"""Friendly challenges: who takes part, live standings, closing with prizes exactly once.

- Participants: active people with gamification on in the challenge's teams (opted-out
  people neither count nor appear).
- Metrics within [starts_at, ends_at), limited to the challenge's posts when it has any:
  `points` = points earned (not prizes, adjustments or spending), `shares`, `comments` (not
  deleted), `clicks` (counted clicks on my shares).
- Team challenges rank teams by the metric per active participant, so a small team can win.
- Ranking is competition ranking (1, 2, 2, 4).
- Prizes at close: individual — ranks 1, 2 and 3 get 100 %, 60 % and 30 % of `prize_points`
  (rounded down); people tied on a rank each get that rank's prize; a value of 0 wins nothing.
  Team — every participant of the best team(s) gets `prize_points`.
- Closing is claimed with a conditional UPDATE of `closed_at`, and prize entries have one
  ledger key per (challenge, person): closing twice, or two closers at once, award once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.errors import Conflict, Forbidden, NotFound, field_error
from api.models.activity import ActivityEvent
from api.models.challenges import Challenge, ChallengePost, ChallengeTeam
from api.models.comments import Comment
from api.models.ledger import LedgerEntry
from api.models.posts import Post
from api.models.teams import Team, TeamMembership
from api.models.users import User
from api.services import inbox, ledger
from api.services import teams as teams_service

PRIZE_SHARES = {1: 100, 2: 60, 3: 30}
NOT_COUNTED = ("challenge_prize", "adjustment", "redemption", "redemption_refund")
EVENT_OF = {"shares": "share_created", "clicks": "click_counted"}


def status_of(ch: Challenge, now: datetime | None = None) -> str:
    now = now or utcnow()
    if ch.cancelled_at is not None:
        return "cancelled"
    if ch.closed_at is not None or now >= ch.ends_at:
        return "ended"
    return "active" if now >= ch.starts_at else "upcoming"


def get(session: Session, challenge_id: int) -> Challenge:
    ch = session.get(Challenge, challenge_id)
    if ch is None:
        raise NotFound(f"There is no challenge {challenge_id}.")
    return ch


def team_ids(ch: Challenge) -> list[int]:
    return sorted(t.team_id for t in ch.teams)


def may_see(session: Session, user: User, ch: Challenge) -> bool:
    if user.has_role("admin") or ch.created_by_id == user.id:
        return True
    mine = set(teams_service.team_ids_of(session, user.id))
    return bool(mine & set(team_ids(ch)))


def get_visible(session: Session, user: User, challenge_id: int) -> Challenge:
    ch = get(session, challenge_id)
    if not may_see(session, user, ch):
        raise NotFound(f"There is no challenge {challenge_id}.")
    return ch


def _check_rights(session: Session, user: User, wanted_teams: list[int]) -> None:
    found = set(session.scalars(select(Team.id).where(Team.id.in_(wanted_teams))))
    missing = sorted(set(wanted_teams) - found)
    if missing:
        raise field_error("team_ids", f"No such team: {', '.join(map(str, missing))}.")
    if not all(teams_service.can_lead(user, t, session) for t in wanted_teams):
        raise Forbidden("You can run challenges only for the teams you lead.")


def _check_posts(session: Session, post_ids: list[int]) -> None:
    found = set(session.scalars(select(Post.id).where(Post.id.in_(post_ids)))) if post_ids else set()
    missing = sorted(set(post_ids) - found)
    if missing:
        raise field_error("post_ids", f"No such post: {', '.join(map(str, missing))}.")


def create(session: Session, user: User, data: dict[str, Any]) -> Challenge:
    wanted = sorted(set(data["team_ids"]))
    _check_rights(session, user, wanted)
    _check_posts(session, data.get("post_ids") or [])
    if data["ends_at"] <= data["starts_at"]:
        raise field_error("ends_at", "ends_at must be after starts_at.")
    if data["ends_at"] <= utcnow():
        raise field_error("ends_at", "A challenge must end in the future.")
    ch = Challenge(title=data["title"], description=data.get("description", ""), kind=data["kind"],
                   metric=data["metric"], starts_at=data["starts_at"], ends_at=data["ends_at"],
                   prize_points=data.get("prize_points", 0), created_by_id=user.id,
                   teams=[ChallengeTeam(team_id=t) for t in wanted],
                   posts=[ChallengePost(post_id=p) for p in sorted(set(data.get("post_ids") or []))])
    session.add(ch)
    session.flush()
    return ch


def _may_manage(session: Session, user: User, ch: Challenge) -> None:
    if user.has_role("admin") or ch.created_by_id == user.id:
        return
    if not all(teams_service.can_lead(user, t, session) for t in team_ids(ch)):
        raise Forbidden("Only the challenge's creator, the leads of all its teams, or an admin may change it.")


def update_challenge(session: Session, user: User, ch: Challenge, data: dict[str, Any]) -> Challenge:
    _may_manage(session, user, ch)
    if status_of(ch) != "upcoming":
        raise Conflict("A challenge can be edited only before it starts.")
    if "team_ids" in data:
        _check_rights(session, user, sorted(set(data["team_ids"])))
        ch.teams = [ChallengeTeam(team_id=t) for t in sorted(set(data["team_ids"]))]
    if "post_ids" in data:
        _check_posts(session, data["post_ids"])
        ch.posts = [ChallengePost(post_id=p) for p in sorted(set(data["post_ids"]))]
    for name in ("title", "description", "kind", "metric", "starts_at", "ends_at", "prize_points"):
        if name in data:
            setattr(ch, name, data[name])
    if ch.ends_at <= ch.starts_at:
        raise field_error("ends_at", "ends_at must be after starts_at.")
    session.flush()
    return ch


def cancel(session: Session, user: User, ch: Challenge) -> None:
    _may_manage(session, user, ch)
    if ch.closed_at is not None:
        raise Conflict("This challenge has ended; its results stand.")
    ch.cancelled_at = ch.cancelled_at or utcnow()
    session.flush()


# --- standings ----------------------------------------------------------------------------------

def participants(session: Session, ch: Challenge) -> dict[int, tuple[str, int]]:
    """{user_id: (display_name, team_id)} of active, opted-in members of the challenge's teams."""
    out: dict[int, tuple[str, int]] = {}
    rows = session.execute(
        select(User.id, User.display_name, TeamMembership.team_id)
        .join(TeamMembership, TeamMembership.user_id == User.id)
        .where(TeamMembership.team_id.in_(team_ids(ch)), User.is_active.is_(True), User.erased_at.is_(None),
               User.gamification_enabled.is_(True))
        .order_by(TeamMembership.joined_at, TeamMembership.team_id))
    for uid, name, team in rows:
        out.setdefault(uid, (name, team))
    return out


def values(session: Session, ch: Challenge, user_ids: list[int]) -> dict[int, int]:
    if not user_ids:
        return {}
    posts = [p.post_id for p in ch.posts]
    if ch.metric == "points":
        stmt = (select(LedgerEntry.user_id, func.sum(LedgerEntry.amount))
                .where(LedgerEntry.action.not_in(NOT_COUNTED), LedgerEntry.created_at >= ch.starts_at,
                       LedgerEntry.created_at < ch.ends_at, LedgerEntry.user_id.in_(user_ids))
                .group_by(LedgerEntry.user_id))
        if posts:
            stmt = stmt.where(LedgerEntry.post_id.in_(posts))
    elif ch.metric == "comments":
        stmt = (select(Comment.user_id, func.count())
                .where(Comment.deleted_at.is_(None), Comment.created_at >= ch.starts_at,
                       Comment.created_at < ch.ends_at, Comment.user_id.in_(user_ids))
                .group_by(Comment.user_id))
        if posts:
            stmt = stmt.where(Comment.post_id.in_(posts))
    else:
        stmt = (select(ActivityEvent.user_id, func.count())
                .where(ActivityEvent.kind == EVENT_OF[ch.metric], ActivityEvent.occurred_at >= ch.starts_at,
                       ActivityEvent.occurred_at < ch.ends_at, ActivityEvent.user_id.in_(user_ids))
                .group_by(ActivityEvent.user_id))
        if posts:
            stmt = stmt.where(ActivityEvent.post_id.in_(posts))
    return {uid: int(v or 0) for uid, v in session.execute(stmt)}


def _rank(items: list[dict[str, Any]], key: str = "value") -> list[dict[str, Any]]:
    items.sort(key=lambda i: -i[key])
    for i, item in enumerate(items):
        item["rank"] = items[i - 1]["rank"] if i and item[key] == items[i - 1][key] else i + 1
    return items


def standings(session: Session, ch: Challenge) -> list[dict[str, Any]]:
    if ch.final_standings is not None:
        return ch.final_standings
    people = participants(session, ch)
    got = values(session, ch, list(people))
    if ch.kind == "individual":
        rows = [{"user": {"id": uid, "display_name": name}, "value": got.get(uid, 0)}
                for uid, (name, _team) in sorted(people.items())]
        return _rank(rows)
    names = {t: n for t, n in session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids(ch))))}
    totals: dict[int, list[int]] = {t: [] for t in team_ids(ch)}
    for uid, (_name, team) in people.items():
        if team in totals:
            totals[team].append(got.get(uid, 0))
    rows = [{"team": {"id": t, "name": names.get(t, "")}, "value": round(sum(v) / len(v), 2) if v else 0,
             "total": sum(v), "members": len(v)} for t, v in sorted(totals.items())]
    return _rank(rows)


# --- lifecycle ------------------------------------------------------------------------------------

def _link(ch: Challenge) -> dict[str, Any]:
    return {"deep_link": f"stafet://challenges/{ch.id}", "challenge_id": ch.id}


def _claim(session: Session, ch_id: int, column, *conditions) -> bool:
    return session.execute(
        update(Challenge).where(Challenge.id == ch_id, column.is_(None), Challenge.cancelled_at.is_(None), *conditions)
        .values({column.key: utcnow()}).execution_options(synchronize_session=False).returning(Challenge.id)
    ).first() is not None


def announce_start(session: Session, ch: Challenge) -> int:
    if not _claim(session, ch.id, Challenge.started_notified_at, Challenge.starts_at <= utcnow()):
        return 0
    sent = 0
    for uid in participants(session, ch):
        sent += inbox.notify(session, uid, "challenges", f"Challenge on: {ch.title}",
                             f"Until {ch.ends_at:%d %b %H:%M} UTC — {ch.prize_points} points for the winners.",
                             data=_link(ch), dedupe_key=f"challenge:{ch.id}:started:u{uid}") is not None
    return sent


def announce_ending(session: Session, ch: Challenge) -> int:
    if not _claim(session, ch.id, Challenge.ending_notified_at, Challenge.ends_at <= utcnow() + timedelta(hours=24)):
        return 0
    sent = 0
    for uid in participants(session, ch):
        sent += inbox.notify(session, uid, "challenges", f"24 hours left: {ch.title}", "One last push!",
                             data=_link(ch), dedupe_key=f"challenge:{ch.id}:ending:u{uid}") is not None
    return sent


def prizes(ch: Challenge, final: list[dict[str, Any]], people: dict[int, tuple[str, int]]) -> dict[int, int]:
    if not ch.prize_points:
        return {}
    if ch.kind == "individual":
        return {row["user"]["id"]: ch.prize_points * PRIZE_SHARES[row["rank"]] // 100
                for row in final if row["rank"] in PRIZE_SHARES and row["value"] > 0}
    winners = {row["team"]["id"] for row in final if row["rank"] == 1 and row["value"] > 0}
    return {uid: ch.prize_points for uid, (_n, team) in people.items() if team in winners}


def close(session: Session, ch: Challenge) -> bool:
    """Freeze standings and award prizes, once; False if already closed (or not yet due)."""
    if not _claim(session, ch.id, Challenge.closed_at, Challenge.ends_at <= utcnow()):
        return False
    session.refresh(ch)
    people = participants(session, ch)
    ch.final_standings = None
    final = standings(session, ch)
    ch.final_standings = final
    award = prizes(ch, final, people)
    team_of = {uid: team for uid, (_n, team) in people.items()}
    for uid, amount in award.items():
        if amount > 0:
            ledger.append(session, user_id=uid, amount=amount, action="challenge_prize",
                          dedupe_key=f"challenge:{ch.id}:prize:u{uid}", reason=f"Prize: {ch.title}",
                          team_id=team_of.get(uid), at=ch.ends_at)
    for uid in people:
        won = award.get(uid, 0)
        body = f"You won {won} points!" if won else "See the final standings."
        inbox.notify(session, uid, "challenges", f"Results: {ch.title}", body, data=_link(ch),
                     dedupe_key=f"challenge:{ch.id}:results:u{uid}")
    session.flush()
    return True


def due(session: Session) -> dict[str, list[int]]:
    now = utcnow()
    live = select(Challenge.id).where(Challenge.cancelled_at.is_(None))
    return {
        "start": list(session.scalars(live.where(Challenge.started_notified_at.is_(None),
                                                 Challenge.starts_at <= now, Challenge.ends_at > now))),
        "ending": list(session.scalars(live.where(Challenge.ending_notified_at.is_(None),
                                                  Challenge.ends_at <= now + timedelta(hours=24),
                                                  Challenge.ends_at > now, Challenge.starts_at <= now))),
        "close": list(session.scalars(live.where(Challenge.closed_at.is_(None), Challenge.ends_at <= now))),
    }


def _in_status(status: str, now: datetime) -> Any:
    """SQL for `status_of(ch) == status`."""
    live = Challenge.cancelled_at.is_(None)
    over = or_(Challenge.closed_at.is_not(None), Challenge.ends_at <= now)
    return {
        "cancelled": ~live,
        "ended": and_(live, over),
        "active": and_(live, ~over, Challenge.starts_at <= now),
        "upcoming": and_(live, ~over, Challenge.starts_at > now),
    }[status]


def listing(session: Session, user: User, status: str | None) -> list[Challenge]:
    stmt = select(Challenge).order_by(Challenge.starts_at.desc(), Challenge.id.desc())
    if not user.has_role("admin"):
        mine = select(TeamMembership.team_id).where(TeamMembership.user_id == user.id)
        stmt = stmt.where(or_(Challenge.created_by_id == user.id,
                              Challenge.id.in_(select(ChallengeTeam.challenge_id)
                                               .where(ChallengeTeam.team_id.in_(mine)))))
    if status is not None:
        stmt = stmt.where(_in_status(status, utcnow()))
    return list(session.scalars(stmt.limit(200)))


def view(session: Session, ch: Challenge, *, with_standings: bool = True) -> dict[str, Any]:
    return {
        "id": ch.id, "title": ch.title, "description": ch.description, "kind": ch.kind, "metric": ch.metric,
        "post_ids": sorted(p.post_id for p in ch.posts), "team_ids": team_ids(ch), "starts_at": ch.starts_at,
        "ends_at": ch.ends_at, "prize_points": ch.prize_points, "status": status_of(ch),
        "created_by_id": ch.created_by_id,
        "standings": standings(session, ch) if with_standings else [],
    }
