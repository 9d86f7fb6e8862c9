"""Fixtures of the browser tests. Each module defines `live` (its app, seeded, served with
tests.e2e.live.serving: a dict with at least "url" and "app"); Playwright and the browser are
started once per module."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import inspection_session
from tests.e2e.live import CHROMIUM, open_phone


@pytest.fixture(scope="module")
def pw():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(pw):
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run does it)")
    browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
    yield browser
    browser.close()


@pytest.fixture
def db(live):
    """An inspection session (tests.conftest.inspection_session) on the live server's database."""
    s = inspection_session(live["app"])
    yield s
    s.close()
    s.get_bind().dispose()


@pytest.fixture
def phones(browser, pw):
    """Fresh phones (browser contexts, signed out), closed after the test: `phones(name, **options)`
    opens one and gives its page."""
    opened = []

    def open_one(name: str = "Pixel 7", **options):
        context, page = open_phone(browser, pw, name, **options)
        opened.append(context)
        return page

    yield open_one
    for context in opened:
        context.close()
