"""Console pages. Each reads and writes through api/services and the API's schemas."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from flask import current_app, flash, redirect, render_template, request, session, url_for
from marshmallow import ValidationError
from sqlalchemy import select

from api import sign_in
from api.clock import local_date, utcnow
from api.console import bp, charts, current, led_teams, need, problem_message, start_session
from api.console.forms import FORM_ERRORS, fail, save
from api.console.next_page import safe_next
from api.db import db
from api.errors import DomainError, Forbidden, Unauthorized
from api.login_limits import limit_failed_logins
from api.models._common import CAPTION_LIMITS
from api.models.badges import Badge
from api.models.posts import Post
from api.models.rewards import Redemption, Reward
from api.models.users import User
from api.services import (
    accounts,
    analytics,
    audit,
    badges,
    invitations,
    mail,
    posts,
    reach,
    rewards,
    scoring_rules,
    teams,
    users,
)
from api.services import challenges as challenge_service
from schemas.analytics import WindowArgsSchema
from schemas.challenges import ChallengeWriteSchema
from schemas.points import ScoringRulesSchema
from schemas.posts import PostPatchSchema, PostWriteSchema
from schemas.rewards import RewardWriteSchema
from schemas.users import InviteSchema

NEXT_STEPS = {"pending": ["approved", "rejected"], "approved": ["fulfilled", "rejected"], "fulfilled": [],
              "rejected": []}


# --- sign in / out ---------------------------------------------------------------------------------

def _email_in_form() -> object:
    return request.form.get("email")


@bp.route("/login", methods=["GET", "POST"])
@limit_failed_logins(_email_in_form)  # the API's budget: failures here count there and vice versa
def login():
    if request.method == "POST":
        email = request.form.get("email", "")
        try:
            user = sign_in.with_password(email, None, request.form.get("password", ""), door="console")
        except (Unauthorized, Forbidden) as exc:  # Forbidden: joined with a code, awaiting approval
            flash(exc.detail, "error")
            return render_template("login.html", email=email, me=None), exc.status
        start_session(user)
        return redirect(safe_next(request.args.get("next")) or url_for("console.dashboard"))
    if current() is not None:
        return redirect(url_for("console.dashboard"))
    return render_template("login.html", me=None)


@bp.post("/logout")
def logout():
    user = current()
    if user is not None:
        accounts.end_sessions(user)  # copies of this cookie die too, not just this browser's
    session.clear()
    return redirect(url_for("console.login"))


# --- dashboard -------------------------------------------------------------------------------------

def _window_args() -> tuple[Any, Any]:
    try:
        args = WindowArgsSchema().load({k: v for k, v in request.args.items() if k in ("from", "to") and v})
    except ValidationError as exc:
        flash(problem_message(exc), "error")
        args = {}
    tz = current_app.config["ORG_TIMEZONE"]
    end = args.get("to") or local_date(utcnow(), tz)
    return args.get("from_") or end - timedelta(days=29), end


@bp.get("/")
@need("lead")
def dashboard(me: User):
    visible = led_teams(me)
    wanted = request.args.get("team_id", type=int)
    team = next((t for t in visible if t.id == wanted), None)
    if me.role != "admin":
        # Only admins see the whole organisation (team_id=None); a lead sees a team they lead — the one
        # asked for if it is theirs, else their first — and a lead of no team sees no figures at all,
        # as the API answers 403 for analytics of a team one does not lead.
        if not visible:
            return render_template("dashboard.html", me=me, page="dashboard", s=None, teams=[], team=None)
        team = team or visible[0]
    start, end = _window_args()
    s = analytics.summary(db.session, start=start, end=end, tz=current_app.config["ORG_TIMEZONE"],
                          cpm=current_app.config["EMV_CPM"], currency=current_app.config["EMV_CURRENCY"],
                          caps=reach.caps_from_config(current_app.config), team_id=team.id if team else None)
    days = [p["date"].isoformat() for p in s["series"]]
    series = s["series"]
    chart = {
        "activity": charts.lines(days, {"shares": [p["shares"] for p in series],
                                        "comments": [p["comments"] for p in series]},
                                 title="Shares and comments per day"),
        "networks": charts.bars(sorted(s["shares_by_network"].items(), key=lambda kv: -kv[1]),
                                title="Shares by network"),
        "reach": charts.lines(days, {"clicks": [p["clicks"] for p in s["series"]],
                                     "reach / 100": [p["estimated_reach"] / 100 for p in s["series"]]},
                              title="Clicks and reach per day"),
        "teams": charts.bars([(t["team"]["name"], t["shares"]) for t in s["by_team"]], title="Shares per team"),
    }
    return render_template("dashboard.html", me=me, page="dashboard", s=s, charts=chart, teams=visible, team=team)


# --- posts -----------------------------------------------------------------------------------------

def _post_form() -> dict[str, Any]:
    form = request.form
    networks = form.getlist("networks")
    data: dict[str, Any] = {
        "title": form.get("title", ""), "body": form.get("body", ""), "networks": networks,
        "suggested_captions": {n: form[f"caption_{n}"] for n in networks if form.get(f"caption_{n}", "").strip()},
        "target_team_ids": [int(t) for t in form.getlist("target_team_ids") if t.isdigit()],
        "campaign": form.get("campaign") or None, "pinned": "pinned" in form, "notify": "notify" in form,
        "status": "draft" if "draft" in form else "published",
        "link_url": form.get("link_url") or None,
    }
    for name in ("publish_at", "expires_at"):
        if form.get(name):
            data[name] = form[name] + ("" if form[name].count(":") > 1 else ":00") + "+00:00"
    return data


@bp.get("/posts", endpoint="posts")
@need("admin")
def posts_page(me: User):
    rows = list(db.session.scalars(select(Post).where(Post.deleted_at.is_(None)).order_by(Post.id.desc()).limit(100)))
    edit = request.args.get("edit", type=int)
    editing = posts.admin_views(db.session, [posts.get_post(db.session, edit)])[0] if edit else None
    return render_template("posts.html", me=me, page="posts", items=posts.admin_views(db.session, rows),
                           post=editing, teams=teams.list_teams(db.session), limits=CAPTION_LIMITS)



@bp.post("/posts/save", defaults={"post_id": None})
@bp.post("/posts/<int:post_id>/save")
@need("admin")
def save_post(me: User, post_id: int | None):
    try:
        if post_id is None:
            post = posts.create_post(db.session, PostWriteSchema().load(_post_form()), author_id=me.id)
        else:
            post = posts.update_post(db.session, posts.get_post(db.session, post_id),
                                     PostPatchSchema().load(_post_form()))
        save(f"Saved “{post.title}” ({posts.state_of(post)}).")
    except FORM_ERRORS as exc:
        fail(exc)
    return redirect(url_for("console.posts"))


# --- rewards ---------------------------------------------------------------------------------------

@bp.get("/rewards", endpoint="rewards")
@need("admin")
def rewards_page(me: User):
    queue = list(db.session.scalars(select(Redemption).where(Redemption.status.in_(("pending", "approved")))
                                    .order_by(Redemption.id).limit(200)))
    catalog = list(db.session.scalars(select(Reward).order_by(Reward.id)))
    return render_template("rewards.html", me=me, page="rewards",
                           queue=rewards.views(db.session, queue, with_user=True),
                           catalog=rewards.reward_views(db.session, catalog), next_steps=NEXT_STEPS)



@bp.post("/redemptions/<int:redemption_id>")
@need("admin")
def decide_redemption(me: User, redemption_id: int):
    try:
        redemption = rewards.decide(db.session, rewards.get_redemption(db.session, redemption_id),
                                    status=request.form.get("status", ""), note=None, admin_id=me.id)
        save(f"Redemption #{redemption.id} is now {redemption.status}.")
    except FORM_ERRORS as exc:
        fail(exc)
    return redirect(url_for("console.rewards"))


@bp.post("/rewards/add")
@need("admin")
def add_reward(me: User):
    form = request.form
    raw = {"name": form.get("name", ""), "description": form.get("description", ""),
           "cost": int(form["cost"]) if form.get("cost", "").isdigit() else form.get("cost"),
           "stock": int(form["stock"]) if form.get("stock", "").isdigit() else None,
           "per_user_limit": int(form["per_user_limit"]) if form.get("per_user_limit", "").isdigit() else None}
    try:
        reward = rewards.create_reward(db.session, RewardWriteSchema().load(raw))
        save(f"Added {reward.name}.")
    except FORM_ERRORS as exc:
        fail(exc)
    return redirect(url_for("console.rewards"))


# --- people ----------------------------------------------------------------------------------------

@bp.get("/people")
@need("admin")
def people(me: User):
    rows = list(db.session.scalars(users.admin_list_query().order_by(User.display_name).limit(500)))
    return render_template("people.html", me=me, page="people", people=users.admin_views(db.session, rows),
                           invite_days=current_app.config["INVITE_TTL"] // 86400,
                           teams=teams.list_teams(db.session), invite_url=session.pop("invite_url", None),
                           invited=session.pop("invited", None))


@bp.post("/people/invite")
@need("admin")
def invite(me: User):
    raw = {"email": request.form.get("email", ""), "display_name": request.form.get("display_name", ""),
           "role": request.form.get("role", "staff"),
           "team_ids": [int(t) for t in request.form.getlist("team_ids") if t.isdigit()]}
    try:
        data = InviteSchema().load(raw)
        user, invitation = invitations.invite(db.session, invite_ttl=current_app.config["INVITE_TTL"],
                                              settings=mail.MailSettings.from_config(current_app.config), **data)
        audit.record(db.session, "admin_user_invited", actor_id=me.id, subject_user_id=user.id,
                     detail={"role": data["role"], "team_ids": data["team_ids"], "door": "console"})
        save()
        link, email = invitation.url, user.email
        db.after_commit(lambda: session.update(invite_url=link, invited=email))  # no link to nobody
    except FORM_ERRORS as exc:
        fail(exc)
    return redirect(url_for("console.people"))


@bp.post("/people/<int:user_id>")
@need("admin")
def update_person(me: User, user_id: int):
    try:
        user = users.get_user(db.session, user_id)
        change = {"role": request.form.get("role", user.role), "active": request.form.get("active") == "true"}
        users.admin_update(db.session, user, change)
        audit.record(db.session, "admin_user_updated", actor_id=me.id, subject_user_id=user.id,
                     detail={**change, "door": "console"})
        save(f"Saved {user.display_name}.")
    except FORM_ERRORS as exc:
        fail(exc)
    return redirect(url_for("console.people"))


@bp.post("/people/<int:user_id>/teams")
@need("admin")
def person_teams(me: User, user_id: int):
    try:
        user = users.get_user(db.session, user_id)
        change = {"team_ids": [int(t) for t in request.form.getlist("team_ids") if t.isdigit()]}
        users.admin_update(db.session, user, change)
        audit.record(db.session, "admin_user_updated", actor_id=me.id, subject_user_id=user.id,
                     detail={**change, "door": "console"})
        save(f"{user.display_name} is now in: {', '.join(m.team.name for m in user.memberships) or 'no team'}.")
    except FORM_ERRORS as exc:
        fail(exc)
    return redirect(url_for("console.people"))


# --- scoring ---------------------------------------------------------------------------------------

@bp.route("/scoring", methods=["GET", "POST"])
@need("admin")
def scoring(me: User):
    text = None
    if request.method == "POST":
        text = request.form.get("rules", "")
        try:
            scoring_rules.replace_rules(db.session, ScoringRulesSchema().load(json.loads(text)), me.id)
            save("Scoring rules saved. They apply to activity tallied from now on.")
            return redirect(url_for("console.scoring"))
        except json.JSONDecodeError as exc:
            flash(f"That is not valid JSON: {exc}", "error")
        except FORM_ERRORS as exc:
            fail(exc)
    rules_json = text or json.dumps(scoring_rules.rules_view(db.session), indent=2)
    all_badges = [badges.admin_view(db.session, b) for b in db.session.scalars(select(Badge).order_by(Badge.id))]
    return render_template("scoring.html", me=me, page="scoring", rules_json=rules_json, badges=all_badges)


# --- challenges ------------------------------------------------------------------------------------

def _challenge_form() -> dict[str, Any]:
    form = request.form
    data: dict[str, Any] = {
        "title": form.get("title", ""), "description": form.get("description", ""),
        "kind": form.get("kind", ""), "metric": form.get("metric", ""),
        "team_ids": [int(t) for t in form.getlist("team_ids") if t.isdigit()],
        "post_ids": [int(p) for p in form.getlist("post_ids") if p.isdigit()],
        "prize_points": int(form["prize_points"]) if form.get("prize_points", "").isdigit() else 0,
    }
    for name in ("starts_at", "ends_at"):
        if form.get(name):
            data[name] = form[name] + ("" if form[name].count(":") > 1 else ":00") + "+00:00"
    return data


@bp.get("/challenges")
@need("lead")
def challenges(me: User):
    rows = challenge_service.listing(db.session, me, None)
    led = led_teams(me)
    recent = challenge_service.offered_posts(db.session, [t.id for t in led])
    return render_template("challenges.html", me=me, page="challenges", teams=led, posts=recent,
                           items=[challenge_service.view(db.session, c, with_standings=False) for c in rows])


@bp.get("/challenges/<int:challenge_id>")
@need("lead")
def challenge(me: User, challenge_id: int):
    try:
        ch = challenge_service.get_visible(db.session, me, challenge_id)
    except DomainError as exc:
        flash(problem_message(exc), "error")
        return redirect(url_for("console.challenges"))
    names = {t.id: t.name for t in teams.list_teams(db.session)}
    return render_template("challenge.html", me=me, page="challenges",
                           c=challenge_service.view(db.session, ch, viewer=me), team_names=names)


@bp.post("/challenges/add")
@need("lead")
def add_challenge(me: User):
    try:
        ch = challenge_service.create(db.session, me, ChallengeWriteSchema().load(_challenge_form()),
                                      min_hours=current_app.config["CHALLENGE_MIN_HOURS"])
        save(f"Challenge “{ch.title}” is set up.")
        return redirect(url_for("console.challenge", challenge_id=ch.id))
    except FORM_ERRORS as exc:
        fail(exc)
    return redirect(url_for("console.challenges"))


@bp.post("/challenges/<int:challenge_id>/cancel")
@need("lead")
def cancel_challenge(me: User, challenge_id: int):
    try:
        ch = challenge_service.get_visible(db.session, me, challenge_id)
        challenge_service.cancel(db.session, me, ch)
        save(f"“{ch.title}” is cancelled; no prizes will be awarded.")
    except FORM_ERRORS as exc:
        fail(exc)
    return redirect(url_for("console.challenges"))
