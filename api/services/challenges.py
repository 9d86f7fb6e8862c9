"""Friendly challenges: who takes part, live standings, closing with prizes exactly once.

- Setting up (create, and PATCH before the start; a lead of all its teams or an admin): it starts
  no earlier than START_SKEW ago (no backdating over activity already known) and runs at least
  `min_hours` (CHALLENGE_MIN_HOURS); its posts must be live now for everyone or for one of its
  teams, and an unknown post id gets the same answer as one its teams cannot see.
- Prize approval: a prize within the scoring rules' `max_challenge_prize`, or one an admin sets,
  is approved when set; a lead's larger prize waits for an admin (`approve_prize`). A lead's later
  change to anything that decides who wins what (all but title and description) is judged again.
  A prize still unapproved at the end is withheld: nothing is paid, and the results say so.
- Participants: active people with gamification on in the challenge's teams, except its creator,
  who sets the rules and the prize and so does not play: not listed in the standings, not counted
  in a team's average, never paid. Opted-out people neither count nor appear.
- Metrics within [starts_at, ends_at), limited to the challenge's posts when it has any, are read
  from the ledger, so a challenge counts exactly what earns points under the tally's rules (a
  network worth 0, the daily caps, max_clicks_per_share, admins not earning, nothing for comments
  on one's own post): `points` = points earned (not prizes, adjustments or spending); `shares` =
  shares that earned, once per post and network; `comments` = comments that earned and are not
  deleted; `clicks` = counted clicks that earned.
- Results wait for the tally: a challenge closes once no activity from its window waits to be
  tallied, or TALLY_GRACE after its end at the latest (a stuck event must not hold results back).
- Team challenges rank teams by the metric per active participant, so a small team can win.
- Ranking is competition ranking (1, 2, 2, 4).
- Prizes at close: individual — ranks 1, 2 and 3 get 100 %, 60 % and 30 % of `prize_points`
  (rounded down); people tied on a rank each get that rank's prize; a value of 0 wins nothing.
  Team — every participant of the best team(s) gets `prize_points`.
- Standings name people as they are when read, for the viewer: someone who hid from leaderboards
  is "Anonymous colleague" without an id to everyone but themselves, an erased account "Former
  colleague". The standings frozen at close hold ids and values only, so this holds after the end.
- Closing is claimed with a conditional UPDATE of `closed_at`, and prize entries have one
  ledger key per (challenge, person): closing twice, or two closers at once, award once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, update
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.errors import Conflict, Forbidden, NotFound, field_error
from api.models.activity import ActivityEvent, OutboxMessage
from api.models.challenges import Challenge, ChallengePost, ChallengeTeam
from api.models.comments import Comment
from api.models.ledger import LedgerEntry
from api.models.posts import Post
from api.models.teams import Team, TeamMembership
from api.models.users import User
from api.outbox import TALLY as TALLY_TOPIC
from api.pg_arrays import one_of
from api.services import inbox, ledger
from api.services import teams as teams_service
from api.services.notification_texts import Text, text, when
from api.services.privacy import ERASED_NAME
from api.services.scoring import current_rules
from api.services.visibility import live_posts, targeted_at_teams

PRIZE_SHARES = {1: 100, 2: 60, 3: 30}
NOT_COUNTED = ("challenge_prize", "adjustment", "redemption", "redemption_refund")
START_SKEW = timedelta(minutes=5)  # clocks differ a little between phones and the server
TALLY_GRACE = timedelta(hours=1)
COSMETIC = frozenset({"title", "description"})  # changes that leave who wins what alone
ANONYMOUS_NAME = "Anonymous colleague"


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


def eligible_posts(teams: list[int]) -> Select:
    """Posts a challenge for these teams may count: live now, for everyone or for one of the teams."""
    return live_posts().where(targeted_at_teams(teams))


def offered_posts(session: Session, teams: list[int], limit: int = 30) -> list[Post]:
    """The newest posts a challenge for these teams may count (what the console's form offers)."""
    return list(session.scalars(eligible_posts(teams).order_by(Post.id.desc()).limit(limit)))


def _check_posts(session: Session, post_ids: list[int], teams: list[int]) -> None:
    if not post_ids:
        return
    found = set(session.scalars(eligible_posts(teams).with_only_columns(Post.id).where(Post.id.in_(post_ids))))
    missing = sorted(set(post_ids) - found)
    if missing:
        # One message for unknown ids and ones the teams cannot see: it must not tell which posts exist.
        raise field_error("post_ids", f"Not a live post for the challenge's teams: {', '.join(map(str, missing))}.")


def _check_window(starts_at: datetime, ends_at: datetime, min_hours: int) -> None:
    if starts_at < utcnow() - START_SKEW:
        raise field_error("starts_at", "A challenge cannot start in the past.")
    if ends_at - starts_at < timedelta(hours=min_hours):
        raise field_error("ends_at", f"A challenge runs at least {min_hours} hours: ends_at must be that long "
                                     "after starts_at.")


def _decide_prize(session: Session, user: User, ch: Challenge) -> None:
    """Approve the prize now when the ceiling covers it or an admin sets it; else it waits for an admin."""
    ceiling = int(current_rules(session)[1]["max_challenge_prize"])
    if ch.prize_points <= ceiling or user.has_role("admin"):
        ch.prize_approved_at = utcnow()
        ch.prize_approved_by_id = user.id if ch.prize_points > ceiling else None
    else:
        ch.prize_approved_at = ch.prize_approved_by_id = None


def prize_status(ch: Challenge) -> str:
    if ch.prize_approved_at is not None:
        return "approved"
    return "withheld" if ch.closed_at is not None else "awaiting_approval"


def create(session: Session, user: User, data: dict[str, Any], *, min_hours: int) -> Challenge:
    wanted = sorted(set(data["team_ids"]))
    post_ids = sorted(set(data.get("post_ids") or []))
    _check_rights(session, user, wanted)
    _check_window(data["starts_at"], data["ends_at"], min_hours)
    _check_posts(session, post_ids, wanted)
    ch = Challenge(title=data["title"], description=data.get("description", ""), kind=data["kind"],
                   metric=data["metric"], starts_at=data["starts_at"], ends_at=data["ends_at"],
                   prize_points=data.get("prize_points", 0), created_by_id=user.id,
                   teams=[ChallengeTeam(team_id=t) for t in wanted],
                   posts=[ChallengePost(post_id=p) for p in post_ids])
    _decide_prize(session, user, ch)
    session.add(ch)
    session.flush()
    return ch


def _may_manage(session: Session, user: User, ch: Challenge) -> None:
    if user.has_role("admin") or ch.created_by_id == user.id:
        return
    if not all(teams_service.can_lead(user, t, session) for t in team_ids(ch)):
        raise Forbidden("Only the challenge's creator, the leads of all its teams, or an admin may change it.")


def update_challenge(session: Session, user: User, ch: Challenge, data: dict[str, Any], *,
                     min_hours: int) -> Challenge:
    """Change a challenge before it starts, under the rules of `create` (checked before anything changes)."""
    _may_manage(session, user, ch)
    if status_of(ch) != "upcoming":
        raise Conflict("A challenge can be edited only before it starts.")
    wanted = sorted(set(data.get("team_ids", team_ids(ch))))
    post_ids = sorted(set(data.get("post_ids", [p.post_id for p in ch.posts])))
    if "team_ids" in data:
        _check_rights(session, user, wanted)
    if "starts_at" in data or "ends_at" in data:
        _check_window(data.get("starts_at", ch.starts_at), data.get("ends_at", ch.ends_at), min_hours)
    if "post_ids" in data or "team_ids" in data:
        _check_posts(session, post_ids, wanted)
    if "team_ids" in data:
        ch.teams = [ChallengeTeam(team_id=t) for t in wanted]
    if "post_ids" in data:
        ch.posts = [ChallengePost(post_id=p) for p in post_ids]
    for name in ("title", "description", "kind", "metric", "starts_at", "ends_at", "prize_points"):
        if name in data:
            setattr(ch, name, data[name])
    if set(data) - COSMETIC:
        _decide_prize(session, user, ch)
    session.flush()
    return ch


def approve_prize(session: Session, admin: User, ch: Challenge) -> Challenge:
    """An admin approves the prize until the challenge ends (approving it again changes nothing)."""
    if status_of(ch) in ("ended", "cancelled"):
        raise Conflict("This challenge is over or cancelled: its prize can no longer be approved.")
    # Conditional, like closing: a close that got there first keeps the prize withheld.
    if _claim(session, ch.id, Challenge.prize_approved_at, Challenge.closed_at.is_(None), Challenge.ends_at > utcnow()):
        session.refresh(ch)
        ch.prize_approved_by_id = admin.id
        session.flush()
    return ch


def cancel(session: Session, user: User, ch: Challenge) -> None:
    _may_manage(session, user, ch)
    if ch.closed_at is not None:
        raise Conflict("This challenge has ended; its results stand.")
    ch.cancelled_at = ch.cancelled_at or utcnow()
    session.flush()


# --- standings ----------------------------------------------------------------------------------

def participants(session: Session, ch: Challenge) -> dict[int, int]:
    """{user_id: team_id} of active, opted-in members of the challenge's teams, but not its creator."""
    out: dict[int, int] = {}
    rows = session.execute(
        select(User.id, TeamMembership.team_id)
        .join(TeamMembership, TeamMembership.user_id == User.id)
        .where(TeamMembership.team_id.in_(team_ids(ch)), User.is_active.is_(True), User.erased_at.is_(None),
               User.gamification_enabled.is_(True), User.id != ch.created_by_id)
        .order_by(TeamMembership.joined_at, TeamMembership.team_id))
    for uid, team in rows:
        out.setdefault(uid, team)
    return out


def _earned(metric: str, window: tuple[ColumnElement[bool], ...]) -> Select:
    """(user_id, count) of the ledger entries behind a counting metric."""
    if metric == "shares":  # once per post and network, however often it was shared
        earned = (select(LedgerEntry.user_id, LedgerEntry.post_id, ActivityEvent.network)
                  .join(ActivityEvent, ActivityEvent.id == LedgerEntry.event_id)
                  .where(*window, LedgerEntry.action == "share").distinct().subquery())
        return select(earned.c.user_id, func.count()).group_by(earned.c.user_id)
    stmt = select(LedgerEntry.user_id, func.count()).where(*window).group_by(LedgerEntry.user_id)
    if metric == "comments":  # a deleted comment's entry stays (its reversal is a second entry)
        return (stmt.join(ActivityEvent, ActivityEvent.id == LedgerEntry.event_id)
                .join(Comment, Comment.id == ActivityEvent.comment_id)
                .where(LedgerEntry.action == "comment", Comment.deleted_at.is_(None)))
    return stmt.where(LedgerEntry.action == "click")


def values(session: Session, ch: Challenge, user_ids: list[int]) -> dict[int, int]:
    if not user_ids:
        return {}
    window: tuple[ColumnElement[bool], ...] = (
        one_of(session, LedgerEntry.user_id, user_ids), LedgerEntry.created_at >= ch.starts_at,
        LedgerEntry.created_at < ch.ends_at)
    posts = [p.post_id for p in ch.posts]
    if posts:
        window += (LedgerEntry.post_id.in_(posts),)
    if ch.metric == "points":
        stmt = (select(LedgerEntry.user_id, func.sum(LedgerEntry.amount))
                .where(*window, LedgerEntry.action.not_in(NOT_COUNTED)).group_by(LedgerEntry.user_id))
    else:
        stmt = _earned(ch.metric, window)
    return {uid: int(v or 0) for uid, v in session.execute(stmt)}


def _rank(items: list[dict[str, Any]], key: str = "value") -> list[dict[str, Any]]:
    items.sort(key=lambda i: -i[key])
    for i, item in enumerate(items):
        item["rank"] = items[i - 1]["rank"] if i and item[key] == items[i - 1][key] else i + 1
    return items


def _ranked(session: Session, ch: Challenge, people: dict[int, int]) -> list[dict[str, Any]]:
    """The standings as ids and values (what is frozen at close)."""
    got = values(session, ch, list(people))
    if ch.kind == "individual":
        return _rank([{"user_id": uid, "value": got.get(uid, 0)} for uid in sorted(people)])
    totals: dict[int, list[int]] = {t: [] for t in team_ids(ch)}
    for uid, team in people.items():
        if team in totals:
            totals[team].append(got.get(uid, 0))
    return _rank([{"team_id": t, "value": round(sum(v) / len(v), 2) if v else 0, "total": sum(v), "members": len(v)}
                  for t, v in sorted(totals.items())])


def _people(session: Session, user_ids: list[int], viewer: User | None) -> dict[int, dict[str, Any]]:
    """How each person appears to `viewer` (None: to nobody in particular)."""
    out: dict[int, dict[str, Any]] = {}
    for uid, name, visible, erased_at in session.execute(
            select(User.id, User.display_name, User.leaderboard_visible, User.erased_at)
            .where(one_of(session, User.id, user_ids))):
        if erased_at is not None:
            out[uid] = {"id": None, "display_name": ERASED_NAME}
        elif visible or (viewer is not None and viewer.id == uid):
            out[uid] = {"id": uid, "display_name": name}
        else:
            out[uid] = {"id": None, "display_name": ANONYMOUS_NAME}
    return out


def _render(session: Session, rows: list[dict[str, Any]], viewer: User | None) -> list[dict[str, Any]]:
    """Ids to the names `viewer` may see, read now."""
    user_ids = [r["user_id"] for r in rows if "user_id" in r]
    shown_teams = [r["team_id"] for r in rows if "team_id" in r]
    people = _people(session, user_ids, viewer) if user_ids else {}
    teams: dict[int, str] = {}
    if shown_teams:
        teams = dict(session.execute(select(Team.id, Team.name).where(Team.id.in_(shown_teams))).all())
    out = []
    for row in rows:
        item = {k: v for k, v in row.items() if k not in ("user_id", "team_id")}
        if "user_id" in row:
            item["user"] = people.get(row["user_id"], {"id": None, "display_name": ERASED_NAME})
        else:
            item["team"] = {"id": row["team_id"], "name": teams.get(row["team_id"], "")}
        out.append(item)
    return out


def standings(session: Session, ch: Challenge, viewer: User | None = None) -> list[dict[str, Any]]:
    """Live while it runs, frozen once closed; names as `viewer` may see them."""
    rows = ch.final_standings
    if rows is None:
        rows = _ranked(session, ch, participants(session, ch))
    return _render(session, rows, viewer)


# --- lifecycle ------------------------------------------------------------------------------------

def _link(ch: Challenge) -> dict[str, Any]:
    return {"deep_link": f"stafet://challenges/{ch.id}", "challenge_id": ch.id}


def _claim(session: Session, ch_id: int, column, *conditions) -> bool:
    return session.execute(
        update(Challenge).where(Challenge.id == ch_id, column.is_(None), Challenge.cancelled_at.is_(None), *conditions)
        .values({column.key: utcnow()}).execution_options(synchronize_session=False).returning(Challenge.id)
    ).first() is not None


def _prize_line(ch: Challenge) -> Text:
    if ch.prize_approved_at is None:
        return text("challenge.prize.unapproved", points=ch.prize_points)
    return text("challenge.prize", points=ch.prize_points)


def announce_start(session: Session, ch: Challenge) -> int:
    if not _claim(session, ch.id, Challenge.started_notified_at, Challenge.starts_at <= utcnow()):
        return 0
    sent = 0
    people = participants(session, ch)
    inbox.languages_for(session, people)
    for uid in people:
        sent += inbox.notify(session, uid, "challenges", text("challenge.started.title", title=ch.title),
                             text("challenge.started.body", ends=when(ch.ends_at), prize=_prize_line(ch)),
                             data=_link(ch), dedupe_key=f"challenge:{ch.id}:started:u{uid}") is not None
    return sent


def announce_ending(session: Session, ch: Challenge) -> int:
    if not _claim(session, ch.id, Challenge.ending_notified_at, Challenge.ends_at <= utcnow() + timedelta(hours=24)):
        return 0
    sent = 0
    people = participants(session, ch)
    inbox.languages_for(session, people)
    for uid in people:
        sent += inbox.notify(session, uid, "challenges", text("challenge.ending.title", title=ch.title),
                             text("challenge.ending.body"),
                             data=_link(ch), dedupe_key=f"challenge:{ch.id}:ending:u{uid}") is not None
    return sent


def prizes(ch: Challenge, final: list[dict[str, Any]], people: dict[int, int]) -> dict[int, int]:
    if not ch.prize_points:
        return {}
    if ch.kind == "individual":
        return {row["user_id"]: ch.prize_points * PRIZE_SHARES[row["rank"]] // 100
                for row in final if row["rank"] in PRIZE_SHARES and row["value"] > 0}
    winners = {row["team_id"] for row in final if row["rank"] == 1 and row["value"] > 0}
    return {uid: ch.prize_points for uid, team in people.items() if team in winners}


def _tally_caught_up(ch: Challenge) -> ColumnElement[bool]:
    """SQL: nothing that happened in the window still waits for the tally (or the grace is over)."""
    waiting = (select(OutboxMessage.id).join(ActivityEvent, ActivityEvent.id == OutboxMessage.ref_id)
               .where(OutboxMessage.pending(TALLY_TOPIC), ActivityEvent.occurred_at >= ch.starts_at,
                      ActivityEvent.occurred_at < ch.ends_at))
    return or_(~waiting.exists(), Challenge.ends_at <= utcnow() - TALLY_GRACE)


def _results_body(ch: Challenge, won: int) -> Text:
    if won:
        return text("challenge.results.won", points=won)
    if ch.prize_points and ch.prize_approved_at is None:
        return text("challenge.results.unapproved")
    return text("challenge.results.standings")


def _organiser(session: Session, ch: Challenge) -> set[int]:
    """The creator, while they can still read the results."""
    return set(session.scalars(select(User.id).where(User.id == ch.created_by_id, User.is_active.is_(True),
                                                     User.erased_at.is_(None))))


def close(session: Session, ch: Challenge) -> bool:
    """Freeze standings and pay an approved prize, once; False if already closed (or not yet due)."""
    if not _claim(session, ch.id, Challenge.closed_at, Challenge.ends_at <= utcnow(), _tally_caught_up(ch)):
        return False
    session.refresh(ch)
    people = participants(session, ch)
    final = _ranked(session, ch, people)
    ch.final_standings = final
    award = prizes(ch, final, people) if ch.prize_approved_at is not None else {}
    for uid, amount in award.items():
        if amount > 0:
            ledger.append(session, user_id=uid, amount=amount, action="challenge_prize",
                          dedupe_key=f"challenge:{ch.id}:prize:u{uid}", reason=f"Prize: {ch.title}",
                          team_id=people.get(uid), at=ch.ends_at)
    told = sorted(set(people) | _organiser(session, ch))
    inbox.languages_for(session, told)
    for uid in told:
        inbox.notify(session, uid, "challenges", text("challenge.results.title", title=ch.title),
                     _results_body(ch, award.get(uid, 0)),
                     data=_link(ch), dedupe_key=f"challenge:{ch.id}:results:u{uid}")
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


def view(session: Session, ch: Challenge, *, viewer: User | None = None, with_standings: bool = True) -> dict[str, Any]:
    return {
        "id": ch.id, "title": ch.title, "description": ch.description, "kind": ch.kind, "metric": ch.metric,
        "post_ids": sorted(p.post_id for p in ch.posts), "team_ids": team_ids(ch), "starts_at": ch.starts_at,
        "ends_at": ch.ends_at, "prize_points": ch.prize_points, "prize_status": prize_status(ch),
        "status": status_of(ch), "created_by_id": ch.created_by_id,
        "standings": standings(session, ch, viewer) if with_standings else [],
    }
