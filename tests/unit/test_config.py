"""Settings: documented defaults, and one clear line for a bad value."""

from __future__ import annotations

import subprocess
import sys

import pytest

from api.config import ConfigError, load_settings


def test_defaults(tmp_path):
    s = load_settings({}, instance_dir=tmp_path)
    assert s.database_url == f"sqlite:///{tmp_path / 'stafet.db'}"
    assert s.redis_url is None and s.queue_mode == "embedded"
    assert s.port == 5000 and s.public_base_url == "http://localhost:5000"
    assert s.fcm_credentials is None


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
