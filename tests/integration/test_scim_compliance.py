"""SCIM compliance (issue 18, "Done when"): the scim2-tester checker runs against /scim/v2 served
by a real HTTP server on a free port, and every check of a feature the ServiceProviderConfig
declares passes. On PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server
from werkzeug.serving import make_server

from tests.factories import UserFactory

pytestmark = pytest.mark.postgres


@pytest.fixture
def live_scim(pg_app, pg_client, pg_session) -> Iterator[SyncSCIMClient]:
    admin = UserFactory(role="admin")
    token = pg_client.as_(admin).post("/admin/scim-tokens", json={"name": "scim2-tester"}).get_json()["token"]
    server = make_server("127.0.0.1", 0, pg_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    http = httpx2.Client(base_url=f"http://127.0.0.1:{server.server_port}/scim/v2/",
                         headers={"Authorization": f"Bearer {token}"}, timeout=10)
    try:
        client = SyncSCIMClient(http)
        client.discover()
        yield client
    finally:
        http.close()
        server.shutdown()
        thread.join()


# Where Stafet deliberately keeps less than a generic SCIM store, with why (issue 18 and the
# README's "Provisioning (SCIM)"): (check, words of its message). Anything else the checker
# reports fails the test.
KNOWN_DEVIATIONS = (
    # DELETE deactivates the person: their points and the analytics stay (issue 18, point 3).
    ("object_deletion", "still exists after deletion"),
    # One display name per person: givenName/familyName are folded into it, not kept apart.
    ("check_add_attribute", "value for 'name'"), ("check_replace_attribute", "value for 'name'"),
    ("check_remove_attribute", "remove attribute 'name'"),
    # One work email, the sign-in identity: its type and primary flag are not kept, nor removed.
    ("check_add_attribute", "value for 'emails'"), ("check_replace_attribute", "value for 'emails'"),
    ("check_remove_attribute", "remove attribute 'emails'"),
    # A person always has a display name and an active state.
    ("check_remove_attribute", "displayName cannot be removed"), ("check_remove_attribute", "active cannot be removed"),
    # A member's display is the person's display name, not what the provider sent.
    ("check_add_attribute", "value for 'members'"), ("check_replace_attribute", "value for 'members'"),
)


def _known(title: str, reason: str) -> bool:
    return any(title == check and words in reason for check, words in KNOWN_DEVIATIONS)


def test_scim2_tester_finds_no_failure_beyond_the_known_deviations(live_scim):
    results = check_server(live_scim)
    failed = [r for r in results if r.status in (Status.ERROR, Status.CRITICAL)]
    unexpected = [f"{r.title}: {r.reason}" for r in failed if not _known(r.title, r.reason or "")]
    assert len(results) > 50 and not unexpected, "\n".join(unexpected)
    # Users and Groups were created, read, listed, searched and patched for real.
    passed = {r.title for r in results if r.status == Status.SUCCESS}
    assert {"object_creation", "object_query", "object_replacement", "search_with_attributes"} <= passed
