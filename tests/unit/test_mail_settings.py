"""SMTP_URL and MAIL_FROM are checked when settings load: one line naming the problem, never the password."""

from __future__ import annotations

import pytest

from api.config import ConfigError, load_settings
from api.smtp_url import parse_smtp_url

KEY = {"SECRET_KEY": "k" * 40}


@pytest.mark.parametrize("url, host, port, tls, starttls, user, password", [
    ("smtp://mail.example.test", "mail.example.test", 25, False, False, None, None),
    ("smtp://u:p@mail.example.test:587?starttls=true", "mail.example.test", 587, False, True, "u", "p"),
    ("smtps://apikey:s%40cret@smtp.example.test", "smtp.example.test", 465, True, False, "apikey", "s@cret"),
])
def test_the_three_shapes_of_smtp_url(url, host, port, tls, starttls, user, password):
    u = parse_smtp_url(url)
    assert (u.host, u.port, u.implicit_tls, u.starttls, u.username, u.password) == (
        host, port, tls, starttls, user, password)


@pytest.mark.parametrize("url", [
    "http://mail.example.test", "smtp://", "smtp://mail.example.test:99999", "smtp://h?starttls=maybe",
    "smtps://h?starttls=true", "smtp://h?tls=on",
])
def test_a_bad_smtp_url_stops_start_up_without_echoing_it(tmp_path, url):
    with pytest.raises(ConfigError) as err:
        load_settings({**KEY, "SMTP_URL": url.replace("h", "user:topsecret@h", 1) if "//h" in url else url}, tmp_path)
    assert "SMTP_URL" in str(err.value) and "topsecret" not in str(err.value)


def test_mail_from_defaults_to_the_public_host_and_is_checked(tmp_path):
    assert load_settings({**KEY, "PUBLIC_BASE_URL": "https://go.example.test"}, tmp_path).mail_from == (
        "Stafet <no-reply@go.example.test>")
    assert load_settings({**KEY, "MAIL_FROM": "Team <team@example.test>"}, tmp_path).mail_from == (
        "Team <team@example.test>")
    with pytest.raises(ConfigError, match="MAIL_FROM"):
        load_settings({**KEY, "MAIL_FROM": "not an address"}, tmp_path)


def test_mail_goes_to_the_instance_folder_without_smtp(tmp_path):
    settings = load_settings(KEY, tmp_path)
    assert settings.smtp_url is None and settings.mail_dir == str(tmp_path / "mail")
    assert settings.reset_ttl == 3600
