"""Authorization matrix, generated from the app's own routes.

Every operation under /api/v1 must either declare its role with `require_role` or be
in PUBLIC; a new endpoint without a rule fails `test_every_operation_has_a_rule`. Then
every operation is called as anonymous, staff, lead and admin: anonymous gets 401 on
anything protected, a role below the required one gets 403, and a sufficient role is
never refused (whatever else the answer is, e.g. 404 for a made-up id or 422 for an
empty body).
"""

from __future__ import annotations

import re

from tests.factories import UserFactory

RANKS = {"staff": 1, "lead": 2, "admin": 3}
# Operations anyone may call, with why.
PUBLIC = {
    ("POST", "/api/v1/auth/login"): "signing in",
    ("POST", "/api/v1/auth/refresh"): "the refresh token is the credential",
    ("POST", "/api/v1/auth/logout"): "the refresh token is the credential",
    ("POST", "/api/v1/auth/activate"): "the invite token is the credential",
}


def _operations(app):
    ops = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        view = app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            handler = getattr(view_class, method.lower()) if view_class else view
            ops.append((method, rule.rule, getattr(handler, "_required_role", None)))
    return ops


def _fill(path: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "999999", path)


def test_every_operation_has_a_rule(app):
    missing = [(m, p) for m, p, role in _operations(app) if role is None and (m, p) not in PUBLIC]
    assert not missing, f"operations without require_role(...) or a PUBLIC entry: {missing}"


def test_matrix(app, client, session):
    checked = 0
    for method, path, role in _operations(app):
        if role is None:
            continue
        # Fresh people per operation: some operations change the caller (DELETE /me erases them).
        people = {who: UserFactory(role=who) for who in RANKS}
        url = _fill(path)
        body = {} if method in ("POST", "PUT", "PATCH") else None
        anonymous = client.open(method, url, json=body)
        assert anonymous.status_code == 401, (method, path, "anonymous", anonymous.status_code)
        for who, user in people.items():
            r = client.as_(user).open(method, url, json=body)
            if RANKS[who] < RANKS[role]:
                assert r.status_code == 403, (method, path, who, r.status_code)
            else:
                assert r.status_code not in (401, 403), (method, path, who, r.status_code, r.get_json())
            assert r.status_code < 500, (method, path, who, r.get_data(as_text=True))
        checked += 1
    assert checked >= 8
