"""Chromium via Playwright against a live server thread. Without /usr/bin/chromium the browser
tests are skipped loudly, except under CI, where they fail."""

from __future__ import annotations

import os
import threading
import warnings
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal.dev.services import free_port

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = "BROWSER TESTS NOT RUN: /usr/bin/chromium is missing (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """The app served on a free port, CSRF switched on as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(5)
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def log_in():
    """Log in through the form, as a person would."""

    def _log_in(page, login, password):
        page.goto("/login")
        page.locator("#email").fill(login.email)
        page.locator("#password").fill(password)
        page.locator("button.primary").click()
        page.wait_for_url("**/overview")

    return _log_in


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="de-DE")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Expected, not errors: an invalid form answers 422 on purpose (Chromium logs it as a failed
    # resource), and hx-sync="this:replace" aborts a superseded filter request (htmx logs that).
    expected = ("status of 422", "htmx:sendAbort", "htmx:afterRequest")
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text) if msg.type == "error" and not any(e in msg.text for e in expected) else None
        ),
    )
    yield page
    context.close()
    # No CSP violations, no script errors on any page the test visited.
    assert errors == []


# Screenshots of the walks: tests/browser/artifacts/ (kept by CI, never committed). With
# DOCS_SCREENSHOTS=1 (`make docs-screenshots`) the ones the README shows are written to docs/ too.
ARTIFACTS = Path(__file__).parent / "artifacts"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def snap(page, name: str, docs: bool = False) -> Path:
    """The visible part of the page, caret left as it is: Playwright hides the caret (and, for
    a full-page capture, resizes) with inline styles, which the CSP blocks and reports."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), caret="initial")
    if docs and os.environ.get("DOCS_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        (DOCS / path.name).write_bytes(path.read_bytes())
    return path
