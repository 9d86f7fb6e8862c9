"""The rules the server enforces that JSON Schema cannot express, each with its reason.

This is the one list of them. The contract fuzzer (tests/contract/test_fuzz.py) tolerates a
schema-valid request being refused only when the refusal names one of these, for that operation;
anything else it reports as "schema-valid request rejected". Each rule is also described in the
contract (the field's or the operation's description), which the tests below check, so a client
author reading openapi.json learns it too.

An entry is (operation, what the 400/422 problem names, reason). "what it names" is a field in
`errors` (a dotted path's first part) or, for a problem without `errors`, its `type` slug.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CONTRACT = Path(__file__).resolve().parents[2] / "mobile_contract" / "openapi.json"
ANY = "*"

DOCUMENTED_EXCEPTIONS: tuple[tuple[str, str, str], ...] = (
    # Opaque values
    (ANY, "invalid-cursor", "a cursor is opaque: only a `next_cursor` the server issued for this list is valid"),
    # Names that must exist elsewhere
    ("PUT /api/v1/me/notification-preferences", "timezone", "an IANA timezone name (the tz database, not a pattern)"),
    ("POST /api/v1/devices", "timezone", "an IANA timezone name (the tz database, not a pattern)"),
    # References to other objects: an id that names nothing is refused with the field named
    ("POST /api/v1/admin/teams", "lead_ids", "each lead must be an existing, active person"),
    ("PATCH /api/v1/admin/teams/{team_id}", "lead_ids", "each lead must be an existing, active person"),
    ("POST /api/v1/admin/users", "team_ids", "each team must exist"),
    ("PATCH /api/v1/admin/users/{user_id}", "team_ids", "each team must exist"),
    ("POST /api/v1/admin/posts", "target_team_ids", "each team must exist"),
    ("PATCH /api/v1/admin/posts/{post_id}", "target_team_ids", "each team must exist"),
    ("POST /api/v1/challenges", "team_ids", "each team must exist and be led by the caller (admins: any)"),
    ("PATCH /api/v1/challenges/{challenge_id}", "team_ids", "each team must exist and be led by the caller"),
    ("POST /api/v1/challenges", "post_ids", "each post must be live for everyone or one of the teams"),
    ("PATCH /api/v1/challenges/{challenge_id}", "post_ids", "each post must be live for everyone or one of the teams"),
    ("POST /api/v1/teams/{team_id}/nudges", "post_id", "the post must be live for the team"),
    ("POST /api/v1/posts/{post_id}/shares", "network", "one of the networks this post allows (its `networks`)"),
    ("POST /api/v1/posts/{post_id}/caption-check", "network", "one of the networks this post allows"),
    # Rules across fields or rows
    ("PUT /api/v1/admin/scoring-rules", "levels", "levels ascend by number and min_points; the first starts at 0"),
    ("PATCH /api/v1/me", "social_profiles", "one entry per network (uniqueness by a key, not by whole item)"),
    ("PUT /api/v1/me/notification-preferences", "quiet_hours", "start and end must differ"),
    ("POST /api/v1/admin/posts", "suggested_captions", "captions only for networks in the post's `networks`"),
    ("PATCH /api/v1/admin/posts/{post_id}", "suggested_captions", "captions only for the post's `networks`"),
    ("POST /api/v1/admin/posts", "expires_at", "expires after it is published"),
    ("PATCH /api/v1/admin/posts/{post_id}", "expires_at", "expires after it is published"),
    ("POST /api/v1/challenges", "starts_at", "starts no more than 5 minutes in the past (depends on the clock)"),
    ("POST /api/v1/challenges", "ends_at", "runs at least CHALLENGE_MIN_HOURS (server configuration)"),
    ("PATCH /api/v1/challenges/{challenge_id}", "starts_at", "starts no more than 5 minutes in the past"),
    ("PATCH /api/v1/challenges/{challenge_id}", "ends_at", "runs at least CHALLENGE_MIN_HOURS"),
    ("POST /api/v1/challenges", "prize_points", "a team prize times the members must fit the prize limit"),
    ("GET /api/v1/admin/analytics/summary", "from", "`from` is not after `to`, the window at most 366 days"),
    ("GET /api/v1/admin/analytics/export.csv", "from", "`from` is not after `to`, the window at most 366 days"),
    ("GET /api/v1/teams/{team_id}/analytics", "from", "`from` is not after `to`, the window at most 366 days"),
    ("GET /api/v1/admin/audit-log/export.csv", "from", "`from` is not after `to`"),
    ("GET /api/v1/leaderboard", "team_id", "required when scope=team"),
    ("POST /api/v1/auth/login", "email", "exactly one of `email` and `username`"),
    ("POST /api/v1/teams/{team_id}/join-codes", "expires_at", "in the future, at most a year ahead (the clock)"),
    ("POST /api/v1/auth/join", "username", "an email or a username (at least one of them)"),
    ("POST /api/v1/admin/users/import", "not-a-staff-list", "a CSV whose first row names the known columns"),
    # Names people cannot take
    ("POST /api/v1/admin/users", "display_name", "not the name of an admin (impersonation)"),
    ("PATCH /api/v1/admin/users/{user_id}", "display_name", "not the name of an admin (impersonation)"),
    ("PATCH /api/v1/me", "display_name", "not the name of an admin (impersonation)"),
    ("POST /api/v1/auth/activate", "display_name", "not the name of an admin (impersonation)"),
    # State of the people concerned
    ("POST /api/v1/admin/points/adjustments", "amount",
     "a negative adjustment takes at most what the person earned in all"),
    ("POST /api/v1/rewards/{reward_id}/redemptions", "insufficient-balance", "the caller's balance must cover the cost"),
)


def _operations() -> dict[str, dict]:
    spec = json.loads(CONTRACT.read_text())
    out = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                out[f"{method.upper()} {path}"] = {**op, "_path_params": item.get("parameters", [])}
    return out


def tolerated(label: str, named: set[str]) -> bool:
    """Whether a refusal of a schema-valid request to `label`, naming `named`, is a listed exception."""
    allowed = {what for op, what, _ in DOCUMENTED_EXCEPTIONS if op in (ANY, label)}
    return bool(named) and named <= allowed


@pytest.mark.parametrize("operation,named,reason", DOCUMENTED_EXCEPTIONS)
def test_exception_is_a_documented_part_of_the_contract(operation, named, reason):
    """Each listed rule belongs to an existing operation and a field it takes, and the contract describes it."""
    assert reason
    if operation == ANY:
        return
    ops = _operations()
    assert operation in ops, f"{operation} is not in the contract: remove its exceptions"
    op = ops[operation]
    if "-" in named:  # a problem type slug: the operation's description names the rule
        assert named.split("-")[-1] in json.dumps(op).lower(), (operation, named)
        return
    params = {p.get("name") for p in op.get("parameters", []) + op["_path_params"]}
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    ref = body.get("$ref", "")
    spec = json.loads(CONTRACT.read_text())
    properties = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"] if ref else {}
    assert named in params or named in properties, f"{operation} takes no {named!r}"
    described = next((p for p in op.get("parameters", []) if p.get("name") == named), None) or properties.get(named)
    assert described.get("description"), f"{operation}: describe the rule of {named!r} in its description"


def test_cursor_exception_is_described_on_every_paginated_list():
    """Every `cursor` parameter says it is opaque and that another value is a 400."""
    for label, op in _operations().items():
        for p in op.get("parameters", []):
            if p.get("name") == "cursor":
                assert "400" in p.get("description", "") and "Opaque" in p["description"], label


def test_tolerance_is_exact():
    """A refusal is tolerated only when everything it names is listed for that operation."""
    assert tolerated("PUT /api/v1/me/notification-preferences", {"timezone"})
    assert tolerated("GET /api/v1/feed", {"invalid-cursor"})
    assert not tolerated("PUT /api/v1/me/notification-preferences", {"timezone", "max_per_day"})
    assert not tolerated("POST /api/v1/devices", {"token"})
    assert not tolerated("POST /api/v1/devices", set())
