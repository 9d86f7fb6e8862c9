"""Settings: documented defaults, and one clear line for a bad value."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import MISSING, fields
from decimal import Decimal
from pathlib import Path

import pytest

from api.config import ConfigError, Settings, load_settings

# The README's "Configuration" table, by hand: what an empty environment must give.
DOCUMENTED = {
    "redis_url": None, "fcm_credentials": None, "jwt_previous_keys": (), "port": 5000, "org_timezone": "UTC",
    "access_token_ttl": 900, "refresh_token_ttl": 30 * 24 * 3600, "max_body_bytes": 1048576,
    "login_limit_per_account": "5 per 15 minutes", "login_limit_per_ip": "30 per 15 minutes", "cors_origins": (),
    "emv_cpm": Decimal("10.00"), "emv_currency": "EUR", "follower_cap": 50000, "follower_caps": {},
    "metrics_token": None, "metrics_allow": ("127.0.0.1/32", "::1/128"), "analytics_cache_seconds": 60,
    "leaderboard_cache_seconds": 10, "feed_cache_seconds": 5, "click_flush_seconds": 0.2, "challenge_min_hours": 24,
    "log_level": "INFO", "log_json": True, "embedded_jobs": "thread",
}


def test_defaults(tmp_path):
    s = load_settings({}, instance_dir=tmp_path)
    assert s.database_url == f"sqlite:///{tmp_path / 'stafet.db'}"
    assert s.redis_url is None and s.queue_mode == "embedded"
    assert s.port == 5000 and s.public_base_url == "http://localhost:5000"
    assert s.fcm_credentials is None
    assert {name: getattr(s, name) for name in DOCUMENTED} == DOCUMENTED


def test_an_empty_environment_gives_the_dataclass_defaults(tmp_path):
    """Defaults are spelled once, in Settings: loading nothing equals Settings() with only the
    place-dependent settings filled in."""
    loaded = load_settings({}, instance_dir=tmp_path)
    derived = {"database_url": loaded.database_url, "secret_key": loaded.secret_key,
               "public_base_url": loaded.public_base_url}
    assert loaded == Settings(**derived, mail_dir=str(tmp_path / "mail"))  # mail goes beside the instance
    assert {f.name for f in fields(Settings) if f.default is MISSING and f.default_factory is MISSING} == set(derived)


def test_secret_key_is_generated_once_private(tmp_path):
    first = load_settings({}, instance_dir=tmp_path).secret_key
    assert load_settings({}, instance_dir=tmp_path).secret_key == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_postgres_urls_use_psycopg3(tmp_path):
    s = load_settings({"DATABASE_URL": "postgres://u@h/db"}, instance_dir=tmp_path)
    assert s.database_url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"FCM_CREDENTIALS": "/nope.json"}, "FCM_CREDENTIALS"),
        ({"PUBLIC_BASE_URL": "ftp://x"}, "PUBLIC_BASE_URL"),
        ({"ORG_TIMEZONE": "Mars/Base"}, "ORG_TIMEZONE"),
        ({"EMV_CPM": "-1"}, "EMV_CPM"),
        ({"FOLLOWER_CAP": "0"}, "FOLLOWER_CAP"),
        ({"FOLLOWER_CAP": "20000000"}, "FOLLOWER_CAP"),
        ({"FOLLOWER_CAPS": "myspace=10"}, "FOLLOWER_CAPS"),
        ({"FOLLOWER_CAPS": "x=lots"}, "FOLLOWER_CAPS"),
        ({"FOLLOWER_CAPS": "linkedin="}, "FOLLOWER_CAPS"),
        ({"CHALLENGE_MIN_HOURS": "0"}, "CHALLENGE_MIN_HOURS"),
        ({"CHALLENGE_MIN_HOURS": "721"}, "CHALLENGE_MIN_HOURS"),
        ({"CHALLENGE_MIN_HOURS": "a day"}, "CHALLENGE_MIN_HOURS"),
    ],
)
def test_bad_values_name_the_variable(tmp_path, env, needle):
    with pytest.raises(ConfigError) as info:
        load_settings(env, instance_dir=tmp_path)
    assert needle in str(info.value) and "\n" not in str(info.value)


def test_challenge_min_hours_defaults_to_a_day_and_may_be_set_up_to_30_days(tmp_path):
    assert load_settings({}, instance_dir=tmp_path).challenge_min_hours == 24
    assert load_settings({"CHALLENGE_MIN_HOURS": "720"}, instance_dir=tmp_path).challenge_min_hours == 720
    assert load_settings({"CHALLENGE_MIN_HOURS": "1"}, instance_dir=tmp_path).as_flask_config()[
        "CHALLENGE_MIN_HOURS"] == 1


def test_fcm_credentials_must_be_a_service_account(tmp_path):
    path = tmp_path / "sa.json"
    path.write_text('{"type": "authorized_user"}')
    with pytest.raises(ConfigError, match="service-account"):
        load_settings({"FCM_CREDENTIALS": str(path)}, instance_dir=tmp_path)


def test_cli_prints_one_line_not_a_traceback(tmp_path):
    """`stafet` with a bad setting exits 2 with one line on stderr."""
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "db", "upgrade"],
        env={"PORT": "not-a-port", "STAFET_INSTANCE_DIR": str(tmp_path), "PATH": ""},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "PORT" in result.stderr
    assert "Traceback" not in result.stderr


def _fallbacks_in(source: str) -> list[tuple[int, str]]:
    """(line, key) of every `<...>config.get("KEY", default)` in `source`."""
    return [(node.lineno, ast.unparse(node.args[0])) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
            and len(node.args) == 2 and ast.unparse(node.func.value).split(".")[-1] == "config"]


def test_the_scan_finds_fallbacks():
    source = 'a = current_app.config.get("X", 5)\nb = app.config["Y"]\nc = config.get("Z", None)\nd = rules.get("k", 1)'
    assert _fallbacks_in(source) == [(1, "'X'"), (3, "'Z'")]


def test_no_call_site_spells_a_default_of_its_own():
    """`config.get("FEED_CACHE_SECONDS", 5)` would be a second default: every setting is in the app's
    config (from Settings), so code reads `config["NAME"]`."""
    root = Path(__file__).resolve().parents[2]
    found = [(str(path.relative_to(root)), *hit)
             for path in sorted([*root.glob("api/**/*.py"), *root.glob("workers/**/*.py")])
             for hit in _fallbacks_in(path.read_text())]
    assert found == []
