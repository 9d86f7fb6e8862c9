"""Authorization matrix: who may call what, on whose objects — written by hand, not read from the code.

Each row of MATRIX is an operation of /api/v1 (method and path as the OpenAPI spells them), the
object it acts on when it takes an id (OWN or OTHER), and the status each caller must get:

    anonymous   no token
    staff       a member of team A
    lead        the lead of team A
    other_lead  the lead of team B (a lead, but not of A)
    admin       an admin, in no team

OWN is the caller's own object (their comment, device, notification, redemption, suggestion, badge,
account) or one of their team (a post, challenge or team of A; of B for other_lead; of A for the
admin, who has none). OTHER is someone else's (bob's, a member of A who never calls) or another
team's (B; A for other_lead). Anonymous owns nothing, so it has a status only on OTHER rows.
An operation that names its object in the query or the body (a team leaderboard, a new
challenge's teams) has OWN and OTHER rows too. FOREIGN rows act on the caller's own object but
name another team's object in the body (nudging my team about a post it cannot see, adding a team
I do not lead to my challenge).

The statuses come from CONTRACT.md and PRODUCT.md ("least privilege"): 401 without a token, 403
for a role that is too low or a team the caller does not lead, 404 for an object that is not the
caller's to see (a device, a notification, a post of another team), 2xx for everyone allowed. A
sufficient caller acts on a real object of the world (tests/api/authz_world.py) with a valid body
and must succeed; a refused call must change nothing in the database.

The table must list exactly the operations the app serves: a new endpoint without rows, or rows
for an endpoint that is gone, fail `test_the_table_lists_every_operation`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from api.contract import openapi_document
from tests.api.authz_world import INVITEE_PASSWORD, RawBody, World, build_world, challenge_body
from tests.factories import PASSWORD

OWN, OTHER, FOREIGN = "own", "other", "foreign"
CALLERS = ("anonymous", "staff", "lead", "other_lead", "admin")
_ = None  # anonymous owns nothing: no OWN row

ADMIN_ONLY = (401, 403, 403, 403, 200)

# (method, path under /api/v1, object) → status for (anonymous, staff, lead, other_lead, admin)
MATRIX: dict[tuple[str, str, str | None], tuple[int | None, int, int, int, int]] = {
    # Signing in: the credential is in the body, so a bearer token neither helps nor hurts.
    ("POST", "/auth/login", None):                                  (200, 200, 200, 200, 200),
    ("POST", "/auth/refresh", None):                                (200, 200, 200, 200, 200),
    ("POST", "/auth/logout", None):                                 (204, 204, 204, 204, 204),
    ("POST", "/auth/activate", None):                               (200, 200, 200, 200, 200),
    # Single sign-on is public (the browser carries no token); this world has no provider set up,
    # so each answers 404 `sso-off` (tests/api/test_oidc.py runs the flow against a real provider).
    ("GET", "/auth/oidc/start", None):                              (404, 404, 404, 404, 404),
    ("GET", "/auth/oidc/callback", None):                           (404, 404, 404, 404, 404),
    ("POST", "/auth/oidc/exchange", None):                          (404, 404, 404, 404, 404),
    # Me: everyone signed in, always about themselves.
    # What a client needs before anyone signs in: public.
    ("GET", "/client-config", None):                                (200, 200, 200, 200, 200),
    ("GET", "/me", None):                                           (401, 200, 200, 200, 200),
    ("GET", "/me/impact", None):                                    (401, 200, 200, 200, 200),
    ("GET", "/results", None):                                      (401, 200, 200, 200, 200),
    ("PATCH", "/me", None):                                         (401, 200, 200, 200, 200),
    ("DELETE", "/me", None):                                        (401, 204, 204, 204, 204),
    ("GET", "/me/badges", None):                                    (401, 200, 200, 200, 200),
    ("GET", "/me/export", None):                                    (401, 200, 200, 200, 200),
    ("GET", "/me/notification-preferences", None):                  (401, 200, 200, 200, 200),
    ("PUT", "/me/notification-preferences", None):                  (401, 200, 200, 200, 200),
    ("GET", "/me/notifications", None):                             (401, 200, 200, 200, 200),
    ("POST", "/me/notifications/read-all", None):                   (401, 204, 204, 204, 204),
    ("GET", "/me/points", None):                                    (401, 200, 200, 200, 200),
    ("GET", "/me/redemptions", None):                               (401, 200, 200, 200, 200),
    ("GET", "/me/suggestions", None):                               (401, 200, 200, 200, 200),
    ("POST", "/me/notifications/{notification_id}/read", OWN):     (_,   204, 204, 204, 204),
    ("POST", "/me/notifications/{notification_id}/read", OTHER):   (401, 404, 404, 404, 404),
    ("POST", "/devices", None):                                     (401, 201, 201, 201, 201),
    ("DELETE", "/devices/{device_id}", OWN):                        (_,   204, 204, 204, 204),
    ("DELETE", "/devices/{device_id}", OTHER):                      (401, 404, 404, 404, 404),
    # The feed and its posts: only posts for my teams or for everyone exist for me.
    ("GET", "/feed", None):                                         (401, 200, 200, 200, 200),
    ("GET", "/posts/{post_id}", OWN):                               (_,   200, 200, 200, 200),
    ("GET", "/posts/{post_id}", OTHER):                             (401, 404, 404, 404, 404),
    ("POST", "/posts/{post_id}/shares", OWN):                       (_,   201, 201, 201, 201),
    ("POST", "/posts/{post_id}/shares", OTHER):                     (401, 404, 404, 404, 404),
    ("POST", "/posts/{post_id}/caption-check", OWN):                (_,   200, 200, 200, 200),
    ("POST", "/posts/{post_id}/caption-check", OTHER):              (401, 404, 404, 404, 404),
    ("GET", "/posts/{post_id}/comments", OWN):                      (_,   200, 200, 200, 200),
    ("GET", "/posts/{post_id}/comments", OTHER):                    (401, 404, 404, 404, 404),
    ("POST", "/posts/{post_id}/comments", OWN):                     (_,   201, 201, 201, 201),
    ("POST", "/posts/{post_id}/comments", OTHER):                   (401, 404, 404, 404, 404),
    # A comment is deleted by its author or an admin; a lead moderates nobody's words.
    ("DELETE", "/comments/{comment_id}", OWN):                      (_,   204, 204, 204, 204),
    ("DELETE", "/comments/{comment_id}", OTHER):                    (401, 403, 403, 403, 204),
    ("POST", "/posts/suggestions", None):                           (401, 201, 201, 201, 201),
    # Gamification for everyone.
    ("GET", "/badges", None):                                       (401, 200, 200, 200, 200),
    ("GET", "/leaderboard", None):                                  (401, 200, 200, 200, 200),
    # A team's board (?scope=team&team_id=): its members, its lead and admins.
    ("GET", "/leaderboard", OWN):                                   (_,   200, 200, 200, 200),
    ("GET", "/leaderboard", OTHER):                                 (401, 403, 403, 403, 200),
    ("GET", "/leaderboard/teams", None):                            (401, 200, 200, 200, 200),
    ("GET", "/rewards", None):                                      (401, 200, 200, 200, 200),
    # OWN: a reward in the catalog; OTHER: one withdrawn from it (nobody's to redeem).
    ("POST", "/rewards/{reward_id}/redemptions", OWN):              (_,   201, 201, 201, 201),
    ("POST", "/rewards/{reward_id}/redemptions", OTHER):            (401, 404, 404, 404, 404),
    # Challenges: everyone follows their teams' ones; a lead runs them for teams they lead (POST
    # names the teams in its body); another team's challenge does not exist for a lead or member.
    ("GET", "/challenges", None):                                   (401, 200, 200, 200, 200),
    ("POST", "/challenges", OWN):                                   (_,   403, 201, 201, 201),
    ("POST", "/challenges", OTHER):                                 (401, 403, 403, 403, 201),
    # ... counting a post its team cannot see (422: the schema says so).
    ("POST", "/challenges", FOREIGN):                               (_,   403, 422, 422, 422),
    ("GET", "/challenges/{challenge_id}", OWN):                     (_,   200, 200, 200, 200),
    ("GET", "/challenges/{challenge_id}", OTHER):                   (401, 404, 404, 404, 200),
    ("PATCH", "/challenges/{challenge_id}", OWN):                   (_,   403, 200, 200, 200),
    ("PATCH", "/challenges/{challenge_id}", OTHER):                 (401, 403, 404, 404, 200),
    ("PATCH", "/challenges/{challenge_id}", FOREIGN):               (_,   403, 403, 403, 200),
    ("DELETE", "/challenges/{challenge_id}", OWN):                  (_,   403, 204, 204, 204),
    ("DELETE", "/challenges/{challenge_id}", OTHER):                (401, 403, 404, 404, 204),
    ("POST", "/challenges/{challenge_id}/prize-approval", OWN):     (_,   403, 403, 403, 200),
    ("POST", "/challenges/{challenge_id}/prize-approval", OTHER):   (401, 403, 403, 403, 200),
    # A team's analytics and nudges: its lead or an admin.
    ("GET", "/teams/{team_id}/analytics", OWN):                     (_,   403, 200, 200, 200),
    ("GET", "/teams/{team_id}/analytics", OTHER):                   (401, 403, 403, 403, 200),
    ("POST", "/teams/{team_id}/nudges", OWN):                       (_,   403, 201, 201, 201),
    ("POST", "/teams/{team_id}/nudges", OTHER):                     (401, 403, 403, 403, 201),
    # A nudge links a post: one its members cannot open does not exist for them (nor for admins).
    ("POST", "/teams/{team_id}/nudges", FOREIGN):                   (_,   403, 404, 404, 404),
    # Admin: only admins, also on their own things (no approving one's own redemption or
    # suggestion, no promoting oneself, no renaming one's own team as a lead).
    ("GET", "/admin/analytics/summary", None):                      ADMIN_ONLY,
    ("GET", "/admin/analytics/export.csv", None):                   ADMIN_ONLY,
    ("GET", "/admin/badges", None):                                 ADMIN_ONLY,
    ("POST", "/admin/badges", None):                                (401, 403, 403, 403, 201),
    ("PATCH", "/admin/badges/{badge_id}", OWN):                     (_,   403, 403, 403, 200),
    ("PATCH", "/admin/badges/{badge_id}", OTHER):                   (401, 403, 403, 403, 200),
    ("DELETE", "/admin/badges/{badge_id}", OWN):                    (_,   403, 403, 403, 204),
    ("DELETE", "/admin/badges/{badge_id}", OTHER):                  (401, 403, 403, 403, 204),
    ("POST", "/admin/badges/{badge_id}/revocations", OWN):          (_,   403, 403, 403, 204),
    ("POST", "/admin/badges/{badge_id}/revocations", OTHER):        (401, 403, 403, 403, 204),
    ("POST", "/admin/points/adjustments", None):                    (401, 403, 403, 403, 201),
    ("GET", "/admin/posts", None):                                  ADMIN_ONLY,
    ("POST", "/admin/posts", None):                                 (401, 403, 403, 403, 201),
    ("GET", "/admin/posts/{post_id}", OWN):                         (_,   403, 403, 403, 200),
    ("GET", "/admin/posts/{post_id}", OTHER):                       (401, 403, 403, 403, 200),
    ("PATCH", "/admin/posts/{post_id}", OWN):                       (_,   403, 403, 403, 200),
    ("PATCH", "/admin/posts/{post_id}", OTHER):                     (401, 403, 403, 403, 200),
    ("DELETE", "/admin/posts/{post_id}", OWN):                      (_,   403, 403, 403, 204),
    ("DELETE", "/admin/posts/{post_id}", OTHER):                    (401, 403, 403, 403, 204),
    ("GET", "/admin/redemptions", None):                            ADMIN_ONLY,
    ("GET", "/admin/redemptions/{redemption_id}", OWN):             (_,   403, 403, 403, 200),
    ("GET", "/admin/redemptions/{redemption_id}", OTHER):           (401, 403, 403, 403, 200),
    ("PATCH", "/admin/redemptions/{redemption_id}", OWN):           (_,   403, 403, 403, 200),
    ("PATCH", "/admin/redemptions/{redemption_id}", OTHER):         (401, 403, 403, 403, 200),
    ("GET", "/admin/rewards", None):                                ADMIN_ONLY,
    ("POST", "/admin/rewards", None):                               (401, 403, 403, 403, 201),
    ("GET", "/admin/rewards/{reward_id}", OWN):                     (_,   403, 403, 403, 200),
    ("GET", "/admin/rewards/{reward_id}", OTHER):                   (401, 403, 403, 403, 200),
    ("PATCH", "/admin/rewards/{reward_id}", OWN):                   (_,   403, 403, 403, 200),
    ("PATCH", "/admin/rewards/{reward_id}", OTHER):                 (401, 403, 403, 403, 200),
    ("DELETE", "/admin/rewards/{reward_id}", OWN):                  (_,   403, 403, 403, 204),
    ("DELETE", "/admin/rewards/{reward_id}", OTHER):                (401, 403, 403, 403, 204),
    ("GET", "/admin/scoring-rules", None):                          ADMIN_ONLY,
    ("PUT", "/admin/scoring-rules", None):                          ADMIN_ONLY,
    ("GET", "/admin/suggestions", None):                            ADMIN_ONLY,
    ("PATCH", "/admin/suggestions/{suggestion_id}", OWN):           (_,   403, 403, 403, 200),
    ("PATCH", "/admin/suggestions/{suggestion_id}", OTHER):         (401, 403, 403, 403, 200),
    ("GET", "/admin/teams", None):                                  ADMIN_ONLY,
    ("POST", "/admin/teams", None):                                 (401, 403, 403, 403, 201),
    ("GET", "/admin/teams/{team_id}", OWN):                         (_,   403, 403, 403, 200),
    ("GET", "/admin/teams/{team_id}", OTHER):                       (401, 403, 403, 403, 200),
    ("PATCH", "/admin/teams/{team_id}", OWN):                       (_,   403, 403, 403, 200),
    ("PATCH", "/admin/teams/{team_id}", OTHER):                     (401, 403, 403, 403, 200),
    ("DELETE", "/admin/teams/{team_id}", OWN):                      (_,   403, 403, 403, 204),
    ("DELETE", "/admin/teams/{team_id}", OTHER):                    (401, 403, 403, 403, 204),
    ("GET", "/admin/users", None):                                  ADMIN_ONLY,
    ("POST", "/admin/users", None):                                 (401, 403, 403, 403, 201),
    ("GET", "/admin/users/{user_id}", OWN):                         (_,   403, 403, 403, 200),
    ("GET", "/admin/users/{user_id}", OTHER):                       (401, 403, 403, 403, 200),
    ("PATCH", "/admin/users/{user_id}", OWN):                       (_,   403, 403, 403, 200),
    ("PATCH", "/admin/users/{user_id}", OTHER):                     (401, 403, 403, 403, 200),
    # Onboarding (issue 17): asking for a reset link answers the same to everyone; the token is the credential.
    ("POST", "/auth/password-reset", None):                         (202, 202, 202, 202, 202),
    ("POST", "/auth/password-reset/confirm", None):                 (200, 200, 200, 200, 200),
    # A new invitation: admins only; OWN is the admin's own account, long activated (409).
    ("POST", "/admin/users/{user_id}/invitation", OWN):             (_,   403, 403, 403, 409),
    ("POST", "/admin/users/{user_id}/invitation", OTHER):           (401, 403, 403, 403, 200),
    # A reset link: a lead for staff of the teams they lead (bob, in A), never for a lead (themselves)
    # or an admin; admins for anyone.
    ("POST", "/admin/users/{user_id}/reset-link", OWN):             (_,   403, 403, 403, 201),
    ("POST", "/admin/users/{user_id}/reset-link", OTHER):           (401, 403, 201, 403, 201),
    # Bulk import from HR's spreadsheet: admins only (issue 17, point 4).
    ("POST", "/admin/users/import", None):                          ADMIN_ONLY,
    # The social media policy: admins publish it, everyone signed in reads and accepts it.
    ("GET", "/policy", None):                                       (401, 200, 200, 200, 200),
    ("PUT", "/admin/policy", None):                                 ADMIN_ONLY,
    ("POST", "/me/policy-acceptance", None):                        (401, 204, 204, 204, 204),
    # My sessions: only mine exist for me (an admin cannot sign someone out here either).
    ("GET", "/me/sessions", None):                                  (401, 200, 200, 200, 200),
    ("DELETE", "/me/sessions/{session_id}", OWN):                   (_,   204, 204, 204, 204),
    ("DELETE", "/me/sessions/{session_id}", OTHER):                 (401, 404, 404, 404, 404),
    ("POST", "/auth/logout-all", None):                             (401, 204, 204, 204, 204),
    # Join codes: anyone with a code may ask to join (a token neither helps nor hurts); a team's
    # codes and requests are its leads' and the admins'.
    ("POST", "/auth/join", None):                                   (202, 202, 202, 202, 202),
    ("GET", "/teams/{team_id}/join-codes", OWN):                    (_,   403, 200, 200, 200),
    ("GET", "/teams/{team_id}/join-codes", OTHER):                  (401, 403, 403, 403, 200),
    ("POST", "/teams/{team_id}/join-codes", OWN):                   (_,   403, 201, 201, 201),
    ("POST", "/teams/{team_id}/join-codes", OTHER):                 (401, 403, 403, 403, 201),
    ("DELETE", "/teams/{team_id}/join-codes/{code_id}", OWN):       (_,   403, 204, 204, 204),
    ("DELETE", "/teams/{team_id}/join-codes/{code_id}", OTHER):     (401, 403, 403, 403, 204),
    ("GET", "/teams/{team_id}/join-requests", OWN):                 (_,   403, 200, 200, 200),
    ("GET", "/teams/{team_id}/join-requests", OTHER):               (401, 403, 403, 403, 200),
    ("POST", "/teams/{team_id}/join-requests/{request_id}/approve", OWN):   (_,   403, 200, 200, 200),
    ("POST", "/teams/{team_id}/join-requests/{request_id}/approve", OTHER): (401, 403, 403, 403, 200),
    ("POST", "/teams/{team_id}/join-requests/{request_id}/decline", OWN):   (_,   403, 200, 200, 200),
    ("POST", "/teams/{team_id}/join-requests/{request_id}/decline", OTHER): (401, 403, 403, 403, 200),
    # SCIM tokens: provisioning people is the admins' to hand to an identity provider.
    ("GET", "/admin/scim-tokens", None):                            ADMIN_ONLY,
    ("POST", "/admin/scim-tokens", None):                           (401, 403, 403, 403, 201),
    # A token is the organisation's: one the caller made (OWN) or another admin's (OTHER), only admins revoke.
    ("DELETE", "/admin/scim-tokens/{token_id}", OWN):               (_,   403, 403, 403, 204),
    ("DELETE", "/admin/scim-tokens/{token_id}", OTHER):             (401, 403, 403, 403, 204),
    ("GET", "/admin/audit-log", None):                              ADMIN_ONLY,
    ("GET", "/admin/audit-log/export.csv", None):                   ADMIN_ONLY,
}


# --- which object a row acts on ---------------------------------------------------------------

TEAM = {"staff": "a", "lead": "a", "other_lead": "b", "admin": "a"}


def _team(who: str, scope: str) -> str:
    """"a" or "b": the caller's team for OWN (and for the path of FOREIGN rows), the other one for OTHER."""
    mine = TEAM[who]
    return {"a": "b", "b": "a"}[mine] if scope == OTHER else mine


def _team_id(w: World, who: str, scope: str) -> int:
    return w.ids[f"team_{_team(who, scope)}"]


def _post_of_team(w: World, who: str, scope: str) -> int:
    return w.ids[f"post_{_team(who, scope)}"]


def _personal(kind: str) -> Callable[[World, str, str], int]:
    return lambda w, who, scope: w.ids[f"{kind}_{who if scope == OWN else 'bob'}"]


def _post(w: World, who: str, scope: str) -> int:
    if who == "admin" and scope == OWN:
        return w.ids["post_all"]  # the admin is in no team: posts for everyone are theirs
    return w.ids[f"post_{_team(who, scope)}"]


# path parameter → the id for (world, caller, OWN/OTHER); anonymous picks like staff.
OBJECTS: dict[str, Callable[[World, str, str], int]] = {
    "notification_id": _personal("notification"),
    "device_id": _personal("device"),
    "comment_id": _personal("comment"),
    "redemption_id": _personal("redemption"),
    "suggestion_id": _personal("suggestion"),
    "user_id": _personal("user"),
    "post_id": _post,
    "team_id": _team_id,
    "challenge_id": lambda w, who, scope: w.ids[f"challenge_team_{_team(who, scope)}"],
    "badge_id": lambda w, who, scope: w.ids["badge_mine" if scope == OWN else "badge_bobs"],
    "reward_id": lambda w, who, scope: w.ids["reward_mine" if scope == OWN else "reward_bobs"],
    "session_id": _personal("session"),
    # A team's join code and join request: of the team in the same path.
    "code_id": lambda w, who, scope: w.ids[f"join_code_{_team(who, scope)}"],
    "request_id": lambda w, who, scope: w.ids[f"join_request_{_team(who, scope)}"],
    # The organisation's one SCIM token (no one owns it).
    "token_id": lambda w, who, scope: w.ids["scim_token"],
}
# Where a parameter means something else on one operation.
OBJECTS_BY_OPERATION: dict[tuple[str, str], Callable[[World, str, str], int]] = {
    ("POST", "/rewards/{reward_id}/redemptions"):
        lambda w, who, scope: w.ids["reward_open" if scope == OWN else "reward_withdrawn"],
    # Someone else's invitation: a member of A who has not activated yet.
    ("POST", "/admin/users/{user_id}/invitation"):
        lambda w, who, scope: w.ids["user_invitee" if scope == OTHER else f"user_{who}"],
}


def _prefs() -> dict[str, Any]:
    return {"push_enabled": True, "timezone": "Europe/Copenhagen", "max_per_day": 3, "quiet_hours": None,
            "categories": {c: True for c in ("new_content", "challenges", "badges", "rewards", "reminders")}}


# (method, path) → the body a caller sends (a valid one: a sufficient caller must succeed).
BODIES: dict[tuple[str, str], Callable[[World, str, str], Any]] = {
    ("POST", "/auth/login"): lambda w, who, s: {"email": w.emails[_as(who)], "password": PASSWORD},
    ("POST", "/auth/refresh"): lambda w, who, s: {"refresh_token": w.refresh[_as(who)]},
    ("POST", "/auth/logout"): lambda w, who, s: {"refresh_token": w.refresh[_as(who)]},
    ("POST", "/auth/activate"): lambda w, who, s: {"invite_token": w.invite_token, "password": INVITEE_PASSWORD},
    ("PATCH", "/me"): lambda w, who, s: {"display_name": f"Renamed {who}"},
    ("PUT", "/me/notification-preferences"): lambda w, who, s: _prefs(),
    ("POST", "/devices"): lambda w, who, s: {"token": f"new-phone-of-{who}", "platform": "android"},
    ("POST", "/posts/{post_id}/shares"): lambda w, who, s: {"network": "linkedin", "caption": "Look what we did"},
    ("POST", "/posts/{post_id}/comments"): lambda w, who, s: {"body": "Great work"},
    ("POST", "/posts/{post_id}/caption-check"): lambda w, who, s: {"network": "linkedin", "caption": "In my words"},
    ("POST", "/posts/suggestions"): lambda w, who, s: {"title": "Canteen news", "body": "New menu on Monday"},
    ("POST", "/challenges"): lambda w, who, s: challenge_body(
        _team_id(w, who, s), post_ids=[_post_of_team(w, who, OTHER)] if s == FOREIGN else []),
    ("PATCH", "/challenges/{challenge_id}"): lambda w, who, s: (
        {"team_ids": [_team_id(w, who, OWN), _team_id(w, who, OTHER)]} if s == FOREIGN
        else {"title": "Most shares, renamed"}),
    # A nudge about a post for the nudged team; FOREIGN: about another team's post.
    ("POST", "/teams/{team_id}/nudges"): lambda w, who, s: {
        "title": "Share this story", "post_id": _post_of_team(w, who, OTHER if s == FOREIGN else s)},
    ("POST", "/admin/badges"): lambda w, who, s: {
        "code": "five-comments", "name": "Five comments",
        "criteria": {"type": "count", "action": "comment", "threshold": 5}},
    ("PATCH", "/admin/badges/{badge_id}"): lambda w, who, s: {"name": "Renamed badge"},
    ("POST", "/admin/badges/{badge_id}/revocations"): lambda w, who, s: {
        "user_id": w.ids[f"user_{who if s == OWN else 'bob'}"], "reason": "Awarded by mistake"},
    ("POST", "/admin/points/adjustments"): lambda w, who, s: {
        "user_id": w.ids["user_bob"], "amount": 25, "reason": "Helped at the open day"},
    ("POST", "/admin/posts"): lambda w, who, s: {"title": "A new story", "body": "Read all about it"},
    ("PATCH", "/admin/posts/{post_id}"): lambda w, who, s: {"title": "A better title"},
    ("PATCH", "/admin/redemptions/{redemption_id}"): lambda w, who, s: {"status": "approved"},
    ("POST", "/admin/rewards"): lambda w, who, s: {"name": "Cinema tickets", "cost": 300},
    ("PATCH", "/admin/rewards/{reward_id}"): lambda w, who, s: {"cost": 150},
    ("PUT", "/admin/scoring-rules"): lambda w, who, s: {**w.scoring_rules, "comment": 7},
    ("PATCH", "/admin/suggestions/{suggestion_id}"): lambda w, who, s: {"status": "approved", "note": "Lovely"},
    ("POST", "/admin/teams"): lambda w, who, s: {"name": "Canteen"},
    ("PATCH", "/admin/teams/{team_id}"): lambda w, who, s: {"name": "Renamed team"},
    ("POST", "/admin/users"): lambda w, who, s: {"email": "newcomer@example.test", "display_name": "New Comer"},
    # The role a lead or staff member would love to give themselves.
    ("PATCH", "/admin/users/{user_id}"): lambda w, who, s: {"role": "admin"},
    ("POST", "/auth/password-reset"): lambda w, who, s: {"email": w.emails[_as(who)]},
    ("POST", "/auth/password-reset/confirm"): lambda w, who, s: {"token": w.reset_token,
                                                                  "password": "a-reset-password-42"},
    # Applied for real (QUERIES): a new person in a new team.
    ("POST", "/admin/users/import"): lambda w, who, s: RawBody(
        "text/csv", b"email,display_name,teams\r\nnewcomer@example.test,New Comer,Canteen\r\n"),
    ("PUT", "/admin/policy"): lambda w, who, s: {"text": "Share what is public; ask before you film anyone."},
    ("POST", "/me/policy-acceptance"): lambda w, who, s: {"version": 1},
    ("POST", "/auth/join"): lambda w, who, s: {"code": w.join_codes["a"], "display_name": "New Joiner",
                                               "password": INVITEE_PASSWORD, "username": f"new.{who}"},
    ("POST", "/teams/{team_id}/join-codes"): lambda w, who, s: {"max_uses": 25},
    ("POST", "/admin/scim-tokens"): lambda w, who, s: {"name": "Okta"},
    ("POST", "/auth/oidc/exchange"): lambda w, who, s: {"code": "a-one-time-code"},
}


# (method, path) → the query string, for operations that name their object there.
QUERIES: dict[tuple[str, str], Callable[[World, str, str | None], str]] = {
    ("GET", "/auth/oidc/start"): lambda w, who, s: "?redirect_uri=https://go.stafet.test/app/",
    ("GET", "/auth/oidc/callback"): lambda w, who, s: "?state=some-state&code=some-code",
    ("GET", "/leaderboard"): lambda w, who, s: f"?scope=team&team_id={_team_id(w, who, s)}" if s else "",
    ("POST", "/admin/users/import"): lambda w, who, s: "?dry_run=false&create_teams=true",
}
# Operations that name their object in the query or body instead of the path.
OBJECT_IN_REQUEST = {("GET", "/leaderboard"): "team_id", ("POST", "/challenges"): "team_ids"}


def _as(who: str) -> str:
    """Whose objects an anonymous caller uses: staff's (a credential in a body, another's object)."""
    return "staff" if who == "anonymous" else who


def _url(w: World, method: str, path: str, who: str, scope: str | None) -> str:
    def fill(match: re.Match[str]) -> str:
        assert scope is not None, (method, path, "an id-bearing path needs OWN/OTHER rows")
        pick = OBJECTS_BY_OPERATION.get((method, path)) or OBJECTS[match.group(1)]
        return str(pick(w, _as(who), OWN if scope == FOREIGN else scope))

    query = QUERIES[(method, path)](w, _as(who), scope) if (method, path) in QUERIES else ""
    return re.sub(r"\{([a-z_]+)\}", fill, path) + query


def _rows() -> Iterator[Any]:
    for (method, path, scope), statuses in MATRIX.items():
        for who, status in zip(CALLERS, statuses, strict=True):
            if status is None:
                continue
            yield pytest.param(method, path, scope, who, status, id=f"{method} {path} {scope or ''} {who}")


ROWS = list(_rows())


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = build_world(tmp_path_factory.mktemp("authz-world"))
    yield w
    w.close()
    w.app.extensions["stafet.db"]["engine"].dispose()


@pytest.mark.parametrize("method, path, scope, who, expected", ROWS)
def test_authorization(world: World, method: str, path: str, scope: str | None, who: str, expected: int) -> None:
    """The caller gets the status of the table; a refused call changes nothing."""
    body = BODIES[(method, path)](world, _as(who), scope) if (method, path) in BODIES else None
    before = world.version()
    try:
        r = world.call(None if who == "anonymous" else who, method, _url(world, method, path, who, scope), body)
        assert r.status_code == expected, (method, path, scope, who, r.status_code, r.get_data(as_text=True)[:400])
        if expected >= 400:
            assert r.mimetype == "application/problem+json", r.mimetype
            assert world.version() == before, f"a refused call ({expected}) committed a change"
    finally:
        if world.version() != before:
            world.restore()


def _served_operations(app: Any) -> set[tuple[str, str]]:
    ops = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        ops |= {(method, path) for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    return ops


def test_the_table_lists_every_operation(app: Any) -> None:
    """Every operation the app serves has rows, and every row is an operation the app serves."""
    served = _served_operations(app)
    listed = {(method, path) for method, path, _scope in MATRIX}
    assert not served - listed, f"operations without rows in MATRIX: {sorted(served - listed)}"
    assert not listed - served, f"rows for operations the app does not serve: {sorted(listed - served)}"


def test_every_status_of_the_table_is_in_the_contract(app: Any) -> None:
    """A client generated from the OpenAPI knows every answer the table expects."""
    spec = openapi_document(app)["paths"]
    undocumented = sorted({(method, path, status) for (method, path, _scope), statuses in MATRIX.items()
                           for status in statuses if status is not None
                           and str(status) not in spec["/api/v1" + path][method.lower()]["responses"]})
    assert not undocumented, f"statuses the OpenAPI does not document: {undocumented}"


def test_every_operation_with_an_id_has_an_ownership_row() -> None:
    """An operation that takes an id is tried on the caller's own object and on someone else's;
    one without an id has a single row. Every caller has a status on every row."""
    by_operation: dict[tuple[str, str], set[str | None]] = {}
    for method, path, scope in MATRIX:
        by_operation.setdefault((method, path), set()).add(scope)
    for (method, path), scopes in by_operation.items():
        if "{" in path:
            assert scopes in ({OWN, OTHER}, {OWN, OTHER, FOREIGN}), (method, path, scopes)
        elif (method, path) in OBJECT_IN_REQUEST:
            assert {OWN, OTHER} <= scopes, (method, path, scopes)
        else:
            assert scopes == {None}, (method, path, scopes)
        assert (method, path) in OBJECTS_BY_OPERATION or all(
            name in OBJECTS for name in re.findall(r"\{([a-z_]+)\}", path)), (method, path)
    for (method, path, scope), statuses in MATRIX.items():
        assert (statuses[0] is None) == (scope in (OWN, FOREIGN)), (method, path, scope, "anonymous owns nothing")
        assert all(isinstance(s, int) for s in statuses[1:]), (method, path, scope)
    assert any(s < 300 for st in MATRIX.values() for s in st[1:] if s is not None)
