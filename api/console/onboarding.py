"""Console pages for getting people in: resending invitations (one by one or to everyone pending)
and reset links shown as a QR code for people without email. The same services as the API."""

from __future__ import annotations

import segno
from flask import current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from api import sign_in
from api.console import bp, need
from api.console.forms import FORM_ERRORS, fail, save
from api.db import db
from api.models.teams import TeamMembership
from api.models.users import User
from api.services import invitations, mail, password_resets, teams, users


def _settings() -> mail.MailSettings:
    return mail.MailSettings.from_config(current_app.config)


@bp.post("/people/invitations")
@need("admin")
def resend_invitations(me: User):
    """Resend to the ticked people, or to everyone pending ("all")."""
    everyone = request.form.get("scope") == "all"
    ids = None if everyone else [int(i) for i in request.form.getlist("user_ids") if i.isdigit()]
    if ids == []:
        flash("Tick the people to send a new invitation to, or send to everyone pending.", "error")
        return redirect(url_for("console.people"))
    try:
        sent = invitations.resend_many(db.session, ids, invite_ttl=current_app.config["INVITE_TTL"],
                                       settings=_settings())
        skipped = (len(ids) - len(sent)) if ids is not None else 0
        save(f"New invitation mailed to {len(sent)} {'person' if len(sent) == 1 else 'people'}; "
             "their earlier links no longer work."
             + (f" {skipped} skipped (already active, deactivated or without email)." if skipped else ""))
    except FORM_ERRORS as exc:
        fail(exc)
    return redirect(url_for("console.people"))


@bp.get("/team-people")
@need("lead")
def team_people(me: User):
    """A lead's people: staff of the teams they lead, each with a reset-link button."""
    led = teams.led_team_ids(db.session, me.id) if me.role != "admin" else None
    stmt = users.admin_list_query().order_by(User.display_name).limit(500)
    if led is not None:
        stmt = stmt.where(User.role == "staff", User.id.in_(
            select(TeamMembership.user_id).where(TeamMembership.team_id.in_(led))))
    rows = list(db.session.scalars(stmt))
    return render_template("team_people.html", me=me, page="team_people", people=users.admin_views(db.session, rows))


@bp.post("/people/<int:user_id>/reset-link")
@need("lead")
def reset_link(me: User, user_id: int):
    """Shown once, right here (never stored in the session or a flash message): the link and its QR code."""
    try:
        user = users.get_user(db.session, user_id)
        url, expires_at = password_resets.issue_link(db.session, me, user, ttl=current_app.config["RESET_TTL"],
                                                     passwords=sign_in.password_rule(),
                                                     base_url=current_app.config["PUBLIC_BASE_URL"])
        save()  # the unit of work commits before this page is answered
    except FORM_ERRORS as exc:
        fail(exc)
        return redirect(url_for("console.people" if me.role == "admin" else "console.team_people"))
    qr = segno.make(url, error="m").svg_data_uri(scale=6, border=4)
    return render_template("reset_link.html", me=me, page="people" if me.role == "admin" else "team_people",
                           person=user, url=url, expires_at=expires_at, qr=qr)
