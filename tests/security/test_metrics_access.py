"""SECURITY.md finding 10: /metrics is for the scraper, and its labels are bounded.

Without a token, only loopback may read it (METRICS_ALLOW); METRICS_TOKEN opens it to a bearer
from anywhere; method names nobody uses fold into one label instead of a new series each.
"""

from __future__ import annotations

from tests.conftest import base_env, build_app
from tests.helpers import assert_problem

TOKEN = "m" * 32
OUTSIDE = {"REMOTE_ADDR": "198.51.100.77"}


def test_metrics_from_outside_are_refused_by_default(client):
    assert_problem(client.get("/metrics", environ_base=OUTSIDE), 403)
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_metrics_token_and_allow_list(tmp_path, session):
    app = build_app(base_env(tmp_path, DATABASE_URL=str(session.get_bind().url), METRICS_TOKEN=TOKEN,
                             METRICS_ALLOW="10.0.0.0/8"))
    web = app.test_client()
    assert web.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert web.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": "Bearer " + "x" * 32}).status_code == 403
    assert web.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": TOKEN}).status_code == 403
    assert web.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert web.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 403  # not on this list


def test_made_up_methods_share_one_label(client):
    for i in range(5):
        client.open(f"PROBEX{i}", "/healthz")
    text = client.get("/metrics").get_data(as_text=True)
    assert "PROBEX" not in text
    assert 'method="OTHER",status="405"' in text
