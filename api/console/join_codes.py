"""Console: a team's join codes (make, revoke, print a poster) and the requests to join it."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, redirect, render_template, request, url_for

from api import sign_in
from api.clock import utcnow
from api.console import bp, led_teams, need
from api.console.forms import FORM_ERRORS, fail, save
from api.db import db
from api.errors import DomainError
from api.links import app_url
from api.models.join_codes import JoinRequest
from api.models.teams import Team
from api.models.users import User
from api.services import join_codes, mail, teams
from schemas.join_codes import JoinCodeCreateSchema

LIFETIMES = (7, 30, 90, 365)  # days a new code works, as the form offers them


def _view(code, team: Team, *, with_qr: bool = False) -> dict:
    display = join_codes.display_code(code.code)
    url = app_url(current_app.config["PUBLIC_BASE_URL"], "join", code=display)
    return join_codes.code_view(code, team, url, utcnow(), with_qr=with_qr)


def _back(team_id: int):
    return redirect(url_for("console.join_codes", team_id=team_id))


@bp.get("/join-codes", endpoint="join_codes")
@need("lead")
def join_codes_page(me: User):
    led = led_teams(me)
    team = next((t for t in led if t.id == request.args.get("team_id", type=int)), led[0] if led else None)
    codes, pending, decided = [], [], []
    if team is not None:
        codes = [_view(c, team) for c in join_codes.list_codes(db.session, team)]
        rows = list(db.session.scalars(join_codes.requests_query(team, None).order_by(JoinRequest.id.desc())
                                       .limit(100)))
        views = join_codes.request_views(db.session, rows)
        pending = [v for v in views if v["status"] == "pending"]
        decided = [v for v in views if v["status"] != "pending"][:20]
    return render_template("join_codes.html", me=me, page="join_codes", teams=led, team=team, codes=codes,
                           pending=pending, decided=decided, lifetimes=LIFETIMES)


@bp.post("/teams/<int:team_id>/join-codes")
@need("lead")
def add_join_code(me: User, team_id: int):
    form = request.form
    days = form.get("days", type=int) or 90
    raw = {"expires_at": (utcnow() + timedelta(days=min(days, max(LIFETIMES)))).isoformat(),
           "auto_approve": form.get("auto_approve") == "true"}
    if form.get("max_uses", "").strip():
        raw["max_uses"] = int(form["max_uses"]) if form["max_uses"].strip().isdigit() else form["max_uses"]
    try:
        sign_in.password_rule().check_on(join_codes.CODES_OFF)
        data = JoinCodeCreateSchema().load(raw)
        code = join_codes.create_code(db.session, me, team_id, now=utcnow(), expires_at=data["expires_at"],
                                      max_uses=data["max_uses"], auto_approve=data["auto_approve"])
        save(f"New join code {join_codes.display_code(code.code)}. Print its poster for the break room.")
    except FORM_ERRORS as exc:
        fail(exc)
    return _back(team_id)


@bp.post("/teams/<int:team_id>/join-codes/<int:code_id>/revoke")
@need("lead")
def revoke_join_code(me: User, team_id: int, code_id: int):
    try:
        team = teams.require_lead_of(db.session, me, team_id)
        code = join_codes.get_code(db.session, team, code_id)
        join_codes.revoke(db.session, code, utcnow())
        save(f"Join code {join_codes.display_code(code.code)} is withdrawn; people who joined with it stay.")
    except FORM_ERRORS as exc:
        fail(exc)
    return _back(team_id)


@bp.get("/teams/<int:team_id>/join-codes/<int:code_id>/poster")
@need("lead")
def join_code_poster(me: User, team_id: int, code_id: int):
    try:
        team = teams.require_lead_of(db.session, me, team_id)
        code = join_codes.get_code(db.session, team, code_id)
    except DomainError:
        abort(404)  # not a team of mine, or not its code: nothing to print
    return render_template("join_poster.html", me=me, team=team, c=_view(code, team, with_qr=True))


@bp.post("/teams/<int:team_id>/join-requests/<int:request_id>/<any(approve, decline):verb>")
@need("lead")
def decide_join_request(me: User, team_id: int, request_id: int, verb: str):
    try:
        team = teams.require_lead_of(db.session, me, team_id)
        decide = join_codes.approve if verb == "approve" else join_codes.decline
        decided = decide(db.session, me, team, request_id, utcnow(),
                         mail_settings=mail.MailSettings.from_config(current_app.config))
        save(f"{decided.display_name}: {decided.status}.")
    except FORM_ERRORS as exc:
        fail(exc)
    return _back(team_id)
