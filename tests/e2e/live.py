"""What the browser tests share: the live server, the phones and the axe-core scan. The pytest
fixtures built on it (Playwright, the browser, phones, an inspection session) are in conftest.py."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
DIST = ROOT / "staff_app" / "dist"
AXE = ROOT / "staff_app" / "node_modules" / "axe-core" / "axe.min.js"


def require_staff_app() -> None:
    if not (DIST / "index.html").is_file():
        pytest.skip("the staff app is not built (make app; make test builds it first)")


@contextmanager
def serving(app: Flask, port: int = 0) -> Iterator[str]:
    """The app on `port` (else a free port) of 127.0.0.1 (threaded werkzeug) while the block runs: its base URL."""
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def free_port() -> int:
    """A port that is free now, for an app that must know its own address (PUBLIC_BASE_URL) before it serves."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- phones ---------------------------------------------------------------------------------------

def phone(pw, name: str) -> dict:
    """A phone's context options for Chromium. iPhone 13 is a WebKit profile in Playwright: its
    viewport, screen, user agent, pixel ratio and touch are used, the engine stays Chromium."""
    profile = {k: v for k, v in pw.devices[name].items() if k != "default_browser_type"}
    return {**profile, "locale": "en-GB", "timezone_id": "Europe/Copenhagen"}


def open_phone(browser, pw, name: str = "Pixel 7", **options):
    context = browser.new_context(**phone(pw, name), **options)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


def sign_in(page, url: str, identifier: str, password: str) -> None:
    """The staff app's sign-in form, filled and sent (what follows is the caller's to wait for)."""
    page.goto(url + "/app/")
    page.get_by_label("Email or username").fill(identifier)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def cards(page):
    return page.locator("article[data-testid=feed-card]")


def card(page, title: str):
    return cards(page).filter(has=page.get_by_role("heading", name=title))


# --- accessibility --------------------------------------------------------------------------------

def axe(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now (WCAG 2.1 A/AA rules)."""
    if page.evaluate("typeof window.axe") == "undefined":
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})""")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


class AxeScans:
    """Scans of one page's screens, each once it is ready: `scan(name, locator)`; `found` maps the
    screen's name to its serious and critical violations. The page's context must bypass the CSP
    (bypass_csp=True), so axe's injected script may run."""

    def __init__(self, page) -> None:
        if not AXE.is_file():
            pytest.fail("axe-core is missing: cd staff_app && npm ci")
        self.page = page
        self.found: dict[str, list[dict]] = {}

    def __call__(self, name: str, ready) -> None:
        ready.wait_for()
        self.page.locator(".loading").first.wait_for(state="detached")
        self.found[name] = axe(self.page)

    def failing(self) -> dict[str, list[dict]]:
        """The screens with violations (printed first: the count per screen, for the test's log)."""
        print("\naxe serious/critical violations per screen: "
              + ", ".join(f"{name}={len(v)}" for name, v in self.found.items()))
        return {name: v for name, v in self.found.items() if v}
