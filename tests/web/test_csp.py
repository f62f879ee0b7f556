"""Content-Security-Policy: every answer carries a strict one, and the pages obey it.

The policy (config/settings.py, django-csp) lets a page run only the site's own script
files, load the site's own styles, be framed by nobody and post forms only to the site.
So an injected `<script>`, `onclick=` or `style=` does nothing; these tests check that
the pages themselves need none (the browser tests, tests/web/test_browser.py, fail on
any violation Chromium reports).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def policy_of(response: Any) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict(policy: dict[str, list[str]]) -> None:
    assert policy["default-src"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        sources = policy[directive]
        assert "'self'" in sources
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(
            sources
        ), (directive, sources)
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]  # the websocket too (CSP 3: 'self' covers ws:)


PAGES = [
    "/",
    "/signin/",
    "/signup/",
    "/networks/",
    "/networks/germany/",
    "/api/v1/networks/",
    "/api/docs/",
    "/api/schema/",
    "/admin/login/",
    "/healthz",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_and_answer_carries_a_strict_policy(path: str, public_network: Any) -> None:
    response = Client().get(path)
    assert response.status_code == 200, path
    assert_strict(policy_of(response))


@override_settings(DEBUG=False)
@pytest.mark.parametrize("path", ["/no-such-page/", "/api/v1/no-such-thing/"])
def test_error_pages_carry_the_policy_too(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 404
    assert_strict(policy_of(response))


class InlineCode(HTMLParser):
    """Collects what a strict policy would block: inline scripts without the page's
    nonce, inline event handlers, `style` attributes and `<style>` elements, and
    resources from other origins."""

    def __init__(self, nonce: str | None) -> None:
        super().__init__()
        self.nonce = nonce
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.found.append(f"<{tag} style={value!r}>")
        # A data block (json_script's type="application/json") is never run: allowed.
        runs = (values.get("type") or "text/javascript") in {"text/javascript", "module"}
        nonced = self.nonce is not None and values.get("nonce") == self.nonce
        if tag == "script" and runs and not values.get("src") and not nonced:
            self.found.append("<script> inline without the nonce")
        if tag == "style":
            self.found.append("<style> element")
        for name in ("src", "href"):
            url = values.get(name) or ""
            if tag in {"script", "link", "img", "iframe"} and re.match(r"(https?:)?//", url):
                self.found.append(f"<{tag} {name}={url!r}> from another origin")


def inline_code(response: Any) -> list[str]:
    match = re.search(r"'nonce-([^']+)'", response.headers.get("Content-Security-Policy", ""))
    parser = InlineCode(match.group(1) if match else None)
    parser.feed(response.content.decode())
    return parser.found


@pytest.fixture
def seeded_pages(forum: dict[str, Any], room: Any, public_network: Any) -> list[str]:
    slug = public_network.slug
    return [
        "/",
        "/networks/",
        f"/networks/{slug}/",
        f"/networks/{slug}/forums/",
        f"/networks/{slug}/forums/{forum['category'].pk}/",
        f"/topics/{forum['topic'].pk}/",
        f"/rooms/{room.pk}/",
        f"/networks/{slug}/manage/",
        f"/networks/{slug}/manage/members/",
        f"/networks/{slug}/manage/invitations/",
        f"/networks/{slug}/manage/audit/",
        f"/networks/{slug}/directory/",
        "/directory/",
        "/messages/",
        "/profile/edit/",
        "/notifications/",
        "/notifications/?show=unread",
        "/notifications/menu/",
    ]


def test_the_pages_of_the_web_client_need_no_inline_code(
    browse: Any, seeded_pages: list[str], owner: Any
) -> None:
    client = browse("owner")
    found = {}
    for path in [*seeded_pages, f"/people/{owner.username}/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        if problems := inline_code(response):
            found[path] = problems
    assert found == {}


def test_the_visitor_pages_need_no_inline_code(client: Client) -> None:
    found = {path: inline_code(client.get(path)) for path in ("/signin/", "/signup/")}
    assert found == {"/signin/": [], "/signup/": []}


def test_the_api_docs_load_swagger_ui_from_the_site_itself(client: Client) -> None:
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert inline_code(response) == []
    html = response.content.decode()
    assert "cdn.jsdelivr.net" not in html
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert len(scripts) == 3 and all(src.startswith("/") for src in scripts), scripts
    # The initialising script is served by the view itself, as JavaScript.
    init = client.get(scripts[-1])
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in init.content


TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("*/*/templates")]
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
STYLE = re.compile(r"<[^>]*\sstyle\s*=", re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", re.I)


def is_mail(path: Path) -> bool:
    """Mail templates (mailer/, and each app's templates/<app>/mail/) are read by mail
    clients, not under the site's CSP: they style inline, as mail must (clients drop
    <style> and stylesheets); handlers and scripts stay refused there too."""
    parts = path.relative_to(ROOT).parts
    return parts[0] == "mailer" or "mail" in parts


def test_no_template_has_an_inline_handler_script_or_style_attribute() -> None:
    """Every template, rendered by a test or not (an error page, a rare branch)."""
    templates = [path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html")]
    assert len(templates) > 30
    found = []
    for path in templates:
        text = path.read_text()
        checks = [("handler", HANDLER), ("script", INLINE_SCRIPT)]
        if not is_mail(path):
            checks.append(("style", STYLE))
        for name, pattern in checks:
            found += [f"{path.relative_to(ROOT)}: {name}" for _ in pattern.finditer(text)]
    assert found == []
