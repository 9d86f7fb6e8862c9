"""What every console form does once its service call ran: save and tell, or roll back and say why.

    try:
        ...  # the service calls
        save("Saved.")
    except FORM_ERRORS as exc:
        fail(exc)
    return redirect(...)
"""

from __future__ import annotations

from flask import flash
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from api.conflicts import conflict_for
from api.console import problem_message
from api.db import db
from api.errors import DomainError

# What a form can run into: bad input, a rule of the domain, or a unique clash (an email or a code
# someone has), which api/conflicts.py words as the API's 409 does. Each becomes a message on the page.
FORM_ERRORS = (ValidationError, DomainError, IntegrityError)


def save(message: str | None = None) -> None:
    """Send the form's changes now, inside the view's `try`, so a clash surfaces as a FORM_ERRORS
    message; then show `message` on the next page once the work is committed. The unit of work
    (api.http) commits once the view has answered — no view commits — and a commit that fails
    (answered 503/409 by the error handlers) must not leave "Saved" behind in the session."""
    db.session.flush()
    if message is not None:
        db.after_commit(lambda: flash(message))


def fail(exc: Exception) -> None:
    """Undo the form's work and flash why; a clash the person cannot fix goes on to the error handlers."""
    db.rollback()
    if isinstance(exc, IntegrityError):
        conflict = conflict_for(exc)
        if conflict is None:
            raise exc
        exc = conflict
    flash(problem_message(exc), "error")
