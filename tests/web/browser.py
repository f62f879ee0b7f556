"""What the browser tests share: the live server and Debian's chromium (fixtures, made
available to tests/web by its conftest), a page that records what goes wrong on it, and
the steps most tests take (sign in, open a room, visit the main pages).

The server is the real ASGI application on its own database (see `tests/web/live.py`),
so the websocket, the channel layer (Redis in the services pass) and the JavaScript
are all exercised.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.live import LiveServer, live_server
from tests.web.seed_browser import PASSWORD

try:
    from playwright import sync_api as playwright
except ImportError:  # the fixtures skip; the page tests of tests/web run without it
    playwright = None

# Screenshots (docs/screenshots/, shown in the README) are taken by every run, so a page
# that fails to render fails its test; `make screenshots` (SHABAKA_SCREENSHOTS=1) keeps
# them in docs/screenshots/, other runs in a temporary folder, so the committed pictures
# only change when someone means them to.
if os.environ.get("SHABAKA_SCREENSHOTS") == "1":
    SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
else:
    SCREENSHOTS = Path(tempfile.mkdtemp(prefix="shabaka-screenshots-"))
SCREENSHOTS.mkdir(parents=True, exist_ok=True)
LIVE_TIMEOUT = 10_000  # ms: a websocket message should arrive far sooner


def expect(target: Any) -> Any:
    return playwright.expect(target)


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server() as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if playwright is None:
        pytest.skip("playwright is not installed (make install-test installs it)")
    chromium = shutil.which("chromium")
    if chromium is None:
        message = "Debian's chromium is not installed (scripts/test.sh installs it as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


# What went wrong on the pages a test opened, whatever the test asserted itself: a
# Content-Security-Policy violation (the `securitypolicyviolation` event, or Chromium's
# console line), any other console error, a request that failed or was answered 400 or
# more. The autouse fixture `page_problems` (tests/web/conftest.py) fails the test on
# any; a test that provokes some on purpose names them with
# @pytest.mark.allow_problems(r"regex", …).
PROBLEMS: list[str] = []
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__shabakaCspViolation(
    `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`
  );
});
"""


def watch(context: Any) -> None:
    """Record the problems of every page of the context."""
    context.expose_binding(
        "__shabakaCspViolation",
        lambda source, text: PROBLEMS.append(f"CSP: {source['page'].url}: {text}"),
    )
    context.add_init_script(REPORT_VIOLATIONS)

    def console(message: Any) -> None:
        if message.type == "error":
            where = (message.location or {}).get("url", "")
            PROBLEMS.append(f"console error: {message.text} ({where})")

    def failed(request: Any) -> None:
        # A request cut short because its page went on (a navigation, a closed
        # socket's page) is not a failure.
        if "ERR_ABORTED" not in (request.failure or ""):
            PROBLEMS.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def answered(response: Any) -> None:
        if response.status >= 400:
            PROBLEMS.append(f"{response.status}: {response.request.method} {response.url}")

    context.on("console", console)
    context.on("requestfailed", failed)
    context.on("response", answered)


def new_page(browser: Any, server: LiveServer, *, width: int = 1280, lang: str = "en") -> Any:
    context = browser.new_context(
        viewport={"width": width, "height": 800}, locale="en-US", base_url=server.url
    )
    context.set_default_timeout(LIVE_TIMEOUT)
    watch(context)
    # The device's language, chosen before signing in (it outranks the profile's).
    context.add_cookies([{"name": "django_language", "value": lang, "url": server.url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    return page


def sign_in(page: Any, username: str) -> None:
    page.goto("/signin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def open_room(page: Any) -> None:
    """The Germany network's first room, live."""
    page.goto("/networks/germany/chat/")
    expect(page.locator("#conn")).to_have_attribute("data-state", "connected")


def send(page: Any, text: str) -> None:
    page.fill("[data-testid=composer]", text)
    page.press("[data-testid=composer]", "Enter")


# Pages shown in docs/screenshots/ and checked for overflow (visited first, while the
# rooms hold only the seeded talk).
PAGES = [
    ("networks", "/networks/"),
    ("network", "/networks/germany/"),
    ("topic", None),  # reached by clicking, its id depends on the seed
    ("chat", "/networks/germany/chat/"),
    ("directory", "/directory/"),
    ("profile", "/people/amina/"),
    ("moderation", "/networks/germany/manage/members/"),
    ("notifications", "/notifications/"),
    ("meetings", "/networks/germany/meetings/"),
    ("meetings-calendar", "/networks/germany/meetings/calendar/"),
    ("calls", "/networks/germany/calls/"),
    ("call", "/calls/1/"),  # the open mission of tests/web/seed_browser.py
    ("edit-profile", "/profile/edit/"),
    ("account", "/account/"),
    ("delete-account", "/account/delete/"),
]


def visit(page: Any, name: str, path: str | None) -> None:
    if path is not None:
        page.goto(path)
    else:
        page.goto("/networks/germany/forums/")
        page.click("text=Entraide")
        page.click("text=Reconnaissance du diplôme")
        # Measured once the topic's page has loaded, not while the click still navigates
        # (under load a half-loaded page, or the category's, could be measured).
        expect(page).to_have_url(re.compile(r"/topics/\d+/"))
        page.wait_for_load_state("load")
    if name == "chat":
        expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
        expect(page.locator("#messages .msg").first).to_be_visible()


def overflow(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))
