"""The top bar live in a real browser (Chromium, against daphne; see test_browser.py): a
notification created for the signed-in user updates the bell and shows a toast without
a reload, the bell's menu lists it, and a room message updates the "Messages" badge —
all over the page's one websocket (issue 13)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.browser import SCREENSHOTS, expect, new_page, send, sign_in
from tests.web.live import LiveServer, live_server


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server() as running:
        yield running


def count(page: Any, selector: str) -> int:
    node = page.locator(selector)
    return 0 if node.is_hidden() else int(node.inner_text())


# Counts the sockets each document opens (Playwright's own websocket events do not say
# which document a socket belonged to once the page has navigated on).
COUNT_SOCKETS = """
window.__sockets = 0;
const Original = window.WebSocket;
function Counted(...args) { window.__sockets += 1; return new Original(...args); }
Counted.prototype = Original.prototype;
Object.setPrototypeOf(Counted, Original);
window.WebSocket = Counted;
"""


def sockets_of(page: Any) -> int:
    return int(page.evaluate("window.__sockets"))


def test_a_join_request_rings_the_moderators_bell_live(browser: Any, server: Any) -> None:
    amina = new_page(browser, server)
    sign_in(amina, "amina")  # owner of aviation-canada, which takes members on approval
    amina.context.add_init_script(COUNT_SOCKETS)
    amina.goto("/networks/")
    expect(amina.locator("body")).to_have_attribute("data-live", "1")
    before = count(amina, "[data-bell-count]")

    karim = new_page(browser, server)
    sign_in(karim, "karim")
    karim.goto("/networks/aviation-canada/join/")
    karim.fill("#id_message", "Ingénieur avionique à Montréal.")
    karim.click("[data-testid=join-submit]")

    bell = amina.locator("[data-bell-count]")
    expect(bell).to_have_text(str(before + 1))
    expect(bell).to_be_visible()
    expect(amina.locator("[data-bell]")).to_have_attribute(
        "aria-label", f"Notifications (unread: {before + 1})"
    )
    expect(amina.locator("[data-testid=toasts]")).to_contain_text("Karim")
    assert sockets_of(amina) == 1  # the page's one socket

    # The menu lists it; opening it marks it read and goes to the requests.
    amina.click("[data-bell]")
    menu = amina.locator("#bell-menu")
    expect(menu).to_be_visible()
    expect(menu.locator("li").first).to_contain_text("Karim")
    amina.screenshot(path=str(SCREENSHOTS / "bell-menu-en.png"))
    menu.locator("li").first.locator("button").click()
    amina.wait_for_url(re.compile(r".*/networks/aviation-canada/manage/.*"))
    expect(amina.locator("[data-bell-count]")).to_have_text(str(before))
    assert amina.js_errors == [] and karim.js_errors == []
    amina.context.close()
    karim.context.close()


def test_marking_all_read_on_one_tab_clears_the_bell_on_another(
    browser: Any,
    server: Any,
) -> None:
    first = new_page(browser, server)
    sign_in(first, "amina")
    second = first.context.new_page()
    second.goto("/")
    expect(second.locator("body")).to_have_attribute("data-live", "1")
    first.goto("/notifications/")
    if first.locator("[data-testid=mark-all-read]").count():
        first.click("[data-testid=mark-all-read] button")
    expect(first.locator("[data-bell-count]")).to_be_hidden()
    expect(second.locator("[data-bell-count]")).to_be_hidden()
    expect(second.locator("[data-bell]")).to_have_attribute(
        "aria-label", "Notifications (unread: 0)"
    )
    first.context.close()


def test_a_room_message_raises_the_messages_badge_live(browser: Any, server: Any) -> None:
    youssef = new_page(browser, server)
    sign_in(youssef, "youssef")
    youssef.goto("/directory/")
    expect(youssef.locator("body")).to_have_attribute("data-live", "1")
    before = count(youssef, "[data-messages-count]")

    salma = new_page(browser, server)
    sign_in(salma, "salma")
    salma.goto("/networks/germany/chat/")
    expect(salma.locator("#conn")).to_have_attribute("data-state", "connected")
    send(salma, "Réunion demain à 18 h ?")
    expect(salma.locator("#messages")).to_contain_text("Réunion demain")

    badge = youssef.locator("[data-messages-count]")
    expect(badge).to_have_text(str(before + 1))
    expect(youssef.locator("[data-messages-link]")).to_have_attribute(
        "aria-label", f"Messages (unread: {before + 1})"
    )
    # Reading the room (its page) brings the badge down, on the room page itself too.
    youssef.context.add_init_script(COUNT_SOCKETS)
    youssef.goto("/networks/germany/chat/")
    expect(youssef.locator("#conn")).to_have_attribute("data-state", "connected")
    assert sockets_of(youssef) == 1  # chat.js and the top bar share the page's socket
    expect(youssef.locator("#messages")).to_contain_text("Réunion demain")
    expect(youssef.locator("[data-messages-count]")).not_to_have_text(str(before + 1))
    assert youssef.js_errors == [] and salma.js_errors == []
    youssef.context.close()
    salma.context.close()


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_bell_menu_and_the_list_fit_a_phone_in_both_directions(
    browser: Any,
    server: Any,
    lang: str,
) -> None:
    page = new_page(browser, server, width=375, lang=lang)
    sign_in(page, "amina")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    page.goto("/networks/")
    expect(page.locator("body")).to_have_attribute("data-live", "1")
    page.click("[data-bell]")
    menu = page.locator("#bell-menu")
    expect(menu.locator(".bell-menu-foot a")).to_be_visible()
    box = menu.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    page.screenshot(path=str(SCREENSHOTS / f"bell-menu-mobile-{lang}.png"))
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    page.goto("/notifications/")
    assert int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth")) <= 0
    assert page.js_errors == []
    page.context.close()
