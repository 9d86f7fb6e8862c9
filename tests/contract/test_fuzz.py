"""Contract fuzzing: schemathesis' engine (what `st run` runs) against the app over real HTTP.

The demo organisation is seeded so ids resolve; the run is made as staff, as a lead and as an admin
(anonymous requests come from the `ignored_auth` check), with every check, positive and negative
data, and the stateful phase following the links schemathesis infers (POST → GET/PATCH/DELETE by
id). A fixed seed makes it repeatable. FUZZ_EXAMPLES raises the budget (`make fuzz`).

Zero failures are allowed, except a schema-valid request refused for a rule listed in
tests/contract/test_documented_exceptions.py. The summary is printed so CI's log shows it.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import schemathesis
from flask import Flask
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import select
from werkzeug.serving import make_server

from api.clock import utcnow
from api.db import db
from api.models.teams import Team, TeamMembership
from api.models.users import User
from api.seed import seed_demo
from api.services.passwords import hash_password
from tests.contract.test_documented_exceptions import tolerated
from tests.helpers import token_for

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
SEED = int(os.environ.get("FUZZ_SEED", "20261204"))
DEMO = "demo.stafet.dev"
# Who calls, and which operations each run covers: admins everything; leads and staff what their
# role may do (admin operations as a lead or staff are 403 before any input is read; the
# authorization matrix covers those).
ROLES = {
    "staff": (f"staff1@{DEMO}", r"^/api/v1/(?!admin/|teams/)"),
    "lead": (f"lead1@{DEMO}", r"^/api/v1/(teams/|challenges)"),
    "admin": (f"admin@{DEMO}", r"^/api/v1/"),
}


@dataclass
class Tally:
    operations: set[str] = field(default_factory=set)
    cases: int = 0
    checks: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    transitions: int = 0


@pytest.fixture
def fuzzed_app(request: pytest.FixtureRequest) -> Flask:
    """PostgreSQL when the run has one (production's database: its reads run in autocommit, and a
    GET that writes without saying so is refused there only), else the embedded SQLite."""
    if os.environ.get("TEST_DATABASE_URL"):
        request.getfixturevalue("pg_session")  # empties the database afterwards
        return request.getfixturevalue("pg_app")
    request.getfixturevalue("session")
    return request.getfixturevalue("app")


@pytest.fixture
def server(fuzzed_app: Flask) -> Iterator[str]:
    app = fuzzed_app
    with app.app_context():
        seed_demo(db.session)
        db.commit()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    httpd = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def caller(app: Flask, role: str, email: str) -> str:
    """A token for the demo user of this role, or for a stand-in when the run erased, deactivated or
    demoted them (DELETE /me, PATCH /admin/users/{id} are fuzzed too)."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None or not user.can_log_in or user.role != role:
            user = db.session.scalar(select(User).where(User.email.like(f"fuzz-{role}-%"), User.role == role,
                                                        User.is_active.is_(True)).order_by(User.id.desc()))
            if user is None or not user.can_log_in:
                user = User(email=f"fuzz-{role}-{time.monotonic_ns()}@{DEMO}", display_name=f"Fuzz {role}",
                            role=role, activated_at=utcnow(), password_hash=hash_password("fuzz-stand-in"))
                db.session.add(user)
                team = db.session.scalar(select(Team).order_by(Team.id))
                if team is not None and role == "lead":
                    db.session.add(TeamMembership(team=team, user=user, is_lead=True))
                db.session.commit()
        return token_for(app, user)


def _named(response) -> set[str]:
    """What a 400/422 problem names: its fields, or its type slug when it names none."""
    if response is None or response.status_code not in (400, 422):
        return set()
    try:
        body = json.loads(response.content)
    except ValueError:
        return set()
    errors = body.get("errors") or {}
    if errors:
        return {key.split(".")[0] for key in errors}
    return {str(body.get("type", "")).rsplit("/", 1)[-1]}


TOLERATED: Counter = Counter()


@schemathesis.check
def positive_data_acceptance_but_documented(ctx, response, case):
    """schemathesis' positive_data_acceptance, except a refusal naming only documented exceptions."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except AssertionError:  # schemathesis' Failure is an AssertionError
        named = _named(response)
        if tolerated(case.operation.label, named):
            TOLERATED[f"{case.operation.label} {sorted(named)}"] += 1
            return None
        raise


def fuzz_as(app: Flask, base_url: str, role: str, tally: Tally) -> None:
    email, paths = ROLES[role]
    config = SchemathesisConfig()
    config.update(seed=SEED, max_failures=None)
    config.cache.enabled = False  # no .schemathesis/ cache: each run starts from the seed alone
    project = config.projects.override
    project.update(base_url=base_url, workers=1)
    project.checks.update(included_check_names=["all"], excluded_check_names=["positive_data_acceptance"])
    project.generation.update(modes=["positive", "negative"], max_examples=EXAMPLES, deterministic=True,
                              database="none")
    schema = schemathesis.openapi.from_url(f"{base_url}/api/openapi.json", config=config)
    schema = schema.include(path_regex=paths)

    @schema.auth(refresh_interval=None)
    class RoleAuth:
        def get(self, case, ctx):
            return caller(app, role, email)

        def set(self, case, data, ctx):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    for event in from_schema(schema).execute():
        if isinstance(event, events.PhaseStarted) and event.payload is not None:
            tally.transitions = max(tally.transitions, event.payload.transitions_selected)
        if isinstance(event, events.NonFatalError):
            tally.errors.append(f"{role} {event.label}: {event.value!r}")
        elif isinstance(event, events.FatalError):
            tally.errors.append(f"{role}: {event.exception!r}")
        elif isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            for node in recorder.cases.values():
                tally.cases += 1
                tally.operations.add(node.value.operation.label)
            for case_id, nodes in recorder.checks.items():
                case = recorder.cases[case_id].value
                label = case.operation.label
                for check in nodes:
                    tally.checks[check.name] += 1
                    if check.failure_info is None:
                        continue
                    response = recorder.find_response(case_id=case_id)
                    failure = check.failure_info.failure
                    answer = (f"{response.status_code} {response.content[:300]!r}" if response is not None
                              else "no response")
                    tally.failures.append(f"[{role}] {label} {check.name}: {failure.title}\n"
                                          f"    {failure.message[:300]}\n    {check.failure_info.code_sample[:600]}"
                                          f"\n    -> {answer}")


@pytest.mark.slow
def test_every_operation_honours_its_contract(fuzzed_app, server, capsys):
    """No 5xx, no undocumented status or content type, response bodies as documented, invalid input
    refused and valid input accepted (but for the documented exceptions) — as staff, lead and admin."""
    app = fuzzed_app
    tally = Tally()
    started = time.monotonic()
    for role in ("staff", "lead", "admin"):  # admin last: it deletes and deactivates what others use
        fuzz_as(app, server, role, tally)
    unique = sorted(set(tally.failures))
    summary = (
        f"schemathesis {schemathesis.__version__}: {len(tally.operations)} operations, {tally.cases} test cases, "
        f"{sum(tally.checks.values())} checks ({len(tally.checks)} kinds: {', '.join(sorted(tally.checks))}), "
        f"stateful links {tally.transitions}, {EXAMPLES} examples per operation, seed {SEED}, "
        f"{time.monotonic() - started:.0f} s; failures: {len(unique)}, errors: {len(tally.errors)}, "
        f"documented exceptions met: {sum(TOLERATED.values())}"
    )
    with capsys.disabled():
        print("\n" + summary)
    assert not tally.errors, "\n".join(tally.errors[:20])
    assert not unique, f"{len(unique)} contract failures:\n" + "\n".join(unique[:40])
