"""Console: the social media policy — edit the text (a changed text is a new version) and see the history."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from api.console import bp, need
from api.console.forms import FORM_ERRORS, fail, save
from api.db import db
from api.models.users import User
from api.services import policy
from schemas.policy import PolicyWriteSchema


@bp.route("/policy", methods=["GET", "POST"])
@need("admin")
def policy_page(me: User):
    draft = None
    if request.method == "POST":
        draft = request.form.get("text", "")
        try:
            # The API's own schema: the same 1..20000 characters, cleaned the same way.
            version, created = policy.publish(db.session, PolicyWriteSchema().load({"text": draft})["text"], me)
            save(f"Published version {version.version}. Everyone accepts it before their next share."
                 if created else f"That is the text of version {version.version} already: nothing changed.")
            return redirect(url_for("console.policy_page"))
        except FORM_ERRORS as exc:
            fail(exc)
    versions = policy.history(db.session)
    text = draft if draft is not None else (versions[0]["text"] if versions else "")
    return render_template("policy.html", me=me, page="policy", text=text, versions=versions,
                           max_length=policy.TEXT_MAX)
